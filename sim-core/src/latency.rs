//! `LatencyHistogram`: latency distribution in nanoseconds (3 significant digits, 1 ns to 1000 s) with percentiles, recorded into hdrhistogram-layout bins.

use crate::time::SimDuration;
use hdrhistogram::Histogram;

/// Latency distribution in nanoseconds, 3 significant digits, 1 ns to 1000 s.
///
/// Recording is on every request's path (3-4 records each), so `record` only
/// bumps one bin of a plain array laid out exactly as hdrhistogram lays out
/// its counts for these bounds ([`bin_of`]), about 10 instructions instead
/// of hdrhistogram's ~40. The statistics are read from a real
/// `hdrhistogram::Histogram` filled from the bins when first asked (reports,
/// at the end of a run) and kept until the next record, so they are exactly
/// what recording every value into hdrhistogram gave (the tests check this
/// against hdrhistogram itself). Same scheme as `scheduler::run_stats`.
#[derive(Clone)]
pub struct LatencyHistogram {
    /// Samples per bin (`bin_of`), up to the bin of `HIST_MAX_NS`.
    bins: Vec<u64>,
    count: u64,
    /// Samples above the range, clamped to the top bucket (counted, not lost).
    saturated: u64,
    /// The hdrhistogram of the bins, built on the first read after a change.
    built: std::cell::OnceCell<Histogram<u64>>,
}

const HIST_MAX_NS: u64 = 1_000_000_000_000;

/// hdrhistogram's layout for low = 1, 3 significant digits: the smallest
/// power of two holding 2 x 10^3 values is 2048 sub-buckets, half of them
/// (`HALF` = 1024, magnitude 10) per bucket after the first.
const HALF_MAGNITUDE: u32 = 10;
const HALF: u64 = 1 << HALF_MAGNITUDE;
/// `(sub_bucket_count - 1) << unit_magnitude` (unit magnitude 0 for low = 1).
const SUB_BUCKET_MASK: u64 = 2 * HALF - 1;
/// `64 - unit_magnitude - (HALF_MAGNITUDE + 1)`.
const LEADING_ZERO_COUNT_BASE: u32 = 64 - (HALF_MAGNITUDE + 1);

/// hdrhistogram's `index_for` for these bounds: the bucket is how many
/// powers of two `v` exceeds the first bucket by, the sub-bucket its top
/// 11 significant bits.
#[inline]
fn bin_of(v: u64) -> usize {
    let bucket = LEADING_ZERO_COUNT_BASE - (v | SUB_BUCKET_MASK).leading_zeros();
    let sub = v >> bucket;
    (((u64::from(bucket) + 1) << HALF_MAGNITUDE) + sub - HALF) as usize
}

/// hdrhistogram's `value_for`: the lowest value of bin `i` (`bin_of` of it is `i`).
fn lowest_of(i: usize) -> u64 {
    let i = i as u64;
    let bucket = (i >> HALF_MAGNITUDE).saturating_sub(1);
    let sub = if i < HALF { i } else { (i & (HALF - 1)) + HALF };
    sub << bucket
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
            count: 0,
            saturated: 0,
            built: std::cell::OnceCell::new(),
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
        self.bins[bin_of(ns)] += 1;
        self.count += 1;
        if self.built.get().is_some() {
            self.built = std::cell::OnceCell::new();
        }
    }

    /// The hdrhistogram the bins describe (each bin's count recorded at its
    /// lowest value: the same counts array recording every sample gives).
    fn hist(&self) -> &Histogram<u64> {
        self.built.get_or_init(|| {
            // The bounds are constants that hdrhistogram accepts; failure here
            // is a programming error caught by the unit tests.
            let mut h =
                Histogram::new_with_bounds(1, HIST_MAX_NS, 3).expect("valid histogram bounds");
            for (i, &n) in self.bins.iter().enumerate() {
                if n > 0 {
                    // Cannot fail: every bin's lowest value is within the bounds.
                    let _ = h.record_n(lowest_of(i), n);
                }
            }
            h
        })
    }

    /// Adds another histogram's samples.
    pub fn merge(&mut self, other: &LatencyHistogram) {
        for (a, b) in self.bins.iter_mut().zip(&other.bins) {
            *a += b;
        }
        self.count += other.count;
        self.saturated += other.saturated;
        self.built = std::cell::OnceCell::new();
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
            self.hist().mean() / 1_000.0
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
            self.hist().value_at_quantile(q) as f64 / 1_000.0
        }
    }
    /// Largest sample in microseconds.
    pub fn max_us(&self) -> f64 {
        self.hist().max() as f64 / 1_000.0
    }
    /// Samples that exceeded the range and were clamped.
    pub fn saturated(&self) -> u64 {
        self.saturated
    }
    /// Forgets every sample.
    pub fn clear(&mut self) {
        self.bins.fill(0);
        self.count = 0;
        self.saturated = 0;
        self.built = std::cell::OnceCell::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// Every statistic equals recording the same values into hdrhistogram
    /// itself (the previous implementation), merges and clears included.
    #[test]
    fn equals_hdrhistogram_recording_every_value() {
        use crate::rng::RngStreams;
        use rand::Rng;
        let reference = || Histogram::<u64>::new_with_bounds(1, HIST_MAX_NS, 3).unwrap();
        let mut r = RngStreams::new(3).stream("hist");
        let (mut ours, mut theirs) = (LatencyHistogram::new(), reference());
        let (mut ours2, mut theirs2) = (LatencyHistogram::new(), reference());
        for i in 0..20_000u32 {
            // log-spread over the whole range, plus exact bucket edges
            let ns: u64 = match i % 4 {
                0 => 1u64 << r.gen_range(0..40),
                1 => (1u64 << r.gen_range(0..40)) - 1,
                _ => (r.gen_range(0.0..27.6f64)).exp() as u64,
            }
            .clamp(1, HIST_MAX_NS);
            let (o, t) = if i % 3 == 0 {
                (&mut ours2, &mut theirs2)
            } else {
                (&mut ours, &mut theirs)
            };
            o.record(SimDuration::from_ns(ns));
            t.record(ns).unwrap();
            if i == 10_000 {
                // a read in the middle, then more records: the cache is dropped
                assert_eq!(ours.hist().max(), theirs.max());
            }
        }
        ours.merge(&ours2);
        theirs.add(&theirs2).unwrap();
        assert_eq!(ours.count(), theirs.len());
        assert_eq!(ours.mean_us(), theirs.mean() / 1_000.0);
        assert_eq!(ours.stdev_us(), theirs.stdev() / 1_000.0);
        assert_eq!(ours.max_us(), theirs.max() as f64 / 1_000.0);
        for q in [0.0, 0.01, 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0] {
            assert_eq!(
                ours.quantile_us(q),
                theirs.value_at_quantile(q) as f64 / 1_000.0,
                "q {q}"
            );
        }
        for i in [0usize, 1, 1023, 1024, 2047, 2048, 31_000] {
            assert_eq!(bin_of(lowest_of(i)), i, "bin {i}");
        }
        ours.clear();
        assert_eq!((ours.count(), ours.quantile_us(0.5)), (0, 0.0));
    }

    #[test]
    fn out_of_range_samples_are_counted() {
        let mut h = LatencyHistogram::new();
        h.record(SimDuration::from_secs(5000));
        assert_eq!(h.saturated(), 1);
        assert_eq!(h.count(), 1);
    }
}
