//! One server's partition of the cluster world: its node, its uplink, and the staging queue through which the node's own events reach the engine.
//!
//! A frame for one of the server's actors enters the node's receive path
//! (`Node::offered` + `Node::ingress`) when its last bit arrives; what the
//! node transmits leaves on the uplink and is sent to the network's
//! partition when the switch can act on it. The node schedules into a
//! staging `Scheduler`; after each event the partition moves what was
//! staged into the engine. Crashes and restarts (`[faults]`) swap the node
//! for a spare built the same way.

use super::fabric::WireFrame;
use super::link::LinkTx;
use super::topology::{NodeRef, Topology};
use super::uplink::Uplink;
use super::world::{flow, ClusterEvent, NetFrame, ACTOR_PORT_BASE};
use crate::frame::{Addr, Frame};
use crate::node::net::OutFrame;
use crate::node::{Node, NodeEvent};
use crate::trace::chrome::{ChromeTrace, HOST_TID_BASE};
use crate::world::WorldEvent;
use scheduler::{ActorId, Endpoint, Message, Side};
use sim_core::parallel::Ctx;
use sim_core::{Scheduler, SimTime};
use std::sync::Arc;

mod trace;

/// Bound on one server's staged events per handled event.
const STAGING_CAPACITY: usize = 1 << 16;

/// A node in a partition (`Node` is `Send`: its PCIe model is shared by `Arc`).
pub struct SendNode(pub Node);

/// Counters of one server's network port.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServerNet {
    /// Frames received from the network.
    pub frames_in: u64,
    /// Frames put on the uplink.
    pub frames_out: u64,
    /// Bytes put on the uplink.
    pub bytes_out: u64,
    /// Frames refused by the uplink queue (NIC transmit queue full).
    pub drops_uplink: u64,
    /// Frames addressed to no endpoint of the topology.
    pub drops_no_route: u64,
    /// Frames received for a port no actor of this server listens on.
    pub drops_no_actor: u64,
    /// Staged events refused (a bound too low; should stay 0).
    pub staging_overflow: u64,
    /// Events that belong to a switch's partition (a routing bug; should stay 0).
    pub misrouted: u64,
}

/// One server's partition.
pub struct ServerPart {
    /// Server index.
    pub index: u32,
    /// The node.
    pub node: SendNode,
    uplink: Uplink,
    topo: Arc<Topology>,
    staging: Scheduler<WorldEvent>,
    out: Vec<OutFrame>,
    /// Local actor id by global actor index (`None`: not on this server).
    actor_of_index: Vec<Option<ActorId>>,
    /// Port by local actor id.
    port_of_actor: Vec<u16>,
    /// Name by local actor id (trace slices).
    names: Vec<String>,
    next_frame: u64,
    /// Counters.
    pub net: ServerNet,
    /// Core tracks (with `--trace`).
    pub trace: Option<ChromeTrace>,
    /// Last queue depth written to the trace.
    traced_queue: u64,
    /// Crashes and restarts (`[faults]`), if this server has any.
    pub faults: Option<Box<super::faults::ServerFaults>>,
    /// With a trace: arrows of messages crossing PCIe.
    pcie_flows: crate::trace::pcie::PcieFlows,
    /// The core whose `CoreDone` is being handled (it sends what it crossed).
    handling: Option<scheduler::runtime::CoreId>,
    /// Boxes of received frames, for the frames it sends.
    boxes: super::frame_boxes::FrameBoxes,
}

impl ServerPart {
    /// Server `index` running `node` behind its uplink; `actor_of_index` maps
    /// `[[workload.actors]]` indices to this node's actor ids.
    pub fn new(
        index: u32,
        node: Node,
        topo: Arc<Topology>,
        actor_of_index: Vec<Option<ActorId>>,
        trace: Option<ChromeTrace>,
    ) -> ServerPart {
        let me = NodeRef::Server(index);
        let l = &topo.links[topo.ports(me)[0].0];
        let tx = LinkTx::new(
            l.rate_gbps,
            l.propagation,
            super::topology::DEFAULT_SWITCH_BUFFER_BYTES,
        );
        let uplink = Uplink::new(&topo, me, tx);
        let mut port_of_actor = Vec::new();
        for (k, a) in actor_of_index.iter().enumerate() {
            if let Some(a) = *a {
                if port_of_actor.len() <= a as usize {
                    port_of_actor.resize(a as usize + 1, 0);
                }
                port_of_actor[a as usize] = ACTOR_PORT_BASE + k as u16;
            }
        }
        let mut names = Vec::new();
        for r in node.driver().runtime().actor_reports() {
            if names.len() <= r.actor as usize {
                names.resize(r.actor as usize + 1, String::new());
            }
            names[r.actor as usize] = r.name.clone();
        }
        let mut node = node;
        node.attach_network();
        let mut trace = trace;
        if let Some(tr) = trace.as_mut() {
            let pid = index;
            tr.process_name(pid, &format!("s{index}"));
            let d = node.driver();
            for c in 0..d.nic_cores() {
                tr.thread_name(pid, c, &format!("nic core {c}"));
            }
            let host = d
                .runtime()
                .idle_cores()
                .iter()
                .filter(|c| c.side == Side::Host)
                .count();
            for c in 0..host as u32 {
                tr.thread_name(pid, HOST_TID_BASE + c, &format!("host core {c}"));
            }
        }
        ServerPart {
            index,
            node: SendNode(node),
            uplink,
            topo,
            staging: Scheduler::staging(STAGING_CAPACITY),
            out: Vec::new(),
            actor_of_index,
            port_of_actor,
            names,
            next_frame: 0,
            net: ServerNet::default(),
            trace,
            traced_queue: 0,
            faults: None,
            pcie_flows: crate::trace::pcie::PcieFlows::default(),
            handling: None,
            boxes: Default::default(),
        }
    }

    /// Gives this server its crash schedule; `spares` are fresh nodes built
    /// like the first, one per crash.
    pub fn with_faults(
        mut self,
        schedule: Vec<super::faults::CrashPlan>,
        spares: Vec<Node>,
    ) -> ServerPart {
        let spares = spares
            .into_iter()
            .map(|mut n| {
                n.attach_network();
                n
            })
            .collect();
        self.faults = Some(Box::new(super::faults::ServerFaults::new(schedule, spares)));
        self
    }

    /// The server's life (0 until its first crash).
    fn life(&self) -> u32 {
        self.faults.as_ref().map_or(0, |f| f.life)
    }

    /// Handles crash and restart events and filters what a crash makes
    /// moot; returns the event when the node should handle it.
    fn faulted(
        &mut self,
        now: SimTime,
        event: ClusterEvent,
        ctx: &mut Ctx<'_, ClusterEvent>,
    ) -> Option<ClusterEvent> {
        let Some(f) = self.faults.as_mut() else {
            return Some(event);
        };
        match event {
            ClusterEvent::Start => {
                for c in &f.schedule {
                    ctx.schedule_at(c.at, ClusterEvent::Fault(super::faults::FaultEvent::Crash));
                    if let Some(r) = c.restart {
                        ctx.schedule_at(r, ClusterEvent::Fault(super::faults::FaultEvent::Restart));
                    }
                }
                Some(ClusterEvent::Start)
            }
            ClusterEvent::Fault(super::faults::FaultEvent::Crash) => {
                self.node.0.flush(now);
                if !f.crash(&mut self.node.0) {
                    // no spare node was assembled (a bug): counted as a driver error
                    self.net.misrouted += 1;
                }
                self.traced_queue = 0;
                None
            }
            ClusterEvent::Fault(super::faults::FaultEvent::Restart) => {
                f.down = false;
                f.stats.restarts += 1;
                self.node.0.start(&mut self.staging);
                None
            }
            ClusterEvent::Node(life, _) if life != f.life => {
                // work of a life that ended in a crash: lost (counted at the crash)
                f.stats.stale_events += 1;
                None
            }
            ClusterEvent::NetArrive(..) if f.down => {
                self.net.frames_in += 1;
                f.stats.drops_server_down += 1;
                None
            }
            e => Some(e),
        }
    }

    /// The cluster's topology.
    pub fn topology(&self) -> &Topology {
        &self.topo
    }

    /// The uplink (server to switch) direction, for `links.csv`.
    pub fn uplink(&self) -> (usize, usize, &LinkTx) {
        self.uplink.direction()
    }

    /// The uplink's transmitting end (to give it a link fault before the run).
    pub fn uplink_mut(&mut self) -> &mut LinkTx {
        self.uplink.tx_mut()
    }

    /// Hands the message of `f` to the node (its payload is taken; the box
    /// stays with the caller for reuse).
    fn arrive(&mut self, now: SimTime, f: &mut NetFrame) {
        self.net.frames_in += 1;
        let idx = f.port.checked_sub(ACTOR_PORT_BASE).map(usize::from);
        let Some(actor) = idx.and_then(|i| self.actor_of_index.get(i).copied().flatten()) else {
            self.net.drops_no_actor += 1;
            return;
        };
        let msg = Message {
            dst: actor,
            payload: std::mem::take(&mut f.msg.payload),
            ..f.msg
        };
        let frame = Frame {
            id: f.wire.id,
            src: Addr::Port {
                node: f.wire.src,
                port: f.wire.flow.src_port,
            },
            dst: Addr::Actor {
                node: self.index,
                actor,
            },
            wire_bytes: f.wire.bytes,
            flow: f.wire.flow,
            created_at: msg.created_at,
            msg: Some(msg),
        };
        let node = &mut self.node.0;
        node.offered(&frame);
        // a drop in the receive path is counted by the node
        node.ingress(frame, now, &mut self.staging);
    }

    /// Moves staged node events into the engine and sends what the node transmitted.
    fn drain(&mut self, ctx: &mut Ctx<'_, ClusterEvent>) {
        let now = ctx.now();
        // the slice that sent what crossed PCIe during this event (read
        // before a new slice on the same core replaces its start)
        let sender = match (self.handling.take(), self.trace.is_some()) {
            (Some(core), true) => self.pcie_flows.sender(core),
            _ => None,
        };
        while let Some((at, ev)) = self.staging.take_staged() {
            let WorldEvent::Node(_, ev) = ev else {
                continue;
            };
            if self.trace.is_some() {
                self.trace_staged(now, at, &ev, sender);
            }
            ctx.schedule_at(at, ClusterEvent::Node(self.life(), ev));
        }
        self.net.staging_overflow = self.staging.overflowed();
        let mut out = std::mem::take(&mut self.out);
        self.node.0.drain_network(&mut out);
        for f in out.drain(..) {
            self.send(f, ctx);
        }
        self.out = out;
    }

    fn send(&mut self, f: OutFrame, ctx: &mut Ctx<'_, ClusterEvent>) {
        let (dst, dport) = f.to;
        if dst >= self.topo.servers + self.topo.clients {
            self.net.drops_no_route += 1;
            return;
        }
        let mut msg = f.msg;
        let sport = match msg.src {
            Endpoint::Actor(a) => self.port_of_actor.get(a as usize).copied().unwrap_or(0),
            _ => 0,
        };
        msg.src = Endpoint::Network {
            node: self.index,
            port: sport,
        };
        // end-to-end latency counts from the request that caused the send
        msg.created_at = f.origin;
        let bytes = Frame::wire_bytes_for(msg.payload.len());
        let id = (u64::from(self.index) << 40) | self.next_frame;
        self.next_frame += 1;
        let wire = WireFrame {
            id,
            src: self.index,
            dst,
            bytes,
            flow: flow(self.index, sport, dst, dport),
        };
        let Ok(departure) = self.uplink.send(f.ready, bytes) else {
            self.net.drops_uplink += 1;
            return;
        };
        self.net.frames_out += 1;
        self.net.bytes_out += u64::from(bytes);
        // `None`: it left; a link fault lost it (counted by the uplink)
        let Some(d) = departure else {
            return;
        };
        if let Some(tr) = self.trace.as_mut() {
            let from = NodeRef::Server(self.index);
            crate::trace::network::sent(tr, &self.topo, from, &d.hop, &wire);
        }
        let frame = NetFrame {
            wire,
            msg,
            port: dport,
            hop: d.hop,
        };
        let frame = self.boxes.boxed(frame);
        ctx.send(d.partition, d.at, ClusterEvent::NetArrive(frame));
    }

    /// Handles one event of this server.
    pub fn handle(&mut self, now: SimTime, event: ClusterEvent, ctx: &mut Ctx<'_, ClusterEvent>) {
        self.staging.set_now(now);
        let Some(event) = self.faulted(now, event, ctx) else {
            self.drain(ctx);
            return;
        };
        let node = &mut self.node.0;
        node.flush(now);
        match event {
            ClusterEvent::Start => node.start(&mut self.staging),
            ClusterEvent::Node(_, ev) => {
                if let NodeEvent::CoreDone(core) = &ev {
                    self.handling = Some(*core);
                }
                node.handle(now, ev, &mut self.staging)
            }
            ClusterEvent::NetArrive(mut f) => {
                self.arrive(now, &mut f);
                self.boxes.keep(f);
            }
            // client events live in the clients' partitions, faults only
            // where a schedule is: never here
            ClusterEvent::ClientSend(_)
            | ClusterEvent::ClientTimeout(_)
            | ClusterEvent::Fault(_) => self.net.misrouted += 1,
        }
        self.node.0.sync(now);
        self.trace_queue(now);
        self.drain(ctx);
    }
}
