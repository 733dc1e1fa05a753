//! The actor system: requests from the network to iPipe actors, run by the real runtime on simulated NIC and host cores.
//!
//! The `scheduler::Runtime` decides everything about placement and order;
//! this driver only turns its decisions into simulated time:
//! - a `Request` event creates one request (Poisson or constant gaps),
//!   picks its actor by weight and hands it to the runtime, after a PCIe
//!   crossing when the actor lives on the host;
//! - every idle core is offered to `Runtime::next_dispatch`; the dispatch runs
//!   at once on a `SimPlatform` over the NIC's or the host's cost model, and
//!   the time it charged becomes a `CoreDone` event;
//! - a `Tick` event at `Runtime::next_tick_at` lets the policy act.
//!
//! NIC cores also pay the per-packet forwarding cost of the NIC profile (the
//! "execution tax") for each request they run, inside the actor's handler
//! (see `named_actor`); requests for host actors cross
//! PCIe through the NIC's packet path without occupying a NIC core (a
//! simplification: on an on-path NIC a core would touch them too).

pub use super::actor_parts::{col, ClassStats, Target, Tax};
use nic_models::CoreModel;
use pcie_model::PcieSystem;
use scheduler::runtime::RUNTIME_MSG_ID_BASE;
use scheduler::runtime::{CoreId, ExecOutcome, OutcomeKind, Runtime, Work};
use scheduler::{Endpoint, Message, Side};
use sim_core::{Model, Scheduler, SimDuration, SimRng, SimTime, TimeSeries};
use std::rc::Rc;
use workloads::actors::registry::gen_request;
use workloads::sim_platform::SimPlatform;
use workloads::ArrivalProcess;

/// Events of the actor system.
#[derive(Debug)]
pub enum ActorEvent {
    /// The next request arrives from the network.
    Request,
    /// A message reaches the other side of PCIe (host memory or NIC memory).
    Crossed(Message),
    /// A core finished its work.
    CoreDone(CoreId),
    /// Policy evaluation.
    Tick,
}

/// What a busy core is doing, with the request's origin for latency.
struct Running {
    outcome: ExecOutcome,
    created_at: Option<SimTime>,
    class: usize,
    /// Messages the handler sent: routed when the core finishes.
    outbox: Vec<(Endpoint, Message)>,
}

/// The actor system as a sim-core model.
pub struct ActorSystem {
    pub(crate) rt: Runtime,
    pcie: PcieSystem,
    dma_model: Rc<PcieSystem>,
    nic_model: CoreModel,
    host_model: CoreModel,
    running_nic: Vec<Option<Running>>,
    running_host: Vec<Option<Running>>,
    targets: Vec<Target>,
    rng: SimRng,
    arrival: ArrivalProcess,
    mean_gap_ps: f64,
    stop_at: SimTime,
    warmup_end: SimTime,
    next_id: u64,
    request_overhead_bytes: u64,
    /// Bytes of every request created (payload + overhead), for the mean size.
    pub request_bytes: u64,
    /// Requests created.
    pub generated: u64,
    /// External requests that ran to an end (done, failed or killed).
    pub completed: u64,
    /// External requests refused by the runtime at delivery.
    pub dropped_at_delivery: u64,
    /// Requests on the PCIe link towards the host.
    pub in_pcie: u64,
    /// Messages actors sent out of the system (replies, replicas).
    pub egress: u64,
    nic_busy: SimDuration,
    classes: Vec<ClassStats>,
    series: TimeSeries,
    class_of_actor: Vec<usize>,
}

/// Static inputs of an [`ActorSystem`].
pub struct ActorSystemParts {
    /// The runtime with every actor registered.
    pub rt: Runtime,
    /// The PCIe link between NIC and host (requests and messages crossing it).
    pub pcie: PcieSystem,
    /// NIC cost model.
    pub nic_model: CoreModel,
    /// Host cost model.
    pub host_model: CoreModel,
    /// Traffic targets.
    pub targets: Vec<Target>,
    /// Number of classes.
    pub classes: usize,
    /// Request stream.
    pub rng: SimRng,
    /// Arrival process.
    pub arrival: ArrivalProcess,
    /// Offered requests per second.
    pub rate_rps: f64,
    /// When the source stops.
    pub stop_at: SimTime,
    /// End of warm-up.
    pub warmup_end: SimTime,
    /// Bytes of headers added to every request's payload on the wire and over PCIe.
    pub request_overhead_bytes: u64,
    /// Time series.
    pub series: TimeSeries,
}

/// The instant the runtime is shown: the engine's, in whole nanoseconds (the
/// runtime's granularity before it shared the engine's time type; kept so
/// outputs stay byte-identical).
fn runtime_now(t: SimTime) -> SimTime {
    t.floor_ns()
}

impl ActorSystem {
    /// Builds the system from its parts.
    pub fn new(p: ActorSystemParts) -> Self {
        let nic = p.rt.cores_in(scheduler::policy::NicGroup::Fcfs)
            + p.rt.cores_in(scheduler::policy::NicGroup::Drr);
        let host = p.host_model.cores();
        let mut class_of_actor = vec![0; p.targets.len()];
        for t in &p.targets {
            class_of_actor[t.id as usize] = t.class;
        }
        ActorSystem {
            running_nic: (0..nic).map(|_| None).collect(),
            running_host: (0..host).map(|_| None).collect(),
            rt: p.rt,
            dma_model: Rc::new(p.pcie.clone()),
            pcie: p.pcie,
            nic_model: p.nic_model,
            host_model: p.host_model,
            targets: p.targets,
            rng: p.rng,
            arrival: p.arrival,
            mean_gap_ps: 1e12 / p.rate_rps.max(1e-9),
            stop_at: p.stop_at,
            warmup_end: p.warmup_end,
            next_id: 0,
            request_bytes: 0,
            request_overhead_bytes: p.request_overhead_bytes,
            generated: 0,
            completed: 0,
            dropped_at_delivery: 0,
            in_pcie: 0,
            egress: 0,
            nic_busy: SimDuration::ZERO,
            classes: vec![ClassStats::default(); p.classes],
            series: p.series,
            class_of_actor,
        }
    }

    /// Schedules the first request and the first policy tick.
    pub fn start(&mut self, sched: &mut Scheduler<ActorEvent>) {
        sched.schedule_at(SimTime::ZERO, ActorEvent::Request);
        sched.schedule_at(self.rt.next_tick_at(), ActorEvent::Tick);
    }

    fn next_gap(&mut self) -> SimDuration {
        use rand_distr::{Distribution, Exp1};
        match self.arrival {
            ArrivalProcess::Constant => SimDuration::from_ps(self.mean_gap_ps as u64),
            ArrivalProcess::Poisson => {
                let x: f64 = Exp1.sample(&mut self.rng);
                SimDuration::from_ps((x * self.mean_gap_ps) as u64)
            }
        }
    }

    fn pick_target(&mut self) -> Target {
        use rand::Rng;
        let u: f64 = self.rng.gen();
        let i = self
            .targets
            .iter()
            .position(|t| u < t.cumulative)
            .unwrap_or(self.targets.len() - 1);
        self.targets[i].clone()
    }

    fn on_request(&mut self, now: SimTime, sched: &mut Scheduler<ActorEvent>) {
        let gap = self.next_gap();
        if now + gap < self.stop_at {
            sched.schedule_in(gap, ActorEvent::Request);
        }
        let target = self.pick_target();
        let req = gen_request(target.kind, &mut self.rng);
        self.generated += 1;
        self.request_bytes += req.payload.len() as u64 + self.request_overhead_bytes;
        self.series.add(now, col::OFFERED, 1.0);
        let msg = Message {
            id: self.next_id,
            src: Endpoint::Network { node: 0, port: 0 },
            dst: target.id,
            kind: req.kind,
            payload: req.payload,
            created_at: runtime_now(now),
        };
        self.next_id += 1;
        self.route(msg, Side::Nic, now, sched);
    }

    /// Delivers a message sent from `from` to the runtime: now if its actor
    /// is on the same side, else when a posted write across PCIe lands.
    fn route(&mut self, msg: Message, from: Side, now: SimTime, sched: &mut Scheduler<ActorEvent>) {
        match self.rt.side_of(msg.dst) {
            Some(to) if to != from => {
                self.in_pcie += 1;
                let bytes = msg.payload.len() as u64 + self.request_overhead_bytes;
                let write = match from {
                    Side::Nic => self.pcie.device_write_to_host(now, bytes),
                    Side::Host => self.pcie.host_write_to_nic(now, bytes),
                };
                sched.schedule_at(write.delivered.max(now), ActorEvent::Crossed(msg));
            }
            _ => self.deliver(msg, now),
        }
    }

    fn deliver(&mut self, msg: Message, now: SimTime) {
        let external = msg.id < RUNTIME_MSG_ID_BASE;
        if self.rt.deliver(msg, runtime_now(now)).is_err() && external {
            self.dropped_at_delivery += 1;
            self.series.add(now, col::DROPS, 1.0);
        }
    }

    /// Offers every idle core to the runtime until none takes work.
    fn dispatch_idle(&mut self, now: SimTime, sched: &mut Scheduler<ActorEvent>) {
        for core in self.rt.idle_cores() {
            let Ok(Some(d)) = self.rt.next_dispatch(core, runtime_now(now)) else {
                continue;
            };
            let (created_at, class) = match &d.work {
                Work::Request { msg, .. } => (
                    (msg.id < RUNTIME_MSG_ID_BASE).then_some(msg.created_at),
                    self.class_of_actor
                        .get(msg.dst as usize)
                        .copied()
                        .unwrap_or(0),
                ),
                _ => (None, 0),
            };
            let (model, side) = match core.side {
                Side::Nic => (&mut self.nic_model, Side::Nic),
                Side::Host => (&mut self.host_model, Side::Host),
            };
            let Ok(platform) = SimPlatform::new(model, core.index as usize, side) else {
                continue;
            };
            let mut platform = platform.with_dma_model(self.dma_model.clone());
            platform.advance_to(now);
            platform.begin_exec();
            let outcome = self.rt.execute(d, &mut platform);
            let outbox = platform.take_outbox();
            let done_at = outcome.completes_at().max(now);
            if side == Side::Nic {
                self.nic_busy += done_at - now;
                self.series.add_interval_us(now, done_at, col::NIC_BUSY_US);
            }
            let slot = Running {
                outcome,
                created_at,
                class,
                outbox,
            };
            match side {
                Side::Nic => self.running_nic[core.index as usize] = Some(slot),
                Side::Host => self.running_host[core.index as usize] = Some(slot),
            }
            sched.schedule_at(done_at, ActorEvent::CoreDone(core));
        }
    }

    fn on_core_done(&mut self, core: CoreId, now: SimTime, sched: &mut Scheduler<ActorEvent>) {
        let slot = match core.side {
            Side::Nic => self.running_nic[core.index as usize].take(),
            Side::Host => self.running_host[core.index as usize].take(),
        };
        let Some(mut r) = slot else { return };
        for (dst, m) in std::mem::take(&mut r.outbox) {
            match dst {
                Endpoint::Actor(_) => self.route(m, core.side, now, sched),
                _ => self.egress += 1,
            }
        }
        let is_request = matches!(
            r.outcome.kind,
            OutcomeKind::Done
                | OutcomeKind::Failed(_)
                | OutcomeKind::WatchdogKilled
                | OutcomeKind::Skipped
        );
        let _ = self.rt.complete(r.outcome, runtime_now(now));
        let Some(created) = r.created_at.filter(|_| is_request) else {
            return;
        };
        self.completed += 1;
        let latency = now - created;
        let us = latency.as_us_f64();
        self.series.add(now, col::COMPLETED, 1.0);
        self.series.add(now, col::LATENCY_SUM_US, us);
        let (c, l) = match core.side {
            Side::Nic => (col::NIC_COMPLETED, col::NIC_LATENCY_SUM_US),
            Side::Host => (col::HOST_COMPLETED, col::HOST_LATENCY_SUM_US),
        };
        self.series.add(now, c, 1.0);
        self.series.add(now, l, us);
        if created >= self.warmup_end {
            let cs = &mut self.classes[r.class];
            cs.completed += 1;
            cs.latency.record(latency);
        }
    }

    fn on_tick(&mut self, now: SimTime, sched: &mut Scheduler<ActorEvent>) {
        self.rt.tick(runtime_now(now));
        self.sample_placements(now);
        let next = self.rt.next_tick_at();
        if next < self.stop_at {
            sched.schedule_at(next, ActorEvent::Tick);
        }
    }

    fn sample_placements(&mut self, now: SimTime) {
        use scheduler::policy::Placement;
        let mut counts = [0.0; 3];
        for r in self.rt.actor_reports() {
            let i = match r.final_placement {
                Placement::NicFcfs => 0,
                Placement::NicDrr => 1,
                Placement::Host => 2,
            };
            counts[i] += 1.0;
        }
        self.series.add(now, col::TICKS, 1.0);
        self.series.add(now, col::ACTORS_FCFS, counts[0]);
        self.series.add(now, col::ACTORS_DRR, counts[1]);
        self.series.add(now, col::ACTORS_HOST, counts[2]);
        use scheduler::policy::NicGroup;
        self.series.add(
            now,
            col::CORES_FCFS,
            self.rt.cores_in(NicGroup::Fcfs) as f64,
        );
        self.series
            .add(now, col::CORES_DRR, self.rt.cores_in(NicGroup::Drr) as f64);
    }

    /// Closes the series at `end`.
    pub fn finish(&mut self, end: SimTime) {
        self.series.extend_to(end);
    }

    /// External requests running on a core now.
    pub fn running_requests(&self) -> u64 {
        self.running_nic
            .iter()
            .chain(self.running_host.iter())
            .flatten()
            .filter(|r| {
                r.created_at.is_some()
                    && matches!(
                        r.outcome.kind,
                        OutcomeKind::Done
                            | OutcomeKind::Failed(_)
                            | OutcomeKind::WatchdogKilled
                            | OutcomeKind::Skipped
                    )
            })
            .count() as u64
    }
    /// Per-class results.
    pub fn classes(&self) -> &[ClassStats] {
        &self.classes
    }
    /// The time series.
    pub fn series(&self) -> &TimeSeries {
        &self.series
    }
    /// NIC core busy time.
    pub fn nic_busy(&self) -> SimDuration {
        self.nic_busy
    }
    /// The runtime, for reports.
    pub fn runtime(&self) -> &Runtime {
        &self.rt
    }
    /// The NIC's cost model.
    pub fn nic_model(&self) -> &CoreModel {
        &self.nic_model
    }
}

impl Model for ActorSystem {
    type Event = ActorEvent;

    fn handle(&mut self, now: SimTime, event: ActorEvent, sched: &mut Scheduler<ActorEvent>) {
        match event {
            ActorEvent::Request => self.on_request(now, sched),
            ActorEvent::Crossed(msg) => {
                self.in_pcie -= 1;
                self.deliver(msg, now);
            }
            ActorEvent::CoreDone(core) => self.on_core_done(core, now, sched),
            ActorEvent::Tick => self.on_tick(now, sched),
        }
        self.dispatch_idle(now, sched);
    }
}
