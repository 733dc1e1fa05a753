//! A client's outstanding requests: `(id, send time)` pairs in one sorted deque, found by binary search.
//!
//! A client numbers its requests in send order, and time never goes back,
//! so ids and send times ascend together: one deque sorted by id is also
//! sorted by send time. That replaces a `BTreeMap` by id plus a `BTreeSet`
//! by (send time, id): four tree operations per request, about 5% of a
//! leaf-spine run's instructions, all of them in the network partition
//! (`valgrind --tool=callgrind`). Responses come back roughly in send
//! order, so a removal moves few entries. It holds only live requests, so
//! the client's `max_outstanding` bounds it.

use sim_core::SimTime;
use std::collections::VecDeque;

/// Live requests in ascending id (and so send-time) order.
#[derive(Clone, Debug, Default)]
pub struct Outstanding {
    live: VecDeque<(u64, SimTime)>,
}

impl Outstanding {
    /// An empty table.
    pub fn new() -> Self {
        Outstanding::default()
    }

    /// Adds request `id` sent at `sent`: both must be at least those of
    /// every request added before (checked: a client numbers in send order).
    pub fn insert(&mut self, id: u64, sent: SimTime) {
        if let Some(&(last_id, last_sent)) = self.live.back() {
            assert!(
                id > last_id && sent >= last_sent,
                "outstanding requests must be added in id and send-time order"
            );
        }
        self.live.push_back((id, sent));
    }

    fn index_of(&self, id: u64) -> Option<usize> {
        let i = self.live.partition_point(|&(x, _)| x < id);
        (self.live.get(i).map(|e| e.0) == Some(id)).then_some(i)
    }

    /// Removes request `id`; its send time, or `None` when it is not live.
    pub fn remove(&mut self, id: u64) -> Option<SimTime> {
        let i = self.index_of(id)?;
        self.live.remove(i).map(|(_, sent)| sent)
    }

    /// Whether request `id` is live.
    pub fn contains(&self, id: u64) -> bool {
        self.index_of(id).is_some()
    }

    /// The oldest live request.
    pub fn first(&self) -> Option<(u64, SimTime)> {
        self.live.front().copied()
    }

    /// The smallest live id sent at exactly `sent`.
    pub fn first_sent_at(&self, sent: SimTime) -> Option<u64> {
        let i = self.live.partition_point(|&(_, t)| t < sent);
        self.live.get(i).filter(|e| e.1 == sent).map(|e| e.0)
    }

    /// Live requests.
    pub fn len(&self) -> usize {
        self.live.len()
    }

    /// Whether no request is live.
    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
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
        for seed in 0..20u64 {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(0x9e37_79b9_7f4a_7c15 ^ seed);
            let mut step = || rng.next_u64();
            let mut table = Outstanding::new();
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
                        next_id += 1;
                    }
                    2 => {
                        let id = (r >> 8) % (next_id + 1);
                        let want = by_id.remove(&id);
                        if let Some(t) = want {
                            by_sent.remove(&(t, id));
                        }
                        assert_eq!(table.remove(id), want, "seed {seed}: remove {id}");
                    }
                    3 => {
                        let t = SimTime::from_ps(now.saturating_sub((r >> 8) % 4));
                        let want = by_sent.range((t, 0)..=(t, u64::MAX)).next().map(|e| e.1);
                        assert_eq!(table.first_sent_at(t), want, "seed {seed}: sent at {t:?}");
                    }
                    _ => {
                        let want = by_id.first_key_value().map(|(&i, &t)| (i, t));
                        assert_eq!(table.first(), want, "seed {seed}: first");
                        let id = (r >> 8) % (next_id + 1);
                        assert_eq!(table.contains(id), by_id.contains_key(&id));
                    }
                }
                assert_eq!(table.len(), by_id.len(), "seed {seed}: len");
            }
        }
    }
}
