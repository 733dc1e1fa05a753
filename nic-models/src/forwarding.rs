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
    /// The last sizes asked for and their costs: traffic is usually one or
    /// two sizes (a request mix), and this keeps floating-point rounding off
    /// the per-packet path.
    last: SizeMemo,
}

/// The durations of the last two sizes asked for (a one-size stream and a
/// two-size mix both hit it every time after the first of each size).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct SizeMemo {
    entries: [Option<(u32, SimDuration)>; 2],
    /// The entry the next miss replaces.
    next: usize,
}

impl SizeMemo {
    pub(crate) const EMPTY: SizeMemo = SizeMemo {
        entries: [None, None],
        next: 0,
    };

    /// The duration of `size`, from `compute` on a miss.
    // always inlined: once per request on the node's dispatch path, which
    // is large enough that the compiler left it out of line otherwise
    #[inline(always)]
    pub(crate) fn get(
        &mut self,
        size: u32,
        compute: impl FnOnce(u32) -> SimDuration,
    ) -> SimDuration {
        for &(s, d) in self.entries.iter().flatten() {
            if s == size {
                return d;
            }
        }
        let d = compute(size);
        self.entries[self.next] = Some((size, d));
        self.next ^= 1;
        d
    }
}

impl ForwardingCost {
    /// The cost from a profile, with `extra` core time added to every packet.
    pub fn new(profile: &ForwardingProfile, extra: SimDuration) -> Self {
        ForwardingCost {
            per_packet_ns: profile.per_packet_ns,
            per_byte_ns: profile.per_byte_ns,
            extra,
            last: SizeMemo::EMPTY,
        }
    }

    /// Core time for a packet of `size_bytes`.
    #[inline(always)]
    pub fn service_time(&mut self, size_bytes: u32) -> SimDuration {
        let (per_packet_ns, per_byte_ns, extra) =
            (self.per_packet_ns, self.per_byte_ns, self.extra);
        self.last.get(size_bytes, |size| {
            cost(per_packet_ns, per_byte_ns, extra, size)
        })
    }

    fn compute(&self, size_bytes: u32) -> SimDuration {
        cost(self.per_packet_ns, self.per_byte_ns, self.extra, size_bytes)
    }

    /// Packets per second one core sustains at `size_bytes`.
    pub fn per_core_pps(&self, size_bytes: u32) -> f64 {
        1e12 / self.compute(size_bytes).as_ps().max(1) as f64
    }
}

/// `per_packet + per_byte * size`, rounded to whole picoseconds, plus `extra`.
fn cost(per_packet_ns: f64, per_byte_ns: f64, extra: SimDuration, size_bytes: u32) -> SimDuration {
    SimDuration::from_ns_f64(per_packet_ns + per_byte_ns * size_bytes as f64) + extra
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

    #[test]
    fn the_size_memo_computes_each_of_two_alternating_sizes_once() {
        let mut memo = SizeMemo::EMPTY;
        let mut computed = Vec::new();
        for size in [64, 68, 64, 68, 64, 1500, 68, 1500] {
            let d = memo.get(size, |s| {
                computed.push(s);
                SimDuration::from_ps(u64::from(s) * 3)
            });
            assert_eq!(d, SimDuration::from_ps(u64::from(size) * 3));
        }
        assert_eq!(computed, [64, 68, 1500]);
    }

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
