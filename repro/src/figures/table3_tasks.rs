//! Table 3 of iPipe: per-request execution time, IPC and MPKI of each offloaded task on one LiquidIO CN2350 core.
//!
//! Each actor runs alone on one simulated core (`SimPlatform` over the CN2350
//! cost model) for a warm-up then a measured batch of generated requests;
//! the exec time is the mean time charged per request. The tasks the paper
//! times (calibration `[task_exec_us.liquidio_cn2350]`) become claims (10%
//! tolerance); the other rows carry no claim.

use crate::claim::{Basis, Claim};
use crate::error::ReproError;
use crate::paper::Paper;
use nic_models::CoreModel;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use scheduler::{ActorCtx, ActorError, DmoTable, Endpoint, Message, Side};
use sim_core::table::fmt_f64;
use sim_core::{SimDuration, SimTime, Table};
use workloads::actors::{build_actor_of, gen_request, ActorKind};
use workloads::sim_platform::{
    cycle_scale_between, host_e5_2620v4_model, liquidio_cn2350_model, SimPlatform,
};

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

/// The NIC of the published task times.
const NIC: &str = "liquidio_cn2350";

/// The actor constant solved from each published task time: the actor's
/// doc comment shows the derivation ("Chosen so that exec time on the CN2350
/// model = ..."). A task the paper times but no constant was solved from
/// would be a prediction.
fn task_basis(kind: ActorKind) -> Basis {
    let fitted = |c: &str| {
        Basis::Fitted(format!(
            "{}::{c} (workloads/src/actors/{}.rs)",
            kind.name(),
            kind.name()
        ))
    };
    match kind {
        ActorKind::Replication | ActorKind::LoadBalancer => fitted("BASE_CYCLES"),
        ActorKind::TopRanker => fitted("SCAN_CYCLES_PER_16_ITEMS"),
        ActorKind::FlowClassifier => fitted("NODE_VISIT_CYCLES"),
        other => Basis::Predicted(format!(
            "no constant of workloads/src/actors/{}.rs was solved from a published time",
            other.name()
        )),
    }
}

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
    /// Last-level-cache (L2) misses per thousand instructions (modelled).
    pub mpki: f64,
    /// L1 misses per thousand instructions (modelled): on LiquidIO these are the costly
    /// 55.8 ns L2 hits, so this is what marks a memory-bound task whose data fits the L2.
    pub l1_mpki: f64,
    /// Of `exec_us`: pure compute, us per request.
    pub compute_us: f64,
    /// Of `exec_us`: memory stalls through the cache model, us per request.
    pub mem_us: f64,
    /// Of `exec_us`: accelerator waits, us per request.
    pub accel_us: f64,
    /// Cache-line accesses per request.
    pub lines_per_request: f64,
    /// Requests measured.
    pub requests: u32,
    /// Messages the actor sent while measured.
    pub messages_sent: u64,
}

fn invalid(e: impl std::fmt::Display) -> ActorError {
    ActorError::Invalid(e.to_string())
}

/// Runs `kind` (default config) on a fresh CN2350 core for `warmup` then `requests` generated requests.
pub fn measure_task(
    kind: ActorKind,
    warmup: u32,
    requests: u32,
    seed: u64,
) -> Result<TaskMeasurement, ActorError> {
    let model = liquidio_cn2350_model().map_err(invalid)?;
    measure_task_on(kind, model, Side::Nic, 1.0, warmup, requests, seed)
}

/// The same on one host core (E5-2620 v4), with actor cycles scaled by the IPC ratio
/// (see `sim_platform::cycle_scale_between`): a prediction, the paper gives no host times.
pub fn measure_task_on_host(
    kind: ActorKind,
    warmup: u32,
    requests: u32,
    seed: u64,
) -> Result<TaskMeasurement, ActorError> {
    let nic = liquidio_cn2350_model().map_err(invalid)?;
    let host = host_e5_2620v4_model().map_err(invalid)?;
    let scale = cycle_scale_between(&nic, &host);
    measure_task_on(kind, host, Side::Host, scale, warmup, requests, seed)
}

/// Runs `kind` (default config) alone on core 0 of `model`, charging cycles times `cycle_scale`.
pub fn measure_task_on(
    kind: ActorKind,
    model: CoreModel,
    side: Side,
    cycle_scale: f64,
    warmup: u32,
    requests: u32,
    seed: u64,
) -> Result<TaskMeasurement, ActorError> {
    let mut actor = build_actor_of(kind, &toml::Table::new()).map_err(invalid)?;
    let freq_ghz = model.clock().freq_ghz;
    let mut platform = SimPlatform::new(model, 0, side)
        .map_err(invalid)?
        .with_cycle_scale(cycle_scale);
    let mut dmos = DmoTable::new(DMO_CAPACITY_BYTES, DMO_CAPACITY_BYTES);
    let mut next_id = 0u64;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    {
        let mut ctx = ActorCtx::new(&mut platform, &mut dmos, ACTOR_ID, &mut next_id);
        actor.init(&mut ctx)?;
    }
    let mut busy = SimDuration::ZERO;
    let mut sent = 0u64;
    let mut base = Snapshot::take(&platform);
    for i in 0..warmup + requests {
        if i == warmup {
            base = Snapshot::take(&platform);
            busy = SimDuration::ZERO;
            sent = 0;
        }
        let req = gen_request(kind, &mut rng);
        let at_ns = u64::from(i + 1) * ARRIVAL_SPACING_NS;
        platform.advance_to(SimTime::from_ns(at_ns));
        let msg = Message {
            id: u64::from(i),
            src: Endpoint::Network { node: 9, port: 9 },
            dst: ACTOR_ID,
            kind: req.kind,
            payload: req.payload,
            created_at: SimTime::from_ns(at_ns),
        };
        platform.begin_exec();
        {
            let mut ctx = ActorCtx::new(&mut platform, &mut dmos, ACTOR_ID, &mut next_id);
            actor.exec(&msg, &mut ctx)?;
        }
        busy += platform.end_exec();
        sent += platform.take_outbox().len() as u64;
    }
    let d = Snapshot::take(&platform).minus(&base);
    let per_k = |x: u64| {
        if d.instructions == 0 {
            0.0
        } else {
            x as f64 * 1000.0 / d.instructions as f64
        }
    };
    let per_req_us = |ps: u64| ps as f64 / 1e6 / f64::from(requests.max(1));
    let cycles = d.core_ps as f64 * freq_ghz / 1000.0;
    Ok(TaskMeasurement {
        kind,
        exec_us: busy.as_us_f64() / f64::from(requests.max(1)),
        ipc: if cycles > 0.0 {
            d.instructions as f64 / cycles
        } else {
            0.0
        },
        mpki: per_k(d.llc_misses),
        l1_mpki: per_k(d.l1_misses),
        compute_us: per_req_us(d.compute_ps),
        mem_us: per_req_us(d.mem_ps),
        accel_us: per_req_us(d.accel_ps),
        lines_per_request: d.lines as f64 / f64::from(requests.max(1)),
        requests,
        messages_sent: sent,
    })
}

/// Counters of core 0 at one moment.
#[derive(Clone, Copy, Debug, Default)]
struct Snapshot {
    instructions: u64,
    compute_ps: u64,
    mem_ps: u64,
    accel_ps: u64,
    lines: u64,
    /// Compute plus memory-stall time, ps (what IPC is measured over, as in nic-models).
    core_ps: u64,
    llc_misses: u64,
    l1_misses: u64,
}

impl Snapshot {
    fn take(p: &SimPlatform) -> Snapshot {
        let m = p.model();
        let (s, c) = (m.stats(0), m.mem_counters(0));
        Snapshot {
            instructions: s.map_or(0, |s| s.instructions),
            compute_ps: s.map_or(0, |s| s.compute_ps),
            mem_ps: s.map_or(0, |s| s.mem_stall_ps),
            accel_ps: s.map_or(0, |s| s.accel_ps),
            lines: c.map_or(0, |c| c.line_accesses),
            core_ps: s.map_or(0, |s| s.compute_ps + s.mem_stall_ps),
            llc_misses: c.map_or(0, |c| c.llc_misses()),
            l1_misses: c.map_or(0, |c| c.l1_misses()),
        }
    }

    fn minus(&self, o: &Snapshot) -> Snapshot {
        Snapshot {
            instructions: self.instructions - o.instructions,
            compute_ps: self.compute_ps - o.compute_ps,
            mem_ps: self.mem_ps - o.mem_ps,
            accel_ps: self.accel_ps - o.accel_ps,
            lines: self.lines - o.lines,
            core_ps: self.core_ps - o.core_ps,
            llc_misses: self.llc_misses - o.llc_misses,
            l1_misses: self.l1_misses - o.l1_misses,
        }
    }
}

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
    Ok((table, claims))
}
