//! The per-packet forwarding cost of a NIC core and the NIC-wide packet-engine ceiling.

use crate::profile::ForwardingProfile;
use sim_core::SimDuration;

/// Core time to forward one packet: `per_packet + per_byte * size`, plus an
/// optional fixed extra processing time (an application's work per packet).
#[derive(Clone, Debug, PartialEq)]
pub struct ForwardingCost {
    per_packet_ns: f64,
    per_byte_ns: f64,
    extra: SimDuration,
    /// The last size asked for and its cost: traffic is usually one size, and
    /// this keeps floating-point rounding off the per-packet path.
    last: (u32, SimDuration),
}

impl ForwardingCost {
    /// The cost from a profile, with `extra` core time added to every packet.
    pub fn new(profile: &ForwardingProfile, extra: SimDuration) -> Self {
        ForwardingCost {
            per_packet_ns: profile.per_packet_ns,
            per_byte_ns: profile.per_byte_ns,
            extra,
            last: (u32::MAX, SimDuration::ZERO),
        }
    }

    /// Core time for a packet of `size_bytes`.
    #[inline]
    pub fn service_time(&mut self, size_bytes: u32) -> SimDuration {
        if self.last.0 != size_bytes {
            self.last = (size_bytes, self.compute(size_bytes));
        }
        self.last.1
    }

    fn compute(&self, size_bytes: u32) -> SimDuration {
        SimDuration::from_ns_f64(self.per_packet_ns + self.per_byte_ns * size_bytes as f64)
            + self.extra
    }

    /// Packets per second one core sustains at `size_bytes`.
    pub fn per_core_pps(&self, size_bytes: u32) -> f64 {
        1e12 / self.compute(size_bytes).as_ps().max(1) as f64
    }
}

/// Time the packet engine spends per packet, if the profile sets a ceiling.
pub fn packet_engine_time(profile: &ForwardingProfile) -> Option<SimDuration> {
    profile
        .packet_engine_mpps
        .map(|mpps| SimDuration::from_ns_f64(1_000.0 / mpps))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> ForwardingProfile {
        ForwardingProfile {
            per_packet_ns: 1000.0,
            per_byte_ns: 1.0,
            packet_engine_mpps: Some(10.0),
            ingress_fifo_packets: 4,
            flow_state_bytes: 0,
        }
    }

    #[test]
    fn cost_is_affine_in_size_plus_extra() {
        let mut c = ForwardingCost::new(&profile(), SimDuration::from_us(1));
        assert_eq!(c.service_time(500), SimDuration::from_ns(2_500));
        assert!((c.per_core_pps(500) - 400_000.0).abs() < 1e-6);
    }

    #[test]
    fn engine_ceiling_is_one_over_rate() {
        assert_eq!(
            packet_engine_time(&profile()),
            Some(SimDuration::from_ns(100))
        );
    }
}
