//! The multi-server world: its events, the frame in flight, the partition layout (one per switch, per server, per client), its lookahead and the partition type sim-core's parallel engine runs.
//!
//! Partition `w` is switch `w` ([`super::netpart::NetPart`]: the switch and
//! the link directions leaving it), for the `W` switches; partition `W + i`
//! is server `i` ([`ServerPart`]), and after the servers, partition
//! `W + S + c` is client `c` ([`super::clientpart::ClientPart`]). Every
//! endpoint drives its own uplink. One partition per switch, not one for
//! the whole network: every frame crosses the network, so a single network
//! partition was the largest task of every window (a third of a leaf-spine
//! run's work) and the one every other partition exchanged frames with.
//!
//! A frame crosses between partitions only over a link, so it arrives at
//! least one propagation delay after it left, plus the half latency a
//! switch takes on each side ([`lookahead`]): that is the engine's
//! lookahead, and every cross-partition event respects it by construction
//! (checked by the engine). The same partitions run with 1 or N threads, so outputs do
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
use super::topology::{NodeRef, Topology};
use crate::node::NodeEvent;
use nic_models::FlowKey;
use scheduler::Message;
use sim_core::parallel::{Ctx, PartitionModel};
use sim_core::{SimDuration, SimTime};
use std::net::Ipv4Addr;

pub use super::serverpart::{SendNode, ServerNet, ServerPart};

/// UDP port of actor 0 of `[[workload.actors]]` (actor `k` listens on this + k).
/// 7000 is the replication actor's default replica port, so its default
/// configuration addresses actor 0.
pub const ACTOR_PORT_BASE: u16 = 7000;
/// UDP port a client sends from.
pub const CLIENT_PORT: u16 = 9000;
/// Switch `s`'s partition (the switches come first).
pub fn switch_partition(s: u32) -> usize {
    s as usize
}

/// Server `i`'s partition (after the switches').
pub fn server_partition(topo: &Topology, i: u32) -> usize {
    topo.switches.len() + i as usize
}

/// Client `c`'s partition (after the servers').
pub fn client_partition(topo: &Topology, c: u32) -> usize {
    topo.switches.len() + topo.servers as usize + c as usize
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

/// Node `n`'s partition.
pub fn partition_of(topo: &Topology, n: NodeRef) -> usize {
    match n {
        NodeRef::Switch(s) => switch_partition(s),
        NodeRef::Server(i) => server_partition(topo, i),
        NodeRef::Client(c) => client_partition(topo, c),
    }
}

/// Which partitions each partition sends to: the other ends of its node's
/// links (frames cross one link per event; nothing else crosses
/// partitions). Declared to the engine, it lets a server's partition run
/// ahead of the rest of the cluster, as far as its switch allows.
pub fn talk_graph(topo: &Topology, partitions: usize) -> Vec<Vec<usize>> {
    let mut sends_to = vec![Vec::new(); partitions];
    for l in &topo.links {
        let (a, b) = (partition_of(topo, l.a), partition_of(topo, l.b));
        if a < partitions && b < partitions {
            sends_to[a].push(b);
            sends_to[b].push(a);
        }
    }
    sends_to
}

/// The least time from an event in one partition to an event it causes in
/// another: over every link direction, the propagation delay, plus, when
/// the sender is a switch, the part of its latency still ahead when it
/// looks at a frame, plus, when the receiver is a switch, the delay before
/// it looks ([`super::switch::decision_delay`]). Zero only if some link has
/// no propagation delay and no switch latency on it.
pub fn lookahead(topo: &Topology) -> SimDuration {
    let switch = |n: NodeRef| match n {
        NodeRef::Switch(s) => topo.switches.get(s as usize),
        NodeRef::Server(_) | NodeRef::Client(_) => None,
    };
    let ahead = |n: NodeRef| {
        switch(n).map_or(SimDuration::ZERO, |sp| {
            sp.latency.saturating_sub(super::switch::decision_delay(sp))
        })
    };
    let before = |n: NodeRef| switch(n).map_or(SimDuration::ZERO, super::switch::decision_delay);
    topo.links
        .iter()
        .flat_map(|l| {
            [(l.a, l.b), (l.b, l.a)].map(|(from, to)| l.propagation + ahead(from) + before(to))
        })
        .min()
        .unwrap_or(SimDuration::ZERO)
}

/// The rack of node `n`: the switch it hangs off (an endpoint), or the
/// switch itself when endpoints hang off it (a ToR or a star's switch);
/// `None` for a switch with switches only (a spine).
pub fn rack_of(topo: &Topology, n: NodeRef) -> Option<u32> {
    let ports = topo.ports(n);
    match n {
        NodeRef::Switch(s) => ports
            .iter()
            .any(|(_, peer)| !matches!(peer, NodeRef::Switch(_)))
            .then_some(s),
        NodeRef::Server(_) | NodeRef::Client(_) => match ports.first() {
            Some((_, NodeRef::Switch(s))) => Some(*s),
            _ => None,
        },
    }
}

/// A partition of the cluster world.
pub enum Part {
    /// A switch and the links leaving it (after a run, all of them: see
    /// [`NetPart::gather`]).
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

    /// Its rack ([`rack_of`]): a rack's switch, servers and clients
    /// exchange most frames among themselves, so the engine keeps them on
    /// one thread where the work allows.
    fn group(&self) -> Option<u32> {
        match self {
            Part::Net(n) => rack_of(n.fabric.topology(), NodeRef::Switch(n.switch)),
            Part::Server(s) => rack_of(s.topology(), NodeRef::Server(s.index)),
            Part::Client(c) => rack_of(c.topology(), NodeRef::Client(c.index)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::routing::tests::section;
    use crate::cluster::spec::{ClusterShape, Forwarding};

    fn topo(shape: ClusterShape, prop_ns: f64, latency_ns: f64, fwd: Forwarding) -> Topology {
        let mut c = section(shape);
        c.propagation_ns = Some(prop_ns);
        c.switch_latency_ns = Some(latency_ns);
        c.forwarding = Some(fwd);
        if shape == ClusterShape::LeafSpine {
            (c.racks, c.servers_per_rack, c.spines) = (Some(2), Some(4), Some(2));
        } else {
            c.servers = Some(2);
        }
        Topology::build(&c).expect("valid")
    }

    /// The lookahead is a link's propagation plus half a switch latency on
    /// the switch's side (whichever way the frame goes), whatever the
    /// forwarding mode; without switch latency it is the propagation alone.
    #[test]
    fn lookahead_is_propagation_plus_half_a_switch_latency() {
        let ns = SimDuration::from_ns;
        for fwd in [Forwarding::CutThrough, Forwarding::StoreAndForward] {
            let ls = topo(ClusterShape::LeafSpine, 500.0, 450.0, fwd);
            assert_eq!(lookahead(&ls), ns(725), "{fwd:?}");
            let star = topo(ClusterShape::Star, 100.0, 450.0, fwd);
            assert_eq!(lookahead(&star), ns(325), "{fwd:?}");
            let bare = topo(ClusterShape::Star, 100.0, 0.0, fwd);
            assert_eq!(lookahead(&bare), ns(100), "{fwd:?}");
        }
        // an odd latency: the switch looks after the floor of half of it and
        // the frame leaves the ceiling later; the smaller side counts
        let odd = topo(ClusterShape::Star, 100.0, 0.451, Forwarding::CutThrough);
        assert_eq!(lookahead(&odd), ns(100) + SimDuration::from_ps(225));
    }

    /// Racks: a leaf and what hangs off it share a group; a spine has none.
    #[test]
    fn a_rack_is_a_leaf_with_its_servers_and_clients() {
        let t = topo(
            ClusterShape::LeafSpine,
            500.0,
            450.0,
            Forwarding::CutThrough,
        );
        for e in t.endpoints() {
            let leaf = t.ports(e)[0].1;
            let NodeRef::Switch(s) = leaf else {
                panic!("{e:?} hangs off {leaf:?}")
            };
            assert_eq!(rack_of(&t, e), Some(s));
            assert_eq!(rack_of(&t, leaf), Some(s));
        }
        let spines: Vec<u32> = (0..t.switches.len() as u32)
            .filter(|&s| rack_of(&t, NodeRef::Switch(s)).is_none())
            .collect();
        assert_eq!(spines.len(), 2, "two spines, no rack");
    }
}
