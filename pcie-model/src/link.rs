//! The PCIe link: TLP segmentation, per-direction serialization, flow-control credits, read tags, one-way latency.
//!
//! Upstream is NIC to host (write TLPs and read requests from the NIC);
//! downstream is host to NIC (read completions). Each direction is a FIFO
//! timeline: a TLP starts when the direction is idle, its credits (posted
//! writes) or its tag and non-posted credit (reads) are available, and its
//! payload is ready; it occupies the wire for (payload + TLP overhead) bytes at
//! the raw rate and arrives `one_way_latency` after its last byte leaves.
//!
//! Posted writes complete at the sender once sent. Non-posted reads hold a tag
//! until their last completion arrives. The host serves a read request one
//! cache line at a time (`host_read_parallelism` lines in parallel), each
//! taking `host_dram_ns`, and returns completions of `read_completion_bytes`.
//! Completion credits are infinite, as the PCIe spec requires of endpoints.

use sim_core::{SimDuration, SimTime};

use crate::pool::UnitPool;
use crate::profile::{ns, PcieLinkProfile};
use lane::{schedule, Lane, Need};
pub use vocab::Direction;

mod lane;

/// Bytes per flow-control data credit (PCIe: 4 DW).
pub const CREDIT_UNIT_BYTES: u64 = 16;

/// Counters of one direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DirectionStats {
    /// TLPs sent.
    pub tlps: u64,
    /// Payload bytes carried.
    pub payload_bytes: u64,
    /// Bytes on the wire, payload plus TLP overhead.
    pub wire_bytes: u64,
    /// Time the wire was busy.
    pub busy: SimDuration,
}

/// Counters of the whole link.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// NIC to host.
    pub upstream: DirectionStats,
    /// Host to NIC.
    pub downstream: DirectionStats,
    /// Read requests that waited for a free tag.
    pub tag_waits: u64,
    /// Posted writes that waited for header or data credits.
    pub posted_credit_waits: u64,
    /// Read requests that waited for a non-posted header credit.
    pub nonposted_credit_waits: u64,
    /// Tag or credit holds that overlapped another hold of the same unit
    /// (see `pool::UnitPool`); a measure of the passive model's error.
    pub oversubscribed_units: u64,
}

/// When a posted write left and landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostedWrite {
    /// First byte on the wire.
    pub start: SimTime,
    /// Last byte on the wire: the write is complete from the NIC's view.
    pub sent: SimTime,
    /// Data in host memory.
    pub delivered: SimTime,
}

/// One completion TLP of a read, as it arrives at the NIC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completion {
    /// Arrival of the TLP's last byte at the NIC.
    pub arrival: SimTime,
    /// Payload bytes it carries.
    pub bytes: u64,
}

/// The life of one read request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadRequest {
    /// The request TLP started on the wire (after tag and credit waits).
    pub start: SimTime,
    /// Its completions, in arrival order.
    pub completions: Vec<Completion>,
    /// Arrival of the last completion; the tag is free again then.
    pub done: SimTime,
}

/// One PCIe link between a NIC and its host.
#[derive(Debug, Clone)]
pub struct PcieLink {
    profile: PcieLinkProfile,
    up: Lane,
    down: Lane,
    tags: UnitPool,
    nonposted_header: UnitPool,
    one_way: SimDuration,
    credit_return: SimDuration,
    host_dram: SimDuration,
    /// Wire times of the last two posted TLP sizes (`(wire bytes, time)`):
    /// a node's crossings come in a size or two, and the time is a float
    /// computation with a rounding call (about 50 instructions a TLP).
    wire_memo: [Option<(u64, SimDuration)>; 2],
    wire_memo_next: usize,
}

impl PcieLink {
    /// An idle link. The profile should have been validated.
    ///
    /// Posted data credits are granted in blocks of one max-payload TLP
    /// (`posted_data_credits x 16 / max_payload_bytes` blocks), an
    /// approximation that charges a short TLP a full block; the header
    /// credits still count TLPs one by one. The NIC's receive buffers (for
    /// host writes) are assumed to advertise as many credits as the host's.
    pub fn new(profile: PcieLinkProfile) -> Self {
        PcieLink {
            up: Lane::new(&profile),
            down: Lane::new(&profile),
            tags: UnitPool::new(profile.read_tags as usize),
            nonposted_header: UnitPool::new(profile.nonposted_header_credits as usize),
            one_way: ns(profile.one_way_latency_ns),
            credit_return: ns(profile.credit_return_ns),
            host_dram: ns(profile.host_dram_ns),
            wire_memo: [None; 2],
            wire_memo_next: 0,
            profile,
        }
    }

    /// The profile this link was built from.
    pub fn profile(&self) -> &PcieLinkProfile {
        &self.profile
    }

    /// One-way latency of a TLP (`[pcie] one_way_latency_ns`): the one PCIe
    /// latency every path that crosses this link uses.
    pub fn one_way_latency(&self) -> SimDuration {
        self.one_way
    }

    /// Counters so far.
    pub fn stats(&self) -> LinkStats {
        LinkStats {
            upstream: self.up.stats,
            downstream: self.down.stats,
            tag_waits: self.tags.waits(),
            posted_credit_waits: self.up.posted_header.waits() + self.down.posted_header.waits(),
            nonposted_credit_waits: self.nonposted_header.waits(),
            oversubscribed_units: self.tags.oversubscribed()
                + self.nonposted_header.oversubscribed()
                + [&self.up, &self.down]
                    .iter()
                    .map(|d| d.posted_header.oversubscribed() + d.posted_data.oversubscribed())
                    .sum::<u64>(),
        }
    }

    /// Payload sizes of the TLPs a write of `bytes` is cut into (MPS each,
    /// the last one shorter). Zero bytes still make one (empty) TLP.
    pub fn write_tlp_sizes(&self, bytes: u64) -> impl Iterator<Item = u64> {
        split(bytes, u64::from(self.profile.max_payload_bytes))
    }

    /// Sizes of the read requests a read of `bytes` is cut into (MRRS each).
    pub fn read_request_sizes(&self, bytes: u64) -> impl Iterator<Item = u64> {
        split(bytes, u64::from(self.profile.max_read_request_bytes))
    }

    /// One posted write TLP of `payload` bytes (at most MPS; larger values
    /// are clamped) from the NIC to host memory, its data ready at `ready`. It
    /// waits for the wire and for a header credit and a data-credit block,
    /// which come back `credit_return` after its last byte leaves.
    pub fn write_tlp(&mut self, ready: SimTime, payload: u64) -> PostedWrite {
        self.posted_tlp(Direction::NicToHost, ready, payload)
    }

    /// One posted write TLP in either direction (downstream: the host
    /// writing NIC memory, e.g. a doorbell or a message pushed by the host).
    #[inline]
    pub fn posted_tlp(&mut self, dir: Direction, ready: SimTime, payload: u64) -> PostedWrite {
        let payload = payload.min(u64::from(self.profile.max_payload_bytes));
        let wire = payload + u64::from(self.profile.tlp_overhead_bytes);
        let time = self.posted_wire_time(wire);
        let d = match dir {
            Direction::NicToHost => &mut self.up,
            Direction::HostToNic => &mut self.down,
        };
        let hold = time + self.credit_return;
        let (start, h, b) = schedule(
            &d.wire,
            Need {
                pool: &mut d.posted_header,
                hold,
            },
            Need {
                pool: &mut d.posted_data,
                hold,
            },
            ready,
            time,
        );
        let end = d.commit(start, payload, wire, time);
        d.posted_header.hold(h, start, end + self.credit_return);
        d.posted_data.hold(b, start, end + self.credit_return);
        PostedWrite {
            start,
            sent: end,
            delivered: end + self.one_way,
        }
    }

    /// `self.profile.wire_time(wire)`, remembered for the last two sizes.
    #[inline]
    fn posted_wire_time(&mut self, wire: u64) -> SimDuration {
        for &(w, d) in self.wire_memo.iter().flatten() {
            if w == wire {
                return d;
            }
        }
        let d = self.profile.wire_time(wire);
        self.wire_memo[self.wire_memo_next] = Some((wire, d));
        self.wire_memo_next ^= 1;
        d
    }

    /// A posted write of `bytes` in direction `dir`, all ready at `ready`,
    /// cut into MPS TLPs.
    #[inline]
    pub fn posted_write(&mut self, dir: Direction, ready: SimTime, bytes: u64) -> PostedWrite {
        if bytes <= u64::from(self.profile.max_payload_bytes) {
            // one TLP (a message crossing to an actor, mostly): what the
            // loop below gives for one piece, without the split
            return self.posted_tlp(dir, ready, bytes);
        }
        let mut first: Option<SimTime> = None;
        let mut last = PostedWrite {
            start: ready,
            sent: ready,
            delivered: ready,
        };
        // (`write_tlp_sizes` without borrowing `self`: nothing is collected)
        for size in split(bytes, u64::from(self.profile.max_payload_bytes)) {
            last = self.posted_tlp(dir, ready, size);
            first.get_or_insert(last.start);
        }
        PostedWrite {
            start: first.unwrap_or(ready),
            ..last
        }
    }

    /// A posted write of `bytes` from the NIC to host memory, all ready at
    /// `ready`, cut into MPS TLPs.
    pub fn write(&mut self, ready: SimTime, bytes: u64) -> PostedWrite {
        self.posted_write(Direction::NicToHost, ready, bytes)
    }

    /// One non-posted read request for `bytes` (at most MRRS; larger values
    /// are clamped) issued when ready at `ready`. Zero bytes is a flush: the
    /// host answers with one empty completion once earlier writes are ordered
    /// ahead of it, without touching DRAM.
    pub fn read_request(&mut self, ready: SimTime, bytes: u64) -> ReadRequest {
        let p = &self.profile;
        let bytes = bytes.min(u64::from(p.max_read_request_bytes));
        let overhead = u64::from(p.tlp_overhead_bytes);
        let req_time = p.wire_time(overhead);
        // A tag is held at least for the bare round trip; the real hold
        // (until the last completion) is known only once it is scheduled.
        let lines = bytes.div_ceil(u64::from(p.host_cache_line_bytes));
        let chunk = u64::from(p.read_completion_bytes.min(p.max_payload_bytes));
        let tag_hold = req_time
            + self.one_way * 2
            + self.host_dram * lines.div_ceil(u64::from(p.host_read_parallelism))
            + p.wire_time(bytes.min(chunk) + overhead);
        let (start, tag, np) = schedule(
            &self.up.wire,
            Need {
                pool: &mut self.tags,
                hold: tag_hold,
            },
            Need {
                pool: &mut self.nonposted_header,
                hold: req_time + self.credit_return,
            },
            ready,
            req_time,
        );
        let end = self.up.commit(start, 0, overhead, req_time);
        self.nonposted_header
            .hold(np, start, end + self.credit_return);
        let host_rx = end + self.one_way;

        let line = u64::from(p.host_cache_line_bytes);
        let parallel = u64::from(p.host_read_parallelism);
        let chunk = u64::from(p.read_completion_bytes.min(p.max_payload_bytes));
        let mut completions = Vec::new();
        let mut offset = 0;
        for size in split(bytes, chunk) {
            // Host data for this completion is ready when the last cache line
            // it covers has been read; lines are read `parallel` at a time.
            let ready_at = if size == 0 {
                host_rx
            } else {
                let last_line = (offset + size - 1) / line;
                host_rx + self.host_dram * (last_line / parallel + 1)
            };
            let wire = size + overhead;
            let time = p.wire_time(wire);
            let at = self.down.wire.find(ready_at, time);
            let sent = self.down.commit(at, size, wire, time);
            completions.push(Completion {
                arrival: sent + self.one_way,
                bytes: size,
            });
            offset += size;
        }
        let done = completions.last().map_or(host_rx, |c| c.arrival);
        self.tags.hold(tag, start, done);
        ReadRequest {
            start,
            completions,
            done,
        }
    }

    /// When the given direction's wire has no more reservations.
    pub fn idle_from(&self, dir: Direction) -> SimTime {
        match dir {
            Direction::NicToHost => self.up.wire.idle_from(),
            Direction::HostToNic => self.down.wire.idle_from(),
        }
    }

    /// [`Self::advance`] for the wire and posted credits of direction `dir`
    /// only: all a posted write uses. The rest catches up at its next
    /// advance (advancing to `t1` then `t2` leaves the state advancing to
    /// `t2` alone leaves, and answers never depend on what was forgotten),
    /// so a run of posted writes in both directions stops advancing the
    /// other direction's credit pools on every crossing.
    #[inline]
    pub fn advance_lane(&mut self, dir: Direction, now: SimTime) {
        let d = match dir {
            Direction::NicToHost => &mut self.up,
            Direction::HostToNic => &mut self.down,
        };
        d.wire.advance(now);
        d.posted_header.advance(now);
        d.posted_data.advance(now);
    }

    /// Tells the link that no transaction will be ready before `now` again,
    /// so it can forget the past.
    pub fn advance(&mut self, now: SimTime) {
        self.up.wire.advance(now);
        self.down.wire.advance(now);
        self.tags.advance(now);
        self.nonposted_header.advance(now);
        for d in [&mut self.up, &mut self.down] {
            d.posted_header.advance(now);
            d.posted_data.advance(now);
        }
    }
}

/// Cuts `bytes` into pieces of at most `max` (`max` >= 1); zero bytes gives
/// one empty piece.
#[inline]
fn split(bytes: u64, max: u64) -> impl Iterator<Item = u64> {
    let max = max.max(1);
    let n = bytes.div_ceil(max).max(1);
    (0..n).map(move |i| (bytes - i * max).min(max))
}

#[cfg(test)]
mod tests;
