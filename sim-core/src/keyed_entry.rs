//! `KeyedEntry`: an event with its packed `u128` key, ordered for `BinaryHeap` so the smallest key comes out first, and the insertion point in a vector sorted latest first (the two modes of `FifoQueue` and the parallel engine's `PartitionQueue`).
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

/// Where an entry of key `key` goes in `sorted` (sorted by `key_of`,
/// latest first, so the earliest pops off the end): after every entry
/// whose key is greater, before every other. Keys equal to `key` count as
/// earlier: a queue keyed by time alone passes a new event's time, and the
/// new event, pushed last, pops after the pending ones at that time.
///
/// Found from the nearer end after one look at the middle entry: a new
/// event mostly lands among the latest (a core's completion, a frame on a
/// link) or among the earliest, and a short scan there beats a binary
/// search and its unpredictable branches.
#[inline(always)]
pub(crate) fn insertion_point<T, K: Ord + Copy>(
    sorted: &[T],
    key: K,
    key_of: impl Fn(&T) -> K,
) -> usize {
    // one comparison, "later than the new entry", in both scans (written
    // with `<=` on the `u128` keys it took 2.3 M more instructions in a
    // leaf-spine run)
    let later = |e: &T| key_of(e) > key;
    let n = sorted.len();
    let mid = n / 2;
    if n > 0 && !later(&sorted[mid]) {
        let mut i = 0;
        while later(&sorted[i]) {
            i += 1;
        }
        i
    } else {
        let mut i = n;
        while i > 0 && !later(&sorted[i - 1]) {
            i -= 1;
        }
        i
    }
}

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

    #[test]
    fn the_insertion_point_keeps_the_vector_sorted_latest_first_and_equal_keys_popping_in_order() {
        // pushed in this order; equal keys must pop first-pushed first
        let pushes = [5u64, 3, 9, 3, 7, 1, 9, 5, 5, 0, 8];
        let mut sorted: Vec<(u64, usize)> = Vec::new();
        for (n, &k) in pushes.iter().enumerate() {
            let i = insertion_point(&sorted, k, |e| e.0);
            sorted.insert(i, (k, n));
        }
        let popped: Vec<(u64, usize)> = sorted.iter().rev().copied().collect();
        let mut want: Vec<(u64, usize)> = pushes.iter().copied().zip(0..).collect();
        want.sort(); // by key, then push order
        assert_eq!(popped, want);
    }
}
