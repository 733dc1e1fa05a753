//! The network partition of the cluster world: every switch and link direction but the servers' uplinks, and the client machines with their request generators.
//!
//! Frames hop switch to switch here as local events; a frame whose next hop
//! is a server is sent to that server's partition at its last bit's arrival
//! (at least one propagation delay later: the lookahead). Clients are open
//! loop: each picks a target (server, actor) by weight, makes the actor
//! kind's own request, and matches responses by the request's send time,
//! which the server carries back as the reply's creation time (requests to
//! actors that never answer their sender are sent one-way and counted so).

use super::client::Client;
use super::fabric::{Fabric, Hop, WireFrame};
use super::topology::NodeRef;
use super::world::{flow, ClusterEvent, NetFrame, CLIENT_PORT};
use crate::trace::chrome::ChromeTrace;
use rand::Rng;
use scheduler::{Endpoint, Message, NO_ACTOR};
use sim_core::parallel::Ctx;
use sim_core::{SimRng, SimTime};
use std::sync::Arc;
use workloads::actors::registry::{gen_request_into, ActorKind};

/// One (server, actor) a client sends to.
#[derive(Clone, Debug)]
pub struct ClientTarget {
    /// Server index.
    pub server: u32,
    /// The actor's port on it.
    pub port: u16,
    /// Its kind (makes the request).
    pub kind: ActorKind,
    /// Whether it answers the sender (otherwise the request is one-way).
    pub replies: bool,
    /// Least payload bytes of a request (zero padding; 0: the kind's own size).
    pub pad_to: usize,
    /// Cumulative normalised weight.
    pub cumulative: f64,
    /// `[workload.app]` request settings (`None`: the kind's own generator).
    pub app: Option<Arc<workloads::apps::workload::AppWorkload>>,
}

/// A client machine in the network partition.
pub struct ClientPart {
    /// The generator, outstanding table and latency.
    pub client: Client,
    /// Draws targets and payloads.
    pub rng: SimRng,
    /// When its timeout event is scheduled, if it is.
    timeout_at: Option<SimTime>,
    /// Requests whose frame the client's uplink refused.
    pub drops_uplink: u64,
    /// Frames received.
    pub frames_in: u64,
    /// Frame ids it used.
    next_frame: u64,
    /// Payload buffers of answered requests, reused for the next requests
    /// (at most [`SPARE_PAYLOADS`]).
    spare: Vec<Vec<u8>>,
}

/// Most payload buffers a client keeps for reuse: a response's buffer
/// becomes a later request's, so a steady run allocates no payload per
/// request, and buffers circulate between the network and the servers
/// (whose nodes recycle them the same way) instead of being freed by the
/// other thread.
const SPARE_PAYLOADS: usize = 64;

impl ClientPart {
    /// A client around `client`, drawing targets from `rng`.
    pub fn new(client: Client, rng: SimRng) -> ClientPart {
        ClientPart {
            client,
            rng,
            timeout_at: None,
            drops_uplink: 0,
            frames_in: 0,
            next_frame: 0,
            spare: Vec::new(),
        }
    }
}

/// Switches, links and clients.
pub struct NetPart {
    /// The fabric (server uplink directions unused: servers own them).
    pub fabric: Fabric,
    /// Clients `c0..`.
    pub clients: Vec<ClientPart>,
    targets: Arc<Vec<ClientTarget>>,
    stop_at: SimTime,
    /// Frames that reached an endpoint (server or client) from a switch.
    pub delivered: u64,
    /// Network events (with `--trace`).
    pub trace: Option<ChromeTrace>,
    /// Events that belong to a server partition (a routing bug; should stay 0).
    pub misrouted: u64,
    /// Every delivered message, when asked for (tests; `super::record`).
    pub record: Option<super::record::Recorder>,
}

impl NetPart {
    /// The network of `fabric` with `clients` sending to `targets` until `stop_at`.
    pub fn new(
        fabric: Fabric,
        clients: Vec<ClientPart>,
        targets: Vec<ClientTarget>,
        stop_at: SimTime,
        mut trace: Option<ChromeTrace>,
    ) -> NetPart {
        if let Some(tr) = trace.as_mut() {
            crate::trace::network::name_tracks(tr, fabric.topology());
        }
        NetPart {
            fabric,
            clients,
            targets: Arc::new(targets),
            stop_at,
            delivered: 0,
            trace,
            misrouted: 0,
            record: None,
        }
    }

    /// Schedules every client's first send.
    fn start(&mut self, ctx: &mut Ctx<'_, ClusterEvent>) {
        if self.targets.is_empty() {
            return;
        }
        for (c, cp) in self.clients.iter().enumerate() {
            if let Some(t) = cp.client.next_send_at().filter(|&t| t < self.stop_at) {
                ctx.schedule_at(t, ClusterEvent::ClientSend(c as u32));
            }
        }
    }

    /// Handles one network event.
    pub fn handle(&mut self, now: SimTime, ev: ClusterEvent, ctx: &mut Ctx<'_, ClusterEvent>) {
        match ev {
            ClusterEvent::NetArrive(f, hop) => match hop.to {
                NodeRef::Switch(s) => self.forward(s, f, &hop, ctx),
                NodeRef::Client(c) => self.response(now, c, *f, &hop),
                // servers' arrivals go to their partitions: never here
                NodeRef::Server(_) => self.misrouted += 1,
            },
            ClusterEvent::Start => self.start(ctx),
            ClusterEvent::ClientSend(c) => self.client_send(now, c, ctx),
            ClusterEvent::ClientTimeout(c) => {
                if let Some(cp) = self.clients.get_mut(c as usize) {
                    cp.timeout_at = None;
                    cp.client.expire(now);
                }
                self.arm_timeout(c, ctx);
            }
            ClusterEvent::Node(..) | ClusterEvent::Fault(_) => self.misrouted += 1,
        }
    }

    fn forward(&mut self, s: u32, f: Box<NetFrame>, hop: &Hop, ctx: &mut Ctx<'_, ClusterEvent>) {
        let (first, last) = (hop.transit.rx_first, hop.transit.rx_last);
        // a drop is counted by the switch and its port
        let Ok(next) = self.fabric.forward(s, first, last, &f.wire) else {
            return;
        };
        if let Some(tr) = self.trace.as_mut() {
            crate::trace::network::sent(
                tr,
                self.fabric.topology(),
                NodeRef::Switch(s),
                &next,
                &f.wire,
            );
        }
        match next.to {
            NodeRef::Switch(n) => {
                let at = self
                    .fabric
                    .acts_at(n, next.transit.rx_first, next.transit.rx_last);
                ctx.schedule_at(at, ClusterEvent::NetArrive(f, next));
            }
            NodeRef::Server(i) => {
                self.delivered += 1;
                self.traced_delivery(&next, &f.wire);
                if let Some(r) = self.record.as_mut() {
                    r.delivered(next.transit.rx_last, &f.msg, i, f.port);
                }
                ctx.send(
                    1 + i as usize,
                    next.transit.rx_last,
                    ClusterEvent::NetArrive(f, next),
                );
            }
            NodeRef::Client(_) => {
                ctx.schedule_at(next.transit.rx_last, ClusterEvent::NetArrive(f, next));
            }
        }
    }

    fn traced_delivery(&mut self, hop: &Hop, wire: &WireFrame) {
        if let Some(tr) = self.trace.as_mut() {
            crate::trace::network::delivered(tr, self.fabric.topology(), hop.to, hop, wire);
        }
    }

    fn response(&mut self, now: SimTime, c: u32, f: NetFrame, hop: &Hop) {
        self.delivered += 1;
        self.traced_delivery(hop, &f.wire);
        let me = self.fabric.topology().servers + c;
        if let Some(r) = self.record.as_mut() {
            r.delivered(now, &f.msg, me, f.port);
        }
        if let Some(cp) = self.clients.get_mut(c as usize) {
            cp.frames_in += 1;
            // A reply that starts with its request's message id (the
            // synthetic actors' reply, DT's txn id) is matched by it; any
            // other by the send time its server carried back.
            let by_id = f
                .msg
                .payload
                .get(..8)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_le_bytes)
                .filter(|&id| id >> 32 == u64::from(me))
                .map(|id| id & 0xffff_ffff)
                .filter(|&id| cp.client.is_outstanding(id));
            match by_id {
                Some(id) => {
                    cp.client.on_response(now, id);
                }
                None => {
                    cp.client.on_response_sent_at(now, f.msg.created_at);
                }
            }
            if cp.spare.len() < SPARE_PAYLOADS && f.msg.payload.capacity() > 0 {
                cp.spare.push(f.msg.payload);
            }
        }
    }

    fn client_send(&mut self, now: SimTime, c: u32, ctx: &mut Ctx<'_, ClusterEvent>) {
        let servers = self.fabric.topology().servers;
        let Some(cp) = self.clients.get_mut(c as usize) else {
            return;
        };
        let Some(id) = cp.client.send(now) else {
            // refused (outstanding table full), counted by the client
            if let Some(t) = cp.client.next_send_at().filter(|&t| t < self.stop_at) {
                ctx.schedule_at(t, ClusterEvent::ClientSend(c));
            }
            return;
        };
        let u: f64 = cp.rng.gen();
        let i = self
            .targets
            .iter()
            .position(|t| u < t.cumulative)
            .unwrap_or(self.targets.len() - 1);
        let t = &self.targets[i];
        if !t.replies {
            cp.client.forget(id);
        }
        let app = t
            .app
            .as_deref()
            .and_then(|w| workloads::apps::requests::app_request(t.kind.name(), w, &mut cp.rng));
        let mut req = match app {
            Some(r) => r,
            // the generator overwrites the buffer: the same request, drawn the same way
            None => gen_request_into(t.kind, &mut cp.rng, cp.spare.pop().unwrap_or_default()),
        }
        .padded_to(t.pad_to);
        let me = servers + c;
        // unique across clients and below the runtime's own message ids
        let msg_id = (u64::from(me) << 32) | (id & 0xffff_ffff);
        if matches!(t.kind, ActorKind::DtCoordinator | ActorKind::RkvReplica)
            && req.payload.len() >= 8
        {
            // DT_TXN starts with its txn id, which DT_RESULT echoes, and RKV_PUT /
            // RKV_GET with a request id RKV_REPLY echoes: make it the request's
            req.payload[..8].copy_from_slice(&msg_id.to_le_bytes());
        }
        let msg = Message {
            id: msg_id,
            src: Endpoint::Network {
                node: me,
                port: CLIENT_PORT,
            },
            dst: NO_ACTOR,
            kind: req.kind,
            payload: req.payload,
            created_at: now,
        };
        let wire = WireFrame {
            id: (u64::from(me) << 40) | cp.next_frame,
            src: me,
            dst: t.server,
            bytes: crate::frame::Frame::wire_bytes_for(msg.payload.len()),
            flow: flow(me, CLIENT_PORT, t.server, t.port),
        };
        cp.next_frame += 1;
        let port = t.port;
        match self.fabric.send(now, &wire) {
            Ok(hop) => {
                if let Some(tr) = self.trace.as_mut() {
                    crate::trace::network::sent(
                        tr,
                        self.fabric.topology(),
                        NodeRef::Client(c),
                        &hop,
                        &wire,
                    );
                }
                let at = match hop.to {
                    NodeRef::Switch(s) => {
                        self.fabric
                            .acts_at(s, hop.transit.rx_first, hop.transit.rx_last)
                    }
                    _ => hop.transit.rx_last,
                };
                let f = NetFrame { wire, msg, port };
                match hop.to {
                    NodeRef::Server(i) => ctx.send(
                        1 + i as usize,
                        at,
                        ClusterEvent::NetArrive(Box::new(f), hop),
                    ),
                    _ => ctx.schedule_at(at, ClusterEvent::NetArrive(Box::new(f), hop)),
                }
            }
            // it left, and a link fault lost it (counted by the link)
            Err(super::switch::SwitchDrop::LinkLoss) => {}
            Err(_) => {
                if let Some(cp) = self.clients.get_mut(c as usize) {
                    cp.drops_uplink += 1;
                }
            }
        }
        if let Some(cp) = self.clients.get(c as usize) {
            if let Some(t) = cp.client.next_send_at().filter(|&t| t < self.stop_at) {
                ctx.schedule_at(t, ClusterEvent::ClientSend(c));
            }
        }
        self.arm_timeout(c, ctx);
    }

    fn arm_timeout(&mut self, c: u32, ctx: &mut Ctx<'_, ClusterEvent>) {
        let Some(cp) = self.clients.get_mut(c as usize) else {
            return;
        };
        if cp.timeout_at.is_some() {
            return;
        }
        if let Some(t) = cp.client.next_timeout_at() {
            cp.timeout_at = Some(t);
            ctx.schedule_at(t, ClusterEvent::ClientTimeout(c));
        }
    }
}
