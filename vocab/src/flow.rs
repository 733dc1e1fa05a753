//! `FlowKey`: the IPv4 5-tuple that names a flow, shared by the embedded switch model and the packet-processing actors.
//!
//! One key for what used to be two (nic-models' switch key and the actors'
//! wire key). What stays with its owner: the switch's ingress port (a property
//! of where a packet entered the switch, not of its flow, so `steer` takes it
//! beside the key), the actors' 13-byte wire encoding, and each owner's hash
//! and synthetic-flow generator. The switch models a hardware RSS-style hash
//! and the actors a software one; they are different functions on purpose, and
//! both feed outputs that must not change.

use std::net::Ipv4Addr;

/// IP protocol number of TCP.
pub const PROTO_TCP: u8 = 6;
/// IP protocol number of UDP.
pub const PROTO_UDP: u8 = 17;

/// The IPv4 5-tuple of a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FlowKey {
    /// Source address.
    pub src_ip: Ipv4Addr,
    /// Destination address.
    pub dst_ip: Ipv4Addr,
    /// Source L4 port.
    pub src_port: u16,
    /// Destination L4 port.
    pub dst_port: u16,
    /// IP protocol number ([`PROTO_TCP`], [`PROTO_UDP`], ...).
    pub protocol: u8,
}

impl Default for FlowKey {
    /// The all-zero key (0.0.0.0:0 -> 0.0.0.0:0, protocol 0).
    fn default() -> Self {
        FlowKey {
            src_ip: Ipv4Addr::UNSPECIFIED,
            dst_ip: Ipv4Addr::UNSPECIFIED,
            src_port: 0,
            dst_port: 0,
            protocol: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_all_zero() {
        let k = FlowKey::default();
        assert_eq!(u32::from(k.src_ip), 0);
        assert_eq!((k.src_port, k.dst_port, k.protocol), (0, 0, 0));
    }
}
