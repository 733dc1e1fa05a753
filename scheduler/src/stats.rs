//! Latency statistics with bounded memory: a sliding window (count- and age-bounded)
//! for policy decisions, and a run-wide histogram for reports.
//!
//! Mean and standard deviation come from running sums (O(1)). The measured p99 is
//! exact and kept incrementally: the window keeps, sorted, every sample at or above
//! a pivot (the "tail": a few percent of the samples, enough to hold the p99), and
//! only counts the rest. A push or an expiry below the pivot costs one comparison;
//! one above it is a binary search in a short sorted vector of (value, count)
//! pairs (run-length, so that many equal samples cost nothing extra). When
//! the tail gets too short to hold the p99 rank, or far too long, the pivot is
//! re-chosen by one selection over the window (O(n), rare). The p99 is then read
//! from the top of the tail (a few steps), equal to the nearest-rank value the old per-summary sort
//! computed (a property test below checks it against that selection).

use crate::ring::Ring;
pub use crate::run_stats::RunStats;
use crate::settings::TailMode;
use vocab::{SimDuration, SimTime};

/// Summary of a window or of a whole run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LatencySummary {
    /// Number of samples.
    pub count: u64,
    /// Mean, nanoseconds.
    pub mean_ns: f64,
    /// Population standard deviation, nanoseconds (the "dispersion").
    pub stddev_ns: f64,
    /// Measured 99th percentile, nanoseconds.
    pub p99_ns: f64,
    /// Sum of samples, nanoseconds (for a window: the load it represents).
    pub sum_ns: u64,
}

impl LatencySummary {
    /// Tail estimate in the selected mode.
    pub fn tail_ns(&self, mode: TailMode) -> f64 {
        match mode {
            TailMode::P99 => self.p99_ns,
            TailMode::MeanPlus3Sigma => self.mean_ns + 3.0 * self.stddev_ns,
        }
    }
}

/// The last samples, at most `max_samples` and none older than `max_age`.
#[derive(Clone, Debug)]
pub struct SlidingWindow {
    samples: Ring,
    max_samples: usize,
    max_age: SimDuration,
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
fn p99_rank_from_top(n: usize) -> usize {
    let rank = ((n as f64) * 0.99).ceil() as usize;
    n - (rank.clamp(1, n) - 1)
}

impl SlidingWindow {
    /// An empty window.
    pub fn new(max_samples: u32, max_age: SimDuration) -> SlidingWindow {
        SlidingWindow {
            samples: Ring::with_capacity((max_samples as usize).clamp(1, 4096)),
            max_samples: max_samples.max(1) as usize,
            max_age,
            sum: 0,
            sum_sq: 0,
            tail: Vec::new(),
            tail_len: 0,
            pivot: 0,
            tail_high: 0,
            scratch: Vec::new(),
        }
    }

    #[inline]
    fn pop_front(&mut self) {
        if let Some((_, v)) = self.samples.pop_front() {
            self.sum -= u128::from(v);
            self.sum_sq -= u128::from(v) * u128::from(v);
            if v >= self.pivot {
                self.tail_remove(v);
            }
        }
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

    /// Keeps the tail long enough to hold the p99 rank and short enough to be
    /// cheap; re-chooses the pivot otherwise.
    #[inline(always)]
    fn maintain_tail(&mut self) {
        let n = self.samples.len();
        // Fast path without the float rank: the rank from the top is at most
        // 0.01 n + 1 <= n / 100 + 2.
        if n != 0 && self.tail_len >= n / 100 + 2 && self.tail_len <= self.tail_high {
            return;
        }
        self.rechoose_tail();
    }

    /// The slow part of [`Self::maintain_tail`]: empty window, or the tail
    /// may be too short or too long.
    #[inline(never)]
    fn rechoose_tail(&mut self) {
        let n = self.samples.len();
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
        // Keep about four times the needed rank, so that many pushes and
        // expiries pass before the next re-choice.
        let keep = (4 * need + 8).min(n);
        self.scratch.clear();
        self.scratch.extend(self.samples.iter().map(|(_, v)| v));
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
        self.tail_high = (8 * need + 64).max(2 * self.tail_len);
    }

    /// Add a sample taken at `now`.
    // inlined into the runtime's completion, which pushes four windows per
    // request: the call and its register saves cost more than the common path
    #[inline(always)]
    pub fn push(&mut self, now: SimTime, value_ns: u64) {
        if self.samples.len() == self.max_samples {
            self.pop_front();
        }
        self.samples.push_back((now, value_ns));
        self.sum += u128::from(value_ns);
        self.sum_sq += u128::from(value_ns) * u128::from(value_ns);
        if value_ns >= self.pivot {
            self.tail_add(value_ns);
        }
        self.expire_samples(now);
        self.maintain_tail();
    }

    /// Drop samples older than the window's age bound.
    pub fn expire(&mut self, now: SimTime) {
        self.expire_samples(now);
        self.maintain_tail();
    }

    #[inline]
    fn expire_samples(&mut self, now: SimTime) {
        // A sample at `t` is too old when `now - t > max_age`, i.e. when
        // `t < now - max_age`; nothing is, while `now <= max_age`.
        let Some(cutoff) = now.as_ps().checked_sub(self.max_age.as_ps()) else {
            return;
        };
        while let Some((t, _)) = self.samples.front() {
            if t.as_ps() < cutoff {
                self.pop_front();
            } else {
                break;
            }
        }
    }

    /// Forget every sample (after a placement change the old samples describe another situation).
    pub fn clear(&mut self) {
        self.samples.clear();
        self.sum = 0;
        self.sum_sq = 0;
        self.maintain_tail();
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// True if no samples.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Mean in nanoseconds, O(1); `None` if empty.
    pub fn mean_ns(&self) -> Option<f64> {
        if self.samples.is_empty() {
            None
        } else {
            Some(u128_to_f64(self.sum) / self.samples.len() as f64)
        }
    }

    /// Nearest-rank p99 (the ceil(0.99 n)-th smallest sample); `None` if empty.
    pub fn p99_ns(&self) -> Option<u64> {
        let n = self.samples.len();
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
        let mut values: Vec<u64> = self.samples.iter().map(|(_, v)| v).collect();
        let (_, p99, _) = values.select_nth_unstable(n - r);
        Some(*p99)
    }

    /// Full summary (p99 from the incrementally kept tail).
    pub fn summary(&self) -> LatencySummary {
        let n = self.samples.len();
        let Some(p99) = self.p99_ns() else {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_mean_stddev_p99() {
        let mut w = SlidingWindow::new(1000, SimDuration::MAX);
        for v in 1..=100u64 {
            w.push(SimTime::from_ns(v), v);
        }
        let s = w.summary();
        assert_eq!(s.count, 100);
        assert!((s.mean_ns - 50.5).abs() < 1e-9);
        assert!((s.stddev_ns - 28.866).abs() < 0.01);
        assert_eq!(s.p99_ns, 99.0);
        assert_eq!(s.sum_ns, 5050);
        assert!((s.tail_ns(TailMode::MeanPlus3Sigma) - (50.5 + 3.0 * 28.866)).abs() < 0.05);
    }

    #[test]
    fn window_is_bounded_by_count_and_age() {
        let mut w = SlidingWindow::new(10, SimDuration::from_ns(1_000));
        for i in 0..50u64 {
            w.push(SimTime::from_ns(i), 7);
        }
        assert_eq!(w.len(), 10);
        assert_eq!(w.mean_ns(), Some(7.0));
        w.push(SimTime::from_ns(5_000), 3);
        // the ten old samples are older than 1000 ns at t = 5000
        assert_eq!(w.len(), 1);
        assert_eq!(w.summary().p99_ns, 3.0);
    }

    /// The old definition: nearest-rank p99 by selection over a copy.
    fn p99_by_selection(w: &SlidingWindow) -> Option<u64> {
        let mut v: Vec<u64> = w.samples.iter().map(|(_, v)| v).collect();
        let n = v.len();
        if n == 0 {
            return None;
        }
        let idx = (((n as f64) * 0.99).ceil() as usize).clamp(1, n) - 1;
        Some(*v.select_nth_unstable(idx).1)
    }

    #[test]
    fn rank_from_top_never_exceeds_the_fast_path_bound() {
        for n in 1..200_000usize {
            assert!(p99_rank_from_top(n) <= n / 100 + 2, "n = {n}");
        }
    }

    #[test]
    fn incremental_p99_equals_selection_under_random_traffic() {
        // xorshift: the test needs no RNG crate, only varied values, ties and gaps.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for case in 0..24u64 {
            let cap = [1u32, 2, 7, 100, 1024, 4096][(case % 6) as usize];
            let mut w = SlidingWindow::new(cap, SimDuration::from_ns(2_000 + case * 500));
            let mut t = 0u64;
            for step in 0..6_000u64 {
                t += next() % [3, 40, 400][(case % 3) as usize];
                // phases: a few distinct values (ties), wide values, a rising trend
                let v = match (step / 1_500 + case) % 4 {
                    0 => 1_000 + next() % 4,
                    1 => next() % 1_000_000,
                    2 => step * 10 + next() % 50,
                    _ => 7,
                };
                w.push(SimTime::from_ns(t), v);
                if step % 97 == 0 {
                    w.expire(SimTime::from_ns(t + next() % 3_000));
                }
                if step % 2_711 == 2_710 {
                    w.clear();
                }
                // the tail alone must hold the answer (no fallback to a selection)
                assert!(w.is_empty() || w.tail_len >= p99_rank_from_top(w.len()));
                assert_eq!(
                    w.tail_len,
                    w.tail.iter().map(|&(_, c)| c as usize).sum::<usize>()
                );
                assert_eq!(
                    w.p99_ns(),
                    p99_by_selection(&w),
                    "case {case} step {step} n {}",
                    w.len()
                );
            }
        }
    }

    #[test]
    fn a_window_above_the_initial_ring_grows_and_stays_exact() {
        // a window above the initial 4096 slots grows and stays exact
        let mut w = SlidingWindow::new(5_000, SimDuration::MAX);
        for i in 0..6_000u64 {
            w.push(SimTime::from_ns(i), (i * 7_919) % 10_007);
        }
        assert_eq!(w.len(), 5_000);
        assert_eq!(w.p99_ns(), p99_by_selection(&w));
    }
}
