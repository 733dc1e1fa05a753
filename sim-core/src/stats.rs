//! Statistics: latency histograms with percentiles, and per-window time series.
//!
//! Both have bounded memory: the histogram's buckets are fixed by its range
//! and precision, and a time series holds at most `max_windows` rows (later
//! windows are merged into the last one and counted).

use crate::time::{SimDuration, SimTime};
use hdrhistogram::Histogram;

/// Latency distribution in nanoseconds, 3 significant digits, 1 ns to 1000 s.
///
/// A record bumps one bin of a plain array laid out exactly as
/// hdrhistogram lays out its counts for these bounds (see [`bin_of`]):
/// about 10 instructions instead of hdrhistogram's ~60, twice per request
/// in an actor run. Queries read a real `hdrhistogram::Histogram` filled
/// from the bins (built once, on the first query after a change), so every
/// answer is exactly what recording each value into hdrhistogram gave: the
/// same counts per bin, and its min and max are read at bin resolution.
#[derive(Clone)]
pub struct LatencyHistogram {
    /// Samples per bin ([`bin_of`]), up to the bin of `HIST_MAX_NS`.
    bins: Vec<u64>,
    /// The bins that can be non-zero: `lo..=hi` (empty when `lo > hi`).
    /// Latencies fill a few thousand of the ~30,000 bins, so merging,
    /// building and clearing visit only those: a cluster report merges
    /// hundreds of histograms.
    lo: usize,
    hi: usize,
    count: u64,
    /// Samples above the range, clamped to the top bucket (counted, not lost).
    saturated: u64,
    /// The hdrhistogram of the bins, built on the first query after a change.
    built: std::sync::OnceLock<Histogram<u64>>,
}

const HIST_MAX_NS: u64 = 1_000_000_000_000;

/// hdrhistogram's layout for these bounds (see `vocab::hdr_bins`): 3 significant
/// digits.
const HALF_MAGNITUDE: u32 = 10;

#[inline]
fn bin_of(v: u64) -> usize {
    vocab::hdr_bins::bin_of::<HALF_MAGNITUDE>(v)
}

fn lowest_of(i: usize) -> u64 {
    vocab::hdr_bins::lowest_of::<HALF_MAGNITUDE>(i)
}

/// How many values bin `i` holds: hdrhistogram's `equivalent_range`,
/// `1 << bucket` (unit magnitude 0).
fn range_of(i: usize) -> u64 {
    1u64 << (i >> HALF_MAGNITUDE).saturating_sub(1)
}

/// The highest value of bin `i`: hdrhistogram's `highest_equivalent` of its lowest.
fn highest_of(i: usize) -> u64 {
    lowest_of(i) + range_of(i) - 1
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl LatencyHistogram {
    /// An empty histogram.
    pub fn new() -> Self {
        LatencyHistogram {
            bins: vec![0; bin_of(HIST_MAX_NS) + 1],
            lo: usize::MAX,
            hi: 0,
            count: 0,
            saturated: 0,
            built: std::sync::OnceLock::new(),
        }
    }

    /// Forgets the built histogram after a change.
    #[inline]
    fn changed(&mut self) {
        if self.built.get_mut().is_some() {
            self.built = std::sync::OnceLock::new();
        }
    }

    /// Records one latency.
    #[inline]
    pub fn record(&mut self, d: SimDuration) {
        let ns = (d.as_ps() / 1_000).max(1);
        let ns = if ns > HIST_MAX_NS {
            self.saturated += 1;
            HIST_MAX_NS
        } else {
            ns
        };
        // in range: `ns <= HIST_MAX_NS`, whose bin is the last
        let bin = bin_of(ns);
        if let Some(c) = self.bins.get_mut(bin) {
            *c += 1;
            self.count += 1;
            self.lo = self.lo.min(bin);
            self.hi = self.hi.max(bin);
        }
        self.changed();
    }

    /// Adds another histogram's samples.
    pub fn merge(&mut self, other: &LatencyHistogram) {
        if let Some(from) = other.bins.get(other.lo..=other.hi) {
            for (a, b) in self.bins[other.lo..=other.hi].iter_mut().zip(from) {
                *a = a.saturating_add(*b);
            }
            self.lo = self.lo.min(other.lo);
            self.hi = self.hi.max(other.hi);
        }
        self.count = self.count.saturating_add(other.count);
        self.saturated += other.saturated;
        self.changed();
    }

    /// The hdrhistogram holding the same counts per bin.
    fn hist(&self) -> &Histogram<u64> {
        self.built.get_or_init(|| {
            // The bounds are constants that hdrhistogram accepts; failure
            // here is a programming error caught by the unit tests.
            let mut h =
                Histogram::new_with_bounds(1, HIST_MAX_NS, 3).expect("valid histogram bounds");
            for (i, c) in self.used() {
                if c > 0 {
                    // every bin's lowest value is within the bounds, so
                    // nothing saturates
                    h.saturating_record_n(lowest_of(i), c);
                }
            }
            h
        })
    }

    /// The bins that can be non-zero (`lo..=hi`), with their indices.
    fn used(&self) -> impl DoubleEndedIterator<Item = (usize, u64)> + '_ {
        let used = self.bins.get(self.lo..=self.hi).unwrap_or(&[]);
        used.iter().enumerate().map(|(k, &c)| (self.lo + k, c))
    }

    /// Number of samples.
    pub fn count(&self) -> u64 {
        self.count
    }
    /// Mean in microseconds (0 when empty).
    pub fn mean_us(&self) -> f64 {
        if self.count() == 0 {
            0.0
        } else {
            // hdrhistogram's `mean()`, term by term in the same order: each
            // recorded bin at its median equivalent, the bin's lowest value
            // plus half its range (`1 << bucket`, unit magnitude 0). Read
            // off the bins, without building the histogram or walking its
            // iterator (~1 M instructions per call; issue 13). The unit
            // test comparing with hdrhistogram's `mean()` checks it.
            let n = self.count as f64;
            let mean = self
                .used()
                .filter(|&(_, c)| c > 0)
                .fold(0.0_f64, |total, (i, c)| {
                    let median = lowest_of(i) + (range_of(i) >> 1);
                    total + median as f64 * c as f64 / n
                });
            mean / 1_000.0
        }
    }
    /// Standard deviation in microseconds.
    pub fn stdev_us(&self) -> f64 {
        if self.count() == 0 {
            0.0
        } else {
            self.hist().stdev() / 1_000.0
        }
    }
    /// The `q`-quantile (0..=1) in microseconds (0 when empty).
    pub fn quantile_us(&self, q: f64) -> f64 {
        if self.count() == 0 {
            0.0
        } else {
            // hdrhistogram's `value_at_quantile`, read off the bins (no
            // histogram to build: ~0.6 M instructions per histogram, issue
            // 13): the first bin whose running count reaches ceil(q n), at
            // its highest equivalent value (its lowest for q = 0)
            let q = if q > 1.0 { 1.0 } else { q };
            let target = ((q * self.count as f64).ceil() as u64).max(1);
            let mut seen = 0u64;
            for (i, c) in self.used() {
                seen = seen.saturating_add(c);
                if seen >= target {
                    let v = if q == 0.0 {
                        lowest_of(i)
                    } else {
                        highest_of(i)
                    };
                    return v as f64 / 1_000.0;
                }
            }
            0.0
        }
    }
    /// Largest sample in microseconds.
    pub fn max_us(&self) -> f64 {
        // hdrhistogram's `max()`: the highest equivalent of the largest
        // value recorded (a bin's lowest), 0 when empty
        match self.used().rev().find(|&(_, c)| c > 0) {
            Some((i, _)) => highest_of(i) as f64 / 1_000.0,
            None => 0.0,
        }
    }
    /// Samples that exceeded the range and were clamped.
    pub fn saturated(&self) -> u64 {
        self.saturated
    }
    /// Forgets every sample.
    pub fn clear(&mut self) {
        if let Some(used) = self.bins.get_mut(self.lo..=self.hi) {
            used.iter_mut().for_each(|c| *c = 0);
        }
        self.lo = usize::MAX;
        self.hi = 0;
        self.count = 0;
        self.saturated = 0;
        self.changed();
    }
}

/// Sums of named quantities per fixed-length window of simulated time.
#[derive(Clone, Debug)]
pub struct TimeSeries {
    window: SimDuration,
    columns: Vec<String>,
    rows: Vec<Vec<f64>>,
    max_windows: usize,
    merged_late: u64,
    /// `[start, end)` in ps of the last row (empty before the first row):
    /// most samples fall there, found with two comparisons.
    last_span: (u64, u64),
}

impl TimeSeries {
    /// A series of `columns`, one row per `window`, at most `max_windows` rows.
    pub fn new<S: Into<String>>(
        window: SimDuration,
        columns: impl IntoIterator<Item = S>,
        max_windows: usize,
    ) -> Self {
        TimeSeries {
            window: if window == SimDuration::ZERO {
                SimDuration::from_ms(1)
            } else {
                window
            },
            columns: columns.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
            max_windows: max_windows.max(1),
            merged_late: 0,
            last_span: (0, 0),
        }
    }

    /// Adds `value` to `column` in the window containing `at`.
    #[inline]
    pub fn add(&mut self, at: SimTime, column: usize, value: f64) {
        let idx = self.window_index(at);
        self.rows[idx][column] += value;
    }

    /// The row of sums of the window containing `at` (one lookup for
    /// several columns at the same time).
    #[inline]
    pub fn row_mut(&mut self, at: SimTime) -> &mut [f64] {
        let idx = self.window_index(at);
        &mut self.rows[idx]
    }

    /// Index of the row holding `at`, creating rows as needed. Most samples
    /// fall in the last row, so that case is two comparisons.
    #[inline]
    fn window_index(&mut self, at: SimTime) -> usize {
        let ps = at.as_ps();
        if ps >= self.last_span.0 && ps < self.last_span.1 {
            return self.rows.len() - 1;
        }
        self.window_index_slow(ps)
    }

    #[cold]
    fn window_index_slow(&mut self, ps: u64) -> usize {
        let w = self.window.as_ps();
        let mut idx = (ps / w) as usize;
        if idx >= self.max_windows {
            self.merged_late += 1;
            idx = self.max_windows - 1;
        }
        if self.rows.len() <= idx {
            self.grow_to(idx + 1);
        }
        idx
    }

    /// Adds zero rows up to `n` rows and updates the last row's span.
    fn grow_to(&mut self, n: usize) {
        while self.rows.len() < n {
            self.rows.push(vec![0.0; self.columns.len()]);
        }
        let last = self.rows.len() as u64 - 1;
        let w = self.window.as_ps();
        // the last allowed row also takes every later sample, counted as
        // merged: keep those on the slow path so they are counted
        self.last_span = (last.saturating_mul(w), (last + 1).saturating_mul(w));
    }

    /// Spreads the interval `[start, end)` over the windows it covers, adding
    /// the microseconds of overlap with each window to `column` (busy time).
    #[inline]
    pub fn add_interval_us(&mut self, start: SimTime, end: SimTime, column: usize) {
        // Fastest path: inside the last row (no division), inlined at the
        // caller (once per execution on a NIC core).
        if end > start && start.as_ps() >= self.last_span.0 && end.as_ps() <= self.last_span.1 {
            let idx = self.rows.len() - 1;
            self.rows[idx][column] += (end.as_ps() - start.as_ps()) as f64 / 1e6;
            return;
        }
        self.add_interval_us_slow(start, end, column);
    }

    /// [`Self::add_interval_us`] past its fastest path.
    #[inline(never)]
    fn add_interval_us_slow(&mut self, start: SimTime, end: SimTime, column: usize) {
        let w = self.window.as_ps();
        // Fast path: the whole interval inside one window.
        if end > start && start.as_ps() / w == (end.as_ps() - 1) / w {
            self.add(start, column, (end.as_ps() - start.as_ps()) as f64 / 1e6);
            return;
        }
        let mut t = start.as_ps();
        let end = end.as_ps();
        while t < end {
            let window_end = (t / w + 1) * w;
            let piece = window_end.min(end) - t;
            self.add(SimTime::from_ps(t), column, piece as f64 / 1e6);
            t += piece;
        }
    }

    /// Makes sure rows exist up to the window containing `end` (exclusive of a
    /// window that would start exactly at `end`).
    pub fn extend_to(&mut self, end: SimTime) {
        let n = end.as_ps().div_ceil(self.window.as_ps()) as usize;
        let n = n.min(self.max_windows);
        if self.rows.len() < n {
            self.grow_to(n);
        }
    }

    /// The window length.
    pub fn window(&self) -> SimDuration {
        self.window
    }
    /// Column names.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }
    /// Rows of sums, one per window from time zero.
    pub fn rows(&self) -> &[Vec<f64>] {
        &self.rows
    }
    /// Samples that fell past the last allowed window and were merged into it.
    pub fn merged_late(&self) -> u64 {
        self.merged_late
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngCore, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn percentiles_of_a_uniform_spread() {
        let mut h = LatencyHistogram::new();
        for i in 1..=1000u64 {
            h.record(SimDuration::from_ns(i * 1000));
        }
        assert_eq!(h.count(), 1000);
        assert!((h.quantile_us(0.5) - 500.0).abs() < 1.0);
        assert!((h.quantile_us(0.99) - 990.0).abs() < 2.0);
        assert!((h.mean_us() - 500.5).abs() < 1.0);
    }

    /// Every answer equals recording the same values into hdrhistogram
    /// itself (the old implementation), including after a merge.
    #[test]
    fn answers_equal_hdrhistogram_fed_the_same_values() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0x9e37_79b9_7f4a_7c15);
        let mut next = move || rng.next_u64();
        let mut ours = LatencyHistogram::new();
        let mut other = LatencyHistogram::new();
        let mut theirs = Histogram::<u64>::new_with_bounds(1, HIST_MAX_NS, 3).unwrap();
        for i in 0..20_000u64 {
            // from sub-ns (recorded as 1 ns) to past the range (clamped)
            let ps = match i % 4 {
                0 => next() % 5_000,
                1 => next() % 50_000_000,
                2 => next() % 10_000_000_000_000,
                _ => next() % 2_000_000_000_000_000,
            };
            let ns = (ps / 1_000).clamp(1, HIST_MAX_NS);
            theirs.record(ns).unwrap();
            let h = if i % 3 == 0 { &mut other } else { &mut ours };
            h.record(SimDuration::from_ps(ps));
            if i % 5_000 == 4_999 {
                // a query in between, then more records: the cache follows
                assert_eq!(ours.count() + other.count(), i + 1);
                assert!(
                    ours.quantile_us(0.5) > 0.0,
                    "a median of samples of at least 1 ns"
                );
            }
        }
        ours.merge(&other);
        assert_eq!(ours.count(), theirs.len());
        assert_eq!(ours.mean_us(), theirs.mean() / 1_000.0);
        assert_eq!(ours.stdev_us(), theirs.stdev() / 1_000.0);
        assert_eq!(ours.max_us(), theirs.max() as f64 / 1_000.0);
        for q in [0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0] {
            assert_eq!(
                ours.quantile_us(q),
                theirs.value_at_quantile(q) as f64 / 1_000.0
            );
        }
        ours.clear();
        assert_eq!(ours.count(), 0);
        assert_eq!(ours.quantile_us(0.5), 0.0);
    }

    /// Merging and clearing visit only the bins in use (`lo..=hi`): two
    /// disjoint narrow ranges, an empty histogram merged either way, and a
    /// clear followed by new samples all answer as hdrhistogram does.
    #[test]
    fn narrow_ranges_merge_and_clear_like_hdrhistogram() {
        let fed = |values: &[u64]| {
            let mut h = Histogram::<u64>::new_with_bounds(1, HIST_MAX_NS, 3).unwrap();
            values.iter().for_each(|&v| h.record(v).unwrap());
            h
        };
        let ns = |v: u64| SimDuration::from_ns(v);
        let (low, high) = ([900u64, 1_000, 1_100], [70_000u64, 80_000, 2_000_000]);
        let mut a = LatencyHistogram::new();
        low.iter().for_each(|&v| a.record(ns(v)));
        let mut b = LatencyHistogram::new();
        high.iter().for_each(|&v| b.record(ns(v)));
        let mut empty = LatencyHistogram::new();
        empty.merge(&LatencyHistogram::new());
        a.merge(&empty);
        empty.merge(&b);
        a.merge(&b);
        let all: Vec<u64> = low.iter().chain(&high).copied().collect();
        let (theirs, only_high) = (fed(&all), fed(&high));
        for q in [0.0, 0.4, 0.6, 1.0] {
            assert_eq!(a.quantile_us(q), theirs.value_at_quantile(q) as f64 / 1e3);
            assert_eq!(
                empty.quantile_us(q),
                only_high.value_at_quantile(q) as f64 / 1e3
            );
        }
        assert_eq!(a.mean_us(), theirs.mean() / 1e3);
        a.clear();
        a.record(ns(5_000));
        assert_eq!(a.count(), 1);
        assert_eq!(
            a.quantile_us(0.0),
            fed(&[5_000]).value_at_quantile(0.0) as f64 / 1e3
        );
        assert_eq!(a.mean_us(), fed(&[5_000]).mean() / 1e3);
    }

    #[test]
    fn out_of_range_samples_are_counted() {
        let mut h = LatencyHistogram::new();
        h.record(SimDuration::from_secs(5000));
        assert_eq!(h.saturated(), 1);
        assert_eq!(h.count(), 1);
    }

    #[test]
    fn time_series_sums_per_window_and_stays_bounded() {
        let mut ts = TimeSeries::new(SimDuration::from_us(10), ["pkts"], 3);
        ts.add(SimTime::from_us(1), 0, 1.0);
        ts.add(SimTime::from_us(9), 0, 1.0);
        ts.add(SimTime::from_us(15), 0, 1.0);
        ts.add(SimTime::from_us(95), 0, 1.0);
        assert_eq!(ts.rows().len(), 3);
        assert_eq!(ts.rows()[0][0], 2.0);
        assert_eq!(ts.rows()[2][0], 1.0);
        assert_eq!(ts.merged_late(), 1);
    }

    #[test]
    fn intervals_are_split_at_window_edges() {
        let mut ts = TimeSeries::new(SimDuration::from_us(10), ["busy_us"], 10);
        ts.add_interval_us(SimTime::from_us(5), SimTime::from_us(25), 0);
        let busy: Vec<f64> = ts.rows().iter().map(|r| r[0]).collect();
        assert_eq!(busy, vec![5.0, 10.0, 5.0]);
    }
}
