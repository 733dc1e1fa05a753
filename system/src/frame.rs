//! `Frame`: the one thing that crosses a wire (echo packets, actor requests, replies, later inter-server messages).
//!
//! A frame has wire bytes (what a MAC serializes and a per-byte cost
//! charges), a flow key (what an embedded switch matches and a hash
//! spreads), source and destination addresses, and optionally the actor
//! [`Message`] it carries. An echo packet is a frame whose message is
//! addressed to the node's echo actor; the reply is the frame the actor
//! sends back. Keeping one type is what lets every workload pay the same
//! packet path, and what a cluster will route between nodes.

use scheduler::FlowKey;
use scheduler::{ActorId, Message};
use sim_core::SimTime;

/// Index of a node (one server) in a [`crate::world::World`].
pub type NodeId = u32;

/// The node id of the traffic source (clients outside the simulated servers).
pub const SOURCE_NODE: NodeId = u32::MAX;

/// Ethernet + IP + UDP headers carried by every request (14 + 20 + 8 B, plus
/// 4 B FCS and 18 B of iPipe message header, rounded to 64): a frame's wire
/// bytes are its message payload plus this.
pub const FRAME_OVERHEAD_BYTES: u32 = 64;

/// Payload bytes of a message whose frame is `frame_bytes` long (0 below the headers).
pub fn payload_bytes_for(frame_bytes: u32) -> usize {
    frame_bytes.saturating_sub(FRAME_OVERHEAD_BYTES) as usize
}

/// Where a frame comes from or goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Addr {
    /// A port of a node (a client's port, or a server's for traffic outside the actor world).
    Port {
        /// The node.
        node: NodeId,
        /// The port (UDP port of the flow, or a client's port).
        port: u16,
    },
    /// An actor on a node, wherever that node's runtime currently places it.
    Actor {
        /// The node.
        node: NodeId,
        /// The actor, in that node's runtime.
        actor: ActorId,
    },
}

impl Addr {
    /// The node the address is on.
    pub fn node(&self) -> NodeId {
        match *self {
            Addr::Port { node, .. } | Addr::Actor { node, .. } => node,
        }
    }
}

/// One frame on a wire.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// Unique per source, in creation order (equals the carried message's id for requests).
    pub id: u64,
    /// Sender.
    pub src: Addr,
    /// Receiver.
    pub dst: Addr,
    /// Frame bytes without preamble and inter-frame gap (the MAC adds those).
    pub wire_bytes: u32,
    /// The flow it belongs to (steering, hashing).
    pub flow: FlowKey,
    /// When the source started sending it; end-to-end latency counts from here.
    pub created_at: SimTime,
    /// The actor message it carries.
    pub msg: Option<Message>,
}

impl Frame {
    /// Wire bytes of a frame carrying `payload_bytes` of message payload.
    pub fn wire_bytes_for(payload_bytes: usize) -> u32 {
        u32::try_from(payload_bytes)
            .unwrap_or(u32::MAX - FRAME_OVERHEAD_BYTES)
            .saturating_add(FRAME_OVERHEAD_BYTES)
    }

    /// Message payload bytes a frame of `wire_bytes` carries.
    pub fn payload_bytes_for(wire_bytes: u32) -> usize {
        wire_bytes.saturating_sub(FRAME_OVERHEAD_BYTES) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_and_payload_sizes_round_trip_above_the_overhead() {
        for wire in [64u32, 65, 256, 1500] {
            assert_eq!(Frame::wire_bytes_for(Frame::payload_bytes_for(wire)), wire);
        }
        assert_eq!(Frame::payload_bytes_for(10), 0);
    }

    #[test]
    fn addresses_name_their_node() {
        assert_eq!(Addr::Port { node: 3, port: 9 }.node(), 3);
        assert_eq!(Addr::Actor { node: 4, actor: 1 }.node(), 4);
    }
}
