//! A node's port onto a cluster network: frames its actors send to other servers or to clients leave through the cluster's uplink, not the node's own transmit MAC.
//!
//! In a one-server world the transmit MAC ends a reply's life (it is counted
//! delivered when its last bit leaves). In a cluster the frame goes on: the
//! cluster world attaches a network port ([`Node::attach_network`]), the
//! node's `transmit` hands each outgoing message here (after the PCIe
//! crossing when a host core sent it), and the world drains them after every
//! event ([`Node::drain_network`]) onto the server's uplink link, which
//! replaces the MAC (it serializes at the link rate with a bounded queue).

use super::Node;
use scheduler::Message;
use sim_core::SimTime;

/// Most frames waiting for the world to drain them (one event's sends; the
/// world drains after every event, so this bounds one burst).
pub const NET_OUT_CAPACITY: usize = 4096;

/// A message leaving the node for the network.
#[derive(Debug)]
pub struct OutFrame {
    /// When it is ready at the NIC's port (after PCIe for host senders).
    pub ready: SimTime,
    /// The message (its `src` is the sending actor on this node).
    pub msg: Message,
    /// Creation time of the request that caused it (end-to-end latency counts from here).
    pub origin: SimTime,
    /// Destination endpoint on the network: (node, port).
    pub to: (u32, u16),
}

/// What the node keeps for the cluster world.
#[derive(Debug, Default)]
pub struct NetPort {
    out: Vec<OutFrame>,
    /// Sends refused because `out` was full (counted; should stay 0).
    pub refused: u64,
}

impl Node {
    /// Sends remote frames to the cluster world instead of the transmit MAC.
    pub fn attach_network(&mut self) {
        self.net = Some(NetPort::default());
    }

    /// Moves the frames sent since the last call into `into`, in send order.
    pub fn drain_network(&mut self, into: &mut Vec<OutFrame>) {
        if let Some(net) = self.net.as_mut() {
            into.append(&mut net.out);
        }
    }

    /// Network sends refused by the bound (0 without a network port).
    pub fn network_refused(&self) -> u64 {
        self.net.as_ref().map_or(0, |n| n.refused)
    }

    /// With a network port: queues `m` for the world and returns `None`;
    /// without one hands `m` back for the transmit MAC.
    pub(super) fn hand_to_network(
        &mut self,
        m: Message,
        to: (u32, u16),
        ready: SimTime,
        origin: SimTime,
    ) -> Option<Message> {
        let Some(net) = self.net.as_mut() else {
            return Some(m);
        };
        if net.out.len() >= NET_OUT_CAPACITY {
            net.refused += 1;
        } else {
            net.out.push(OutFrame {
                ready,
                msg: m,
                origin,
                to,
            });
        }
        None
    }

    /// PCIe payload bytes moved by the node's packet path (NIC to host, host to NIC).
    pub fn pcie_payload_bytes(&self) -> (u64, u64) {
        let s = self.pcie.stats().link;
        (s.upstream.payload_bytes, s.downstream.payload_bytes)
    }

    /// The node's index.
    pub fn id(&self) -> crate::frame::NodeId {
        self.id
    }
}
