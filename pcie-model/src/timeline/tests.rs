//! Tests of the PCIe link calendar (`Timeline`).

use super::*;

fn ns(v: u64) -> SimTime {
    SimTime::from_ns(v)
}
fn d(v: u64) -> SimDuration {
    SimDuration::from_ns(v)
}

#[test]
fn a_later_reservation_fills_an_earlier_gap() {
    let mut t = Timeline::new();
    assert_eq!(t.reserve(ns(0), d(10)), ns(0));
    assert_eq!(t.reserve(ns(100), d(10)), ns(100));
    // Fits between 10 and 100.
    assert_eq!(t.reserve(ns(5), d(20)), ns(10));
    // Does not fit in the 70 ns left before 100 with 80 ns: goes after 110.
    assert_eq!(t.reserve(ns(0), d(80)), ns(110));
    assert_eq!(t.idle_from(), ns(190));
}

#[test]
fn touching_intervals_merge_and_advance_prunes() {
    let mut t = Timeline::new();
    for i in 0..100 {
        assert_eq!(t.reserve(ns(0), d(10)), ns(10 * i));
    }
    assert_eq!(t.busy.len(), 1);
    t.advance(ns(2000));
    assert!(t.busy.is_empty());
    assert_eq!(t.reserve(ns(0), d(1)), ns(2000));
}

#[test]
fn hints_never_change_what_find_returns() {
    let mut t = Timeline::new();
    let mut x: u64 = 12345;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        x >> 33
    };
    for i in 0..3000u64 {
        let ready = ns(i / 3 + next() % 50);
        let len = d([3, 11, 35][(next() % 3) as usize]);
        let probe = ns(i / 3 + next() % 200);
        assert_eq!(t.find(probe, len), t.scan(probe, len), "step {i}");
        t.reserve(ready, len);
        if i % 500 == 499 {
            t.advance(ns(i / 3 - 100));
        }
    }
}

/// The B-tree calendar this deque replaced, kept as the reference.
#[derive(Default)]
struct Reference {
    busy: std::collections::BTreeMap<SimTime, SimTime>,
    floor: SimTime,
}

impl Reference {
    fn find(&self, ready: SimTime, len: SimDuration) -> SimTime {
        use std::ops::Bound;
        let ready = ready.max(self.floor);
        let mut start = ready;
        if let Some((_, &end)) = self.busy.range(..=ready).next_back() {
            start = start.max(end);
        }
        for (&s, &e) in self.busy.range((Bound::Excluded(ready), Bound::Unbounded)) {
            if start + len <= s {
                break;
            }
            start = start.max(e);
        }
        start
    }
    fn insert(&mut self, mut start: SimTime, mut end: SimTime) {
        if end <= start {
            return;
        }
        if let Some((&s, &e)) = self.busy.range(..=start).next_back() {
            if e >= start {
                start = s;
                end = end.max(e);
                self.busy.remove(&s);
            }
        }
        while let Some((&s, &e)) = self.busy.range(start..=end).next() {
            end = end.max(e);
            self.busy.remove(&s);
        }
        self.busy.insert(start, end);
    }
    fn advance(&mut self, now: SimTime) {
        if now <= self.floor {
            return;
        }
        self.floor = now;
        self.busy.retain(|_, e| *e > now);
    }
}

#[test]
fn answers_as_the_btree_calendar_it_replaced() {
    let mut t = Timeline::new();
    let mut r = Reference::default();
    let mut x: u64 = 777;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        x >> 33
    };
    let mut now = 0u64;
    for i in 0..20_000u64 {
        let a = ns(now + next() % 300);
        let len = d(1 + next() % 40);
        match next() % 6 {
            // overlapping holds too (an oversubscribed pool does that)
            0 => {
                t.insert(a, a + len);
                r.insert(a, a + len);
            }
            1 | 2 => {
                let s = t.reserve(a, len);
                assert_eq!(s, r.find(a, len), "step {i}");
                r.insert(s, s + len);
            }
            3 => {
                now += next() % 50;
                t.advance(ns(now));
                r.advance(ns(now));
            }
            _ => {
                assert_eq!(t.find(a, len), r.find(a, len), "step {i}");
                let free = a >= r.floor
                    && r.busy
                        .range(..=a)
                        .next_back()
                        .map_or(true, |(_, &e)| e <= a);
                assert_eq!(t.is_free_at(a), free, "step {i}");
                let next_busy = r
                    .busy
                    .range((std::ops::Bound::Excluded(a), std::ops::Bound::Unbounded))
                    .next()
                    .map_or(SimTime::MAX, |(&s, _)| s);
                assert_eq!(t.next_busy_after(a), next_busy, "step {i}");
            }
        }
        let mine: Vec<_> = t.busy.iter().copied().collect();
        let theirs: Vec<_> = r.busy.iter().map(|(&s, &e)| (s, e)).collect();
        assert_eq!(mine, theirs, "step {i}");
    }
}
