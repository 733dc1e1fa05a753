//! `SlabQueue`: a partition's bounded event queue, a binary heap of small keys over a slab that holds the events.
//!
//! Same contract as [`crate::queue::EventQueue`] with explicit tie-breaks
//! (events pop by `(time, tiebreak)`), but the heap moves 24-byte entries
//! whatever the event's size: a cluster event (a frame and its hop) is about
//! 80 bytes, and a heap pop moves an entry per level. The events stay in
//! place in the slab; freed slots are reused, so a steady run allocates
//! nothing.

use crate::slab::Slab;
use crate::time::SimTime;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Heap entry: the event's key and its slab slot.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Key {
    time_ps: u64,
    tiebreak: u64,
    slot: u32,
}

impl Ord for Key {
    // reversed: BinaryHeap is a max-heap, the earliest key must come out first
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time_ps, other.tiebreak).cmp(&(self.time_ps, self.tiebreak))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The queue refused an event (at its bound); the event is handed back.
#[derive(Debug)]
pub(crate) struct Full<E>(pub(crate) E);

/// Pending events by `(time, tiebreak)`, at most `capacity` of them.
pub(crate) struct SlabQueue<E> {
    heap: BinaryHeap<Key>,
    slab: Slab<E>,
    capacity: usize,
}

impl<E> SlabQueue<E> {
    /// An empty queue holding at most `capacity` events (and at most 2^32).
    pub(crate) fn with_capacity_limit(capacity: usize) -> Self {
        SlabQueue {
            heap: BinaryHeap::with_capacity(capacity.min(4096)),
            slab: Slab::with_reserve(capacity.min(4096)),
            capacity: capacity.min(u32::MAX as usize),
        }
    }

    /// Adds `event` at `time`; among equal times, smaller `tiebreak` pops first.
    pub(crate) fn push_with_tiebreak(
        &mut self,
        time: SimTime,
        tiebreak: u64,
        event: E,
    ) -> Result<(), Full<E>> {
        if self.heap.len() >= self.capacity {
            return Err(Full(event));
        }
        let slot = self.slab.insert(event);
        self.heap.push(Key {
            time_ps: time.as_ps(),
            tiebreak,
            slot,
        });
        Ok(())
    }

    /// Removes and returns the earliest event.
    pub(crate) fn pop(&mut self) -> Option<(SimTime, E)> {
        let k = self.heap.pop()?;
        let ev = self.slab.take(k.slot)?;
        Some((SimTime::from_ps(k.time_ps), ev))
    }

    /// Time of the earliest event.
    pub(crate) fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|k| SimTime::from_ps(k.time_ps))
    }

    /// Time and tie-break of the earliest event.
    pub(crate) fn peek_key(&self) -> Option<(SimTime, u64)> {
        self.heap
            .peek()
            .map(|k| (SimTime::from_ps(k.time_ps), k.tiebreak))
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
        let mut a = SlabQueue::with_capacity_limit(64);
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
        assert!(a.slab.allocated() <= 64);
    }

    #[test]
    fn refuses_beyond_its_bound() {
        let mut q = SlabQueue::with_capacity_limit(1);
        assert!(q.push_with_tiebreak(SimTime::ZERO, 0, 'a').is_ok());
        assert!(matches!(
            q.push_with_tiebreak(SimTime::ZERO, 1, 'b'),
            Err(Full('b'))
        ));
    }
}
