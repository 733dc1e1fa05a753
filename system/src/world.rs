//! `World`: the sim-core model holding the nodes and the traffic source; a single-server scenario is a world with one node.
//!
//! Events are tagged by node ([`WorldEvent::Node`]), so a world of many
//! nodes (a cluster) routes each event to its node, and a parallel engine
//! can later partition events by node. The source's frames cross the
//! source's wire (a MAC at the NIC's link rate, closed form) and enter the
//! target node's receive path. The source is pulled one frame at a time —
//! the next frame is made when the previous one reaches its node — so it
//! never runs ahead of simulated time and its memory stays bounded.

use crate::frame::{Frame, NodeId, SOURCE_NODE};
use crate::node::{Ingress, Node, NodeEvent};
use nic_models::switch::synthetic_flow;
use nic_models::MacPort;
use scheduler::FlowKey;
use sim_core::{Model, Scheduler, SimDuration, SimTime};

#[path = "world_source.rs"]
mod source;
pub use source::{RequestArrivals, RequestGen, Source, Target};

/// How far past the current event the source runs ahead into a node that
/// forwards in closed form (one `SourceNext` event per this much traffic
/// instead of one per frame). Frames pulled ahead count as inside the node,
/// so `peak_in_flight` may exceed the event-by-event value by the frames of
/// one batch (about 5 at 256 B on 10GbE).
pub const SOURCE_BATCH: SimDuration = SimDuration::from_ns(1_000);

/// Events of the world.
#[derive(Debug)]
pub enum WorldEvent {
    /// An event of one node.
    Node(NodeId, NodeEvent),
    /// The source goes on (its last frame went to a host over PCIe).
    SourceNext,
}

/// Nodes and the traffic source.
pub struct World {
    nodes: Vec<Node>,
    source: Source,
    /// The flow of every request frame ([`Source::next_frame`]'s), made once.
    request_flow: FlowKey,
    /// The source's MAC onto the wire towards `target`.
    source_wire: MacPort,
    target: NodeId,
}

impl World {
    /// A world of `nodes` whose source sends to node `target` through `source_wire`.
    pub fn new(nodes: Vec<Node>, source: Source, source_wire: MacPort, target: NodeId) -> World {
        World {
            nodes,
            source,
            request_flow: synthetic_flow(0),
            source_wire,
            target,
        }
    }

    /// Schedules the first events: every node's policy tick, the first frame.
    pub fn start(&mut self, sched: &mut Scheduler<WorldEvent>) {
        for n in &mut self.nodes {
            n.start(sched);
        }
        self.pull_source(SimTime::ZERO, sched);
    }

    /// Pulls frames from the source through its wire into the target node's
    /// receive path until one will reach the runtime, or the source stops.
    /// Frames the node forwards in closed form need no event each: pulling
    /// goes on up to [`SOURCE_BATCH`] past `now`, then one `SourceNext`.
    fn pull_source(&mut self, now: SimTime, sched: &mut Scheduler<WorldEvent>) {
        let Some(node) = self.nodes.get(self.target as usize) else {
            return;
        };
        // requests into a node that runs them need no frame around their
        // message: the same stages, fed the message and its frame's size
        if matches!(self.source, Source::Requests { .. }) && !node.forwards_in_closed_form() {
            self.pull_requests(now, sched);
        } else {
            self.pull_frames(now, sched);
        }
    }

    /// [`Self::pull_source`] of requests as bare messages.
    fn pull_requests(&mut self, now: SimTime, sched: &mut Scheduler<WorldEvent>) {
        let horizon = now + SOURCE_BATCH;
        let Some(node) = self.nodes.get_mut(self.target as usize) else {
            return;
        };
        while let Some(msg) = self.source.next_request(node.payload_buffer()) {
            let wire_bytes = Frame::wire_bytes_for(msg.payload.len());
            node.offered_at(msg.created_at, wire_bytes);
            let Some(at_nic) = self.source_wire.transmit(msg.created_at, wire_bytes) else {
                node.dropped_at_source();
                continue;
            };
            let flow = &self.request_flow;
            let ingress = node.ingress_message(SOURCE_NODE, flow, wire_bytes, msg, at_nic, sched);
            if !Self::go_on(ingress, at_nic, horizon, sched) {
                return;
            }
        }
    }

    /// [`Self::pull_source`] of whole frames.
    fn pull_frames(&mut self, now: SimTime, sched: &mut Scheduler<WorldEvent>) {
        let horizon = now + SOURCE_BATCH;
        let Some(node) = self.nodes.get_mut(self.target as usize) else {
            return;
        };
        // packets into a node that forwards them in closed form: no frame
        if matches!(self.source, Source::Packets { .. }) && node.forwards_in_closed_form() {
            self.pull_packets(horizon, sched);
            return;
        }
        while let Some(f) = self.source.next_frame(self.target, node.payload_buffer()) {
            node.offered(&f);
            let Some(at_nic) = self.source_wire.transmit(f.created_at, f.wire_bytes) else {
                node.dropped_at_source();
                continue;
            };
            let ingress = node.ingress(f, at_nic, sched);
            if !Self::go_on(ingress, at_nic, horizon, sched) {
                return;
            }
        }
    }

    /// [`Self::pull_frames`] of packets into a node that forwards them in
    /// closed form: the path reads a packet's flow, size and creation time
    /// only, so no frame is built (the same draws and stages as with one).
    /// Out of line: inlined, it changed how the request path around it
    /// compiled (+1 M instructions in actors_mix).
    #[inline(never)]
    fn pull_packets(&mut self, horizon: SimTime, sched: &mut Scheduler<WorldEvent>) {
        let Some(node) = self.nodes.get_mut(self.target as usize) else {
            return;
        };
        while let Some((created_at, wire_bytes, flow)) = self.source.next_packet() {
            node.offered_at(created_at, wire_bytes);
            let Some(at_nic) = self.source_wire.transmit(created_at, wire_bytes) else {
                node.dropped_at_source();
                continue;
            };
            let ingress = node.ingress_packet(&flow, wire_bytes, created_at, at_nic);
            if !Self::go_on(ingress, at_nic, horizon, sched) {
                return;
            }
        }
    }

    /// Whether pulling goes on after a frame's `ingress` (its last bit at
    /// the NIC at `at_nic`); if not, the `SourceNext` the source waits for
    /// is scheduled (none for a frame that will arrive: its `Arrive` pulls).
    #[inline(always)]
    fn go_on(
        ingress: Ingress,
        at_nic: SimTime,
        horizon: SimTime,
        sched: &mut Scheduler<WorldEvent>,
    ) -> bool {
        match ingress {
            Ingress::Arrives(_) => false,
            // closed form: go on when the frame has reached the cores
            Ingress::Forwarded(at) if at < horizon => true,
            Ingress::Forwarded(at) => {
                sched.schedule_at(at, WorldEvent::SourceNext);
                false
            }
            Ingress::Dropped => true,
            Ingress::ToHost => {
                sched.schedule_at(at_nic, WorldEvent::SourceNext);
                false
            }
        }
    }

    /// Closes the run at `end`.
    pub fn finish(&mut self, end: SimTime) {
        for n in &mut self.nodes {
            n.finish(end);
        }
    }

    /// The nodes.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The nodes, taken out (a cluster world drives them itself).
    pub fn into_nodes(self) -> Vec<Node> {
        self.nodes
    }
}

impl Model for World {
    type Event = WorldEvent;

    // inlined into the engine's loop (once per event; measured, issue 13)
    #[inline(always)]
    fn handle(&mut self, now: SimTime, event: WorldEvent, sched: &mut Scheduler<WorldEvent>) {
        match event {
            WorldEvent::Node(id, ev) => {
                let from_source = matches!(ev, NodeEvent::Arrive)
                    && self
                        .nodes
                        .get(id as usize)
                        .is_some_and(|n| n.next_arrival_from(SOURCE_NODE));
                if from_source {
                    self.pull_source(now, sched);
                }
                if let Some(node) = self.nodes.get_mut(id as usize) {
                    node.flush(now);
                    node.handle(now, ev, sched);
                    node.sync(now);
                }
            }
            WorldEvent::SourceNext => {
                if let Some(node) = self.nodes.get_mut(self.target as usize) {
                    node.flush(now);
                }
                self.pull_source(now, sched);
                if let Some(node) = self.nodes.get_mut(self.target as usize) {
                    node.sync(now);
                }
            }
        }
    }
}
