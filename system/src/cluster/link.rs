//! One direction of a link: the transmitting MAC's bounded byte queue, serialization at the link rate, and propagation.
//!
//! Passive (time in, time out). A frame handed to [`LinkTx::send`] when it
//! is ready waits behind the frames already queued, occupies the wire for
//! its bytes plus the 20 B preamble and inter-frame gap (IEEE 802.3: 8 + 12,
//! as `nic_models::MacPort`), and reaches the far end one propagation delay
//! after each bit left. The queue is bounded in bytes; a frame that does
//! not fit is refused and counted. A switch output port is the `LinkTx` of
//! the link leaving that port.
//!
//! With a fault (`[[faults.link]]`, see `super::faults`), a frame may be lost
//! on the wire (it still occupies the sender's wire time; counted
//! `drops_link_loss`) or arrive later by the fault's delay. Delays keep the
//! link FIFO: a frame never overtakes an earlier one, so a frame behind a
//! delayed one is held until the delayed one's last bit is in (as a link
//! layer that retransmits in order would). Delays only add time, so no frame
//! arrives before its propagation delay (the parallel engine's lookahead).

use super::faults::{LinkFault, Verdict};
use sim_core::{SimDuration, SimTime};
use std::collections::VecDeque;

/// Preamble + start delimiter + inter-frame gap per frame, bytes (IEEE 802.3).
pub const WIRE_OVERHEAD_BYTES: u32 = 20;

/// When a frame's bits leave one end and reach the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transit {
    /// First bit leaves the sender.
    pub tx_start: SimTime,
    /// Last bit (and its gap) leaves the sender.
    pub tx_end: SimTime,
    /// First bit reaches the receiver.
    pub rx_first: SimTime,
    /// Last bit reaches the receiver.
    pub rx_last: SimTime,
    /// Bytes queued or on the wire at the sender once this frame joined.
    pub queued_bytes: u64,
    /// The frame was lost on the wire (a link fault): it never arrives.
    pub lost: bool,
}

/// Why a link end refused a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkDrop {
    /// The queue's byte bound would be exceeded.
    BufferFull,
}

/// The transmitting end of one link direction.
#[derive(Clone, Debug)]
pub struct LinkTx {
    rate_gbps: f64,
    propagation: SimDuration,
    buffer_bytes: u64,
    /// Frames queued or on the wire: (first bit leaves, last bit leaves, bytes).
    pending: VecDeque<(SimTime, SimTime, u32)>,
    pending_bytes: u64,
    busy_until: SimTime,
    /// The fault process, if this direction has one.
    fault: Option<LinkFault>,
    /// Last bit in of the latest frame that arrives (FIFO under delays).
    last_rx_last: SimTime,
    /// Counters.
    pub stats: LinkStats,
    /// The last frame size sent and its wire time.
    last_wire: (u32, SimDuration),
}

/// What a link direction did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Frames sent.
    pub frames: u64,
    /// Frame bytes sent (without preamble and gap).
    pub bytes: u64,
    /// Time the wire was busy (frame + overhead), picoseconds.
    pub busy_ps: u64,
    /// Largest queued + in-flight bytes seen at an arrival.
    pub peak_queue_bytes: u64,
    /// Frames refused: the buffer was full.
    pub drops_buffer_full: u64,
    /// Frames sent but lost on the wire (a link fault).
    pub drops_link_loss: u64,
    /// Frames a link fault delayed.
    pub delayed: u64,
}

impl LinkTx {
    /// A link direction at `rate_gbps` with `propagation` delay and a `buffer_bytes` queue.
    pub fn new(rate_gbps: f64, propagation: SimDuration, buffer_bytes: u64) -> LinkTx {
        LinkTx {
            rate_gbps,
            propagation,
            buffer_bytes,
            pending: VecDeque::new(),
            pending_bytes: 0,
            busy_until: SimTime::ZERO,
            fault: None,
            last_rx_last: SimTime::ZERO,
            stats: LinkStats::default(),
            // the true wire time of a 0-byte frame, so the cache is always right
            last_wire: (
                0,
                SimDuration::for_bytes_at_gbps(WIRE_OVERHEAD_BYTES as u64, rate_gbps),
            ),
        }
    }

    /// Gives this direction a fault process.
    pub fn set_fault(&mut self, fault: LinkFault) {
        self.fault = Some(fault);
    }

    /// Wire time of a frame of `bytes` (overhead included).
    pub fn wire_time(&self, bytes: u32) -> SimDuration {
        SimDuration::for_bytes_at_gbps((bytes + WIRE_OVERHEAD_BYTES) as u64, self.rate_gbps)
    }

    /// [`LinkTx::wire_time`], remembered for the last size sent: a link
    /// direction mostly carries frames of one or two sizes, and the float
    /// division and rounding were 1-2% of a cluster run.
    fn wire_time_cached(&mut self, bytes: u32) -> SimDuration {
        if self.last_wire.0 != bytes {
            self.last_wire = (bytes, self.wire_time(bytes));
        }
        self.last_wire.1
    }

    /// Propagation delay.
    pub fn propagation(&self) -> SimDuration {
        self.propagation
    }

    /// Rate, Gb/s.
    pub fn rate_gbps(&self) -> f64 {
        self.rate_gbps
    }

    /// Bytes queued or on the wire at `now` (frames whose last bit left by `now` are gone).
    pub fn queued_bytes(&mut self, now: SimTime) -> u64 {
        while let Some(&(_, end, bytes)) = self.pending.front() {
            if end > now {
                break;
            }
            self.pending.pop_front();
            self.pending_bytes -= bytes as u64;
        }
        self.pending_bytes
    }

    /// Sends a frame of `bytes` that is ready to go at `ready`, whose last
    /// bit cannot leave before `not_before` (cut-through: the last bit must
    /// first have arrived). Calls must come in non-decreasing `ready` order
    /// (the event engine's order).
    pub fn send(
        &mut self,
        ready: SimTime,
        not_before: SimTime,
        bytes: u32,
    ) -> Result<Transit, LinkDrop> {
        let queued = self.queued_bytes(ready);
        if queued + bytes as u64 > self.buffer_bytes {
            self.stats.drops_buffer_full += 1;
            return Err(LinkDrop::BufferFull);
        }
        let wire = self.wire_time_cached(bytes);
        let tx_start = ready.max(self.busy_until);
        let tx_end = (tx_start + wire).max(not_before);
        self.busy_until = tx_end;
        self.pending.push_back((tx_start, tx_end, bytes));
        self.pending_bytes += bytes as u64;
        self.stats.peak_queue_bytes = self.stats.peak_queue_bytes.max(self.pending_bytes);
        self.stats.frames += 1;
        self.stats.bytes += bytes as u64;
        self.stats.busy_ps += tx_end.saturating_since(tx_start).as_ps();
        let mut t = Transit {
            tx_start,
            tx_end,
            rx_first: tx_start + self.propagation,
            rx_last: tx_end + self.propagation,
            queued_bytes: self.pending_bytes,
            lost: false,
        };
        if let Some(f) = self.fault.as_mut() {
            match f.draw() {
                Verdict::Lose => {
                    self.stats.drops_link_loss += 1;
                    t.lost = true;
                    return Ok(t);
                }
                Verdict::Delay(d) => {
                    self.stats.delayed += 1;
                    t.rx_first += d;
                    t.rx_last += d;
                }
                Verdict::Pass => {}
            }
            // FIFO: not before the previous frame's last bit is in
            if t.rx_first < self.last_rx_last {
                t.rx_first = self.last_rx_last;
                t.rx_last = t.rx_last.max(t.rx_first + wire);
            }
            self.last_rx_last = t.rx_last;
        }
        Ok(t)
    }

    /// Fraction of `[0, end)` the wire was busy: the wire time of frames
    /// still queued at `end` counts only up to `end`.
    pub fn utilization(&self, end: SimDuration) -> f64 {
        let end_t = SimTime::ZERO + end;
        let after: u64 = self
            .pending
            .iter()
            .filter(|p| p.1 > end_t)
            .map(|&(start, stop, _)| stop.saturating_since(start.max(end_t)).as_ps())
            .sum();
        if end.as_ps() == 0 {
            0.0
        } else {
            self.stats.busy_ps.saturating_sub(after) as f64 / end.as_ps() as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_never_arrives_before_its_propagation_delay() {
        let prop = SimDuration::from_ns(500);
        let mut l = LinkTx::new(100.0, prop, 1 << 20);
        let mut now = SimTime::ZERO;
        for i in 0..1000u32 {
            let bytes = 64 + (i * 37) % 1400;
            let t = l.send(now, now, bytes).expect("fits");
            assert!(t.rx_first >= now + prop);
            assert!(t.rx_last >= t.rx_first + l.wire_time(bytes));
            assert_eq!(t.rx_last.saturating_since(t.tx_end), prop);
            now += SimDuration::from_ns((i % 5) as u64 * 10);
        }
    }

    #[test]
    fn back_to_back_frames_serialize_at_line_rate() {
        let mut l = LinkTx::new(10.0, SimDuration::ZERO, 1 << 20);
        let a = l.send(SimTime::ZERO, SimTime::ZERO, 64).expect("fits");
        let b = l.send(SimTime::ZERO, SimTime::ZERO, 64).expect("fits");
        // 84 B at 10 Gb/s = 67.2 ns.
        assert_eq!(a.tx_end.as_ps(), 67_200);
        assert_eq!(b.tx_start, a.tx_end);
        assert_eq!(b.tx_end.as_ps(), 134_400);
    }

    #[test]
    fn a_faulty_link_loses_delays_and_stays_fifo() {
        use crate::cluster::faults::{FaultPlan, LinkFaultPlan};
        let plan = FaultPlan {
            crashes: Vec::new(),
            links: vec![LinkFaultPlan {
                link: 0,
                drop_probability: 0.2,
                delay_probability: 0.3,
                delay: SimDuration::from_us(2),
            }],
        };
        let prop = SimDuration::from_ns(500);
        let mut l = LinkTx::new(10.0, prop, 1 << 30);
        l.set_fault(
            plan.link_fault(&sim_core::RngStreams::new(1), 0, 0)
                .expect("named"),
        );
        let mut last: Option<Transit> = None;
        let mut now = SimTime::ZERO;
        for i in 0..2000u64 {
            let t = l.send(now, now, 200).expect("fits");
            // every frame leaves (and is counted) even when lost
            assert_eq!(l.stats.frames, i + 1);
            if !t.lost {
                assert!(
                    t.rx_first >= t.tx_start + prop,
                    "never before the lookahead"
                );
                assert!(t.rx_last >= t.rx_first + l.wire_time(200));
                if let Some(p) = last {
                    assert!(t.rx_first >= p.rx_last, "FIFO: no overtaking");
                }
                last = Some(t);
            }
            now += SimDuration::from_ns(100);
        }
        let s = l.stats;
        assert!(
            (300..500).contains(&s.drops_link_loss),
            "{}",
            s.drops_link_loss
        );
        assert!((380..580).contains(&s.delayed), "{}", s.delayed);
    }

    #[test]
    fn a_full_buffer_refuses_and_counts() {
        let mut l = LinkTx::new(10.0, SimDuration::ZERO, 3000);
        for _ in 0..2 {
            l.send(SimTime::ZERO, SimTime::ZERO, 1500).expect("fits");
        }
        assert_eq!(
            l.send(SimTime::ZERO, SimTime::ZERO, 64),
            Err(LinkDrop::BufferFull)
        );
        assert_eq!(l.stats.drops_buffer_full, 1);
        assert_eq!(l.stats.peak_queue_bytes, 3000);
        // Once the first frame has left, there is room again.
        let later = SimTime::ZERO + l.wire_time(1500);
        assert_eq!(l.queued_bytes(later), 1500);
        l.send(later, later, 1500)
            .expect("room after the first left");
    }
}
