//! Validation of `[cluster]`: the topology, its connectivity, and each server's NIC, host and actors.
//!
//! Defaults for every server come from `[nic]` and `[host]` (and all the
//! actors of `[[workload.actors]]`); `[[cluster.server]]` entries override
//! them per server. A scenario without `[cluster]` has no plan here and runs
//! the one-server system exactly as before.

use super::actors::ActorsPlan;
use super::checker::Checker;
use super::error::ScenarioError;
use crate::cluster::spec::ClusterSection;
use crate::cluster::topology::Topology;
use crate::cluster::Routes;
use nic_models::{HostProfile, NicProfile};
use sim_core::SimDuration;
use std::path::Path;

/// One server's resolved settings.
#[derive(Clone, Debug)]
pub struct ServerPlan {
    /// Its NIC.
    pub nic: NicProfile,
    /// NIC cores used.
    pub nic_cores: u32,
    /// Its host (actor workloads only).
    pub host: Option<HostProfile>,
    /// Host cores given to the runtime.
    pub host_cores: u32,
    /// Names of the actors started on it.
    pub actors: Vec<String>,
    /// Every actor's config with its named peers resolved for this server,
    /// by `[[workload.actors]]` index (scenario/peers.rs; empty until resolved).
    pub configs: Vec<toml::Table>,
}

/// How the client machines send.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClientPlan {
    /// Closed loop: requests in flight per client and the think time after
    /// each response; `None`: open loop at the workload's rate.
    pub closed: Option<(u32, SimDuration)>,
    /// A request unanswered this long is counted as timed out.
    pub timeout: SimDuration,
}

/// Default client timeout, us: an assumption (about 100x a loaded request's
/// latency in the example scenarios), not an iPipe figure.
pub const DEFAULT_CLIENT_TIMEOUT_US: f64 = 1000.0;

/// Most requests a closed-loop client keeps in flight (the client's
/// outstanding table holds this many).
pub const MAX_CLIENT_OUTSTANDING: u32 = crate::cluster::client::DEFAULT_MAX_OUTSTANDING as u32;

/// A validated cluster.
#[derive(Clone, Debug)]
pub struct ClusterPlan {
    /// The graph.
    pub topology: Topology,
    /// Per server `s0..`.
    pub servers: Vec<ServerPlan>,
    /// The clients' load model settings.
    pub clients: ClientPlan,
    /// `[faults]` (empty without one).
    pub faults: crate::cluster::faults::FaultPlan,
}

/// Checks the client keys of `[cluster]`; `rate_key` names the workload's
/// open-loop rate key when the file sets one (closed loop has no rate).
fn validate_clients(
    c: &Checker<'_>,
    section: &ClusterSection,
    actors: Option<&ActorsPlan>,
    rate_key: Option<&str>,
) -> Result<ClientPlan, ScenarioError> {
    let us = |key: &str, v: f64, min_exclusive: bool| {
        let ok = v.is_finite() && v <= 1e9 && if min_exclusive { v > 0.0 } else { v >= 0.0 };
        if ok {
            Ok(SimDuration::from_ns_f64(v * 1e3))
        } else {
            Err(c.err(
                key,
                format!("{v} us is out of range"),
                if min_exclusive {
                    "use a positive time in us, at most 1e9"
                } else {
                    "use a time in us between 0 and 1e9"
                },
            ))
        }
    };
    let timeout = us(
        "cluster.client_timeout_us",
        section
            .client_timeout_us
            .unwrap_or(DEFAULT_CLIENT_TIMEOUT_US),
        true,
    )?;
    let closed = match (section.client_outstanding, section.client_think_us) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(c.err(
                "cluster.client_think_us",
                "applies only to closed-loop clients",
                "set cluster.client_outstanding too, or remove client_think_us",
            ))
        }
        (Some(n), think) => {
            if n == 0 || n > MAX_CLIENT_OUTSTANDING {
                return Err(c.err(
                    "cluster.client_outstanding",
                    format!("must be between 1 and {MAX_CLIENT_OUTSTANDING}, got {n}"),
                    format!("set it to 1..={MAX_CLIENT_OUTSTANDING}"),
                ));
            }
            if let Some(key) = rate_key {
                return Err(c.err(
                    key,
                    "closed-loop clients (cluster.client_outstanding) set their own rate",
                    format!("keep one of {key} and cluster.client_outstanding"),
                ));
            }
            // A request to an actor that never answers frees its slot at
            // once: with no think time the client would send without end.
            let silent = actors.and_then(|p| {
                p.actors
                    .iter()
                    .find(|a| !crate::run::cluster::replies(a.kind, &a.config))
            });
            if let Some(a) = silent {
                return Err(c.err(
                    "cluster.client_outstanding",
                    format!(
                        "closed-loop clients wait for answers, and actor `{}` never answers its sender",
                        a.name
                    ),
                    "use open-loop clients (remove cluster.client_outstanding), or actors that answer",
                ));
            }
            let think = us("cluster.client_think_us", think.unwrap_or(0.0), false)?;
            Some((n, think))
        }
    };
    Ok(ClientPlan { closed, timeout })
}

/// Checks `[cluster]` given the default NIC (`nic`, `cores`) and actor plan;
/// `rate_key` names the workload's open-loop rate key when the file sets one.
pub(super) fn validate_cluster(
    c: &Checker<'_>,
    section: &ClusterSection,
    nic: &NicProfile,
    cores: u32,
    actors: Option<&ActorsPlan>,
    rate_key: Option<&str>,
    base_dir: &Path,
) -> Result<ClusterPlan, ScenarioError> {
    let clients = validate_clients(c, section, actors, rate_key)?;
    let topology = Topology::build(section).map_err(|e| c.err(&e.key, e.message, e.fix))?;
    if let Some((a, b)) = Routes::compute(&topology).unreachable(&topology) {
        return Err(c.err(
            "cluster.links",
            format!(
                "{} cannot reach {}: the switches are not all connected",
                topology.name(a),
                topology.name(b)
            ),
            "link the switches so that every server and client can reach every other",
        ));
    }
    let all_actors: Vec<String> = actors
        .map(|p| p.actors.iter().map(|a| a.name.clone()).collect())
        .unwrap_or_default();
    let default = ServerPlan {
        nic: nic.clone(),
        nic_cores: cores,
        host: actors.map(|p| p.host.clone()),
        host_cores: actors.map_or(0, |p| p.host_cores),
        actors: all_actors.clone(),
        configs: Vec::new(),
    };
    let mut servers = vec![default; topology.servers as usize];
    let mut seen = Vec::new();
    for (i, e) in section.server.as_deref().unwrap_or(&[]).iter().enumerate() {
        let key = |k: &str| format!("cluster.server[{i}].{k}");
        let index = e
            .name
            .strip_prefix('s')
            .and_then(|d| d.parse::<u32>().ok())
            .filter(|&n| n < topology.servers && !seen.contains(&n));
        let Some(index) = index else {
            return Err(c.err(
                &key("name"),
                format!(
                    "`{}` is not a server of this cluster (s0..s{}), or is listed twice",
                    e.name,
                    topology.servers.saturating_sub(1)
                ),
                "name each server once, as s0, s1, ...",
            ));
        };
        seen.push(index);
        let plan = &mut servers[index as usize];
        if let Some(p) = &e.nic_profile {
            plan.nic = NicProfile::resolve(p, base_dir).map_err(|err| {
                c.err(
                    &key("nic_profile"),
                    err.to_string(),
                    format!(
                        "use a built-in profile ({}) or a path",
                        nic_models::profile::builtin_names().join(", ")
                    ),
                )
            })?;
            plan.nic_cores = plan.nic.cores;
        }
        if let Some(n) = e.nic_cores {
            if n == 0 || n > plan.nic.cores {
                return Err(c.err(
                    &key("nic_cores"),
                    format!(
                        "must be between 1 and {} for the {}, got {n}",
                        plan.nic.cores, plan.nic.name
                    ),
                    format!("set it to 1..={}", plan.nic.cores),
                ));
            }
            plan.nic_cores = n;
        }
        let host_keys = [
            ("host_profile", e.host_profile.is_some()),
            ("host_cores", e.host_cores.is_some()),
            ("actors", e.actors.is_some()),
        ];
        if actors.is_none() {
            if let Some((k, _)) = host_keys.iter().find(|(_, set)| *set) {
                return Err(c.err(
                    &key(k),
                    "applies only to actor workloads",
                    "remove it, or set workload.kind = \"actors\"",
                ));
            }
        }
        if let Some(p) = &e.host_profile {
            let h = HostProfile::resolve(p, base_dir).map_err(|err| match err {
                nic_models::ProfileError::Unknown { name, known } => c.err(
                    &key("host_profile"),
                    format!("unknown host `{name}`"),
                    format!("use a built-in host ({known}) or a path"),
                ),
                other => c.err(
                    &key("host_profile"),
                    other.to_string(),
                    "fix the host profile",
                ),
            })?;
            plan.host_cores = h.cores();
            plan.host = Some(h);
        }
        if let Some(n) = e.host_cores {
            let max = plan.host.as_ref().map_or(0, HostProfile::cores);
            if n == 0 || n > max {
                return Err(c.err(
                    &key("host_cores"),
                    format!("must be between 1 and {max}, got {n}"),
                    format!("set it to 1..={max}"),
                ));
            }
            plan.host_cores = n;
        }
        if let Some(list) = &e.actors {
            if let Some(bad) = list.iter().find(|a| !all_actors.contains(a)) {
                return Err(c.err(
                    &key("actors"),
                    format!("no actor named `{bad}` in [[workload.actors]]"),
                    format!("use names from: {}", all_actors.join(", ")),
                ));
            }
            plan.actors = list.clone();
        }
    }
    Ok(ClusterPlan {
        topology,
        servers,
        clients,
        faults: crate::cluster::faults::FaultPlan::default(),
    })
}
