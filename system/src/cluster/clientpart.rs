//! A client machine's partition of the cluster world: its request generator, its uplink, and the matching of the responses the network hands it.
//!
//! Clients are endpoints like servers, so they get a partition each, as
//! servers do: the client drives its own uplink (the link direction from it
//! to its switch) and sends each frame to the partition of the node at the
//! link's far end, one propagation delay or more later (the lookahead).
//! Before, the clients lived in the network partition, which then held
//! about half of a leaf-spine run's work in one indivisible task per window;
//! a client of its own runs beside the switches on another thread.
//!
//! Clients are open loop: each picks a target (server, actor) by weight,
//! makes the actor kind's own request, and matches responses by the
//! request's message id or by its send time, which the server carries back
//! as the reply's creation time (requests to actors that never answer their
//! sender are sent one-way and counted so).

use super::client::Client;
use super::fabric::WireFrame;
use super::frame_boxes::FrameBoxes;
use super::link::LinkTx;
use super::topology::{NodeRef, Topology};
use super::uplink::Uplink;
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

/// Most payload buffers a client keeps for reuse: a response's buffer
/// becomes a later request's, so a steady run allocates no payload per
/// request, and buffers circulate between the clients and the servers
/// (whose nodes recycle them the same way) instead of being freed by
/// another thread.
const SPARE_PAYLOADS: usize = 64;

/// One client machine's partition.
pub struct ClientPart {
    /// Client index (`c0..`).
    pub index: u32,
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
    uplink: Uplink,
    topo: Arc<Topology>,
    targets: Arc<Vec<ClientTarget>>,
    stop_at: SimTime,
    /// The frames it sent (with `--trace`).
    pub trace: Option<ChromeTrace>,
    /// Events that belong to another partition (a routing bug; should stay 0).
    pub misrouted: u64,
    /// Boxes of received frames, for the requests it sends.
    boxes: FrameBoxes,
}

/// What every client of a run shares.
#[derive(Clone)]
pub struct ClientsShared {
    /// The topology (the client's link and its peer, trace tracks).
    pub topo: Arc<Topology>,
    /// Where requests go, by weight.
    pub targets: Arc<Vec<ClientTarget>>,
    /// No request is sent at or after this time.
    pub stop_at: SimTime,
}

impl ClientPart {
    /// Client `index` around `client`, drawing targets from `rng` and
    /// sending over `uplink` (the link direction leaving it, with its fault
    /// process if it has one).
    pub fn new(
        index: u32,
        client: Client,
        rng: SimRng,
        uplink: LinkTx,
        shared: &ClientsShared,
    ) -> ClientPart {
        let topo = shared.topo.clone();
        let uplink = Uplink::new(&topo, NodeRef::Client(index), uplink);
        ClientPart {
            index,
            client,
            rng,
            timeout_at: None,
            drops_uplink: 0,
            frames_in: 0,
            next_frame: 0,
            spare: Vec::new(),
            uplink,
            topo,
            targets: shared.targets.clone(),
            stop_at: shared.stop_at,
            trace: None,
            misrouted: 0,
            boxes: FrameBoxes::default(),
        }
    }

    /// The client's first event, to schedule before the run: its first send
    /// (`None`: it sends nothing). A client needs no `Start` event, so the
    /// run handles as many events as when clients lived in the network
    /// partition.
    pub fn first_event(&self) -> Option<(SimTime, ClusterEvent)> {
        if self.targets.is_empty() {
            return None;
        }
        let t = self.client.next_send_at().filter(|&t| t < self.stop_at)?;
        Some((t, ClusterEvent::ClientSend(self.index)))
    }

    /// The cluster's topology.
    pub fn topology(&self) -> &Topology {
        &self.topo
    }

    /// The uplink (client to switch) direction, for `links.csv`.
    pub fn uplink(&self) -> (usize, usize, &LinkTx) {
        self.uplink.direction()
    }

    /// The client's endpoint id in the topology (after the servers').
    fn me(&self) -> u32 {
        self.topo.servers + self.index
    }

    /// Handles one event of this client.
    pub fn handle(&mut self, now: SimTime, ev: ClusterEvent, ctx: &mut Ctx<'_, ClusterEvent>) {
        match ev {
            // its first send is scheduled before the run (`first_event`)
            ClusterEvent::Start => {}
            ClusterEvent::ClientSend(_) => self.send(now, ctx),
            ClusterEvent::ClientTimeout(_) => {
                self.timeout_at = None;
                self.client.expire(now);
                self.arm_timeout(ctx);
            }
            ClusterEvent::NetArrive(mut f) => {
                self.response(now, &mut f);
                self.boxes.keep(f);
            }
            // server and fault events live in other partitions: never here
            ClusterEvent::Node(..) | ClusterEvent::Fault(_) => self.misrouted += 1,
        }
    }

    fn schedule_next_send(&mut self, ctx: &mut Ctx<'_, ClusterEvent>) {
        if let Some(t) = self.client.next_send_at().filter(|&t| t < self.stop_at) {
            ctx.schedule_at(t, ClusterEvent::ClientSend(self.index));
        }
    }

    /// Matches the response `f` (its payload is taken for reuse; the box
    /// stays with the caller).
    fn response(&mut self, now: SimTime, f: &mut NetFrame) {
        let me = self.me();
        self.frames_in += 1;
        // A reply that starts with its request's message id (the synthetic
        // actors' reply, DT's txn id) is matched by it; any other by the
        // send time its server carried back.
        let by_id = f
            .msg
            .payload
            .get(..8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
            .filter(|&id| id >> 32 == u64::from(me))
            .map(|id| id & 0xffff_ffff)
            .filter(|&id| self.client.is_outstanding(id));
        match by_id {
            Some(id) => {
                self.client.on_response(now, id);
            }
            None => {
                self.client.on_response_sent_at(now, f.msg.created_at);
            }
        }
        if self.spare.len() < SPARE_PAYLOADS && f.msg.payload.capacity() > 0 {
            self.spare.push(std::mem::take(&mut f.msg.payload));
        }
    }

    fn send(&mut self, now: SimTime, ctx: &mut Ctx<'_, ClusterEvent>) {
        let Some(id) = self.client.send(now) else {
            // refused (outstanding table full), counted by the client
            self.schedule_next_send(ctx);
            return;
        };
        let u: f64 = self.rng.gen();
        let i = sim_core::rng::pick_by_cumulative(&self.targets, u, |t| t.cumulative);
        let t = &self.targets[i];
        if !t.replies {
            self.client.forget(id);
        }
        let app = t
            .app
            .as_deref()
            .and_then(|w| workloads::apps::requests::app_request(t.kind.name(), w, &mut self.rng));
        let mut req = match app {
            Some(r) => r,
            // the generator overwrites the buffer: the same request, drawn the same way
            None => gen_request_into(t.kind, &mut self.rng, self.spare.pop().unwrap_or_default()),
        }
        .padded_to(t.pad_to);
        let me = self.me();
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
            id: (u64::from(me) << 40) | self.next_frame,
            src: me,
            dst: t.server,
            bytes: crate::frame::Frame::wire_bytes_for(msg.payload.len()),
            flow: flow(me, CLIENT_PORT, t.server, t.port),
        };
        self.next_frame += 1;
        let port = t.port;
        match self.uplink.send(now, wire.bytes) {
            Ok(Some(d)) => {
                if let Some(tr) = self.trace.as_mut() {
                    let from = NodeRef::Client(self.index);
                    crate::trace::network::sent(tr, &self.topo, from, &d.hop, &wire);
                }
                let f = NetFrame {
                    wire,
                    msg,
                    port,
                    hop: d.hop,
                };
                ctx.send(
                    d.partition,
                    d.at,
                    ClusterEvent::NetArrive(self.boxes.boxed(f)),
                );
            }
            // it left, and a link fault lost it (counted by the link)
            Ok(None) => {}
            Err(_) => self.drops_uplink += 1,
        }
        self.schedule_next_send(ctx);
        self.arm_timeout(ctx);
    }

    fn arm_timeout(&mut self, ctx: &mut Ctx<'_, ClusterEvent>) {
        if self.timeout_at.is_some() {
            return;
        }
        if let Some(t) = self.client.next_timeout_at() {
            self.timeout_at = Some(t);
            ctx.schedule_at(t, ClusterEvent::ClientTimeout(self.index));
        }
    }
}
