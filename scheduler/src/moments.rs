//! `Moments`: what a sliding window keeps of its values besides the samples: exact running sums (mean, deviation) and the sorted tail holding its p99.
//!
//! The tail is every value at or above a pivot, as sorted (value, copies)
//! pairs: a few percent of the samples, enough to hold the p99 rank. A
//! value below the pivot costs one comparison to add or remove; one above
//! it a binary search in the short tail. When the tail gets too short to
//! hold the p99 rank, or far too long, the pivot is re-chosen by one
//! selection over the window's values (rare). The window owns the samples
//! (`SlidingWindow`, or `PairWindow` whose one ring serves two windows) and
//! passes their values where a re-choice needs them.

use crate::stats::LatencySummary;

/// The running sums and the sorted tail of one window's values; the window
/// keeps the samples themselves (one ring may serve two windows, see
/// `pair_window.rs`) and passes their values where the tail needs them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Moments {
    sum: u128,
    sum_sq: u128,
    /// Every sample `>= pivot` as (value, copies), sorted by value: the window's
    /// largest values.
    tail: Vec<(u64, u32)>,
    /// Samples in the tail (sum of the copies).
    tail_len: usize,
    pivot: u64,
    /// Re-choose the pivot when the tail grows beyond this (set at each re-choice).
    tail_high: usize,
    /// Scratch buffer for the re-choice, kept to avoid an allocation each time.
    scratch: Vec<u64>,
}

/// `v as f64`, cheaper when `v` fits in an `i64` (the same value: both
/// conversions round the exact integer to nearest): one instruction
/// instead of a call to the 128-bit conversion. (`black_box` keeps the
/// optimizer from folding the fast branch back into that call, which it
/// does since both give the same value.)
#[inline]
fn u128_to_f64(v: u128) -> f64 {
    match i64::try_from(v) {
        Ok(small) => std::hint::black_box(small) as f64,
        Err(_) => v as f64,
    }
}

/// 1-based rank from the top of the nearest-rank p99 of `n > 0` samples: the p99 is
/// the ceil(0.99 n)-th smallest value, i.e. the (n - ceil(0.99 n) + 1)-th largest.
pub(crate) fn p99_rank_from_top(n: usize) -> usize {
    let rank = ((n as f64) * 0.99).ceil() as usize;
    n - (rank.clamp(1, n) - 1)
}

impl Moments {
    /// A sample of value `v` joined the window.
    #[inline(always)]
    pub(crate) fn add(&mut self, v: u64) {
        self.sum += u128::from(v);
        self.sum_sq += u128::from(v) * u128::from(v);
        if v >= self.pivot {
            self.tail_add(v);
        }
    }

    /// A sample of value `v` left the window.
    #[inline(always)]
    pub(crate) fn remove(&mut self, v: u64) {
        self.sum -= u128::from(v);
        self.sum_sq -= u128::from(v) * u128::from(v);
        if v >= self.pivot {
            self.tail_remove(v);
        }
    }

    /// Every sample left the window (the caller maintains with `n = 0` next).
    pub(crate) fn clear_sums(&mut self) {
        self.sum = 0;
        self.sum_sq = 0;
    }

    /// Removes one copy of `v` from the tail (a few percent of the samples
    /// reach it, so it stays out of line).
    #[inline(never)]
    fn tail_remove(&mut self, v: u64) {
        match self.tail.binary_search_by_key(&v, |&(x, _)| x) {
            Ok(i) => {
                self.tail_len -= 1;
                if self.tail[i].1 == 1 {
                    self.tail.remove(i);
                } else {
                    self.tail[i].1 -= 1;
                }
            }
            Err(_) => debug_assert!(false, "tail lost a sample"),
        }
    }

    /// Adds one copy of `v` to the tail.
    #[inline(never)]
    fn tail_add(&mut self, v: u64) {
        self.tail_len += 1;
        match self.tail.binary_search_by_key(&v, |&(x, _)| x) {
            Ok(i) => self.tail[i].1 += 1,
            Err(i) => self.tail.insert(i, (v, 1)),
        }
    }

    /// Keeps the tail long enough to hold the p99 rank of the window's `n`
    /// samples (whose values `values` gives) and short enough to be cheap;
    /// re-chooses the pivot otherwise.
    #[inline(always)]
    pub(crate) fn maintain<I: Iterator<Item = u64>>(
        &mut self,
        n: usize,
        values: impl FnOnce() -> I,
    ) {
        // Fast path without the float rank: the rank from the top is at most
        // 0.01 n + 1 <= n / 100 + 2.
        if n != 0 && self.tail_len >= n / 100 + 2 && self.tail_len <= self.tail_high {
            return;
        }
        self.rechoose_tail(n, values());
    }

    /// The slow part of [`Self::maintain`]: empty window, or the tail
    /// may be too short or too long.
    #[inline(never)]
    fn rechoose_tail(&mut self, n: usize, values: impl Iterator<Item = u64>) {
        if n == 0 {
            self.tail.clear();
            self.tail_len = 0;
            self.pivot = 0;
            self.tail_high = 0;
            return;
        }
        let need = p99_rank_from_top(n);
        if self.tail_len >= need && self.tail_len <= self.tail_high {
            return;
        }
        // Keep about three times the needed rank, so that many pushes and
        // expiries pass before the next re-choice (actors_mix: four times
        // cost 1 M instructions more in tail insertions than the extra
        // re-choices of three save; twice and 1.5 times were worse again).
        let keep = (3 * need + 8).min(n);
        self.scratch.clear();
        self.scratch.extend(values);
        let (_, pivot, _) = self.scratch.select_nth_unstable(n - keep);
        self.pivot = *pivot;
        let pivot = self.pivot;
        // select_nth_unstable put every value >= the pivot at or after its index
        // (and values equal to it may also sit before); collect them all.
        let mut top: Vec<u64> = std::mem::take(&mut self.scratch);
        top.retain(|&v| v >= pivot);
        top.sort_unstable();
        self.tail.clear();
        for &v in &top {
            match self.tail.last_mut() {
                Some((x, c)) if *x == v => *c += 1,
                _ => self.tail.push((v, 1)),
            }
        }
        self.tail_len = top.len();
        self.scratch = top;
        // Ties at the pivot can make the tail long; never re-choose just for them.
        self.tail_high = (6 * need + 48).max(2 * self.tail_len);
    }

    /// Mean in nanoseconds of the window's `n` samples; `None` if empty.
    #[inline]
    pub(crate) fn mean_ns(&self, n: usize) -> Option<f64> {
        if n == 0 {
            None
        } else {
            Some(u128_to_f64(self.sum) / n as f64)
        }
    }

    /// Nearest-rank p99 (the ceil(0.99 n)-th smallest of the window's `n`
    /// samples, whose values `values` gives); `None` if empty.
    pub(crate) fn p99_ns(&self, n: usize, values: impl Iterator<Item = u64>) -> Option<u64> {
        if n == 0 {
            return None;
        }
        let r = p99_rank_from_top(n);
        let mut seen = 0usize;
        for &(v, c) in self.tail.iter().rev() {
            seen += c as usize;
            if seen >= r {
                return Some(v);
            }
        }
        // Unreachable while the tail invariant holds (every mutation maintains
        // it); kept as the exact, slow definition rather than a wrong answer.
        let mut values: Vec<u64> = values.collect();
        let (_, p99, _) = values.select_nth_unstable(n - r);
        Some(*p99)
    }

    /// Full summary of the window's `n` samples (p99 from the incrementally kept tail).
    pub(crate) fn summary(&self, n: usize, values: impl Iterator<Item = u64>) -> LatencySummary {
        let Some(p99) = self.p99_ns(n, values) else {
            return LatencySummary::default();
        };
        let mean = u128_to_f64(self.sum) / n as f64;
        let var = (u128_to_f64(self.sum_sq) / n as f64 - mean * mean).max(0.0);
        LatencySummary {
            count: n as u64,
            mean_ns: mean,
            stddev_ns: var.sqrt(),
            p99_ns: p99 as f64,
            sum_ns: self.sum.min(u128::from(u64::MAX)) as u64,
        }
    }

    /// Samples in the tail (tests).
    #[cfg(test)]
    pub(crate) fn tail_len(&self) -> usize {
        self.tail_len
    }

    /// The tail's copies, summed (tests).
    #[cfg(test)]
    pub(crate) fn tail_copies(&self) -> usize {
        self.tail.iter().map(|&(_, c)| c as usize).sum()
    }
}
