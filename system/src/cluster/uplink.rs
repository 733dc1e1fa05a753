//! An endpoint's uplink in the cluster world: the link direction from a server or a client to its switch, which the endpoint's own partition drives, and where a frame it puts on the wire goes next.
//!
//! Servers and clients send the same way: the frame joins the uplink's
//! queue (a refusal is the endpoint's drop), leaves at its transit time,
//! and is handed to the partition of the node at the far end when that
//! node can act on it: a cut-through switch at the frame's first bit,
//! anything else at its last bit; a switch half its latency after that
//! (`super::switch::decision_delay`). Both are at least the parallel
//! engine's lookahead after the send (`super::world::lookahead`).

use super::fabric::Hop;
use super::link::{LinkDrop, LinkTx, Transit};
use super::spec::Forwarding;
use super::topology::{NodeRef, Topology};
use super::world::{client_partition, server_partition, switch_partition};
use sim_core::{SimDuration, SimTime};

/// Where a frame that left goes: its hop, the partition it goes to and when.
#[derive(Clone, Copy, Debug)]
pub struct Departure {
    /// The hop (to the peer, with its timing).
    pub hop: Hop,
    /// The peer's partition.
    pub partition: usize,
    /// When the peer acts on it.
    pub at: SimTime,
}

/// The uplink of one endpoint.
pub struct Uplink {
    tx: LinkTx,
    link: usize,
    dir: usize,
    peer: NodeRef,
    /// The peer's partition.
    partition: usize,
    /// Whether the peer is a switch that acts on a frame's first bits.
    peer_cut_through: bool,
    /// How long after those bits the peer acts ([`super::switch::decision_delay`]; 0 for an endpoint).
    peer_delay: SimDuration,
}

impl Uplink {
    /// The uplink of endpoint `me` of `topo` (its one link), transmitting through `tx`.
    pub fn new(topo: &Topology, me: NodeRef, tx: LinkTx) -> Uplink {
        let (link, peer) = topo.ports(me)[0];
        let dir = topo.direction_out(me, link);
        let (partition, peer_cut_through, peer_delay) = match peer {
            NodeRef::Switch(s) => (
                switch_partition(s),
                topo.switches[s as usize].forwarding == Forwarding::CutThrough,
                super::switch::decision_delay(&topo.switches[s as usize]),
            ),
            NodeRef::Server(i) => (server_partition(topo, i), false, SimDuration::ZERO),
            NodeRef::Client(c) => (client_partition(topo, c), false, SimDuration::ZERO),
        };
        Uplink {
            tx,
            link,
            dir,
            peer,
            partition,
            peer_cut_through,
            peer_delay,
        }
    }

    /// Puts a frame of `bytes` that is ready at `ready` on the wire: where it
    /// goes, or `None` when a link fault lost it on the way (it still used
    /// its wire time; counted by the link), or the refusal of a full queue.
    pub fn send(&mut self, ready: SimTime, bytes: u32) -> Result<Option<Departure>, LinkDrop> {
        let transit: Transit = self.tx.send(ready, ready, bytes)?;
        if transit.lost {
            return Ok(None);
        }
        let at = if self.peer_cut_through {
            transit.rx_first
        } else {
            transit.rx_last
        } + self.peer_delay;
        let hop = Hop {
            to: self.peer,
            link: self.link,
            dir: self.dir,
            transit,
            port: None,
        };
        Ok(Some(Departure {
            hop,
            partition: self.partition,
            at,
        }))
    }

    /// The link direction and its transmitting end, for `links.csv`.
    pub fn direction(&self) -> (usize, usize, &LinkTx) {
        (self.link, self.dir, &self.tx)
    }

    /// The transmitting end (to give it a link fault before the run).
    pub fn tx_mut(&mut self) -> &mut LinkTx {
        &mut self.tx
    }
}
