//! Latency statistics with bounded memory: a sliding window (count- and age-bounded)
//! for policy decisions, and a run-wide histogram for reports.
//!
//! Mean and standard deviation come from running sums (O(1)); the measured p99 uses
//! a selection over a copy of the window (O(n), n <= the window bound), computed only
//! when a summary is asked for (policy evaluation, reports).

use crate::settings::TailMode;
use hdrhistogram::Histogram;
use std::collections::VecDeque;
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
    samples: VecDeque<(SimTime, u64)>,
    max_samples: usize,
    max_age: SimDuration,
    sum: u128,
    sum_sq: u128,
}

impl SlidingWindow {
    /// An empty window.
    pub fn new(max_samples: u32, max_age: SimDuration) -> SlidingWindow {
        SlidingWindow {
            samples: VecDeque::with_capacity((max_samples as usize).min(4096)),
            max_samples: max_samples.max(1) as usize,
            max_age,
            sum: 0,
            sum_sq: 0,
        }
    }

    fn pop_front(&mut self) {
        if let Some((_, v)) = self.samples.pop_front() {
            self.sum -= u128::from(v);
            self.sum_sq -= u128::from(v) * u128::from(v);
        }
    }

    /// Add a sample taken at `now`.
    pub fn push(&mut self, now: SimTime, value_ns: u64) {
        if self.samples.len() == self.max_samples {
            self.pop_front();
        }
        self.samples.push_back((now, value_ns));
        self.sum += u128::from(value_ns);
        self.sum_sq += u128::from(value_ns) * u128::from(value_ns);
        self.expire(now);
    }

    /// Drop samples older than the window's age bound.
    pub fn expire(&mut self, now: SimTime) {
        while let Some(&(t, _)) = self.samples.front() {
            if now.saturating_since(t) > self.max_age {
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
            Some(self.sum as f64 / self.samples.len() as f64)
        }
    }

    /// Full summary (p99 by selection over a copy).
    pub fn summary(&self) -> LatencySummary {
        let n = self.samples.len();
        if n == 0 {
            return LatencySummary::default();
        }
        let mean = self.sum as f64 / n as f64;
        let var = (self.sum_sq as f64 / n as f64 - mean * mean).max(0.0);
        let mut values: Vec<u64> = self.samples.iter().map(|&(_, v)| v).collect();
        // nearest-rank p99: the ceil(0.99 n)-th smallest value
        let rank = ((n as f64) * 0.99).ceil() as usize;
        let idx = rank.clamp(1, n) - 1;
        let (_, p99, _) = values.select_nth_unstable(idx);
        LatencySummary {
            count: n as u64,
            mean_ns: mean,
            stddev_ns: var.sqrt(),
            p99_ns: *p99 as f64,
            sum_ns: self.sum.min(u128::from(u64::MAX)) as u64,
        }
    }
}

/// Run-wide latency record: exact count, sum and sum of squares, and an HDR histogram
/// (2 significant digits, 1 ns to ~1 hour) for percentiles.
#[derive(Clone, Debug)]
pub struct RunStats {
    hist: Histogram<u64>,
    count: u64,
    sum: u128,
    sum_sq: u128,
}

/// Largest value the run histogram tracks (larger values are clamped): 1 hour.
const RUN_HIST_MAX_NS: u64 = 3_600_000_000_000;

impl Default for RunStats {
    fn default() -> Self {
        RunStats::new()
    }
}

impl RunStats {
    /// Empty record.
    pub fn new() -> RunStats {
        // Cannot fail: the bounds are constants that satisfy hdrhistogram's rules
        // (low >= 1, high >= 2 x low, 2 significant digits).
        let hist = Histogram::new_with_bounds(1, RUN_HIST_MAX_NS, 2)
            .expect("constant histogram bounds are valid");
        RunStats {
            hist,
            count: 0,
            sum: 0,
            sum_sq: 0,
        }
    }

    /// Record one latency.
    pub fn record(&mut self, value_ns: u64) {
        let v = value_ns.clamp(1, RUN_HIST_MAX_NS);
        // saturating_record never fails
        self.hist.saturating_record(v);
        self.count += 1;
        self.sum += u128::from(value_ns);
        self.sum_sq += u128::from(value_ns) * u128::from(value_ns);
    }

    /// Number of samples.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Summary over the run.
    pub fn summary(&self) -> LatencySummary {
        if self.count == 0 {
            return LatencySummary::default();
        }
        let n = self.count as f64;
        let mean = self.sum as f64 / n;
        let var = (self.sum_sq as f64 / n - mean * mean).max(0.0);
        LatencySummary {
            count: self.count,
            mean_ns: mean,
            stddev_ns: var.sqrt(),
            p99_ns: self.hist.value_at_quantile(0.99) as f64,
            sum_ns: self.sum.min(u128::from(u64::MAX)) as u64,
        }
    }

    /// Value at quantile `q` in [0, 1], nanoseconds (histogram precision: 2 significant digits).
    pub fn quantile_ns(&self, q: f64) -> u64 {
        self.hist.value_at_quantile(q)
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

    #[test]
    fn run_stats_percentiles() {
        let mut r = RunStats::new();
        for v in 1..=1000u64 {
            r.record(v * 1_000);
        }
        let s = r.summary();
        assert_eq!(s.count, 1000);
        assert!((s.mean_ns - 500_500.0).abs() < 1e-6);
        // 2 significant digits of precision
        assert!(
            (s.p99_ns - 990_000.0).abs() / 990_000.0 < 0.01,
            "{}",
            s.p99_ns
        );
    }
}
