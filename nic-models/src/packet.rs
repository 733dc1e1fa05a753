//! A simulated packet: identity, size, flow and the time it was created.

use sim_core::SimTime;

/// One Ethernet frame travelling through the simulated system. The payload
/// bytes are not carried: models need the size; actors that compute on real
/// bytes build their own request payloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packet {
    /// Unique per run, assigned in creation order.
    pub id: u64,
    /// Frame size in bytes (without preamble and inter-frame gap).
    pub size_bytes: u32,
    /// Flow identifier (hash of the 5-tuple), for steering and per-flow state.
    pub flow: u32,
    /// When the source started sending it; latency is measured from here.
    pub created_at: SimTime,
}
