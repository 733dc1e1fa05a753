//! `KeyedEntry`: an event with its packed `u128` key, ordered for `BinaryHeap` so the smallest key comes out first (the heaps of `FifoQueue` and the parallel engine's `PartitionQueue`).
//!
//! One integer comparison orders two entries: the key packs the time above
//! a unique tie-break (`time_ps << 64 | sequence` or `| tiebreak`). The
//! event travels in the entry (no slab to index), so a heap move copies the
//! key and the event together; events here are small (24 to 48 bytes).

use std::cmp::Ordering;

/// An event and its key; the key alone decides the order.
pub(crate) struct KeyedEntry<E> {
    pub(crate) key: u128,
    pub(crate) event: E,
}

impl<E> KeyedEntry<E> {
    /// The time half of the key, in picoseconds.
    #[inline]
    pub(crate) fn time_ps(&self) -> u64 {
        (self.key >> 64) as u64
    }
}

/// Heap order: the smallest key on top (`BinaryHeap` is a max-heap).
impl<E> Ord for KeyedEntry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

impl<E> PartialOrd for KeyedEntry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> PartialEq for KeyedEntry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl<E> Eq for KeyedEntry<E> {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BinaryHeap;

    #[test]
    fn the_heap_pops_the_smallest_key_first_and_the_time_is_the_high_half() {
        let mut heap = BinaryHeap::new();
        for (t, seq) in [(5u64, 1u64), (3, 9), (5, 0), (3, 2)] {
            heap.push(KeyedEntry {
                key: (u128::from(t) << 64) | u128::from(seq),
                event: (t, seq),
            });
        }
        let order: Vec<(u64, u64)> = std::iter::from_fn(|| heap.pop())
            .map(|e| {
                assert_eq!(e.time_ps(), e.event.0);
                e.event
            })
            .collect();
        assert_eq!(order, vec![(3, 2), (3, 9), (5, 0), (5, 1)]);
    }
}
