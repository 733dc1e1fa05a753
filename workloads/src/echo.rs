//! The ECHO server application: every received packet is returned to its sender unchanged.
//!
//! On a NIC core the echo costs the profile's forwarding cost; `processing_us`
//! adds a fixed amount of application work per packet (the paper's Fig. 4
//! headroom experiment). The returned packet keeps its identity and size, so
//! latency is measured end to end from its creation.

use nic_models::Packet;
use serde::{Deserialize, Serialize};

/// Settings of the echo application (`[workload]` with `kind = "echo"`).
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EchoConfig {
    /// Extra core time per packet on top of forwarding, microseconds (default 0).
    #[serde(default)]
    pub processing_us: f64,
}

impl Default for EchoConfig {
    fn default() -> Self {
        EchoConfig { processing_us: 0.0 }
    }
}

/// The echo reply to `request`: same identity and size, sent back on the same flow.
#[inline]
pub fn reply(request: Packet) -> Packet {
    request
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::SimTime;

    #[test]
    fn reply_keeps_identity_and_size() {
        let p = Packet {
            id: 7,
            size_bytes: 256,
            flow: 3,
            created_at: SimTime::from_ns(5),
        };
        assert_eq!(reply(p), p);
    }
}
