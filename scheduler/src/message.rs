//! Messages between actors: local (same side), across PCIe, or over the network.
//!
//! A `Message` carries real payload bytes so actors compute real results. The
//! runtime routes by `dst`; `src` tells the receiver where to reply.

use vocab::SimTime;

/// Identifies an actor within one runtime (NIC and host instances share the id space).
pub type ActorId = u32;

/// Placeholder `Message::dst` for messages that leave the actor world (network or host
/// application); the real destination is passed to [`crate::Platform::send_to`].
pub const NO_ACTOR: ActorId = u32::MAX;

/// Where a message comes from or goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    /// An actor, wherever it currently runs (the runtime tracks placement).
    Actor(ActorId),
    /// A remote node on the network (client or peer), by node and port.
    Network { node: u32, port: u16 },
    /// The host application outside the actor world.
    Host,
}

/// One request or reply.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// Unique per run, assigned by the sender side.
    pub id: u64,
    /// Who sent it (replies go there).
    pub src: Endpoint,
    /// Target actor ([`NO_ACTOR`] when the message leaves the actor world).
    pub dst: ActorId,
    /// Actor-defined request type.
    pub kind: u16,
    /// Real bytes: actors compute real results from them.
    pub payload: Vec<u8>,
    /// Creation time, for end-to-end latency.
    pub created_at: SimTime,
}

impl Message {
    /// Payload length in bytes (what a DMA or a wire transfer carries, excluding headers).
    pub fn payload_bytes(&self) -> u64 {
        self.payload.len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_order_totally() {
        // BTreeMap keys in reports rely on a total order.
        let mut v = [
            Endpoint::Host,
            Endpoint::Network { node: 1, port: 2 },
            Endpoint::Actor(3),
        ];
        v.sort();
        assert_eq!(v[0], Endpoint::Actor(3));
        assert_eq!(v[2], Endpoint::Host);
    }

    #[test]
    fn payload_bytes_counts_payload() {
        let m = Message {
            id: 1,
            src: Endpoint::Host,
            dst: 0,
            kind: 0,
            payload: vec![0; 42],
            created_at: SimTime::ZERO,
        };
        assert_eq!(m.payload_bytes(), 42);
    }
}
