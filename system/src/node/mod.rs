//! `Node`: one server — its NIC pipeline, PCIe to the host, host cores, and one iPipe runtime with its driver.
//!
//! Path of a frame from the wire (see ARCHITECTURE.md):
//! 1. the sender's MAC serializes it onto the wire (closed form, in the world);
//! 2. off-path NICs: the embedded switch matches its flow — to the NIC cores,
//!    to the host over PCIe (posted write, counted when it lands), or drop;
//! 3. the packet engine's ingress FIFO (closed form) bounds the packet rate;
//! 4. `Arrive`: the frame's message is delivered to the runtime — the FCFS
//!    shared queue plays the traffic manager — or, for an actor on the host,
//!    crosses PCIe first (`Crossed`);
//! 5. an idle core picks it up through the [`RuntimeDriver`]: a NIC core pays
//!    the NIC forwarding cost (per packet + per byte) once, then the actor's
//!    handler runs; `CoreDone` fires when the core is free;
//! 6. what the handler sent is routed: to another actor (maybe across PCIe),
//!    or out of the transmit MAC as a reply frame (closed form), delivered
//!    when its last bit leaves.
//!
//! Echo is the same path with the echo actor's empty handler.

pub mod accounting;
pub mod driver;
pub mod drops;
pub mod echo_actor;
pub mod named;
pub mod platform;

use crate::frame::{Frame, NodeId};
use crate::world::WorldEvent;
use accounting::{col, Accounting, ClassStats, Conserve};
use driver::{Finished, RuntimeDriver};
use drops::PCIE_QUEUE_MESSAGES;
use nic_models::forwarding::packet_engine_time;
use nic_models::switch::{EmbeddedSwitch, Steering};
use nic_models::{FifoServer, MacPort, NicProfile};
use pcie_model::PcieSystem;
use scheduler::runtime::{CoreId, RUNTIME_MSG_ID_BASE};
use scheduler::{Endpoint, Message, Side};
use sim_core::{Scheduler, SimDuration, SimTime, TimeSeries};
use std::collections::VecDeque;

/// Most reply payload buffers kept for reuse.
const SPARE_PAYLOADS: usize = 64;

/// Events of one node (the world tags them with the node's id).
#[derive(Debug)]
pub enum NodeEvent {
    /// The oldest frame on its way reaches the runtime (after MAC, switch and
    /// packet engine). Frames arrive in the order they were offered (every
    /// stage before is FIFO), so the event carries no frame: the node keeps
    /// them in a FIFO and the heap moves small events.
    Arrive,
    /// A message reaches the `Side` it crossed PCIe to.
    Crossed(Box<Message>, Side),
    /// A core finished its work.
    CoreDone(CoreId),
    /// Policy evaluation.
    Tick,
}

/// What the NIC's receive path did with a frame whose last bit arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ingress {
    /// It will reach the runtime at this time (an `Arrive` event is scheduled).
    Arrives(SimTime),
    /// The embedded switch sent it to the host; it lands in host memory later.
    ToHost,
    /// Dropped (counted).
    Dropped,
}

/// Static inputs of a [`Node`].
pub struct NodeParts {
    /// Index in the world.
    pub id: NodeId,
    /// NIC profile (MAC, packet engine, switch kind).
    pub nic: NicProfile,
    /// The runtime driver (runtime with its actors, cost models, forwarding cost).
    pub driver: RuntimeDriver,
    /// PCIe between NIC and host.
    pub pcie: PcieSystem,
    /// Off-path NICs: the embedded switch.
    pub switch: Option<EmbeddedSwitch>,
    /// Reporting class of each actor id.
    pub class_of_actor: Vec<usize>,
    /// Number of classes.
    pub classes: usize,
    /// End of warm-up.
    pub warmup_end: SimTime,
    /// Policy ticks stop here.
    pub stop_at: SimTime,
    /// Time series with [`col::NAMES`].
    pub series: TimeSeries,
    /// What the run conserves; actor workloads (`Messages`) also fill the
    /// per-request completion columns, which the echo workload skips to save
    /// time per packet.
    pub conserve: Conserve,
}

/// One server.
pub struct Node {
    id: NodeId,
    driver: RuntimeDriver,
    pcie: PcieSystem,
    switch: Option<EmbeddedSwitch>,
    engine: Option<(FifoServer, SimDuration)>,
    tx: MacPort,
    /// Frames in the transmit MAC: (last bit out, request creation, wire bytes).
    /// Only what delivery accounting needs; a cluster will hand the whole
    /// frame to the link instead.
    tx_in_flight: VecDeque<(SimTime, SimTime, u32)>,
    arriving: VecDeque<Frame>,
    /// Payload buffers of transmitted replies, for the source to reuse (bounded).
    spare_payloads: Vec<Vec<u8>>,
    to_host: VecDeque<SimTime>,
    acct: Accounting,
    warmup_end: SimTime,
    stop_at: SimTime,
    measured_bytes: u64,
    measured_pkts: u64,
    frame_latency: sim_core::LatencyHistogram,
    classes: Vec<ClassStats>,
    class_of_actor: Vec<usize>,
    series: TimeSeries,
    conserve: Conserve,
    request_series: bool,
    drops_in_series: u64,
    started: Vec<(CoreId, SimTime)>,
}

impl Node {
    /// Builds the node; call [`Node::start`] to schedule its first policy tick.
    pub fn new(p: NodeParts) -> Node {
        let engine = packet_engine_time(&p.nic.forwarding).map(|t| {
            (
                FifoServer::new(p.nic.forwarding.ingress_fifo_packets as usize),
                t,
            )
        });
        Node {
            id: p.id,
            driver: p.driver,
            pcie: p.pcie,
            switch: p.switch,
            engine,
            tx: MacPort::new(p.nic.link_gbps, &p.nic.mac),
            tx_in_flight: VecDeque::new(),
            arriving: VecDeque::new(),
            spare_payloads: Vec::new(),
            to_host: VecDeque::new(),
            acct: Accounting::default(),
            warmup_end: p.warmup_end,
            stop_at: p.stop_at,
            measured_bytes: 0,
            measured_pkts: 0,
            frame_latency: sim_core::LatencyHistogram::new(),
            classes: vec![ClassStats::default(); p.classes],
            class_of_actor: p.class_of_actor,
            series: p.series,
            conserve: p.conserve,
            request_series: p.conserve == Conserve::Messages,
            drops_in_series: 0,
            started: Vec::new(),
        }
    }

    fn ev(&self, ev: NodeEvent) -> WorldEvent {
        WorldEvent::Node(self.id, ev)
    }

    /// Schedules the first policy tick.
    pub fn start(&mut self, sched: &mut Scheduler<WorldEvent>) {
        let at = self.driver.runtime().next_tick_at();
        if at < self.stop_at {
            sched.schedule_at(at, self.ev(NodeEvent::Tick));
        }
    }

    /// The source created `frame` for this node (counted as offered).
    pub fn offered(&mut self, frame: &Frame) {
        self.acct.frames += 1;
        if self.request_series {
            self.series.add(frame.created_at, col::OFFERED, 1.0);
        }
        self.series.add(
            frame.created_at,
            col::OFFERED_BYTES,
            f64::from(frame.wire_bytes),
        );
    }

    /// The source could not put a frame on its wire (backlog full).
    pub fn dropped_at_source(&mut self) {
        self.acct.drops_source += 1;
    }

    /// The receive path: `frame`'s last bit reached the NIC at `at_nic`.
    pub fn ingress(
        &mut self,
        frame: Frame,
        at_nic: SimTime,
        sched: &mut Scheduler<WorldEvent>,
    ) -> Ingress {
        if let Some(switch) = &mut self.switch {
            match switch.steer(&frame.flow, 0) {
                Steering::NicCore(_) => {}
                Steering::Drop => {
                    self.acct.drops_switch += 1;
                    return Ingress::Dropped;
                }
                Steering::Host if self.to_host.len() as u64 >= PCIE_QUEUE_MESSAGES => {
                    // PCIe slower than the link: its queue is bounded too
                    self.acct.drops_pcie += 1;
                    return Ingress::Dropped;
                }
                Steering::Host => {
                    let landed = self
                        .pcie
                        .device_write_to_host(at_nic, u64::from(frame.wire_bytes));
                    self.to_host.push_back(landed.delivered);
                    return Ingress::ToHost;
                }
            }
        }
        let at = match &mut self.engine {
            None => at_nic,
            Some((fifo, per_packet)) => match fifo.offer(at_nic, *per_packet) {
                Some(t) => t,
                None => {
                    self.acct.drops_ingress += 1;
                    return Ingress::Dropped;
                }
            },
        };
        self.acct.in_flight_arriving += 1;
        self.arriving.push_back(frame);
        sched.schedule_at(at, self.ev(NodeEvent::Arrive));
        Ingress::Arrives(at)
    }

    /// A payload buffer for a new frame (reused from a transmitted reply when
    /// one is spare: the echo workload then allocates once per packet, not twice).
    pub fn payload_buffer(&mut self) -> Vec<u8> {
        self.spare_payloads.pop().unwrap_or_default()
    }

    /// Whether the next `Arrive` event is for a frame from the traffic source.
    pub fn next_arrival_from(&self, node: NodeId) -> bool {
        self.arriving.front().is_some_and(|f| f.src.node() == node)
    }

    /// Handles one of this node's events.
    pub fn handle(&mut self, now: SimTime, ev: NodeEvent, sched: &mut Scheduler<WorldEvent>) {
        match ev {
            NodeEvent::Arrive => {
                self.acct.in_flight_arriving -= 1;
                if let Some(msg) = self.arriving.pop_front().and_then(|f| f.msg) {
                    self.route(msg, Side::Nic, now, sched);
                }
            }
            NodeEvent::Crossed(msg, to) => {
                match to {
                    Side::Host => {
                        self.acct.in_pcie_to_host -= 1;
                        self.acct.to_host_actors += 1;
                    }
                    Side::Nic => self.acct.in_pcie_to_nic -= 1,
                }
                self.deliver(*msg, now);
            }
            NodeEvent::CoreDone(core) => self.on_core_done(core, now, sched),
            NodeEvent::Tick => self.on_tick(now, sched),
        }
        self.dispatch_idle(now, sched);
    }

    /// Called on every event of the world: counts what has landed or left by `now`.
    pub fn flush(&mut self, upto: SimTime) {
        while self.to_host.front().is_some_and(|&t| t <= upto) {
            self.to_host.pop_front();
            self.acct.steered_host += 1;
        }
        while let Some(&(t, created_at, wire_bytes)) = self.tx_in_flight.front() {
            if t > upto {
                break;
            }
            self.tx_in_flight.pop_front();
            self.acct.delivered += 1;
            let latency = t - created_at;
            if t >= self.warmup_end {
                self.measured_bytes += u64::from(wire_bytes);
                self.measured_pkts += 1;
            }
            if created_at >= self.warmup_end {
                self.frame_latency.record(latency);
            }
            self.series
                .add(t, col::DELIVERED_BYTES, f64::from(wire_bytes));
            self.series.add(t, col::DELIVERED_PKTS, 1.0);
            self.series.add(t, col::LATENCY_SUM_US, latency.as_us_f64());
        }
    }

    /// Delivers `msg` sent from `from`: now if its actor is on that side, else
    /// when a posted write across PCIe lands.
    fn route(&mut self, msg: Message, from: Side, now: SimTime, sched: &mut Scheduler<WorldEvent>) {
        match self.driver.runtime().side_of(msg.dst) {
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
                let bytes = u64::from(Frame::wire_bytes_for(msg.payload.len()));
                let write = match from {
                    Side::Nic => self.pcie.device_write_to_host(now, bytes),
                    Side::Host => self.pcie.host_write_to_nic(now, bytes),
                };
                sched.schedule_at(
                    write.delivered.max(now),
                    self.ev(NodeEvent::Crossed(Box::new(msg), to)),
                );
            }
            _ => self.deliver(msg, now),
        }
    }

    fn deliver(&mut self, msg: Message, now: SimTime) {
        // A refusal is counted by the runtime under its reason (`RuntimeCounters`),
        // which the reports and the drops series read.
        if let Err(reason) = self.driver.runtime_mut().deliver(msg, now) {
            debug_assert!(
                self.driver.runtime().counters().dropped() > 0,
                "{reason:?} uncounted"
            );
        }
    }

    fn dispatch_idle(&mut self, now: SimTime, sched: &mut Scheduler<WorldEvent>) {
        let mut started = std::mem::take(&mut self.started);
        started.clear();
        self.driver.dispatch_idle(now, &mut started);
        for &(core, done) in &started {
            if core.side == Side::Nic {
                self.series.add_interval_us(now, done, col::NIC_BUSY_US);
            }
            sched.schedule_at(done, self.ev(NodeEvent::CoreDone(core)));
        }
        self.started = started;
    }

    fn on_core_done(&mut self, core: CoreId, now: SimTime, sched: &mut Scheduler<WorldEvent>) {
        let Some(mut r) = self.driver.finish(core, now) else {
            return;
        };
        let origin = r.request.filter(|p| p.from_wire).map(|p| p.created_at);
        let mut outbox = std::mem::take(&mut r.outbox);
        for (dst, m) in outbox.drain(..) {
            match dst {
                Endpoint::Actor(_) => {
                    self.acct.internal += 1;
                    self.route(m, core.side, now, sched);
                }
                Endpoint::Network { .. } => self.transmit(m, core.side, origin.unwrap_or(now), now),
                Endpoint::Host => self.acct.egress_host += 1,
            }
        }
        self.driver.recycle_outbox(core, outbox);
        self.record_completion(&r, core, now);
    }

    /// Sends a reply frame out of the transmit MAC (after crossing PCIe when a
    /// host core sent it). Latency counts from `origin`, the request's creation.
    fn transmit(&mut self, m: Message, from: Side, origin: SimTime, now: SimTime) {
        let wire = Frame::wire_bytes_for(m.payload.len());
        let at_mac = match from {
            Side::Nic => now,
            Side::Host => self
                .pcie
                .host_write_to_nic(now, u64::from(wire))
                .delivered
                .max(now),
        };
        if self.spare_payloads.len() < SPARE_PAYLOADS {
            self.spare_payloads.push(m.payload);
        }
        match self.tx.transmit(at_mac, wire) {
            Some(done) => self.tx_in_flight.push_back((done, origin, wire)),
            None => {
                self.acct.drops_tx += 1;
            }
        }
    }

    fn record_completion(&mut self, r: &Finished, core: CoreId, now: SimTime) {
        if r.served {
            self.acct.served += 1;
        }
        let Some(req) = r.request.filter(|p| p.from_wire) else {
            return;
        };
        if !r.served || req.msg_id >= RUNTIME_MSG_ID_BASE {
            return;
        }
        self.acct.completed += 1;
        let latency = now.saturating_since(req.created_at);
        let us = latency.as_us_f64();
        if self.request_series {
            self.series.add(now, col::COMPLETED, 1.0);
            self.series.add(now, col::REQ_LATENCY_SUM_US, us);
            let (c, l) = match core.side {
                Side::Nic => (col::NIC_COMPLETED, col::NIC_LATENCY_SUM_US),
                Side::Host => (col::HOST_COMPLETED, col::HOST_LATENCY_SUM_US),
            };
            self.series.add(now, c, 1.0);
            self.series.add(now, l, us);
        }
        // Throughput counts completions in the measured window and latency
        // the requests created in it, as for frames (see `flush`).
        let class = self
            .class_of_actor
            .get(r.actor as usize)
            .copied()
            .unwrap_or(0);
        if let Some(cs) = self.classes.get_mut(class) {
            if now >= self.warmup_end {
                cs.completed += 1;
            }
            if req.created_at >= self.warmup_end {
                cs.latency.record(latency);
            }
        }
    }

    fn on_tick(&mut self, now: SimTime, sched: &mut Scheduler<WorldEvent>) {
        self.driver.runtime_mut().tick(now);
        self.sample_placements(now);
        let next = self.driver.runtime().next_tick_at();
        if next < self.stop_at {
            sched.schedule_at(next, self.ev(NodeEvent::Tick));
        }
    }

    fn sample_placements(&mut self, now: SimTime) {
        use scheduler::policy::{NicGroup, Placement};
        let rt = self.driver.runtime();
        let mut counts = [0.0; 3];
        for r in rt.actor_reports() {
            let i = match r.final_placement {
                Placement::NicFcfs => 0,
                Placement::NicDrr => 1,
                Placement::Host => 2,
            };
            counts[i] += 1.0;
        }
        let (fcfs, drr) = (rt.cores_in(NicGroup::Fcfs), rt.cores_in(NicGroup::Drr));
        self.series.add(now, col::TICKS, 1.0);
        self.series.add(now, col::ACTORS_FCFS, counts[0]);
        self.series.add(now, col::ACTORS_DRR, counts[1]);
        self.series.add(now, col::ACTORS_HOST, counts[2]);
        self.series.add(now, col::CORES_FCFS, f64::from(fcfs));
        self.series.add(now, col::CORES_DRR, f64::from(drr));
    }

    /// Closes the run at `end`: landings and transmissions up to `end` count, later ones stay in flight.
    pub fn finish(&mut self, end: SimTime) {
        self.flush(end);
        self.series.extend_to(end);
    }

    /// Where every frame is now, counted place by place.
    pub fn accounting(&self) -> Accounting {
        self.acct
    }

    /// What this node conserves.
    pub fn conserve(&self) -> Conserve {
        self.conserve
    }

    /// Frames (echo) or messages to actors (actor workloads) that entered.
    pub fn generated(&self) -> u64 {
        match self.conserve {
            Conserve::Frames => self.acct.frames,
            Conserve::Messages => self.acct.frames + self.acct.internal,
        }
    }

    /// Frames echoed (their reply's last bit left), or messages served.
    pub fn delivered(&self) -> u64 {
        match self.conserve {
            Conserve::Frames => self.acct.delivered,
            Conserve::Messages => self.acct.served,
        }
    }

    /// Every drop of what this node conserves, summed over reasons (the sum
    /// of `ended()` but the host steering, without building it: called after
    /// every event).
    pub fn drops_total(&self) -> u64 {
        let a = &self.acct;
        let rt = self.driver.runtime().counters();
        let common = a.drops_source + a.drops_switch + a.drops_ingress + a.drops_pcie;
        let runtime = rt.dropped() + rt.aborted_by_watchdog;
        match self.conserve {
            Conserve::Frames => common + runtime + a.drops_tx,
            Conserve::Messages => common + runtime,
        }
    }

    /// Ends other than delivery, by place: the switch's host steering first,
    /// then every drop reason.
    pub fn ended(&self) -> Vec<(&'static str, u64)> {
        let a = &self.acct;
        let rt = self.driver.runtime().counters();
        let mut v = vec![
            ("steered_host", a.steered_host),
            ("drops_source", a.drops_source),
            ("drops_switch", a.drops_switch),
            ("drops_ingress", a.drops_ingress),
            ("drops_pcie", a.drops_pcie),
        ];
        match self.conserve {
            Conserve::Frames => {
                // the echo actor's only runtime queue is the traffic manager's
                v.push(("drops_tm", rt.dropped() + rt.aborted_by_watchdog));
                v.push(("drops_tx", a.drops_tx));
            }
            Conserve::Messages => {
                let d = drops::ActorDrops::of(0, rt);
                v.extend([
                    ("drops_fcfs_queue", d.fcfs_queue),
                    ("drops_mailbox", d.mailbox),
                    ("drops_migration_buffer", d.migration_buffer),
                    ("drops_host_queue", d.host_queue),
                    ("drops_actor_killed", d.actor_killed),
                    ("drops_actor_deleted", d.actor_deleted),
                    ("drops_unknown_actor", d.unknown_actor),
                    ("drops_watchdog", d.watchdog),
                ]);
            }
        }
        v
    }

    /// What is inside the node now, by place.
    pub fn in_flight(&self) -> Vec<(&'static str, u64)> {
        let on_core = self
            .driver
            .running()
            .filter(|r| r.request.is_some())
            .count() as u64;
        let mut v = vec![
            ("arriving", self.acct.in_flight_arriving),
            ("pcie", self.acct.in_pcie()),
            ("queued", self.driver.runtime().queued_messages() as u64),
            ("on_core", on_core),
        ];
        if self.conserve == Conserve::Frames {
            v.push(("tx", self.tx_in_flight.len() as u64));
            v.push(("to_host", self.to_host.len() as u64));
        }
        v
    }

    /// After every event: new drops reach the time series (so its column sums
    /// to the summary's `drops`), and the peak of what is inside is updated.
    pub fn sync(&mut self, now: SimTime) {
        let drops = self.drops_total();
        if drops > self.drops_in_series {
            self.series
                .add(now, col::DROPS, (drops - self.drops_in_series) as f64);
            self.drops_in_series = drops;
        }
        let done = self.delivered() + self.acct.steered_host + drops;
        let inside = self.generated().saturating_sub(done);
        self.acct.peak_in_flight = self.acct.peak_in_flight.max(inside);
    }

    /// Frame bytes and frames transmitted after warm-up.
    pub fn measured(&self) -> (u64, u64) {
        (self.measured_bytes, self.measured_pkts)
    }
    /// Latency of reply frames whose request was created after warm-up (creation to last bit out).
    pub fn frame_latency(&self) -> &sim_core::LatencyHistogram {
        &self.frame_latency
    }
    /// Per-class request results after warm-up.
    pub fn classes(&self) -> &[ClassStats] {
        &self.classes
    }
    /// The time series.
    pub fn series(&self) -> &TimeSeries {
        &self.series
    }
    /// The runtime driver (runtime, cost models, counters).
    pub fn driver(&self) -> &RuntimeDriver {
        &self.driver
    }
}
