//! Table 3 of iPipe: per-request execution time, IPC and MPKI of each offloaded task on one LiquidIO CN2350 core.
//!
//! Each actor runs alone on one simulated core (`SimPlatform` over the CN2350
//! cost model) for a warm-up then a measured batch of generated requests;
//! the exec time is the mean time charged per request. The four tasks the
//! paper times become claims (10% tolerance); the others are predictions.

use crate::actors::{build_actor_of, gen_request, ActorKind};
use crate::sim_platform::{CoreModel, SimPlatform};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use scheduler::{ActorCtx, ActorError, DmoTable, Endpoint, Message, Nanos, Side};
use sim_core::table::fmt_f64;
use sim_core::{Claim, Table};

/// Requests run before measuring (caches and tables warm up).
pub const WARMUP_REQUESTS: u32 = 300;
/// Requests measured per task.
pub const MEASURED_REQUESTS: u32 = 1_000;
/// Seed of the request generators for the table.
pub const TABLE3_SEED: u64 = 0x1_9e3;
/// Spacing of request arrival timestamps (`created_at`), ns.
const ARRIVAL_SPACING_NS: u64 = 10_000;
/// DMO capacity per side for the measurement, bytes.
const DMO_CAPACITY_BYTES: u64 = 256 << 20;
/// The actor id the measured actor runs as.
const ACTOR_ID: u32 = 1;

/// Published task times on CN2350, us: Table 3 of iPipe, via
/// shared/calibration/ipipe-sigcomm19.toml `[task_exec_us.liquidio_cn2350]`.
pub const PAPER_TASK_US: [(ActorKind, f64); 4] = [
    (ActorKind::Replication, 1.9),
    (ActorKind::LoadBalancer, 2.0),
    (ActorKind::TopRanker, 34.0),
    (ActorKind::FlowClassifier, 71.0),
];

/// Accepted relative error of the task-time claims.
pub const TASK_US_TOLERANCE: f64 = 0.10;

/// What one task measured on one core.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskMeasurement {
    pub kind: ActorKind,
    /// Mean execution time per request, us.
    pub exec_us: f64,
    /// Instructions per cycle over the measured requests (modelled).
    pub ipc: f64,
    /// L1 data-cache misses per thousand instructions (modelled).
    pub mpki: f64,
    /// Requests measured.
    pub requests: u32,
    /// Messages the actor sent while measured.
    pub messages_sent: u64,
}

/// Runs `kind` (default config) on a fresh CN2350 core for `warmup` then `requests` generated requests.
pub fn measure_task(
    kind: ActorKind,
    warmup: u32,
    requests: u32,
    seed: u64,
) -> Result<TaskMeasurement, ActorError> {
    let mut actor = build_actor_of(kind, &toml::Table::new())
        .map_err(|e| ActorError::Invalid(e.to_string()))?;
    let core = CoreModel::liquidio_cn2350();
    let freq_mhz = core.freq_mhz();
    let mut platform = SimPlatform::new(core, Side::Nic);
    let mut dmos = DmoTable::new(DMO_CAPACITY_BYTES, DMO_CAPACITY_BYTES);
    let mut next_id = 0u64;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    {
        let mut ctx = ActorCtx::new(&mut platform, &mut dmos, ACTOR_ID, &mut next_id);
        actor.init(&mut ctx)?;
    }
    let mut busy = Nanos::ZERO;
    let mut sent = 0u64;
    for i in 0..warmup + requests {
        if i == warmup {
            platform.reset_stats();
            busy = Nanos::ZERO;
            sent = 0;
        }
        let req = gen_request(kind, &mut rng);
        let at = Nanos(u64::from(i + 1) * ARRIVAL_SPACING_NS);
        platform.advance_to(at);
        let msg = Message {
            id: u64::from(i),
            src: Endpoint::Network { node: 9, port: 9 },
            dst: ACTOR_ID,
            kind: req.kind,
            payload: req.payload,
            created_at: at,
        };
        platform.begin_exec();
        {
            let mut ctx = ActorCtx::new(&mut platform, &mut dmos, ACTOR_ID, &mut next_id);
            actor.exec(&msg, &mut ctx)?;
        }
        busy += platform.end_exec();
        sent += platform.take_outbox().len() as u64;
    }
    let stats = platform.stats();
    Ok(TaskMeasurement {
        kind,
        exec_us: busy.as_us_f64() / f64::from(requests.max(1)),
        ipc: stats.ipc(freq_mhz),
        mpki: stats.l1_mpki(),
        requests,
        messages_sent: sent,
    })
}

/// Table 3 reproduction: every actor kind's modelled exec time, IPC and MPKI on CN2350,
/// with claims for the four task times the paper states.
pub fn table3_tasks() -> (Table, Vec<Claim>) {
    let mut table = Table::new(["task", "exec_us", "ipc", "mpki", "paper_us"]);
    let mut claims = Vec::new();
    for kind in ActorKind::ALL {
        let paper = PAPER_TASK_US.iter().find(|(k, _)| *k == kind).map(|p| p.1);
        let m = measure_task(kind, WARMUP_REQUESTS, MEASURED_REQUESTS, TABLE3_SEED);
        let (exec_us, ipc, mpki) = match &m {
            Ok(m) => (m.exec_us, m.ipc, m.mpki),
            Err(_) => (f64::NAN, f64::NAN, f64::NAN),
        };
        table.push([
            kind.name().to_string(),
            fmt_f64(exec_us, 3),
            fmt_f64(ipc, 3),
            fmt_f64(mpki, 2),
            paper.map_or_else(|| "-".to_string(), |p| fmt_f64(p, 1)),
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
            ));
        }
    }
    (table, claims)
}
