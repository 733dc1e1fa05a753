//! One direction of a PCIe link: its wire timeline, the receiver's posted credits, and the search for the first instant the wire and two credit pools agree on.

use super::{DirectionStats, CREDIT_UNIT_BYTES};
use crate::pool::UnitPool;
use crate::profile::PcieLinkProfile;
use crate::timeline::Timeline;
use sim_core::{SimDuration, SimTime};

/// The state of one direction of the link (its wire and the receiver's credits).
#[derive(Debug, Clone)]
pub(super) struct Lane {
    pub(super) wire: Timeline,
    pub(super) stats: DirectionStats,
    /// Posted-request header credits advertised by the receiving side.
    pub(super) posted_header: UnitPool,
    /// Posted data credits of the receiving side, in blocks of one
    /// max-payload TLP (see `PcieLink::new`).
    pub(super) posted_data: UnitPool,
}

impl Lane {
    pub(super) fn new(profile: &PcieLinkProfile) -> Self {
        let data_blocks = u64::from(profile.posted_data_credits) * CREDIT_UNIT_BYTES
            / u64::from(profile.max_payload_bytes.max(1));
        Lane {
            wire: Timeline::new(),
            stats: DirectionStats::default(),
            posted_header: UnitPool::new(profile.posted_header_credits as usize),
            posted_data: UnitPool::new(data_blocks as usize),
        }
    }

    /// Puts one TLP on the wire at `start`; returns its end.
    #[inline]
    pub(super) fn commit(
        &mut self,
        start: SimTime,
        payload: u64,
        wire: u64,
        time: SimDuration,
    ) -> SimTime {
        let end = start + time;
        self.wire.insert(start, end);
        self.stats.tlps += 1;
        self.stats.payload_bytes += payload;
        self.stats.wire_bytes += wire;
        self.stats.busy += time;
        end
    }
}

/// Most rounds `schedule` spends looking for an instant where the wire and
/// both pools agree before it settles for the wire's choice.
const SCHEDULE_ROUNDS: usize = 256;

/// A pool and how long (at least) a request will hold its unit.
pub(super) struct Need<'a> {
    pub(super) pool: &'a mut UnitPool,
    pub(super) hold: SimDuration,
}

/// The first instant >= `ready` at which `wire` is idle for `time` and both
/// pools have a unit free for the needed hold; with the units picked.
#[inline]
pub(super) fn schedule(
    wire: &Timeline,
    a: Need<'_>,
    b: Need<'_>,
    ready: SimTime,
    time: SimDuration,
) -> (SimTime, usize, usize) {
    let mut r = ready;
    for _ in 0..SCHEDULE_ROUNDS {
        let (ta, ua) = a.pool.earliest_unit(r, a.hold);
        let (tb, ub) = b.pool.earliest_unit(r, b.hold);
        let s0 = r.max(ta).max(tb);
        let s = wire.find(s0, time);
        // The units found are free from their own instants on for the hold;
        // they serve `s` if it is that instant, else ask again at `s`.
        let ua = if s == ta {
            Some(ua)
        } else {
            a.pool.pick(s, a.hold)
        };
        let ub = if s == tb {
            Some(ub)
        } else {
            b.pool.pick(s, b.hold)
        };
        if let (Some(ua), Some(ub)) = (ua, ub) {
            if s0 > ready {
                a.pool.note_wait();
            }
            return (s, ua, ub);
        }
        r = s;
    }
    // Pathological fragmentation: take the wire's slot and oversubscribe.
    let s = wire.find(r, time);
    let ua = a.pool.pick(s, SimDuration::ZERO).unwrap_or(0);
    let ub = b.pool.pick(s, SimDuration::ZERO).unwrap_or(0);
    (s, ua, ub)
}
