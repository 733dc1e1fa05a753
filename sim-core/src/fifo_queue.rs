//! `FifoQueue`: the one-server engine's future-event list, a binary heap of packed 16-byte keys over a slab that holds the events.
//!
//! Same contract as [`crate::queue::EventQueue::push`] (events pop by time,
//! FIFO among equal times; bounded, a refused push hands the event back), but
//! the heap moves one `u128` per level instead of the key plus the event
//! (a `system::World` entry is 48 bytes): the key packs
//! `time_ps << 64 | sequence << slot_bits | slot`, so one integer comparison
//! decides the order and the slot finds the event in the slab.
//!
//! The sequence gets the bits the slot leaves (40 at the default bound of
//! 2^24 events). Should it ever run out (10^12 pushes), the pending keys are
//! renumbered in pop order, which keeps the order exact.
//!
//! Measured (issue 13, `valgrind --tool=callgrind nicsim run
//! configs/actors_mix.toml`): 401.7 M instructions with `EventQueue` under
//! the engine, 397.0 M with this queue; outputs byte-identical.

use crate::queue::QueueFull;
use crate::time::SimTime;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Bounded future-event list ordered by (time, push order).
pub struct FifoQueue<E> {
    heap: BinaryHeap<Reverse<u128>>,
    slab: Vec<Option<E>>,
    free: Vec<u32>,
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
            heap: BinaryHeap::with_capacity(capacity.min(4096)),
            slab: Vec::with_capacity(capacity.min(4096)),
            free: Vec::new(),
            next_seq: 0,
            seq_limit: 1u64 << (64 - slot_bits),
            slot_bits,
            capacity,
        }
    }

    /// Schedules `event` at `time`. Refused (and handed back) when full.
    #[inline]
    pub fn push(&mut self, time: SimTime, event: E) -> Result<(), QueueFull<E>> {
        if self.heap.len() >= self.capacity {
            return Err(QueueFull(event));
        }
        if self.next_seq == self.seq_limit {
            self.renumber();
        }
        let slot = match self.free.pop() {
            Some(s) => {
                self.slab[s as usize] = Some(event);
                s
            }
            None => {
                self.slab.push(Some(event));
                (self.slab.len() - 1) as u32
            }
        };
        let key = ((time.as_ps() as u128) << 64)
            | ((self.next_seq as u128) << self.slot_bits)
            | slot as u128;
        self.next_seq += 1;
        self.heap.push(Reverse(key));
        Ok(())
    }

    /// Removes and returns the earliest event (FIFO among equal times).
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let Reverse(key) = self.heap.pop()?;
        let slot = (key as u64 & ((1u64 << self.slot_bits) - 1)) as u32;
        self.free.push(slot);
        let event = self.slab[slot as usize].take()?;
        Some((SimTime::from_ps((key >> 64) as u64), event))
    }

    /// Time of the earliest pending event.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap
            .peek()
            .map(|Reverse(k)| SimTime::from_ps((k >> 64) as u64))
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
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
        let keys = std::mem::take(&mut self.heap).into_sorted_vec();
        // `Reverse` sorts descending keys first: walk from the earliest
        let mut renumbered = BinaryHeap::with_capacity(keys.len());
        for (seq, Reverse(k)) in keys.into_iter().rev().enumerate() {
            let fresh = (k & time_mask) | ((seq as u128) << self.slot_bits) | (k & slot_mask);
            renumbered.push(Reverse(fresh));
        }
        self.next_seq = renumbered.len() as u64;
        self.heap = renumbered;
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
        // seq_limit 16: a renumbering every 16 pushes
        for seq_limit in [None, Some(16)] {
            let capacity = 64;
            let mut rng = RngStreams::new(5).stream("fifo");
            let mut a = FifoQueue::with_capacity_limit(capacity);
            if let Some(l) = seq_limit {
                a.seq_limit = l;
            }
            let mut b = EventQueue::with_capacity_limit(capacity);
            let mut now = 0u64;
            for i in 0..20_000u32 {
                if rng.gen_bool(0.55) && a.len() < 60 {
                    let t = SimTime::from_ns(now + rng.gen_range(0..4));
                    a.push(t, i).unwrap();
                    b.push(t, i).unwrap();
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
