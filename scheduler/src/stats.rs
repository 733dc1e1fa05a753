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

pub(crate) use crate::moments::Moments;
use crate::ring::{age_cutoff_ps, OldestSample, Ring};
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
    samples: Ring<(SimTime, u64)>,
    max_samples: usize,
    max_age: SimDuration,
    m: Moments,
}

impl SlidingWindow {
    /// An empty window.
    pub fn new(max_samples: u32, max_age: SimDuration) -> SlidingWindow {
        SlidingWindow {
            samples: Ring::with_capacity((max_samples as usize).clamp(1, 4096)),
            max_samples: max_samples.max(1) as usize,
            max_age,
            m: Moments::default(),
        }
    }

    #[inline]
    fn pop_front(&mut self) {
        if let Some((_, v)) = self.samples.pop_front() {
            self.m.remove(v);
        }
    }

    #[inline(always)]
    fn maintain_tail(&mut self) {
        let samples = &self.samples;
        self.m
            .maintain(samples.len(), || samples.iter().map(|(_, v)| v));
    }

    /// Add a sample taken at `now`.
    // inlined into the runtime's completion, which pushes four windows per
    // request: the call and its register saves cost more than the common path
    #[inline(always)]
    pub fn push(&mut self, now: SimTime, value_ns: u64) {
        self.push_deferred(now, value_ns);
        self.expire_samples(now);
        // The tail is re-checked at the next expiry or clear (the runtime
        // expires every window at each policy tick, before reading them),
        // not per push: a p99 read in between is still exact (`Moments::p99_ns`
        // falls back to a selection when the tail is short).
    }

    /// [`Self::push`] without the age test (the count bound still holds),
    /// for a window read only right after an [`Self::expire`] or a
    /// [`Self::clear`]: it then holds exactly what `push` would have left.
    /// A sample leaves by count when as many newer ones came, or by age;
    /// either way its leaving does not depend on when the age was tested
    /// (cutoffs only grow), and the samples stay in push order. The
    /// runtime's group windows are read only at policy ticks, after their
    /// expiry, so their pushes (one a request) skip the test.
    #[inline(always)]
    pub fn push_deferred(&mut self, now: SimTime, value_ns: u64) {
        if self.samples.len() == self.max_samples {
            self.pop_front();
        }
        self.samples.push_back((now, value_ns));
        self.m.add(value_ns);
    }

    /// Drop samples older than the window's age bound.
    pub fn expire(&mut self, now: SimTime) {
        self.expire_samples(now);
        self.maintain_tail();
    }

    #[inline]
    fn expire_samples(&mut self, now: SimTime) {
        let Some(cutoff) = age_cutoff_ps(now, self.max_age) else {
            return;
        };
        while self.samples.front_older_than(cutoff) {
            self.pop_front();
        }
    }

    /// Forget every sample (after a placement change the old samples describe another situation).
    pub fn clear(&mut self) {
        self.samples.clear();
        self.m.clear_sums();
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
        self.m.mean_ns(self.samples.len())
    }

    /// Nearest-rank p99 (the ceil(0.99 n)-th smallest sample); `None` if empty.
    pub fn p99_ns(&self) -> Option<u64> {
        self.m
            .p99_ns(self.samples.len(), self.samples.iter().map(|(_, v)| v))
    }

    /// Full summary (p99 from the incrementally kept tail).
    pub fn summary(&self) -> LatencySummary {
        self.m
            .summary(self.samples.len(), self.samples.iter().map(|(_, v)| v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::moments::p99_rank_from_top;
    use rand::{RngCore, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

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
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0x2545_f491_4f6c_dd1d);
        let mut next = move || rng.next_u64();
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
                if step % 97 == 0 {
                    // after an expiry the tail alone holds the answer (no
                    // fallback to a selection)
                    assert!(w.is_empty() || w.m.tail_len() >= p99_rank_from_top(w.len()));
                }
                assert_eq!(w.m.tail_len(), w.m.tail_copies());
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
    fn deferred_pushes_read_after_an_expiry_equal_pushes() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0x5eed_0013);
        let mut next = move || rng.next_u64();
        for (cap, age) in [(8u32, 500u64), (100, 2_000), (4096, 300)] {
            let max_age = SimDuration::from_ns(age);
            let (mut a, mut d) = (
                SlidingWindow::new(cap, max_age),
                SlidingWindow::new(cap, max_age),
            );
            let mut t = 0u64;
            for step in 0..5_000u64 {
                t += next() % 60;
                let v = if step % 50 == 0 {
                    1_000_000
                } else {
                    next() % 5_000
                };
                a.push(SimTime::from_ns(t), v);
                d.push_deferred(SimTime::from_ns(t), v);
                if step % 37 == 0 {
                    let read_at = SimTime::from_ns(t + next() % 100);
                    a.expire(read_at);
                    d.expire(read_at);
                    assert_eq!(a.len(), d.len(), "cap {cap} step {step}");
                    assert_eq!(a.summary(), d.summary(), "cap {cap} step {step}");
                }
                if step % 1_999 == 1_998 {
                    a.clear();
                    d.clear();
                }
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
