//! The future-event list: a bounded priority queue with a total (time, sequence) order.
//!
//! Ordering guarantees (relied on by every model):
//! 1. Events pop in non-decreasing time.
//! 2. Events with the same time pop in the order they were pushed (FIFO ties):
//!    each push takes the next value of a 64-bit sequence counter and the
//!    heap orders by `(time, sequence)`, which is a total order.
//! 3. The queue never holds more than its capacity; a push beyond it is
//!    refused and returned to the caller, never silently lost.
//!
//! Implementation: `std::collections::BinaryHeap` over a packed `u128` key
//! (`time << 64 | sequence`), so one integer comparison decides the order.
//! The choice was made by measurement; see `benches/hold.rs` for the figures.

use crate::time::SimTime;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// An event waiting in the queue.
struct Entry<E> {
    key: u128,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the smallest key.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// A push refused because the queue is at its capacity; carries the event back.
#[derive(Debug)]
pub struct QueueFull<E>(pub E);

/// Bounded future-event list ordered by (time, sequence).
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
    capacity: usize,
}

impl<E> EventQueue<E> {
    /// Default bound on pending events: far above what any model here keeps
    /// (a few per core, link and generator), low enough to catch a runaway.
    pub const DEFAULT_CAPACITY: usize = 1 << 24;

    /// A queue holding at most `capacity` pending events.
    pub fn with_capacity_limit(capacity: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(capacity.min(4096)),
            next_seq: 0,
            capacity,
        }
    }

    /// Schedules `event` at `time`. Refused (and handed back) when full.
    pub fn push(&mut self, time: SimTime, event: E) -> Result<(), QueueFull<E>> {
        if self.heap.len() >= self.capacity {
            return Err(QueueFull(event));
        }
        let key = ((time.as_ps() as u128) << 64) | self.next_seq as u128;
        self.next_seq += 1;
        self.heap.push(Entry { key, event });
        Ok(())
    }

    /// Schedules `event` at `time` with a caller-chosen tie-break instead of
    /// the push counter: among equal times, events pop by ascending
    /// `tiebreak`. Used by the parallel engine, whose tie order must not
    /// depend on which thread pushed first. Do not mix with [`Self::push`]
    /// on one queue (the two tie-break spaces are unrelated).
    pub fn push_with_tiebreak(
        &mut self,
        time: SimTime,
        tiebreak: u64,
        event: E,
    ) -> Result<(), QueueFull<E>> {
        if self.heap.len() >= self.capacity {
            return Err(QueueFull(event));
        }
        let key = ((time.as_ps() as u128) << 64) | tiebreak as u128;
        self.heap.push(Entry { key, event });
        Ok(())
    }

    /// Time and tie-break of the earliest pending event.
    pub fn peek_key(&self) -> Option<(SimTime, u64)> {
        self.heap
            .peek()
            .map(|e| (SimTime::from_ps((e.key >> 64) as u64), e.key as u64))
    }

    /// Removes and returns the earliest event (FIFO among equal times).
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.heap
            .pop()
            .map(|e| (SimTime::from_ps((e.key >> 64) as u64), e.event))
    }

    /// Time of the earliest pending event.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap
            .peek()
            .map(|e| SimTime::from_ps((e.key >> 64) as u64))
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
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::with_capacity_limit(Self::DEFAULT_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_order_and_fifo_among_ties() {
        let mut q = EventQueue::default();
        q.push(SimTime::from_ns(5), "late").unwrap();
        q.push(SimTime::from_ns(1), "first-at-1").unwrap();
        q.push(SimTime::from_ns(1), "second-at-1").unwrap();
        q.push(SimTime::from_ns(1), "third-at-1").unwrap();
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
        assert_eq!(order, ["first-at-1", "second-at-1", "third-at-1", "late"]);
    }

    #[test]
    fn refuses_pushes_beyond_capacity() {
        let mut q = EventQueue::with_capacity_limit(2);
        q.push(SimTime::ZERO, 1).unwrap();
        q.push(SimTime::ZERO, 2).unwrap();
        let QueueFull(back) = q.push(SimTime::ZERO, 3).unwrap_err();
        assert_eq!(back, 3);
        assert_eq!(q.len(), 2);
    }

    #[test]
    fn explicit_tiebreaks_order_equal_times() {
        let mut q = EventQueue::default();
        q.push_with_tiebreak(SimTime::from_ns(2), 0, 'c').unwrap();
        q.push_with_tiebreak(SimTime::from_ns(1), 9, 'b').unwrap();
        q.push_with_tiebreak(SimTime::from_ns(1), 3, 'a').unwrap();
        assert_eq!(q.peek_key(), Some((SimTime::from_ns(1), 3)));
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
        assert_eq!(order, ['a', 'b', 'c']);
    }

    #[test]
    fn max_time_sorts_last() {
        let mut q = EventQueue::default();
        q.push(SimTime::MAX, 'z').unwrap();
        q.push(SimTime::from_ps(u64::MAX - 1), 'y').unwrap();
        assert_eq!(q.pop().unwrap().1, 'y');
        assert_eq!(q.peek_time(), Some(SimTime::MAX));
    }
}
