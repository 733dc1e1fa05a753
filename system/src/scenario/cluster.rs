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
}

/// A validated cluster.
#[derive(Clone, Debug)]
pub struct ClusterPlan {
    /// The graph.
    pub topology: Topology,
    /// Per server `s0..`.
    pub servers: Vec<ServerPlan>,
}

/// Checks `[cluster]` given the default NIC (`nic`, `cores`) and actor plan.
pub(super) fn validate_cluster(
    c: &Checker<'_>,
    section: &ClusterSection,
    nic: &NicProfile,
    cores: u32,
    actors: Option<&ActorsPlan>,
    base_dir: &Path,
) -> Result<ClusterPlan, ScenarioError> {
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
    Ok(ClusterPlan { topology, servers })
}
