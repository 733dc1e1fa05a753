//! Latency histograms: samples in bins laid out as hdrhistogram's counts, answered by hdrhistogram's own formulas.

use crate::time::SimDuration;
use hdrhistogram::Histogram;

/// Latency distribution in nanoseconds, 3 significant digits, 1 ns to 1000 s.
///
/// A record bumps one bin of a plain array laid out exactly as
/// hdrhistogram lays out its counts for these bounds (see [`bin_of`]):
/// about 10 instructions instead of hdrhistogram's ~60, twice per request
/// in an actor run. The mean, quantiles and maximum are computed from the
/// bins by hdrhistogram's own formulas; the standard deviation reads a real
/// `hdrhistogram::Histogram` filled from the bins (built once, on the first
/// such query after a change). So every answer is exactly what recording
/// each value into hdrhistogram gave (tested): the same counts per bin,
/// values read at bin resolution.
#[derive(Clone)]
pub struct LatencyHistogram {
    /// Samples per bin ([`bin_of`]), from bin 0 up to at least the highest
    /// bin recorded so far (grown on demand, never past the bin of
    /// `HIST_MAX_NS`). Why: all ~31,600 bins take 252 KB, and a cluster run
    /// holds a histogram per server, actor and client; allocated up front
    /// they cost more in zeroing and page faults than their samples take
    /// to record.
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
    /// An empty histogram. Its bins are allocated as samples need them
    /// (`grow_to`): zeroing all ~30,000 at once took 0.26 M instructions,
    /// for a histogram that may never get a sample or only low ones.
    pub fn new() -> Self {
        LatencyHistogram {
            bins: Vec::new(),
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
    // always inlined: a node records one or two per request, and the call
    // with its register saves cost about as much as the recording
    #[inline(always)]
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
        match self.bins.get_mut(bin) {
            Some(c) => *c += 1,
            None => self.grow_to(bin),
        }
        self.count += 1;
        self.lo = self.lo.min(bin);
        self.hi = self.hi.max(bin);
        self.changed();
    }

    /// Makes room up to bin `b` (in range: at most the bin of
    /// `HIST_MAX_NS`) and counts one sample there.
    #[cold]
    fn grow_to(&mut self, b: usize) {
        self.reserve_bins(b);
        self.bins[b] += 1;
    }

    /// Bins up to `b` exist (at least doubling, so that a slowly rising
    /// maximum grows rarely; never past the bin of `HIST_MAX_NS`).
    fn reserve_bins(&mut self, b: usize) {
        if b < self.bins.len() {
            return;
        }
        let len = (b + 1)
            .max(2 * self.bins.len())
            .min(bin_of(HIST_MAX_NS) + 1)
            .max(b + 1);
        self.bins.resize(len, 0);
    }

    /// Adds another histogram's samples.
    pub fn merge(&mut self, other: &LatencyHistogram) {
        if let Some(from) = other.bins.get(other.lo..=other.hi) {
            self.reserve_bins(other.hi);
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

    /// The bins grow with the highest sample (at most doubling), up to the
    /// whole range and no further: microsecond latencies hold a few
    /// thousand bins, not the 252 KB of the full layout.
    #[test]
    fn bins_grow_with_the_highest_sample() {
        let mut h = LatencyHistogram::new();
        assert!(h.bins.is_empty());
        h.record(SimDuration::from_ns(900));
        assert_eq!(h.bins.len(), bin_of(900) + 1);
        h.record(SimDuration::from_us(1_000));
        let b = bin_of(1_000_000);
        assert!(
            h.bins.len() > b && h.bins.len() <= 2 * (b + 1),
            "{}",
            h.bins.len()
        );
        assert!(h.bins.len() < bin_of(HIST_MAX_NS) / 2, "{}", h.bins.len());
        h.record(SimDuration::from_secs(5000));
        assert_eq!(h.bins.len(), bin_of(HIST_MAX_NS) + 1);
        let mut merged = LatencyHistogram::new();
        merged.merge(&h);
        assert!(merged.bins.len() > merged.hi);
        assert_eq!(merged.max_us(), h.max_us());
        assert_eq!(merged.quantile_us(0.5), h.quantile_us(0.5));
    }

    #[test]
    fn out_of_range_samples_are_counted() {
        let mut h = LatencyHistogram::new();
        h.record(SimDuration::from_secs(5000));
        assert_eq!(h.saturated(), 1);
        assert_eq!(h.count(), 1);
    }
}
