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
//!
//! Simplification: a frame for an actor the runtime has placed on the host
//! crosses PCIe from the NIC's receive path without a NIC core touching it,
//! also on an on-path NIC (whose cores would see every packet). Branch
//! `node-onpath-forward` has that path (`Runtime::deliver_via_nic`); it moves
//! host-overload drops from the host queue to the NIC's FCFS queue.

pub mod accounting;
pub mod completion;
pub mod driver;
pub mod drops;
pub mod echo_actor;
pub mod forward;
pub mod host_stack;
pub mod ingress;
pub mod named;
pub mod net;
pub mod places;
pub mod platform;
pub mod timer;

use crate::frame::{Frame, NodeId};
use crate::world::WorldEvent;
use accounting::{col, Accounting, ClassStats, Conserve};
use driver::RuntimeDriver;
use drops::PCIE_QUEUE_MESSAGES;
use forward::ForwardPath;
use nic_models::forwarding::packet_engine_time;
use nic_models::switch::EmbeddedSwitch;
use nic_models::{FifoServer, MacPort, NicProfile};
use pcie_model::PcieSystem;
use scheduler::runtime::CoreId;
use scheduler::{Message, Side};
use sim_core::{Scheduler, SimDuration, SimTime, TimeSeries};
use std::collections::VecDeque;
use vocab::ring::{Ring, RING_START};

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
    /// Timer `i` of the node's timer service fires (`timer.rs`).
    Timer(usize),
}

/// What the NIC's receive path did with a frame whose last bit arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ingress {
    /// It will reach the runtime at this time (an `Arrive` event is scheduled).
    Arrives(SimTime),
    /// The NIC cores' forwarding path took it at this time, in closed form:
    /// nothing is scheduled ([`forward`]).
    Forwarded(SimTime),
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
    /// The echo workload: the NIC cores' forwarding path in closed form
    /// (frames carry no message and bypass the runtime).
    pub forward: Option<ForwardPath>,
    /// Per-actor timers (`timer.rs`); empty: none.
    pub timers: Vec<timer::NodeTimer>,
}

/// One server.
pub struct Node {
    id: NodeId,
    driver: RuntimeDriver,
    pcie: PcieSystem,
    switch: Option<EmbeddedSwitch>,
    engine: Option<(FifoServer, SimDuration)>,
    forward: Option<ForwardPath>,
    tx: MacPort,
    /// Frames in the transmit MAC: (last bit out, request creation, wire bytes).
    /// Only what delivery accounting needs; a cluster will hand the whole
    /// frame to the link instead.
    tx_in_flight: Ring<(SimTime, SimTime, u32)>,
    /// Messages on their way to the runtime (after MAC, switch and packet
    /// engine), with the node their frame came from: only what `Arrive` needs
    /// of the frame, so the queue moves small entries.
    arriving: VecDeque<(NodeId, Message)>,
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
    /// `acct`'s drops at the source, switch, ingress, PCIe and traffic
    /// manager, summed as they are counted (`sync` reads it after every event).
    node_drops: u64,
    /// `generated()` when `sync` last looked at the peak inside.
    generated_at_peak_check: u64,
    /// A finished execution's outbox and released forwards, drained by
    /// `on_core_done` (kept allocated between completions).
    outbox_buf: Vec<(scheduler::Endpoint, Message)>,
    // boxed on purpose: each box goes on into a PCIe crossing event
    #[allow(clippy::vec_box)]
    forwarded_buf: Vec<Box<Message>>,
    /// Cluster runs: where remote frames go instead of the transmit MAC.
    net: Option<net::NetPort>,
    /// Per-actor timers (`timer.rs`).
    timers: Vec<timer::NodeTimer>,
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
            forward: p.forward,
            tx: MacPort::new(p.nic.link_gbps, &p.nic.mac),
            tx_in_flight: Ring::with_capacity(RING_START),
            arriving: VecDeque::new(),
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
            node_drops: 0,
            generated_at_peak_check: 0,
            outbox_buf: Vec::new(),
            forwarded_buf: Vec::new(),
            net: None,
            timers: p.timers,
        }
    }

    fn ev(&self, ev: NodeEvent) -> WorldEvent {
        WorldEvent::Node(self.id, ev)
    }

    /// Schedules the first policy tick and each timer's first message (one
    /// period after the scheduler's `now`: time zero, or a restart).
    pub fn start(&mut self, sched: &mut Scheduler<WorldEvent>) {
        let at = self.driver.runtime().next_tick_at();
        if at < self.stop_at {
            sched.schedule_at(at, self.ev(NodeEvent::Tick));
        }
        self.start_timers(sched.now(), sched);
    }

    /// Handles one of this node's events.
    pub fn handle(&mut self, now: SimTime, ev: NodeEvent, sched: &mut Scheduler<WorldEvent>) {
        match ev {
            NodeEvent::Arrive => {
                self.acct.in_flight_arriving -= 1;
                // `RuntimeDriver::arrive_from_wire`, then `route`, with the
                // actor's side looked up once
                if let Some((_, msg)) = self.arriving.pop_front() {
                    match self.driver.runtime().side_of(msg.dst) {
                        // on an on-path NIC a host actor's request waits for a NIC core to forward it
                        Some(Side::Host) if self.driver.on_path() => {
                            self.driver.forward_from_wire(msg, now)
                        }
                        Some(Side::Host) => {
                            self.cross(Box::new(msg), Side::Nic, Side::Host, now, sched)
                        }
                        _ => self.deliver(msg, now),
                    }
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
            NodeEvent::Timer(i) => self.on_timer(i, now, sched),
        }
        self.dispatch_idle(now, sched);
    }

    /// Delivers `msg` sent from `from`: now if its actor is on that side, else
    /// when a posted write across PCIe lands.
    // inlined into the node's handler (once or twice per request), the
    // crossing (about one request in nine) left out of line
    #[inline(always)]
    fn route(&mut self, msg: Message, from: Side, now: SimTime, sched: &mut Scheduler<WorldEvent>) {
        match self.driver.runtime().side_of(msg.dst) {
            Some(to) if to != from => self.cross(Box::new(msg), from, to, now, sched),
            _ => self.deliver(msg, now),
        }
    }

    /// [`Self::route`] of a message already boxed (a NIC core's forward):
    /// the box goes on with it across PCIe.
    fn route_boxed(
        &mut self,
        msg: Box<Message>,
        from: Side,
        now: SimTime,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        match self.driver.runtime().side_of(msg.dst) {
            Some(to) if to != from => self.cross(msg, from, to, now, sched),
            _ => self.deliver(*msg, now),
        }
    }

    /// [`Self::route`] of a message whose actor is on the other side `to`:
    /// a posted write across PCIe, delivered when it lands.
    #[inline(never)]
    fn cross(
        &mut self,
        msg: Box<Message>,
        from: Side,
        to: Side,
        now: SimTime,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        let in_flight = match from {
            Side::Nic => &mut self.acct.in_pcie_to_host,
            Side::Host => &mut self.acct.in_pcie_to_nic,
        };
        if *in_flight >= PCIE_QUEUE_MESSAGES {
            self.acct.drops_pcie += 1;
            self.node_drops += 1;
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
            self.ev(NodeEvent::Crossed(msg, to)),
        );
    }

    #[inline]
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
        let (id, series) = (self.id, &mut self.series);
        self.driver.dispatch_idle_with(now, |core, done| {
            if core.side == Side::Nic {
                series.add_interval_us(now, done, col::NIC_BUSY_US);
            }
            sched.schedule_at(done, WorldEvent::Node(id, NodeEvent::CoreDone(core)));
        });
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

    /// Frame bytes and frames transmitted after warm-up (echo workload: a
    /// node that conserves messages leaves them at zero, see `count_delivery`).
    pub fn measured(&self) -> (u64, u64) {
        (self.measured_bytes, self.measured_pkts)
    }
    /// Latency of reply frames whose request was created after warm-up
    /// (creation to last bit out; echo workload only, as [`Self::measured`]).
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
