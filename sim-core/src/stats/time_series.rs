//! Time series: sums of named quantities per fixed-length window of simulated time, with a bound on the rows.

use crate::time::{SimDuration, SimTime};

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
    /// Start in ps of the row before the last (`last_span.0` while there is
    /// none, an empty span): samples a little behind the newest row land
    /// there (a frame arriving while earlier frames' completions already
    /// opened the next row), two thirds of them in a 64 B echo run.
    before_last_start: u64,
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
            before_last_start: 0,
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
        if ps >= self.before_last_start && ps < self.last_span.0 {
            return self.rows.len() - 2;
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
        self.before_last_start = last.saturating_sub(1).saturating_mul(w);
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

    /// Samples in any order land in the window of their time, as a direct
    /// division says, whichever rows exist when they come.
    #[test]
    fn swarm_samples_land_in_the_window_their_time_names() {
        use rand::{Rng, SeedableRng};
        for seed in 0..100u64 {
            let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
            let max_windows = rng.gen_range(1..12);
            let mut ts = TimeSeries::new(SimDuration::from_us(10), ["n"], max_windows);
            let mut want = vec![0.0; max_windows];
            let mut late = 0;
            let mut newest_ps = 0u64;
            for _ in 0..300 {
                // mostly near the newest sample, sometimes behind or far ahead
                let ps = match rng.gen_range(0..4) {
                    0 => newest_ps.saturating_sub(rng.gen_range(0..25_000_000)),
                    1 => newest_ps + rng.gen_range(0..40_000_000),
                    _ => newest_ps + rng.gen_range(0..3_000_000),
                };
                newest_ps = newest_ps.max(ps);
                let idx = (ps / 10_000_000) as usize;
                if idx >= max_windows {
                    late += 1;
                }
                want[idx.min(max_windows - 1)] += 1.0;
                ts.add(SimTime::from_ps(ps), 0, 1.0);
            }
            let mut got: Vec<f64> = ts.rows().iter().map(|r| r[0]).collect();
            got.resize(max_windows, 0.0);
            assert_eq!(got, want, "seed {seed}");
            assert_eq!(ts.merged_late(), late, "seed {seed}");
        }
    }
}
