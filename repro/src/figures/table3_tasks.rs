//! Table 3 of iPipe: per-request execution time, IPC and MPKI of each offloaded task on one LiquidIO CN2350 core.
//!
//! Each actor runs alone on one simulated core of a CN2350 + E5-2620 v4 server,
//! driven through the node's `RuntimeDriver` (deliver, dispatch, finish), for a
//! warm-up then a measured batch of generated requests; the exec time is the
//! mean time its handler charged per request. The tasks the paper
//! times (calibration `[task_exec_us.liquidio_cn2350]`) become claims (10%
//! tolerance); the other rows carry no claim.

use crate::claim::{Basis, Claim};
use crate::error::ReproError;
use crate::paper::Paper;
use scheduler::ActorError;
use sim_core::table::fmt_f64;
use sim_core::Table;
use workloads::actors::ActorKind;

mod measure;

pub use measure::{measure_task, measure_task_on, measure_task_on_host, TaskMeasurement};

/// Requests run before measuring (caches and tables warm up).
pub const WARMUP_REQUESTS: u32 = 300;
/// Requests measured per task.
pub const MEASURED_REQUESTS: u32 = 1_000;
/// Seed of the request generators for the table.
pub const TABLE3_SEED: u64 = 0x1_9e3;

/// The NIC of the published task times.
const NIC: &str = "liquidio_cn2350";

/// The actor constant solved from each published task time: the actor's
/// doc comment shows the derivation ("Chosen so that exec time on the CN2350
/// model = ..."). A task the paper times but no constant was solved from
/// would be a prediction.
pub fn task_basis(kind: ActorKind) -> Basis {
    let fitted = |c: &str| Basis::Fitted(format!("{}::{c} ({})", kind.name(), kind.source()));
    match kind {
        ActorKind::Replication | ActorKind::LoadBalancer => fitted("BASE_CYCLES"),
        ActorKind::TopRanker => fitted("SCAN_CYCLES_PER_16_ITEMS"),
        ActorKind::FlowClassifier => fitted("NODE_VISIT_CYCLES"),
        other => Basis::Predicted(format!(
            "no constant of {} was solved from a published time",
            other.source()
        )),
    }
}

/// Accepted relative error of the task-time claims.
pub const TASK_US_TOLERANCE: f64 = 0.10;

/// Table 3 reproduction: every actor kind's modelled exec time, IPC and MPKI on CN2350,
/// with claims for the task times the paper states. Columns: `task`, `exec_us`,
/// `ipc`, `mpki` (L2 misses per kilo-instruction), `l1_mpki`, `paper_us` (`-` when the
/// paper gives none) and `host_us` (the same task on one host core, no claim).
pub fn table3_tasks(paper_values: &Paper) -> Result<(Table, Vec<Claim>), ReproError> {
    let published = paper_values.task_exec_us(NIC)?;
    if let Some(name) = published
        .keys()
        .find(|n| !ActorKind::ALL.iter().any(|k| k.name() == n.as_str()))
    {
        return Err(paper_values
            .invalid(format!(
                "task_exec_us.{NIC}.{name} names no actor kind (known: {})",
                ActorKind::ALL.map(|k| k.name()).join(", ")
            ))
            .into());
    }
    let mut table = Table::new([
        "task", "exec_us", "ipc", "mpki", "l1_mpki", "paper_us", "host_us",
    ]);
    let mut claims = Vec::new();
    let mut ipc_mpki = Vec::new();
    for kind in ActorKind::ALL {
        let paper = published.get(kind.name()).copied();
        // A failing actor is a bug in it or in the model: stop and say which.
        let fail = |side: &str, e: ActorError| {
            ReproError::generate("table3", format!("{} on the {side}: {e}", kind.name()))
        };
        let m = measure_task(kind, WARMUP_REQUESTS, MEASURED_REQUESTS, TABLE3_SEED)
            .map_err(|e| fail("NIC", e))?;
        let host = measure_task_on_host(kind, WARMUP_REQUESTS, MEASURED_REQUESTS, TABLE3_SEED)
            .map_err(|e| fail("host", e))?;
        let (exec_us, ipc, mpki, l1_mpki) = (m.exec_us, m.ipc, m.mpki, m.l1_mpki);
        ipc_mpki.push((kind, ipc, mpki));
        table.push([
            kind.name().to_string(),
            fmt_f64(exec_us, 3),
            fmt_f64(ipc, 3),
            fmt_f64(mpki, 2),
            fmt_f64(l1_mpki, 2),
            paper.map_or_else(|| "-".to_string(), |p| fmt_f64(p, 1)),
            fmt_f64(host.exec_us, 3),
        ]);
        if let Some(p) = paper {
            claims.push(Claim::new(
                format!("table3.cn2350.{}.exec_us", kind.name()),
                format!(
                    "{} takes {p} us per request on one LiquidIO CN2350 core",
                    kind.name()
                ),
                p,
                exec_us,
                "us",
                TASK_US_TOLERANCE,
                task_basis(kind),
            ));
        }
    }
    if paper_values
        .implications()
        .t3_costly_tasks_low_ipc_or_high_mpki
    {
        claims.push(costly_claim(&ipc_mpki));
    }
    Ok((table, claims))
}

/// Table 3's costly tasks that nicsim has as actors (it has no packet scheduler).
pub const COSTLY_TASKS: [ActorKind; 2] = [ActorKind::RateLimiter, ActorKind::FlowClassifier];
/// The other tasks Table 3 times (the paper does not mark them costly).
pub const OTHER_TIMED_TASKS: [ActorKind; 3] = [
    ActorKind::Replication,
    ActorKind::LoadBalancer,
    ActorKind::TopRanker,
];

/// Table 3's note as a check: every costly task has an IPC below the lowest
/// of the other timed tasks, or an L2 MPKI above their highest. Both come out
/// of the compute and cache models; no constant was solved from them, but
/// the rate limiter's default flow table and the classifier's trie were
/// sized to be memory-bound with this note in mind, so it is structural.
fn costly_claim(rows: &[(ActorKind, f64, f64)]) -> Claim {
    let of = |set: &[ActorKind]| -> Vec<(f64, f64)> {
        rows.iter()
            .filter(|r| set.contains(&r.0))
            .map(|r| (r.1, r.2))
            .collect()
    };
    let (costly, other) = (of(&COSTLY_TASKS), of(&OTHER_TIMED_TASKS));
    let min_ipc = other.iter().map(|o| o.0).fold(f64::INFINITY, f64::min);
    let max_mpki = other.iter().map(|o| o.1).fold(f64::NEG_INFINITY, f64::max);
    let holds = !costly.is_empty()
        && !other.is_empty()
        && costly
            .iter()
            .all(|&(ipc, mpki)| ipc < min_ipc || mpki > max_mpki);
    Claim::new(
        "t3.cn2350.costly_tasks_low_ipc_or_high_mpki",
        format!(
            "Table 3: the costly tasks (rate limiter, flow classifier) have lower IPC or higher MPKI than the other timed tasks (1 = holds; their IPC {}, the others' lowest {min_ipc:.3})",
            costly
                .iter()
                .map(|c| format!("{:.3}", c.0))
                .collect::<Vec<_>>()
                .join(" and ")
        ),
        1.0,
        if holds { 1.0 } else { 0.0 },
        "holds",
        0.0,
        Basis::Structural(
            "IPC and MPKI come out of the compute and cache models and no constant was solved from them, but rate_limiter's flow table and flow_classifier's trie were sized to be memory-bound (workloads/src/actors)".into(),
        ),
    )
}
