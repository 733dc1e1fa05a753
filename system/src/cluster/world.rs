//! The multi-server world: its events, the frame in flight, the partition layout (network, one per server, one per client) and the partition type sim-core's parallel engine runs.
//!
//! Partition 0 is the network ([`super::netpart::NetPart`]: switches and
//! the link directions leaving them); partition `1 + i` is server `si`
//! ([`ServerPart`]), and after the servers, partition `1 + S + c` is client
//! `c` ([`super::clientpart::ClientPart`]). Every endpoint drives its own
//! uplink. A frame crosses between partitions only
//! over a link, so it arrives at least one propagation delay after it left:
//! the least propagation delay of the topology is the engine's lookahead,
//! and every cross-partition event respects it by construction (checked by
//! the engine). The same partitions run with 1 or N threads, so outputs do
//! not depend on the thread count.
//!
//! Addressing: endpoint ids are the topology's (servers `0..S`, clients
//! `S..S+C`). An actor is addressed by (server, actor) as the scheduler's
//! `Endpoint::Network { node: server, port }`: actor `k` of
//! `[[workload.actors]]` listens on UDP port [`ACTOR_PORT_BASE`]` + k` on
//! every server that runs it. A message leaving a server carries
//! `src = Network { node: that server, port: the sender's port }`, so a
//! reply to `msg.src` goes back across the network to the sending actor.

use super::clientpart::ClientPart;
use super::fabric::{Hop, WireFrame};
use super::netpart::NetPart;
use super::topology::Topology;
use crate::node::NodeEvent;
use nic_models::FlowKey;
use scheduler::Message;
use sim_core::parallel::{Ctx, PartitionModel};
use sim_core::SimTime;
use std::net::Ipv4Addr;

pub use super::serverpart::{SendNode, ServerNet, ServerPart};

/// UDP port of actor 0 of `[[workload.actors]]` (actor `k` listens on this + k).
/// 7000 is the replication actor's default replica port, so its default
/// configuration addresses actor 0.
pub const ACTOR_PORT_BASE: u16 = 7000;
/// UDP port a client sends from.
pub const CLIENT_PORT: u16 = 9000;
/// The network's partition (switches and the link directions leaving them).
pub const NET_PARTITION: usize = 0;

/// Server `i`'s partition.
pub fn server_partition(i: u32) -> usize {
    1 + i as usize
}

/// Client `c`'s partition (after the servers').
pub fn client_partition(topo: &Topology, c: u32) -> usize {
    1 + topo.servers as usize + c as usize
}

/// Events of the cluster world.
#[derive(Debug)]
pub enum ClusterEvent {
    /// Time zero: the partition schedules its first events.
    Start,
    /// An event of the server partition's node, in the node's life (see
    /// [`super::faults`]: a crash starts a new life; the old life's events are ignored).
    Node(u32, NodeEvent),
    /// A server crashes or restarts (`[faults]`).
    Fault(super::faults::FaultEvent),
    /// A frame reaches `frame.hop.to` (a switch when it can act on it, an
    /// endpoint at its last bit). The hop travels in the box with the frame,
    /// so every event stays small (24 bytes): events are copied into and out
    /// of queues and, between partitions, through mailboxes.
    NetArrive(Box<NetFrame>),
    /// Client `c` sends its next request.
    ClientSend(u32),
    /// Client `c`'s oldest outstanding request may have timed out.
    ClientTimeout(u32),
}

/// A frame in the network: what the switches see and what the endpoint gets.
#[derive(Debug)]
pub struct NetFrame {
    /// Header view (ids, bytes, flow).
    pub wire: WireFrame,
    /// The message, with `src` set to its network address and `dst` the port's actor on arrival.
    pub msg: Message,
    /// UDP destination port.
    pub port: u16,
    /// The hop it is on: the node it reaches and its timing on the link.
    pub hop: Hop,
}

/// The 5-tuple of a frame from endpoint `src` port `sport` to `dst` port `dport`.
pub fn flow(src: u32, sport: u16, dst: u32, dport: u16) -> FlowKey {
    FlowKey {
        src_ip: Ipv4Addr::from(0x0a00_0000 + src),
        dst_ip: Ipv4Addr::from(0x0a00_0000 + dst),
        src_port: sport,
        dst_port: dport,
        protocol: nic_models::vocab::flow::PROTO_UDP,
    }
}

/// A partition of the cluster world.
pub enum Part {
    /// Switches and the links leaving them.
    Net(Box<NetPart>),
    /// One server.
    Server(Box<ServerPart>),
    /// One client machine.
    Client(Box<ClientPart>),
}

impl PartitionModel for Part {
    type Event = ClusterEvent;

    fn handle(&mut self, now: SimTime, event: ClusterEvent, ctx: &mut Ctx<'_, ClusterEvent>) {
        match self {
            Part::Net(n) => n.handle(now, event, ctx),
            Part::Client(c) => c.handle(now, event, ctx),
            Part::Server(s) => s.handle(now, event, ctx),
        }
    }
}
