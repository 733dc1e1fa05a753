//! Measuring one Table 3 task: an actor alone on one simulated CN2350 (or E5-2620 v4) core, driven through the node's `RuntimeDriver`, and its exec time, IPC and MPKI from the core model's counters.

use super::NIC;
use nic_models::{ForwardingCost, NicProfile};
use pcie_model::PcieSystem;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use scheduler::runtime::{CoreId, OutcomeKind, Runtime};
use scheduler::{ActorError, Endpoint, Message, PolicyKind, SchedulerSettings, Side};
use sim_core::{SimDuration, SimTime};
use system::node::driver::RuntimeDriver;
use workloads::actors::{build_actor_of, gen_request, ActorKind};
use workloads::sim_platform::{cycle_scale_between, host_e5_2620v4_model, SimPlatform};

/// Spacing of request arrival timestamps (`created_at`), ns.
const ARRIVAL_SPACING_NS: u64 = 10_000;
/// DMO capacity per side for the measurement, bytes.
const DMO_CAPACITY_BYTES: u64 = 256 << 20;

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
    /// Of `exec_us`: DMA writes into host memory (`ActorCtx::dma`), us per request.
    pub dma_us: f64,
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
    measure_task_on(kind, Side::Nic, warmup, requests, seed)
}

/// The same on one host core (E5-2620 v4), with actor cycles scaled by the IPC ratio
/// (see `sim_platform::cycle_scale_between`): a prediction, the paper gives no host times.
pub fn measure_task_on_host(
    kind: ActorKind,
    warmup: u32,
    requests: u32,
    seed: u64,
) -> Result<TaskMeasurement, ActorError> {
    measure_task_on(kind, Side::Host, warmup, requests, seed)
}

/// Runs `kind` (default config) alone on core 0 of `side` of a CN2350 + E5-2620 v4
/// server, through the one [`RuntimeDriver`] the node and the capacity probe
/// use: each request is delivered to the runtime and run by `dispatch`, then
/// `finish`ed, so it pays what a request pays in a run (NIC packet path, DMA
/// through the PCIe model) and the row reports the handler's own time
/// (`exec_time`, without the packet path). On the host, actor cycles are
/// scaled to the host's IPC ([`RuntimeDriver::with_host_cycle_scale`]). The
/// scheduler's FCFS dispatch cost is zero here, so IPC and MPKI are the task's.
pub fn measure_task_on(
    kind: ActorKind,
    side: Side,
    warmup: u32,
    requests: u32,
    seed: u64,
) -> Result<TaskMeasurement, ActorError> {
    let nic = NicProfile::builtin(NIC)
        .ok_or_else(|| invalid(format!("built-in profile {NIC} missing")))?;
    let mut nic_model = nic.core_model().map_err(invalid)?;
    let mut host_model = host_e5_2620v4_model().map_err(invalid)?;
    let scale = cycle_scale_between(&nic_model, &host_model);
    let freq_ghz = match side {
        Side::Nic => nic_model.clock().freq_ghz,
        Side::Host => host_model.clock().freq_ghz,
    };
    let settings = SchedulerSettings {
        policy: match side {
            Side::Nic => PolicyKind::Fcfs,
            Side::Host => PolicyKind::HostOnly,
        },
        fcfs_dispatch_cost_cycles: 0,
        nic_dmo_capacity_bytes: DMO_CAPACITY_BYTES,
        host_dmo_capacity_bytes: DMO_CAPACITY_BYTES,
        ..SchedulerSettings::default()
    };
    let mut rt = Runtime::new(settings, 1, 1).map_err(invalid)?;
    let actor = build_actor_of(kind, &toml::Table::new()).map_err(invalid)?;
    let id = {
        // the actor's `init` runs on the core it will run on
        let model = match side {
            Side::Nic => &mut nic_model,
            Side::Host => &mut host_model,
        };
        let scale = if side == Side::Host { scale } else { 1.0 };
        let mut p = SimPlatform::new(model, 0, side)
            .map_err(invalid)?
            .with_cycle_scale(scale);
        rt.register_actor(actor, &mut p, SimTime::ZERO)
            .map_err(invalid)?
    };
    let pcie = PcieSystem::new(&nic.pcie_profiles()).map_err(invalid)?;
    let forwarding = ForwardingCost::new(&nic.forwarding, SimDuration::ZERO);
    let mut driver = RuntimeDriver::new(rt, nic_model, Some(host_model), &pcie, forwarding)
        .with_host_cycle_scale(scale);
    let core = match side {
        Side::Nic => CoreId::nic(0),
        Side::Host => CoreId::host(0),
    };
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut busy = SimDuration::ZERO;
    let mut sent = 0u64;
    let mut free_at = SimTime::ZERO;
    let mut base = Snapshot::take(&driver, side);
    let mut dma_base_ps = 0;
    for i in 0..warmup + requests {
        if i == warmup {
            base = Snapshot::take(&driver, side);
            dma_base_ps = driver.counters().host_write_ps;
            busy = SimDuration::ZERO;
            sent = 0;
        }
        let req = gen_request(kind, &mut rng);
        let at = SimTime::from_ns(u64::from(i + 1) * ARRIVAL_SPACING_NS);
        let now = at.max(free_at);
        let msg = Message {
            id: u64::from(i),
            src: Endpoint::Network { node: 9, port: 9 },
            dst: id,
            kind: req.kind,
            payload: req.payload,
            created_at: at,
        };
        driver
            .runtime_mut()
            .deliver(msg, now)
            .map_err(|r| invalid(format!("request {i} refused: {r:?}")))?;
        let done = driver
            .dispatch(core, now)
            .ok_or_else(|| invalid(format!("request {i} was not dispatched on an idle core")))?;
        let f = driver
            .finish(core, done)
            .ok_or_else(|| invalid(format!("request {i} did not finish")))?;
        match f.kind {
            OutcomeKind::Done => {}
            OutcomeKind::Failed(e) => return Err(e),
            other => return Err(invalid(format!("request {i} ended as {other:?}"))),
        }
        busy += f.exec_time;
        sent += f.outbox.len() as u64;
        driver.recycle_outbox(core, f.outbox);
        free_at = done;
    }
    let c = driver.counters();
    if c.runtime_errors + c.platform_errors + c.model_errors + c.dropped_sends > 0 {
        return Err(invalid(format!("the runtime driver reported {c:?}")));
    }
    let d = Snapshot::take(&driver, side).minus(&base);
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
        dma_us: per_req_us(c.host_write_ps - dma_base_ps),
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
    fn take(driver: &RuntimeDriver, side: Side) -> Snapshot {
        let m = match side {
            Side::Nic => Some(driver.nic_model()),
            Side::Host => driver.host_model(),
        };
        let Some(m) = m else {
            return Snapshot::default();
        };
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
