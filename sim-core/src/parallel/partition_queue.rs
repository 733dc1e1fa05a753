//! `PartitionQueue`: a partition's bounded event queue, ordered by `(time, tiebreak)` (a sorted vector while few, else a binary heap).
//!
//! Same contract as [`crate::queue::EventQueue`] with explicit tie-breaks:
//! events pop by `(time, tiebreak)`, and the engine makes every tie-break
//! unique (the sending partition and its push counter). An entry holds the
//! event itself (a cluster event is 24 bytes) beside its key, packed as
//! `time_ps << 64 | tiebreak` so one integer comparison orders two entries.
//!
//! Why a sorted vector first: a partition of a cluster run holds few
//! events (the leaf-spine example: 6.7 on average at a pop, 32 at most in
//! nearly every pop), where popping off a vector's end and a short move on
//! insertion beat a heap's sifts. Measured (issue 13, callgrind, one-thread
//! `nicsim run configs/cluster_leaf_spine.toml`, outputs identical): 665.2 M
//! instructions with a heap of keys over a slab of events, 646.7 M with a
//! heap of whole entries, 603.9 M with the sorted small mode. Tried and
//! worse: the entries ascending in a `VecDeque` (mail and frames mostly
//! land after every pending event, where an insertion moves nothing),
//! 659.2 M: its insertion and pop handle the wrap-around.

use crate::keyed_entry::{insertion_point, KeyedEntry};
use crate::time::SimTime;
use std::collections::BinaryHeap;

/// Most entries the sorted small mode holds (an insertion moves at most this many).
const SMALL_MAX: usize = 64;

/// A pending event and its key, `time_ps << 64 | tiebreak` (unique).
type Entry<E> = KeyedEntry<E>;

/// The entry's time.
#[inline]
fn time_of<E>(e: &Entry<E>) -> SimTime {
    SimTime::from_ps(e.time_ps())
}

/// The queue refused an event (at its bound); the event is handed back.
#[derive(Debug)]
pub(crate) struct Full<E>(pub(crate) E);

/// Pending events by `(time, tiebreak)`, at most `capacity` of them.
pub(crate) struct PartitionQueue<E> {
    /// Small mode: the entries sorted latest first, so the earliest pops
    /// off the end. Empty whenever `heap` is not.
    sorted: Vec<Entry<E>>,
    /// Large mode: past [`SMALL_MAX`] pending entries they move here, until
    /// it empties again.
    heap: BinaryHeap<Entry<E>>,
    capacity: usize,
}

impl<E> PartitionQueue<E> {
    /// An empty queue holding at most `capacity` events (and at most 2^32).
    pub(crate) fn with_capacity_limit(capacity: usize) -> Self {
        PartitionQueue {
            sorted: Vec::with_capacity(SMALL_MAX.min(capacity)),
            heap: BinaryHeap::new(),
            capacity: capacity.min(u32::MAX as usize),
        }
    }

    /// Adds `event` at `time`; among equal times, smaller `tiebreak` pops first.
    // always: a hint alone left it out of line in some builds (which code
    // shares its codegen unit decides), 1.3-2.7% more instructions in the
    // cluster examples, which push once per event
    #[inline(always)]
    pub(crate) fn push_with_tiebreak(
        &mut self,
        time: SimTime,
        tiebreak: u64,
        event: E,
    ) -> Result<(), Full<E>> {
        if self.len() >= self.capacity {
            return Err(Full(event));
        }
        let entry = Entry {
            key: (u128::from(time.as_ps()) << 64) | u128::from(tiebreak),
            event,
        };
        if !self.heap.is_empty() {
            self.heap.push(entry);
        } else if self.sorted.len() < SMALL_MAX {
            // unique keys: the position after every later key
            let i = insertion_point(&self.sorted, entry.key, |e| e.key);
            self.sorted.insert(i, entry);
        } else {
            self.heap.extend(self.sorted.drain(..));
            self.heap.push(entry);
        }
        Ok(())
    }

    /// Removes and returns the earliest event.
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<(SimTime, E)> {
        let e = match self.sorted.pop() {
            Some(e) => e,
            None => self.heap.pop()?,
        };
        Some((time_of(&e), e.event))
    }

    /// The earliest entry.
    #[inline]
    fn front(&self) -> Option<&Entry<E>> {
        match self.sorted.last() {
            Some(e) => Some(e),
            None => self.heap.peek(),
        }
    }

    /// Time of the earliest event.
    pub(crate) fn peek_time(&self) -> Option<SimTime> {
        self.front().map(time_of)
    }

    /// Time and tie-break of the earliest event.
    pub(crate) fn peek_key(&self) -> Option<(SimTime, u64)> {
        self.front().map(|e| (time_of(e), e.key as u64))
    }

    /// Number of pending events.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.sorted.len() + self.heap.len()
    }

    /// The bound.
    pub(crate) fn capacity_limit(&self) -> usize {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::EventQueue;

    #[test]
    fn pops_in_the_same_order_as_the_event_queue_and_reuses_slots() {
        let mut a = PartitionQueue::with_capacity_limit(64);
        let mut b = EventQueue::with_capacity_limit(64);
        // a fixed pseudo-random interleaving of pushes and pops, with ties
        let mut x = 12345u64;
        let mut popped = 0;
        for i in 0..2000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            if x >> 62 != 0 && popped + 40 > i {
                let t = SimTime::from_ps((x >> 20) % 8);
                let tb = (x >> 40) % 5 * 1000 + i;
                let ra = a.push_with_tiebreak(t, tb, i).is_ok();
                let rb = b.push_with_tiebreak(t, tb, i).is_ok();
                assert_eq!(ra, rb);
            } else {
                assert_eq!(a.peek_key(), b.peek_key());
                assert_eq!(a.pop(), b.pop());
                popped += 1;
            }
        }
        while let Some(e) = b.pop() {
            assert_eq!(a.pop(), Some(e));
        }
        assert_eq!(a.pop(), None);
    }

    /// Both modes: a swarm of pushes and pops (seeded) that builds up past
    /// the sorted mode's size and drains again, against `EventQueue`.
    #[test]
    fn swarm_matches_the_event_queue_through_both_modes() {
        use rand::{Rng, SeedableRng};
        for seed in 0..60u64 {
            let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
            let capacity = rng.gen_range(1..200);
            let mut a = PartitionQueue::with_capacity_limit(capacity);
            let mut b = EventQueue::with_capacity_limit(capacity);
            let mut now = 0u64;
            for i in 0..3000u64 {
                // phases that mostly push, then mostly pop
                let push_share = if (i / 500) % 2 == 0 { 0.8 } else { 0.3 };
                if rng.gen_bool(push_share) {
                    let t = now + rng.gen_range(0..50);
                    // unique tie-breaks, as the engine makes them
                    let tb = (rng.gen_range(0..4u64) << 40) | i;
                    let ra = a.push_with_tiebreak(SimTime::from_ps(t), tb, i).is_ok();
                    let rb = b.push_with_tiebreak(SimTime::from_ps(t), tb, i).is_ok();
                    assert_eq!(ra, rb, "seed {seed} step {i}");
                } else {
                    assert_eq!(a.peek_key(), b.peek_key(), "seed {seed} step {i}");
                    let (pa, pb) = (a.pop(), b.pop());
                    assert_eq!(pa, pb, "seed {seed} step {i}");
                    if let Some((t, _)) = pa {
                        now = t.as_ps();
                    }
                }
                assert_eq!(a.len(), b.len(), "seed {seed} step {i}");
            }
        }
    }

    #[test]
    fn refuses_beyond_its_bound() {
        let mut q = PartitionQueue::with_capacity_limit(1);
        assert!(q.push_with_tiebreak(SimTime::ZERO, 0, 'a').is_ok());
        assert!(matches!(
            q.push_with_tiebreak(SimTime::ZERO, 1, 'b'),
            Err(Full('b'))
        ));
    }
}
