//! `FifoQueue`: the one-server engine's future-event list, packed 16-byte keys (a sorted vector while few, else a binary heap) over a slab that holds the events.
//!
//! Same contract as [`crate::queue::EventQueue::push`] (events pop by time,
//! FIFO among equal times; bounded, a refused push hands the event back), but
//! only keys move, one `u128` each instead of the key plus the event (a
//! `system::World` entry is 48 bytes): the key packs
//! `time_ps << 64 | sequence << slot_bits | slot`, so one integer comparison
//! decides the order and the slot finds the event in the slab.
//!
//! The sequence gets the bits the slot leaves (40 at the default bound of
//! 2^24 events). Should it ever run out (10^12 pushes), the pending keys are
//! renumbered in pop order, which keeps the order exact.
//!
//! Measured (issue 13, `valgrind --tool=callgrind nicsim run
//! configs/actors_mix.toml`, outputs byte-identical): 401.7 M instructions
//! with `EventQueue` under the engine, 397.0 M with a heap of these keys,
//! 388.8 M with the sorted small mode in front of it (the run keeps about
//! 12 events pending). A FIFO lane for events at `now` was tried and was
//! worse (+5 M): few events are scheduled at `now`. Inserting into the
//! sorted mode by moving keys up from the earliest end (instead of a binary
//! search and `Vec::insert`), the key's low word in 64-bit arithmetic and
//! `pop_until` (one look at the front per event) took 381.1 M to 375.4 M.

use crate::queue::QueueFull;
use crate::slab::Slab;
use crate::time::SimTime;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Most keys the sorted small mode holds (a push moves at most this many).
const SMALL_MAX: usize = 64;

/// Bounded future-event list ordered by (time, push order).
pub struct FifoQueue<E> {
    /// Small mode: the keys sorted latest first, so the earliest pops off
    /// the end. A one-server run keeps about 12 events pending (30 at
    /// most, actors_mix), where a binary search and a short move beat a
    /// heap's sifts. Empty whenever `heap` is not.
    sorted: Vec<u128>,
    /// Large mode: past [`SMALL_MAX`] pending keys they move here, until
    /// it empties again.
    heap: BinaryHeap<Reverse<u128>>,
    slab: Slab<E>,
    next_seq: u64,
    /// Sequences run from 0 to `seq_limit` (exclusive).
    seq_limit: u64,
    slot_bits: u32,
    capacity: usize,
}

impl<E> FifoQueue<E> {
    /// A queue holding at most `capacity` pending events (at most 2^32).
    pub fn with_capacity_limit(capacity: usize) -> Self {
        let capacity = capacity.clamp(1, u32::MAX as usize);
        // enough bits to number every slot 0..capacity
        let slot_bits = (usize::BITS - (capacity - 1).leading_zeros()).max(1);
        FifoQueue {
            sorted: Vec::with_capacity(SMALL_MAX),
            heap: BinaryHeap::new(),
            slab: Slab::with_reserve(capacity.min(4096)),
            next_seq: 0,
            seq_limit: 1u64 << (64 - slot_bits),
            slot_bits,
            capacity,
        }
    }

    /// Schedules `event` at `time`. Refused (and handed back) when full.
    #[inline]
    pub fn push(&mut self, time: SimTime, event: E) -> Result<(), QueueFull<E>> {
        if self.len() >= self.capacity {
            return Err(QueueFull(event));
        }
        if self.next_seq >= self.seq_limit {
            self.renumber();
        }
        let slot = self.slab.insert(event);
        // the low word in 64-bit arithmetic (a 128-bit shift by a variable
        // amount costs several instructions): sequence and slot fit in it
        let low = (self.next_seq << self.slot_bits) | u64::from(slot);
        let key = ((time.as_ps() as u128) << 64) | low as u128;
        self.next_seq += 1;
        if !self.heap.is_empty() {
            self.heap.push(Reverse(key));
        } else if self.sorted.len() < SMALL_MAX {
            // keys are unique: the position after every later key, found
            // from the earliest end while moving the earlier keys up one
            // (a new event mostly lands among the few earliest: cheaper than
            // a binary search and a `memmove` call)
            let mut i = self.sorted.len();
            self.sorted.push(key);
            let v = self.sorted.as_mut_slice();
            while i > 0 && v[i - 1] < key {
                v[i] = v[i - 1];
                i -= 1;
            }
            v[i] = key;
        } else {
            self.heap.extend(self.sorted.drain(..).map(Reverse));
            self.heap.push(Reverse(key));
        }
        Ok(())
    }

    /// Removes and returns the earliest event (FIFO among equal times).
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let key = match self.sorted.pop() {
            Some(k) => k,
            None => self.heap.pop()?.0,
        };
        let slot = (key as u64 & ((1u64 << self.slot_bits) - 1)) as u32;
        let event = self.slab.take(slot)?;
        Some((SimTime::from_ps((key >> 64) as u64), event))
    }

    /// [`Self::pop`] if the earliest event is at or before `until` (one
    /// look at the front instead of a `peek_time` and a `pop`).
    #[inline]
    pub fn pop_until(&mut self, until: SimTime) -> Option<(SimTime, E)> {
        let key = match self.sorted.last() {
            Some(&k) => {
                if (k >> 64) as u64 > until.as_ps() {
                    return None;
                }
                self.sorted.pop();
                k
            }
            None => {
                let Reverse(k) = *self.heap.peek()?;
                if (k >> 64) as u64 > until.as_ps() {
                    return None;
                }
                self.heap.pop();
                k
            }
        };
        let slot = (key as u64 & ((1u64 << self.slot_bits) - 1)) as u32;
        let event = self.slab.take(slot)?;
        Some((SimTime::from_ps((key >> 64) as u64), event))
    }

    /// Time of the earliest pending event.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        let first = match self.sorted.last() {
            Some(k) => *k,
            None => self.heap.peek()?.0,
        };
        Some(SimTime::from_ps((first >> 64) as u64))
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.sorted.len() + self.heap.len()
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty() && self.heap.is_empty()
    }

    /// The bound given at construction.
    pub fn capacity_limit(&self) -> usize {
        self.capacity
    }

    /// Gives the pending keys sequences 0, 1, ... in their pop order (the
    /// sequence space ran out); the order of every pair stays as it was.
    #[cold]
    fn renumber(&mut self) {
        let slot_mask = (1u128 << self.slot_bits) - 1;
        let time_mask = !((1u128 << 64) - 1);
        let mut keys: Vec<u128> = std::mem::take(&mut self.heap)
            .into_iter()
            .map(|Reverse(k)| k)
            .chain(self.sorted.drain(..))
            .collect();
        // walk from the earliest: the new sequences keep every pair's order
        keys.sort_unstable();
        for (seq, k) in keys.iter_mut().enumerate() {
            *k = (*k & time_mask) | ((seq as u128) << self.slot_bits) | (*k & slot_mask);
        }
        self.next_seq = keys.len() as u64;
        if keys.len() <= SMALL_MAX {
            keys.reverse();
            self.sorted = keys;
        } else {
            self.heap = keys.into_iter().map(Reverse).collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::EventQueue;
    use crate::rng::RngStreams;
    use rand::Rng;

    #[test]
    fn pops_in_time_order_and_fifo_among_ties() {
        let mut q = FifoQueue::with_capacity_limit(16);
        q.push(SimTime::from_ns(5), "late").unwrap();
        q.push(SimTime::from_ns(1), "first-at-1").unwrap();
        q.push(SimTime::from_ns(1), "second-at-1").unwrap();
        q.push(SimTime::from_ns(1), "third-at-1").unwrap();
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
        assert_eq!(order, ["first-at-1", "second-at-1", "third-at-1", "late"]);
    }

    #[test]
    fn refuses_pushes_beyond_capacity() {
        let mut q = FifoQueue::with_capacity_limit(2);
        q.push(SimTime::ZERO, 1).unwrap();
        q.push(SimTime::ZERO, 2).unwrap();
        let QueueFull(back) = q.push(SimTime::ZERO, 3).unwrap_err();
        assert_eq!(back, 3);
        assert_eq!(q.len(), 2);
    }

    /// Same pops as the reference `EventQueue` under a random mix of pushes
    /// (many equal times) and pops, including with a tiny sequence space
    /// that forces renumbering every few pushes.
    #[test]
    fn matches_the_reference_queue_even_across_renumbering() {
        // seq_limit 300 (just above the capacity, as in real queues): a
        // renumbering every few hundred pushes
        for seq_limit in [None, Some(300)] {
            let capacity = 256;
            let mut rng = RngStreams::new(5).stream("fifo");
            let mut a = FifoQueue::with_capacity_limit(capacity);
            if let Some(l) = seq_limit {
                a.seq_limit = l;
            }
            let mut b = EventQueue::with_capacity_limit(capacity);
            let mut now = 0u64;
            for i in 0..20_000u32 {
                // phases that grow past the small mode and shrink back
                let grow = (i / 2_000) % 2 == 0;
                if rng.gen_bool(if grow { 0.6 } else { 0.4 }) && a.len() < 200 {
                    let t = SimTime::from_ns(now + rng.gen_range(0..4));
                    a.push(t, i).unwrap();
                    b.push(t, i).unwrap();
                } else if i % 3 == 0 {
                    // pop_until: the earliest only if it is due
                    let until = SimTime::from_ns(now + rng.gen_range(0..3));
                    let due = b.peek_time().is_some_and(|t| t <= until);
                    let y = if due { b.pop() } else { None };
                    let x = a.pop_until(until);
                    assert_eq!(x, y, "seq_limit {seq_limit:?}, step {i}");
                } else {
                    let (x, y) = (a.pop(), b.pop());
                    assert_eq!(x, y, "seq_limit {seq_limit:?}, step {i}");
                    if let Some((t, _)) = x {
                        now = t.as_ns();
                    }
                }
                assert_eq!(a.peek_time(), b.peek_time());
            }
        }
    }

    #[test]
    fn max_time_sorts_last() {
        let mut q = FifoQueue::with_capacity_limit(4);
        q.push(SimTime::MAX, 'z').unwrap();
        q.push(SimTime::from_ps(u64::MAX - 1), 'y').unwrap();
        assert_eq!(q.pop().unwrap().1, 'y');
        assert_eq!(q.peek_time(), Some(SimTime::MAX));
    }
}
