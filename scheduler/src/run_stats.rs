//! `RunStats`: the run-wide latency record (exact count, sum and sum of squares,
//! and an HDR histogram of 2 significant digits, 1 ns to 1 hour, for percentiles).
//!
//! Two records are kept per request (the actor's and its group's), so the
//! record path counts: `record` only bumps one bin of a plain array laid out
//! exactly as hdrhistogram lays out its counts for these bounds (256
//! sub-buckets per power of two, see `bin_of`), about 10 instructions
//! instead of hdrhistogram's ~100. The percentiles are read off those bins
//! by hdrhistogram's own rule (`vocab::hdr_bins::value_at_quantile`), so
//! they are exactly what recording every value into hdrhistogram gave; the
//! tests below check this against hdrhistogram itself.

use crate::stats::LatencySummary;

/// Largest value the run histogram tracks (larger values are clamped): 1 hour.
const RUN_HIST_MAX_NS: u64 = 3_600_000_000_000;

/// hdrhistogram's layout for these bounds (see `vocab::hdr_bins`): 2 significant
/// digits.
const HALF_MAGNITUDE: u32 = 7;

#[inline]
fn bin_of(v: u64) -> usize {
    vocab::hdr_bins::bin_of::<HALF_MAGNITUDE>(v)
}

#[cfg(test)]
fn lowest_of(i: usize) -> u64 {
    vocab::hdr_bins::lowest_of::<HALF_MAGNITUDE>(i)
}

/// Run-wide latency record: exact count, sum and sum of squares, and an HDR histogram
/// (2 significant digits, 1 ns to ~1 hour) for percentiles.
#[derive(Clone, Debug)]
pub struct RunStats {
    /// Samples per histogram bin (`bin_of`), up to the highest bin recorded
    /// (at most the bin of `RUN_HIST_MAX_NS`): grown on demand, since a
    /// runtime keeps one record per group and per actor and most never see
    /// a value near an hour (zeroing every bin up front cost more than the run's records).
    bins: Vec<u64>,
    count: u64,
    sum: u128,
    sum_sq: u128,
}

impl Default for RunStats {
    fn default() -> Self {
        RunStats::new()
    }
}

impl RunStats {
    /// Empty record.
    pub fn new() -> RunStats {
        RunStats {
            bins: Vec::new(),
            count: 0,
            sum: 0,
            sum_sq: 0,
        }
    }

    /// Record one latency.
    #[inline]
    pub fn record(&mut self, value_ns: u64) {
        let v = value_ns.clamp(1, RUN_HIST_MAX_NS);
        let b = bin_of(v);
        match self.bins.get_mut(b) {
            Some(c) => *c += 1,
            None => self.grow_to(b),
        }
        self.count += 1;
        self.sum += u128::from(value_ns);
        self.sum_sq += u128::from(value_ns) * u128::from(value_ns);
    }

    /// Makes room up to bin `b` (in range: `v <= RUN_HIST_MAX_NS`) and counts one sample there.
    #[cold]
    fn grow_to(&mut self, b: usize) {
        // a little headroom so that a slowly rising maximum grows rarely
        let len = (b + 1)
            .max(2 * self.bins.len())
            .min(bin_of(RUN_HIST_MAX_NS) + 1);
        self.bins.resize(len.max(b + 1), 0);
        self.bins[b] += 1;
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
            p99_ns: self.quantile_ns(0.99) as f64,
            sum_ns: self.sum.min(u128::from(u64::MAX)) as u64,
        }
    }

    /// Value at quantile `q` in [0, 1], nanoseconds (histogram precision: 2
    /// significant digits): hdrhistogram's answer, read off the bins.
    pub fn quantile_ns(&self, q: f64) -> u64 {
        vocab::hdr_bins::value_at_quantile::<HALF_MAGNITUDE>(
            self.bins.iter().copied().enumerate(),
            self.count,
            q,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hdrhistogram::Histogram;
    use rand::{RngCore, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

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

    fn reference() -> Histogram<u64> {
        Histogram::new_with_bounds(1, RUN_HIST_MAX_NS, 2).unwrap()
    }

    #[test]
    fn bins_grow_on_demand_and_stop_at_the_clamp() {
        let mut r = RunStats::new();
        r.record(5);
        assert!(r.bins.len() <= 2 * (bin_of(5) + 1));
        r.record(u64::MAX);
        assert_eq!(r.bins.len(), bin_of(RUN_HIST_MAX_NS) + 1);
        assert_eq!(r.bins[bin_of(5)], 1);
        assert_eq!(r.bins[bin_of(RUN_HIST_MAX_NS)], 1);
        assert_eq!(r.count(), 2);
    }

    #[test]
    fn bins_are_hdrhistograms_indexes() {
        let h = reference();
        // the most bins a record grows to
        assert!(bin_of(RUN_HIST_MAX_NS) < h.distinct_values());
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0x9e37_79b9_7f4a_7c15);
        let mut values: Vec<u64> = (0..64).flat_map(|k| [(1u64 << k) - 1, 1 << k]).collect();
        for _ in 0..20_000 {
            let x = rng.next_u64();
            values.push(x >> (x % 64));
        }
        for v in values {
            let v = v.clamp(1, RUN_HIST_MAX_NS);
            let i = bin_of(v);
            // same bin as hdrhistogram: its lowest value is ours, and ours maps back
            assert_eq!(lowest_of(i), h.lowest_equivalent(v), "value {v}");
            assert_eq!(bin_of(lowest_of(i).max(1)), i, "value {v}");
        }
    }

    #[test]
    fn quantiles_equal_recording_every_value_into_hdrhistogram() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0x2545_f491_4f6c_dd1d);
        for case in 0..6u64 {
            let (mut ours, mut theirs) = (RunStats::new(), reference());
            for step in 0..5_000u64 {
                let x = rng.next_u64();
                let v = match case {
                    0 => x % 300,                                 // first bucket, zeros clamp to 1
                    1 => 2_000 + x % 200,                         // a few bins, many ties
                    2 => x % 100_000_000,                         // wide
                    3 => (x >> (x % 64)) % (4 * RUN_HIST_MAX_NS), // every magnitude, past the max
                    4 => step * 997,                              // rising
                    _ => [4_000, 70_000, 1][(x % 3) as usize],
                };
                ours.record(v);
                theirs.saturating_record(v.clamp(1, RUN_HIST_MAX_NS));
            }
            for q in [0.0, 0.001, 0.25, 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0] {
                assert_eq!(
                    ours.quantile_ns(q),
                    theirs.value_at_quantile(q),
                    "case {case} q {q}"
                );
            }
            assert_eq!(ours.summary().p99_ns, theirs.value_at_quantile(0.99) as f64);
        }
    }
}
