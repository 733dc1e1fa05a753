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
//!
//! Bounds: one `Request` event is pending at a time, each PCIe direction
//! holds at most [`PCIE_QUEUE_MESSAGES`] (overflow is the `drops_pcie`
//! reason), the runtime's queues are bounded by its settings, and at most
//! one `CoreDone` per core and one `Tick` are pending; so memory and the
//! event queue stay flat under any offered load. [`ActorAccounting`] counts
//! every message place by place (see `actor_accounting`). The run caps
//! the request rate at what the link carries (`run::actors`).
//!
//! `actors/cores.rs` holds the core side: dispatch, execution, completion.

use super::actor_accounting::OrderCheck;

mod cores;
pub use super::actor_accounting::{ActorAccounting, ActorDrops, PCIE_QUEUE_MESSAGES};
pub use super::actor_parts::{col, ClassStats, Target, Tax};
use nic_models::CoreModel;
use pcie_model::PcieSystem;
use scheduler::runtime::{CoreId, ExecOutcome, Runtime};
use scheduler::{Endpoint, Message, Side};
use sim_core::{Model, Scheduler, SimDuration, SimRng, SimTime, TimeSeries};
use std::rc::Rc;
use workloads::actors::registry::gen_request;
use workloads::ArrivalProcess;

/// Events of the actor system.
#[derive(Debug)]
pub enum ActorEvent {
    /// The next request arrives from the network.
    Request,
    /// A message reaches the other side of PCIe (host memory or NIC memory).
    Crossed(Message, Side),
    /// A core finished its work.
    CoreDone(CoreId),
    /// Policy evaluation.
    Tick,
}

/// What a busy core is doing, with the request's origin for latency.
struct Running {
    outcome: ExecOutcome,
    /// The work was a message (not a migration step).
    is_message: bool,
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
    /// External requests served (handler returned), for throughput.
    pub completed: u64,
    acct: ActorAccounting,
    order: OrderCheck,
    /// Drops already added to the time series.
    drops_in_series: u64,
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
pub(super) fn runtime_now(t: SimTime) -> SimTime {
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
            mean_gap_ps: 1e12 / p.rate_rps,
            stop_at: p.stop_at,
            warmup_end: p.warmup_end,
            next_id: 0,
            request_bytes: 0,
            request_overhead_bytes: p.request_overhead_bytes,
            completed: 0,
            acct: ActorAccounting::default(),
            order: OrderCheck::default(),
            drops_in_series: 0,
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
        // compare durations: `now + gap` could pass the end of time for a tiny rate
        if gap < self.stop_at.saturating_since(now) {
            sched.schedule_in(gap, ActorEvent::Request);
        }
        let target = self.pick_target();
        let req = gen_request(target.kind, &mut self.rng);
        self.acct.generated += 1;
        self.acct.generated_external += 1;
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
    /// A direction whose [`PCIE_QUEUE_MESSAGES`] are all in flight drops the message.
    fn route(&mut self, msg: Message, from: Side, now: SimTime, sched: &mut Scheduler<ActorEvent>) {
        match self.rt.side_of(msg.dst) {
            Some(to) if to != from => {
                let in_flight = match from {
                    Side::Nic => &mut self.acct.in_pcie_to_host,
                    Side::Host => &mut self.acct.in_pcie_to_nic,
                };
                if *in_flight >= PCIE_QUEUE_MESSAGES {
                    self.acct.drops_pcie += 1;
                    return;
                }
                *in_flight += 1;
                let bytes = msg.payload.len() as u64 + self.request_overhead_bytes;
                let write = match from {
                    Side::Nic => self.pcie.device_write_to_host(now, bytes),
                    Side::Host => self.pcie.host_write_to_nic(now, bytes),
                };
                sched.schedule_at(write.delivered.max(now), ActorEvent::Crossed(msg, to));
            }
            _ => self.deliver(msg, now),
        }
    }

    /// Hands a message to the runtime. A refusal is already counted by the
    /// runtime under its reason (`RuntimeCounters`), and reaches the time
    /// series through [`ActorSystem::sync_drops`].
    fn deliver(&mut self, msg: Message, now: SimTime) {
        if let Err(reason) = self.rt.deliver(msg, runtime_now(now)) {
            debug_assert!(self.rt.counters().dropped() > 0, "{reason:?} uncounted");
        }
    }

    fn on_crossed(&mut self, msg: Message, to: Side, now: SimTime) {
        match to {
            Side::Host => {
                self.acct.in_pcie_to_host -= 1;
                self.acct.to_host_actors += 1;
            }
            Side::Nic => self.acct.in_pcie_to_nic -= 1,
        }
        self.deliver(msg, now);
    }

    /// Adds drops counted since the last call to the time series, and
    /// tracks the most messages inside the system at once.
    fn sync_drops(&mut self, now: SimTime) {
        let drops = self.acct.drops(self.rt.counters());
        if drops > self.drops_in_series {
            self.series
                .add(now, col::DROPS, (drops - self.drops_in_series) as f64);
            self.drops_in_series = drops;
        }
        let inside = self
            .acct
            .generated
            .saturating_sub(self.acct.delivered + drops);
        self.acct.peak_in_flight = self.acct.peak_in_flight.max(inside);
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

    /// Messages running on a core now.
    pub fn running_messages(&self) -> u64 {
        self.running_nic
            .iter()
            .chain(self.running_host.iter())
            .flatten()
            .filter(|r| r.is_message)
            .count() as u64
    }
    /// The driver's counts.
    pub fn accounting(&self) -> ActorAccounting {
        self.acct
    }
    /// Messages inside the system now, place by place: on PCIe, queued in the runtime, on a core.
    pub fn in_flight_places(&self) -> [(&'static str, u64); 3] {
        [
            ("pcie", self.acct.in_pcie()),
            ("queued", self.rt.queued_messages() as u64),
            ("on_core", self.running_messages()),
        ]
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
            ActorEvent::Crossed(msg, to) => self.on_crossed(msg, to, now),
            ActorEvent::CoreDone(core) => self.on_core_done(core, now, sched),
            ActorEvent::Tick => self.on_tick(now, sched),
        }
        self.dispatch_idle(now, sched);
        self.sync_drops(now);
    }
}
