//! Pools of identical units: `ReleasePool` (one owner, units known by release time) and `UnitPool` (shared tags and credits).
//!
//! The model is passive: when a transaction is submitted we already know when
//! each unit it takes will come back, so a unit is just a release time. To take
//! `n` units we pop the `n` earliest release times; the transaction can start
//! no earlier than the latest of them. Then the caller returns the units with
//! their new release times. Holding them in between is a bug the pool checks.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use sim_core::{SimDuration, SimTime};

use crate::timeline::Timeline;

/// Units with release times. Capacity is fixed at construction.
#[derive(Debug, Clone)]
pub struct ReleasePool {
    free_at: BinaryHeap<Reverse<SimTime>>,
    capacity: usize,
    held: usize,
    /// Units granted later than the caller was ready, summed: how often this
    /// pool was the bottleneck.
    waits: u64,
}

impl ReleasePool {
    /// `capacity` units, all free from time zero. Capacity 0 is raised to 1
    /// (profiles validate >= 1; this only keeps the pool usable).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        ReleasePool {
            free_at: (0..capacity).map(|_| Reverse(SimTime::ZERO)).collect(),
            capacity,
            held: 0,
            waits: 0,
        }
    }

    /// Units in the pool.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Takes `n` units (at most the capacity) for a transaction ready at
    /// `ready`; returns the instant all of them are free. The caller must
    /// `release` exactly as many units afterwards.
    pub fn acquire(&mut self, ready: SimTime, n: usize) -> SimTime {
        let n = n.min(self.capacity);
        let mut grant = ready;
        for _ in 0..n {
            // The heap holds capacity - held entries and n <= that, so pop
            // never fails while the caller keeps to acquire/release pairs.
            let Reverse(t) = self.free_at.pop().unwrap_or(Reverse(ready));
            grant = grant.max(t);
        }
        self.held += n;
        if grant > ready {
            self.waits += 1;
        }
        grant
    }

    /// Returns `n` units that will be free again at `at`.
    pub fn release(&mut self, at: SimTime, n: usize) {
        let n = n.min(self.held);
        for _ in 0..n {
            self.free_at.push(Reverse(at));
        }
        self.held -= n;
    }

    /// How many acquisitions had to wait for a unit.
    pub fn waits(&self) -> u64 {
        self.waits
    }

    /// Units still busy at `now`.
    pub fn busy_at(&self, now: SimTime) -> usize {
        self.held + self.free_at.iter().filter(|Reverse(t)| *t > now).count()
    }
}

/// Units shared by independent requesters (PCIe tags and flow-control
/// credits), each with its own busy calendar.
///
/// Requesters reserve out of time order (one DMA engine may already have
/// reserved TLPs far in the future when another asks for a unit now), so a
/// unit is not "free from its last release" but free outside its busy
/// intervals. A request takes a unit free at its start; the holder's end may
/// not be known until later (a tag is held until the last completion), so if a
/// unit's next reservation comes before the end the unit is briefly
/// oversubscribed. Callers pass a lower bound of the hold (exact for
/// credits, the bare round trip for tags) and `pick` prefers the unit free
/// for longest, which makes that rare; `oversubscribed` counts it.
///
/// `advance` is called on every PCIe crossing, and a pool may hold hundreds
/// of units (posted data credits) of which few have a reservation at any
/// time. So the pool keeps the floor ("no reservation before this instant")
/// itself and applies it when it asks a unit (`ready.max(floor)` is what a
/// unit's own floor does), and only units with reservations (`active`) are
/// advanced: the same answers as advancing every unit, at a cost per busy unit.
#[derive(Debug, Clone)]
pub struct UnitPool {
    units: Vec<Timeline>,
    waits: u64,
    oversubscribed: u64,
    /// The latest `advance`: every unit behaves as if advanced to it.
    floor: SimTime,
    /// Units that may hold reservations (each at most once; see `in_active`).
    active: Vec<usize>,
    in_active: Vec<bool>,
}

impl UnitPool {
    /// `capacity` idle units (at least one).
    pub fn new(capacity: usize) -> Self {
        UnitPool {
            // built one by one: cloning a timeline locks its hint cache (a
            // link builds about 250 units, every node and capacity probe)
            units: std::iter::repeat_with(Timeline::new)
                .take(capacity.max(1))
                .collect(),
            waits: 0,
            oversubscribed: 0,
            floor: SimTime::ZERO,
            active: Vec::new(),
            in_active: vec![false; capacity.max(1)],
        }
    }

    /// Units in the pool.
    pub fn capacity(&self) -> usize {
        self.units.len()
    }

    /// The earliest instant >= `ready` from which some unit is free for `len`.
    pub fn earliest_free(&self, ready: SimTime, len: SimDuration) -> SimTime {
        // Fast path: a unit with nothing reserved after `ready`.
        if self.idle_from_floor() <= ready {
            return ready;
        }
        let asked = ready.max(self.floor);
        self.units
            .iter()
            .map(|u| u.find(asked, len))
            .min()
            .unwrap_or(ready)
    }

    /// The least `idle_from` of any unit, with the pool's floor applied: the
    /// floor itself when some unit holds no reservation.
    fn idle_from_floor(&self) -> SimTime {
        if self.active.len() < self.units.len() {
            return self.floor;
        }
        self.units
            .iter()
            .map(|u| u.idle_from().max(self.floor))
            .min()
            .unwrap_or(self.floor)
    }

    /// First unit with nothing reserved from `t` on (floor applied).
    #[inline]
    fn first_idle_by(&self, t: SimTime) -> Option<usize> {
        self.units
            .iter()
            .position(|u| u.idle_from().max(self.floor) <= t)
    }

    /// The earliest instant >= `ready` from which some unit is free for `len`,
    /// and that unit (among ties, the one free for longest).
    #[inline]
    pub fn earliest_unit(&self, ready: SimTime, len: SimDuration) -> (SimTime, usize) {
        if let Some(i) = self.first_idle_by(ready) {
            return (ready, i);
        }
        let asked = ready.max(self.floor);
        let mut best = (SimTime::MAX, 0, SimTime::ZERO);
        for (i, u) in self.units.iter().enumerate() {
            let t = u.find(asked, len);
            if t < best.0 || (t == best.0 && u.next_busy_after(t) > best.2) {
                best = (t, i, u.next_busy_after(t));
            }
        }
        (best.0, best.1)
    }

    /// A unit free over `[t, t + len)`, the one free for longest after `t`.
    pub fn pick(&self, t: SimTime, len: SimDuration) -> Option<usize> {
        // Fast path: a unit free from `t` on for good is as good as any.
        if let Some(i) = self.first_idle_by(t) {
            return Some(i);
        }
        let asked = t.max(self.floor);
        self.units
            .iter()
            .enumerate()
            .filter(|(_, u)| u.find(asked, len) == t)
            .max_by_key(|&(i, u)| (u.next_busy_after(t), std::cmp::Reverse(i)))
            .map(|(i, _)| i)
    }

    /// Marks unit `unit` busy over `[start, end)`.
    #[inline(always)]
    pub fn hold(&mut self, unit: usize, start: SimTime, end: SimTime) {
        if let Some(u) = self.units.get_mut(unit) {
            if end > start && u.find(start.max(self.floor), end - start) != start {
                // The unit is already promised to someone inside the span.
                self.oversubscribed += 1;
            }
            u.insert(start, end);
            if end > start && !self.in_active[unit] {
                self.in_active[unit] = true;
                self.active.push(unit);
            }
        }
    }

    /// Holds that overlapped an existing reservation of the same unit (the
    /// pool briefly had more units out than it owns). Should stay rare.
    pub fn oversubscribed(&self) -> u64 {
        self.oversubscribed
    }

    /// Counts a request that had to wait for a unit.
    pub fn note_wait(&mut self) {
        self.waits += 1;
    }

    /// Requests that had to wait for a unit.
    pub fn waits(&self) -> u64 {
        self.waits
    }

    /// Units busy at `t`.
    pub fn busy_at(&self, t: SimTime) -> usize {
        if t < self.floor {
            return self.units.len();
        }
        self.units.iter().filter(|u| !u.is_free_at(t)).count()
    }

    /// Forgets busy intervals that ended by `now`.
    #[inline(always)]
    pub fn advance(&mut self, now: SimTime) {
        if now <= self.floor {
            return;
        }
        self.floor = now;
        // (the order of `active` matters nowhere: a unit leaves it by
        // `swap_remove`, cheaper than `retain` for the one or two units a
        // posted write leaves busy, and a call per PCIe crossing)
        let mut k = 0;
        while let Some(&i) = self.active.get(k) {
            let Some(unit) = self.units.get_mut(i) else {
                self.active.swap_remove(k);
                continue;
            };
            unit.advance(now);
            // a unit whose reservations all ended has nothing left to forget
            if unit.idle_from() > now {
                k += 1;
            } else {
                if let Some(flag) = self.in_active.get_mut(i) {
                    *flag = false;
                }
                self.active.swap_remove(k);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_pool_delays_until_the_earliest_release() {
        let mut p = ReleasePool::new(2);
        assert_eq!(p.acquire(SimTime::from_ns(0), 1), SimTime::ZERO);
        p.release(SimTime::from_ns(100), 1);
        assert_eq!(p.acquire(SimTime::from_ns(0), 1), SimTime::ZERO);
        p.release(SimTime::from_ns(50), 1);
        // Both units busy: the next one waits for the earliest release, 50 ns.
        assert_eq!(p.acquire(SimTime::from_ns(10), 1), SimTime::from_ns(50));
        p.release(SimTime::from_ns(200), 1);
        assert_eq!(p.waits(), 1);
        assert_eq!(p.busy_at(SimTime::from_ns(150)), 1);
    }

    #[test]
    fn taking_several_units_waits_for_the_last_of_them() {
        let mut p = ReleasePool::new(3);
        p.acquire(SimTime::ZERO, 3);
        p.release(SimTime::from_ns(10), 1);
        p.release(SimTime::from_ns(20), 1);
        p.release(SimTime::from_ns(30), 1);
        assert_eq!(p.acquire(SimTime::ZERO, 2), SimTime::from_ns(20));
    }

    #[test]
    fn a_unit_pool_serves_an_early_request_around_a_late_reservation() {
        let mut p = UnitPool::new(1);
        // Someone reserved the only unit far ahead ...
        p.hold(0, SimTime::from_ns(1000), SimTime::from_ns(1100));
        // ... an earlier request still gets it now.
        let len = SimDuration::from_ns(100);
        assert_eq!(p.earliest_free(SimTime::ZERO, len), SimTime::ZERO);
        assert_eq!(p.pick(SimTime::ZERO, len), Some(0));
        // Too long to fit before the late reservation.
        assert_eq!(p.pick(SimTime::from_ns(950), len), None);
        p.hold(0, SimTime::ZERO, SimTime::from_ns(100));
        assert_eq!(
            p.earliest_free(SimTime::from_ns(50), len),
            SimTime::from_ns(100)
        );
        assert_eq!(
            p.earliest_free(SimTime::from_ns(1050), len),
            SimTime::from_ns(1100)
        );
        assert_eq!(p.oversubscribed(), 0);
        p.hold(0, SimTime::from_ns(1000), SimTime::from_ns(1001));
        assert_eq!(p.oversubscribed(), 1);
        assert_eq!(p.busy_at(SimTime::from_ns(1050)), 1);
    }

    /// The eager pool this one replaced: every unit advanced on every call.
    struct Eager(Vec<Timeline>);

    impl Eager {
        fn earliest_unit(&self, ready: SimTime, len: SimDuration) -> (SimTime, usize) {
            if let Some(i) = self.0.iter().position(|u| u.idle_from() <= ready) {
                return (ready, i);
            }
            let mut best = (SimTime::MAX, 0, SimTime::ZERO);
            for (i, u) in self.0.iter().enumerate() {
                let t = u.find(ready, len);
                if t < best.0 || (t == best.0 && u.next_busy_after(t) > best.2) {
                    best = (t, i, u.next_busy_after(t));
                }
            }
            (best.0, best.1)
        }
        fn pick(&self, t: SimTime, len: SimDuration) -> Option<usize> {
            if let Some(i) = self.0.iter().position(|u| u.idle_from() <= t) {
                return Some(i);
            }
            self.0
                .iter()
                .enumerate()
                .filter(|(_, u)| u.find(t, len) == t)
                .max_by_key(|&(i, u)| (u.next_busy_after(t), std::cmp::Reverse(i)))
                .map(|(i, _)| i)
        }
    }

    #[test]
    fn lazy_advance_answers_as_advancing_every_unit() {
        let mut lazy = UnitPool::new(6);
        let mut eager = Eager(vec![Timeline::new(); 6]);
        let mut x = 7u64;
        let mut now = 0u64;
        for _ in 0..3000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let (r, len) = ((x >> 33) % 400, SimDuration::from_ns(1 + (x >> 50) % 120));
            let ready = SimTime::from_ns(now + r);
            match (x >> 20) % 4 {
                0 => {
                    now += (x >> 40) % 60;
                    lazy.advance(SimTime::from_ns(now));
                    eager
                        .0
                        .iter_mut()
                        .for_each(|u| u.advance(SimTime::from_ns(now)));
                }
                1 | 2 => {
                    let (t, i) = lazy.earliest_unit(ready, len);
                    assert_eq!((t, i), eager.earliest_unit(ready, len));
                    assert_eq!(lazy.pick(t, len), eager.pick(t, len));
                    lazy.hold(i, t, t + len);
                    eager.0[i].insert(t, t + len);
                }
                _ => {
                    assert_eq!(
                        lazy.earliest_free(ready, len),
                        eager.0.iter().map(|u| u.find(ready, len)).min().unwrap()
                    );
                    let t = SimTime::from_ns(now + r / 4);
                    let busy = eager.0.iter().filter(|u| !u.is_free_at(t)).count();
                    assert_eq!(lazy.busy_at(t), busy);
                }
            }
        }
        assert_eq!(lazy.oversubscribed(), 0);
    }
}
