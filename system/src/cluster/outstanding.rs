//! A client's outstanding requests: the recent ones in a ring indexed by id, older stragglers in a sorted deque.
//!
//! A client numbers its requests in send order, and time never goes back,
//! so ids and send times ascend together. Most requests are answered
//! within a few thousand later sends, so the recent ones sit in a ring
//! indexed by `id - base`: insert, remove and lookup by id are a subtraction
//! and an index, with no search and no shifting (a sorted deque of the live
//! requests, found by binary search and removed from the middle, was 3% of
//! a leaf-spine run's instructions, callgrind). A dead slot keeps its send
//! time, so the ring's times stay sorted for the lookup by send time.
//!
//! Bounds: the ring spans at most `span` ids (4,096 by default). A request
//! still live when the ring would span more moves to `old`, a deque of
//! live requests sorted by id (and so by send time), searched only for
//! such stragglers. Only live requests are kept beyond the ring, so the
//! client's `max_outstanding` bounds the table.

use sim_core::SimTime;
use std::collections::VecDeque;

/// Ids the ring spans by default.
const RECENT_SPAN: usize = 4096;

/// Live requests by id.
#[derive(Clone, Debug)]
pub struct Outstanding {
    /// Requests `base..base + recent.len()`: send time, and whether live.
    /// Its front slot is live whenever it is not empty.
    recent: VecDeque<(SimTime, bool)>,
    /// Id of `recent`'s front slot.
    base: u64,
    /// Live requests older than `base`, ascending by id (and send time).
    old: VecDeque<(u64, SimTime)>,
    /// Most ids `recent` spans.
    span: usize,
    live: usize,
}

impl Default for Outstanding {
    fn default() -> Self {
        Outstanding::with_recent_span(RECENT_SPAN)
    }
}

impl Outstanding {
    /// An empty table.
    pub fn new() -> Self {
        Outstanding::default()
    }

    /// An empty table whose ring spans at most `span` ids (at least 1;
    /// tests use small spans to send requests to `old`).
    fn with_recent_span(span: usize) -> Self {
        Outstanding {
            recent: VecDeque::new(),
            base: 0,
            old: VecDeque::new(),
            span: span.max(1),
            live: 0,
        }
    }

    /// The newest request ever added that is still in the table's range:
    /// id and send time.
    fn last(&self) -> Option<(u64, SimTime)> {
        match self.recent.back() {
            Some(&(t, _)) => Some((self.base + self.recent.len() as u64 - 1, t)),
            None => self.old.back().copied(),
        }
    }

    /// Adds request `id` sent at `sent`: both must be at least those of
    /// every request added before (checked: a client numbers in send order).
    pub fn insert(&mut self, id: u64, sent: SimTime) {
        if let Some((last_id, last_sent)) = self.last() {
            assert!(
                id > last_id && sent >= last_sent,
                "outstanding requests must be added in id and send-time order"
            );
        }
        // make room: the oldest slots leave the ring, the live ones for `old`
        while !self.recent.is_empty() && id - self.base >= self.span as u64 {
            if let Some((t, true)) = self.recent.pop_front() {
                self.old.push_back((self.base, t));
            }
            self.base += 1;
            self.drop_dead_front();
        }
        if self.recent.is_empty() {
            self.base = id;
        }
        // ids skipped since the last one: dead slots (times stay sorted)
        while self.base + (self.recent.len() as u64) < id {
            self.recent.push_back((sent, false));
        }
        self.recent.push_back((sent, true));
        self.live += 1;
    }

    /// Pops dead slots off the ring's front, so its front is live.
    fn drop_dead_front(&mut self) {
        while let Some(&(_, false)) = self.recent.front() {
            self.recent.pop_front();
            self.base += 1;
        }
    }

    /// Where request `id` is: `Ok(slot)` in the ring, `Err(index)` in
    /// `old`, `None` when it is not live.
    // always: once per response; with a hint it stayed out of line in
    // some codegen-unit splits of this crate (1.5 M more instructions in a
    // leaf-spine run, callgrind)
    #[inline(always)]
    fn find(&self, id: u64) -> Option<Result<usize, usize>> {
        if id >= self.base {
            let k = usize::try_from(id - self.base).ok()?;
            return self.recent.get(k).filter(|e| e.1).map(|_| Ok(k));
        }
        let i = self.old.partition_point(|&(x, _)| x < id);
        (self.old.get(i).map(|e| e.0) == Some(id)).then_some(Err(i))
    }

    /// Removes request `id`; its send time, or `None` when it is not live.
    pub fn remove(&mut self, id: u64) -> Option<SimTime> {
        let sent = match self.find(id)? {
            Ok(k) => {
                let slot = &mut self.recent[k];
                slot.1 = false;
                let sent = slot.0;
                self.drop_dead_front();
                sent
            }
            Err(i) => self.old.remove(i)?.1,
        };
        self.live -= 1;
        Some(sent)
    }

    /// Whether request `id` is live.
    pub fn contains(&self, id: u64) -> bool {
        self.find(id).is_some()
    }

    /// The oldest live request.
    pub fn first(&self) -> Option<(u64, SimTime)> {
        match self.old.front() {
            Some(&e) => Some(e),
            // the ring's front is live
            None => self.recent.front().map(|&(t, _)| (self.base, t)),
        }
    }

    /// The smallest live id sent at exactly `sent`.
    pub fn first_sent_at(&self, sent: SimTime) -> Option<u64> {
        let i = self.old.partition_point(|&(_, t)| t < sent);
        if let Some(&(id, t)) = self.old.get(i) {
            if t == sent {
                return Some(id);
            }
        }
        let k = self.recent.partition_point(|&(t, _)| t < sent);
        self.recent
            .range(k..)
            .take_while(|e| e.0 == sent)
            .position(|e| e.1)
            .map(|j| self.base + (k + j) as u64)
    }

    /// Live requests.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether no request is live.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngCore, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;
    use std::collections::{BTreeMap, BTreeSet};

    /// The two trees the table replaced, driven side by side with it over
    /// random sends, responses by id and by send time, and expiries.
    #[test]
    fn behaves_like_the_two_trees_it_replaced() {
        // spans of 1 and 7 move requests to `old` all the time, 4,096 never here
        for (seed, span) in (0..60u64).map(|s| (s, [1, 7, RECENT_SPAN][(s % 3) as usize])) {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(0x9e37_79b9_7f4a_7c15 ^ seed);
            let mut step = || rng.next_u64();
            let mut table = Outstanding::with_recent_span(span);
            let mut by_id: BTreeMap<u64, SimTime> = BTreeMap::new();
            let mut by_sent: BTreeSet<(SimTime, u64)> = BTreeSet::new();
            let (mut now, mut next_id) = (0u64, 0u64);
            for _ in 0..3_000 {
                let r = step();
                match r % 5 {
                    0 | 1 => {
                        // several sends may share an instant
                        now += r >> 62;
                        let t = SimTime::from_ps(now);
                        table.insert(next_id, t);
                        by_id.insert(next_id, t);
                        by_sent.insert((t, next_id));
                        // ids may skip (the table only needs them ascending)
                        next_id += 1 + (r >> 20) % 3 / 2;
                    }
                    2 => {
                        let id = (r >> 8) % (next_id + 1);
                        let want = by_id.remove(&id);
                        if let Some(t) = want {
                            by_sent.remove(&(t, id));
                        }
                        assert_eq!(
                            table.remove(id),
                            want,
                            "seed {seed} span {span}: remove {id}"
                        );
                    }
                    3 => {
                        let t = SimTime::from_ps(now.saturating_sub((r >> 8) % 4));
                        let want = by_sent.range((t, 0)..=(t, u64::MAX)).next().map(|e| e.1);
                        assert_eq!(
                            table.first_sent_at(t),
                            want,
                            "seed {seed} span {span}: sent at {t:?}"
                        );
                    }
                    _ => {
                        let want = by_id.first_key_value().map(|(&i, &t)| (i, t));
                        assert_eq!(table.first(), want, "seed {seed} span {span}: first");
                        let id = (r >> 8) % (next_id + 1);
                        assert_eq!(
                            table.contains(id),
                            by_id.contains_key(&id),
                            "seed {seed} span {span}: contains {id}"
                        );
                    }
                }
                assert_eq!(table.len(), by_id.len(), "seed {seed} span {span}: len");
            }
        }
    }
}
