//! Ethernet MAC ports: serialization at line rate with the 20 B per-frame wire overhead, bounded transmit queue.

use crate::fifo_server::FifoServer;
use crate::profile::MacProfile;
use sim_core::{SimDuration, SimTime};

/// One direction of an Ethernet port. Frames are serialized one after the
/// other at `rate_gbps`; each occupies the wire for its size plus the
/// preamble, start delimiter and inter-frame gap.
#[derive(Clone, Debug)]
pub struct MacPort {
    rate_gbps: f64,
    wire_overhead_bytes: u32,
    latency: SimDuration,
    /// PCS block period, ps (0 = no alignment).
    block_ps: u64,
    wire: FifoServer,
    frames: u64,
    frame_bytes: u64,
    /// The last frame sizes and their wire times (most traffic is one or two sizes).
    last_wire: crate::forwarding::SizeMemo,
}

/// Time a frame of `size_bytes` plus `overhead_bytes` occupies a wire at `rate_gbps`.
fn wire_time(overhead_bytes: u32, rate_gbps: f64, size_bytes: u32) -> SimDuration {
    SimDuration::for_bytes_at_gbps((size_bytes + overhead_bytes) as u64, rate_gbps)
}

impl MacPort {
    /// A port at `rate_gbps` with the profile's overhead, latency and queue bound.
    pub fn new(rate_gbps: f64, profile: &MacProfile) -> Self {
        MacPort {
            rate_gbps,
            wire_overhead_bytes: profile.wire_overhead_bytes,
            latency: SimDuration::from_ns_f64(profile.latency_ns),
            block_ps: SimDuration::from_ns_f64(profile.pcs_block_ns).as_ps(),
            wire: FifoServer::new(profile.tx_queue_packets as usize),
            frames: 0,
            frame_bytes: 0,
            last_wire: crate::forwarding::SizeMemo::EMPTY,
        }
    }

    /// Time a frame of `size_bytes` occupies the wire.
    pub fn wire_time(&self, size_bytes: u32) -> SimDuration {
        wire_time(self.wire_overhead_bytes, self.rate_gbps, size_bytes)
    }

    /// Queues a frame at `now`; returns when its last bit has left the port
    /// (plus the MAC latency), or `None` when the transmit queue is full (a
    /// counted drop).
    // inlined: twice per request in an actor run (source wire, reply),
    // where the call and its register saves were a tenth of its cost
    #[inline(always)]
    pub fn transmit(&mut self, now: SimTime, size_bytes: u32) -> Option<SimTime> {
        let (overhead, rate) = (self.wire_overhead_bytes, self.rate_gbps);
        let wire = self
            .last_wire
            .get(size_bytes, |size| wire_time(overhead, rate, size));
        let done = self.wire.offer(now, wire)?;
        self.frames += 1;
        self.frame_bytes += size_bytes as u64;
        Some(done + self.latency + self.alignment(done - wire))
    }

    /// The PHY's wait for the next PCS block boundary after a frame's first
    /// bit is ready at `start` (latency only: the deficit idle count keeps
    /// the average rate, so the wire's occupancy is unchanged).
    #[inline]
    fn alignment(&self, start: SimTime) -> SimDuration {
        if self.block_ps == 0 {
            return SimDuration::ZERO;
        }
        let phase = start.as_ps() % self.block_ps;
        // (block - phase) mod block, without a second division
        SimDuration::from_ps(if phase == 0 { 0 } else { self.block_ps - phase })
    }

    /// Frames refused because the transmit queue was full.
    pub fn drops(&self) -> u64 {
        self.wire.drops()
    }
    /// Frames accepted.
    pub fn frames(&self) -> u64 {
        self.frames
    }
    /// Frame bytes accepted (without wire overhead).
    pub fn frame_bytes(&self) -> u64 {
        self.frame_bytes
    }
    /// Port speed.
    pub fn rate_gbps(&self) -> f64 {
        self.rate_gbps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_64_byte_frame_takes_67_2_ns_at_10gbps() {
        let p = MacPort::new(10.0, &MacProfile::default());
        // (64 + 20) B * 8 / 10 Gb/s = 67.2 ns.
        assert_eq!(p.wire_time(64), SimDuration::from_ps(67_200));
    }

    #[test]
    fn pcs_alignment_adds_up_to_one_block_of_latency_only() {
        let prof = MacProfile {
            pcs_block_ns: 6.4,
            ..MacProfile::default()
        };
        let mut p = MacPort::new(10.0, &prof);
        // 256 B: 220.8 ns on the wire = 34.5 blocks, so phases alternate
        let a = p.transmit(SimTime::ZERO, 256).unwrap();
        let b = p.transmit(SimTime::ZERO, 256).unwrap();
        assert_eq!(a, SimTime::from_ps(220_800));
        assert_eq!(b, SimTime::from_ps(441_600 + 3_200));
    }

    #[test]
    fn back_to_back_frames_reach_exactly_line_rate() {
        let mut p = MacPort::new(10.0, &MacProfile::default());
        let mut last = SimTime::ZERO;
        for _ in 0..1000 {
            last = p.transmit(SimTime::ZERO, 1500).unwrap_or(last);
        }
        // 1000 frames of 1520 B on the wire at 10 Gb/s = 1.216 ms.
        assert_eq!(last, SimTime::from_ns(1_216_000));
    }
}
