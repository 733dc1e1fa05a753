//! The `[faults]` section of a cluster scenario: server crashes and restarts, and links that lose or delay frames, checked and resolved against the topology.
//!
//! ```toml
//! [[faults.crash]]
//! server = "s1"          # a server of the cluster
//! at_ms = 2.0            # when it crashes
//! restart_ms = 3.0       # when it starts again (optional: stays down)
//!
//! [[faults.link]]
//! link = "s1"            # an endpoint's link, or "leaf0-spine1" between two nodes
//! drop_probability = 0.01
//! delay_probability = 0.1
//! delay_us = 5.0
//! ```
//!
//! The model is in `crate::cluster::faults`.

use super::checker::Checker;
use super::error::{num, ScenarioError};
use crate::cluster::faults::{CrashPlan, FaultPlan, LinkFaultPlan};
use crate::cluster::topology::{NodeRef, Topology};
use serde::{Deserialize, Serialize};
use sim_core::{SimDuration, SimTime};

/// Longest fault delay, us (one second: far above any link's time scale).
pub const MAX_DELAY_US: f64 = 1e6;

/// `[faults]`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct FaultsSection {
    /// Server crashes.
    #[serde(default)]
    pub crash: Option<Vec<CrashEntry>>,
    /// Faulty links.
    #[serde(default)]
    pub link: Option<Vec<LinkFaultEntry>>,
}

/// One `[[faults.crash]]`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CrashEntry {
    /// The server, `s0`, `s1`, ...
    pub server: String,
    /// When it crashes, ms from the start.
    pub at_ms: f64,
    /// When it starts again, ms from the start (default: never).
    #[serde(default)]
    pub restart_ms: Option<f64>,
}

/// One `[[faults.link]]`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LinkFaultEntry {
    /// An endpoint (`s1`, `c0`: its only link) or two nodes joined by a link (`leaf0-spine1`).
    pub link: String,
    /// Probability that a frame is lost on the link, [0, 1] (default 0).
    #[serde(default)]
    pub drop_probability: Option<f64>,
    /// Probability that a frame is delayed, [0, 1] (default 0).
    #[serde(default)]
    pub delay_probability: Option<f64>,
    /// Delay of a delayed frame, us (required with delay_probability > 0).
    #[serde(default)]
    pub delay_us: Option<f64>,
}

/// The node named `name` (`s3`, `c0`, or a switch's name).
fn node_named(topo: &Topology, name: &str) -> Option<NodeRef> {
    let index = |p: &str| name.strip_prefix(p).and_then(|d| d.parse::<u32>().ok());
    if let Some(i) = index("s").filter(|&i| i < topo.servers) {
        return Some(NodeRef::Server(i));
    }
    if let Some(i) = index("c").filter(|&i| i < topo.clients) {
        return Some(NodeRef::Client(i));
    }
    topo.switches
        .iter()
        .position(|s| s.name == name)
        .map(|i| NodeRef::Switch(i as u32))
}

/// The link `spec` names: an endpoint's only link, or the link between two nodes.
fn link_named(topo: &Topology, spec: &str) -> Option<usize> {
    if let Some(n) = node_named(topo, spec) {
        if topo.endpoint_id(n).is_some() {
            return topo.ports(n).first().map(|&(l, _)| l);
        }
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (node_named(topo, a)?, node_named(topo, b)?);
    topo.links
        .iter()
        .position(|l| (l.a == a && l.b == b) || (l.a == b && l.b == a))
}

/// Checks `[faults]` against the cluster `topo` and a run of `duration`.
pub(super) fn validate_faults(
    c: &Checker<'_>,
    f: &FaultsSection,
    topo: &Topology,
    duration: SimDuration,
) -> Result<FaultPlan, ScenarioError> {
    let duration_ms = duration.as_secs_f64() * 1e3;
    let mut plan = FaultPlan::default();
    for (i, e) in f.crash.as_deref().unwrap_or(&[]).iter().enumerate() {
        let key = |k: &str| format!("faults.crash[{i}].{k}");
        let server = match node_named(topo, &e.server) {
            Some(NodeRef::Server(s)) => s,
            _ => {
                return Err(c.err(
                    &key("server"),
                    format!(
                        "`{}` is not a server of this cluster (s0..s{})",
                        e.server,
                        topo.servers.saturating_sub(1)
                    ),
                    "name a server as s0, s1, ...",
                ))
            }
        };
        if !(e.at_ms.is_finite() && e.at_ms >= 0.0 && e.at_ms < duration_ms) {
            return Err(c.err(
                &key("at_ms"),
                format!(
                    "must be in [0, duration_ms = {duration_ms}) ms, got {}",
                    num(e.at_ms)
                ),
                "crash the server during the run",
            ));
        }
        let at = SimTime::ZERO + SimDuration::from_ns_f64(e.at_ms * 1e6);
        let restart = match e.restart_ms {
            None => None,
            Some(r) if r.is_finite() && r > e.at_ms && r <= 3.6e6 => {
                Some(SimTime::ZERO + SimDuration::from_ns_f64(r * 1e6))
            }
            Some(r) => {
                return Err(c.err(
                    &key("restart_ms"),
                    format!(
                        "must come after the crash (at_ms = {}) and be at most 3.6e6 ms, got {}",
                        num(e.at_ms),
                        num(r)
                    ),
                    "restart after the crash, or remove restart_ms to keep the server down",
                ))
            }
        };
        // a server is down at most once at a time
        let overlaps = plan.crashes.iter().any(|p: &CrashPlan| {
            p.server == server
                && p.at <= restart.unwrap_or(SimTime::MAX)
                && at <= p.restart.unwrap_or(SimTime::MAX)
        });
        if overlaps {
            return Err(c.err(
                &key("at_ms"),
                format!(
                    "{} is already down (or crashes again) in another [[faults.crash]] at this time",
                    e.server
                ),
                "crash a server again only after it restarted",
            ));
        }
        plan.crashes.push(CrashPlan {
            server,
            at,
            restart,
        });
    }
    for (i, e) in f.link.as_deref().unwrap_or(&[]).iter().enumerate() {
        let key = |k: &str| format!("faults.link[{i}].{k}");
        let Some(link) = link_named(topo, &e.link) else {
            return Err(c.err(
                &key("link"),
                format!("`{}` names no link of this cluster", e.link),
                "name an endpoint (s0, c0: its link) or two linked nodes as `leaf0-spine1` (`nicsim topo --dot` shows them)",
            ));
        };
        if plan.links.iter().any(|l| l.link == link) {
            return Err(c.err(
                &key("link"),
                format!("`{}` has faults in an earlier [[faults.link]]", e.link),
                "give each link one [[faults.link]] entry",
            ));
        }
        let prob = |k: &str, v: Option<f64>| -> Result<f64, ScenarioError> {
            let v = v.unwrap_or(0.0);
            if (0.0..=1.0).contains(&v) {
                Ok(v)
            } else {
                Err(c.err(
                    &key(k),
                    format!("must be a probability in [0, 1], got {}", num(v)),
                    "use e.g. 0.01 for 1% of the frames",
                ))
            }
        };
        let drop_probability = prob("drop_probability", e.drop_probability)?;
        let delay_probability = prob("delay_probability", e.delay_probability)?;
        let delay = match (e.delay_us, delay_probability > 0.0) {
            (None, false) => SimDuration::ZERO,
            (None, true) => {
                return Err(c.err(
                    &key("delay_us"),
                    "is required when delay_probability > 0",
                    "set delay_us, the extra time of a delayed frame (e.g. 5.0)",
                ))
            }
            (Some(d), _) if !(d.is_finite() && d > 0.0 && d <= MAX_DELAY_US) => {
                return Err(c.err(
                    &key("delay_us"),
                    format!("must be in (0, {MAX_DELAY_US}] us, got {}", num(d)),
                    "use a positive delay in us",
                ))
            }
            (Some(_), false) => {
                return Err(c.err(
                    &key("delay_us"),
                    "applies only with delay_probability > 0",
                    "set delay_probability, or remove delay_us",
                ))
            }
            (Some(d), true) => SimDuration::from_ns_f64(d * 1e3),
        };
        plan.links.push(LinkFaultPlan {
            link,
            drop_probability,
            delay_probability,
            delay,
        });
    }
    Ok(plan)
}
