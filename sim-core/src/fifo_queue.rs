//! `FifoQueue`: the one-server engine's future-event list, entries keyed by (time, sequence) (a sorted vector while few, else a binary heap).
//!
//! Same contract as [`crate::queue::EventQueue::push`] (events pop by time,
//! FIFO among equal times; bounded, a refused push hands the event back).
//! Each entry holds its event and a key packing `time_ps << 64 | sequence`,
//! so one integer comparison decides the order. Should the 64-bit sequence
//! ever run out, the pending keys are renumbered in pop order, which keeps
//! the order exact.
//!
//! Measured (issue 13, `valgrind --tool=callgrind nicsim run
//! configs/actors_mix.toml`, outputs byte-identical): 401.7 M instructions
//! with `EventQueue` under the engine, 397.0 M with a heap of keys over a
//! slab, 388.8 M with the sorted small mode in front of it (the run keeps
//! about 12 events pending). A FIFO lane for events at `now` was tried and
//! was worse (+5 M): few events are scheduled at `now`. Later: finding the
//! insertion point from the earliest end and `pop_until` (one look at the
//! front per event) took 381.1 M to 375.4 M; keeping the events in the
//! entries instead of a slab (no slot to take and free per event; an entry
//! of `system::World` is 48 bytes, and a push moves about two) 355.7 M to
//! 354.6 M. A one-entry lane for the source's next arrival (no insertion,
//! same order): drive loop 326.7 M to 324.2 M. The key as two `u64`
//! halves instead of one `u128` (entries of 40 bytes, not 48): 308.1 M to
//! 306.1 M (the large mode's heap keeps one `u128` key: the hold model at
//! 1,000 pending takes 1,420 M instructions that way, 1,500 M with halves,
//! 1,404 M before the lane). Tried and worse: a `VecDeque` inserting from the nearer end
//! (+7 M), a binary search (+0.1 M), bubbling the new entry by swaps (+2 M).
//! Choosing the end to scan from by one look at the middle entry (a core's
//! completion mostly lands among the latest): drive loop 292.0 M to 290.1 M.

use crate::keyed_entry::{insertion_point, KeyedEntry};
use crate::queue::QueueFull;
use crate::time::SimTime;
use std::collections::BinaryHeap;

/// Most entries the sorted small mode holds (a push moves at most this many).
const SMALL_MAX: usize = 64;

/// A pending event with its key, `time_ps << 64 | sequence`: unique, so one
/// integer comparison orders two entries.
struct Entry<E> {
    /// The key's halves: two `u64` (not one `u128`, whose 16-byte alignment
    /// would pad an entry of `system::World` from 40 to 48 bytes, moved by
    /// every insertion).
    time_ps: u64,
    seq: u64,
    event: E,
}

impl<E> Entry<E> {
    #[inline]
    fn new(key: u128, event: E) -> Self {
        Entry {
            time_ps: (key >> 64) as u64,
            seq: key as u64,
            event,
        }
    }

    /// `time_ps << 64 | seq`.
    #[inline]
    fn key(&self) -> u128 {
        ((self.time_ps as u128) << 64) | self.seq as u128
    }
}

/// An entry of the large mode's heap: the key as one `u128` (the heap's
/// sifts compare it; measured on the hold model, 1,420 M instructions at
/// 1,000 pending against 1,500 M with the halves).
type HeapEntry<E> = KeyedEntry<E>;

impl<E> From<Entry<E>> for HeapEntry<E> {
    #[inline]
    fn from(e: Entry<E>) -> Self {
        KeyedEntry {
            key: e.key(),
            event: e.event,
        }
    }
}

/// Bounded future-event list ordered by (time, push order).
pub struct FifoQueue<E> {
    /// Small mode: the entries sorted latest first, so the earliest pops off
    /// the end. A one-server run keeps about 12 events pending (30 at
    /// most, actors_mix), where a short move from the end beats a heap's
    /// sifts. Empty whenever `heap` is not.
    sorted: Vec<Entry<E>>,
    /// Large mode: past [`SMALL_MAX`] pending entries they move here, until
    /// it empties again.
    heap: BinaryHeap<HeapEntry<E>>,
    /// One entry held beside the others ([`Self::push_lane`]): an event that
    /// is usually popped soon (a traffic source's next arrival) costs no
    /// insertion. Its key comes from the same sequence as every push, and a
    /// pop takes the smaller key of it and the front, so the pop order is
    /// exactly the order of pushing it like any other event.
    lane: Option<Entry<E>>,
    next_seq: u64,
    /// Sequences run from 0 to `seq_limit` (exclusive).
    seq_limit: u64,
    capacity: usize,
}

impl<E> FifoQueue<E> {
    /// A queue holding at most `capacity` pending events (at most 2^32).
    pub fn with_capacity_limit(capacity: usize) -> Self {
        let capacity = capacity.clamp(1, u32::MAX as usize);
        FifoQueue {
            sorted: Vec::with_capacity(SMALL_MAX),
            heap: BinaryHeap::new(),
            lane: None,
            next_seq: 0,
            seq_limit: u64::MAX,
            capacity,
        }
    }

    /// The next key for an event at `time` (the sequence advances).
    #[inline]
    fn next_key(&mut self, time: SimTime) -> u128 {
        if self.next_seq >= self.seq_limit {
            self.renumber();
        }
        let key = ((time.as_ps() as u128) << 64) | self.next_seq as u128;
        self.next_seq += 1;
        key
    }

    /// Schedules `event` at `time`. Refused (and handed back) when full.
    #[inline]
    pub fn push(&mut self, time: SimTime, event: E) -> Result<(), QueueFull<E>> {
        if self.len() >= self.capacity {
            return Err(QueueFull(event));
        }
        let key = self.next_key(time);
        self.insert(Entry::new(key, event));
        Ok(())
    }

    /// [`Self::push`], keeping the event in the one-entry lane beside the
    /// sorted entries when it is free (else an ordinary push): for an event
    /// that is mostly among the next to pop, such as a source's next
    /// arrival, whose insertion would move the entries before it. The pop
    /// order is the same as with [`Self::push`].
    #[inline(always)]
    pub fn push_lane(&mut self, time: SimTime, event: E) -> Result<(), QueueFull<E>> {
        if self.len() >= self.capacity {
            return Err(QueueFull(event));
        }
        let key = self.next_key(time);
        let entry = Entry::new(key, event);
        if self.lane.is_none() {
            self.lane = Some(entry);
        } else {
            self.insert(entry);
        }
        Ok(())
    }

    /// Files `entry` among the sorted entries or in the heap.
    // inlined into `push` (once per scheduled event): one call fewer per event
    #[inline(always)]
    fn insert(&mut self, entry: Entry<E>) {
        if !self.heap.is_empty() {
            self.heap.push(entry.into());
        } else if self.sorted.len() < SMALL_MAX {
            // keys are unique: the position after every later key. The new
            // entry's sequence is above every pending one's (`next_key`), so
            // an entry's key is below the new key exactly when its time is
            // not later: the times alone decide (one `u64` comparison a step).
            let t = entry.time_ps;
            debug_assert!(self.sorted.iter().all(|e| e.seq < entry.seq));
            let i = insertion_point(&self.sorted, t, |e| e.time_ps);
            self.sorted.insert(i, entry);
        } else {
            self.heap.extend(self.sorted.drain(..).map(HeapEntry::from));
            self.heap.push(entry.into());
        }
    }

    /// The earliest key of the sorted entries or the heap.
    #[inline]
    fn front_key(&self) -> Option<u128> {
        match self.sorted.last() {
            Some(e) => Some(e.key()),
            None => self.heap.peek().map(|e| e.key),
        }
    }

    /// Whether the lane's entry pops before every other entry.
    #[inline]
    fn lane_first(&self) -> bool {
        match &self.lane {
            Some(l) => self.front_key().map_or(true, |k| l.key() < k),
            None => false,
        }
    }

    /// Removes and returns the earliest event (FIFO among equal times).
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        if self.lane_first() {
            let e = self.lane.take()?;
            return Some((SimTime::from_ps(e.time_ps), e.event));
        }
        self.pop_front()
    }

    /// [`Self::pop`] if the earliest event is at or before `until` (one
    /// look at the front instead of a `peek_time` and a `pop`).
    #[inline]
    pub fn pop_until(&mut self, until: SimTime) -> Option<(SimTime, E)> {
        let front = self.front_key();
        if let Some(l) = &self.lane {
            if front.map_or(true, |k| l.key() < k) {
                if l.time_ps > until.as_ps() {
                    return None;
                }
                let e = self.lane.take()?;
                return Some((SimTime::from_ps(e.time_ps), e.event));
            }
        }
        if (front? >> 64) as u64 > until.as_ps() {
            return None;
        }
        self.pop_front()
    }

    /// The earliest entry of the sorted entries or the heap.
    #[inline(always)]
    fn pop_front(&mut self) -> Option<(SimTime, E)> {
        match self.sorted.pop() {
            Some(e) => Some((SimTime::from_ps(e.time_ps), e.event)),
            None => {
                let e = self.heap.pop()?;
                Some((SimTime::from_ps((e.key >> 64) as u64), e.event))
            }
        }
    }

    /// Time of the earliest pending event.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        let first = match (&self.lane, self.front_key()) {
            (Some(l), Some(k)) => l.key().min(k),
            (Some(l), None) => l.key(),
            (None, k) => k?,
        };
        Some(SimTime::from_ps((first >> 64) as u64))
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.sorted.len() + self.heap.len() + usize::from(self.lane.is_some())
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty() && self.heap.is_empty() && self.lane.is_none()
    }

    /// The bound given at construction.
    pub fn capacity_limit(&self) -> usize {
        self.capacity
    }

    /// Gives the pending entries sequences 0, 1, ... in their pop order (the
    /// sequence space ran out); the order of every pair stays as it was.
    #[cold]
    fn renumber(&mut self) {
        let mut entries: Vec<Entry<E>> = std::mem::take(&mut self.heap)
            .into_vec()
            .into_iter()
            .map(|h| Entry::new(h.key, h.event))
            .chain(self.sorted.drain(..))
            .chain(self.lane.take())
            .collect();
        // walk from the earliest: the new sequences keep every pair's order
        entries.sort_unstable_by_key(|e| e.key());
        for (seq, e) in entries.iter_mut().enumerate() {
            e.seq = seq as u64;
        }
        self.next_seq = entries.len() as u64;
        if entries.len() <= SMALL_MAX {
            entries.reverse();
            self.sorted = entries;
        } else {
            self.heap = entries.into_iter().map(HeapEntry::from).collect();
        }
    }
}

#[cfg(test)]
mod tests;
