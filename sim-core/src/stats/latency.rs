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
    /// Samples per bin ([`bin_of`]): `bins[k]` counts bin `base + k`, over
    /// a span that covers every bin recorded so far (grown on demand at
    /// either end, never past the bin of `HIST_MAX_NS`). Why: all ~31,600
    /// bins take 252 KB, and a cluster run holds a histogram per server,
    /// actor and client; allocated up front they cost more in zeroing and
    /// page faults than their samples take to record. Why a base: latencies
    /// of microseconds start near bin 2,000; starting there cut the
    /// histograms' peak memory in the leaf-spine example by a third (2,805
    /// to 1,896 KiB, `valgrind --tool=dhat` on a system-allocator build).
    bins: Vec<u64>,
    /// The bin `bins[0]` counts (a multiple of [`BASE_ALIGN`]). Merging,
    /// building and clearing visit only the span, a few thousand of the
    /// ~30,000 bins (a cluster report merges hundreds of histograms); the
    /// span replaced a lowest and highest bin kept per record.
    base: usize,
    count: u64,
    /// Samples above the range, clamped to the top bucket (counted, not lost).
    saturated: u64,
    /// The hdrhistogram of the bins, built on the first query after a change.
    built: std::sync::OnceLock<Histogram<u64>>,
}

const HIST_MAX_NS: u64 = 1_000_000_000_000;

/// The span's ends move by whole multiples of this many bins (a bucket
/// half), so that a histogram whose samples wander a little grows rarely.
const BASE_ALIGN: usize = 1 << HALF_MAGNITUDE;

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

fn range_of(i: usize) -> u64 {
    vocab::hdr_bins::range_of::<HALF_MAGNITUDE>(i)
}

fn highest_of(i: usize) -> u64 {
    vocab::hdr_bins::highest_of::<HALF_MAGNITUDE>(i)
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
            base: 0,
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
        // in range: `ns <= HIST_MAX_NS`, whose bin is the last; a bin
        // below the base wraps to an index past the end and grows too
        let bin = bin_of(ns);
        match self.bins.get_mut(bin.wrapping_sub(self.base)) {
            Some(c) => *c += 1,
            None => self.grow_to(bin),
        }
        self.count += 1;
        self.changed();
    }

    /// Makes room for bin `b` (in range: at most the bin of
    /// `HIST_MAX_NS`) and counts one sample there.
    #[cold]
    fn grow_to(&mut self, b: usize) {
        self.reserve_bins(b, b);
        self.bins[b - self.base] += 1;
    }

    /// Bins `first..=last` exist. The span grows at the end that needs it,
    /// by at least its own length (so that a slowly rising maximum or
    /// falling minimum grows rarely), to multiples of [`BASE_ALIGN`], and
    /// never past the bin of `HIST_MAX_NS`.
    fn reserve_bins(&mut self, first: usize, last: usize) {
        let end = self.base + self.bins.len();
        if first >= self.base && last < end {
            return;
        }
        let top = bin_of(HIST_MAX_NS) + 1;
        let (new_base, new_end) = if self.bins.is_empty() {
            (
                first - first % BASE_ALIGN,
                (last + 1).next_multiple_of(BASE_ALIGN),
            )
        } else {
            let len = self.bins.len();
            let lower = if first < self.base {
                first.min(self.base.saturating_sub(len))
            } else {
                self.base
            };
            let upper = if last >= end {
                (last + 1).max(end + len)
            } else {
                end
            };
            (
                lower - lower % BASE_ALIGN,
                upper.next_multiple_of(BASE_ALIGN),
            )
        };
        let new_end = new_end.min(top);
        if new_base < self.base && !self.bins.is_empty() {
            let mut grown = vec![0; new_end - new_base];
            let at = self.base - new_base;
            grown[at..at + self.bins.len()].copy_from_slice(&self.bins);
            self.bins = grown;
        } else {
            self.bins.resize(new_end - new_base, 0);
        }
        self.base = new_base;
    }

    /// Adds another histogram's samples.
    pub fn merge(&mut self, other: &LatencyHistogram) {
        if let Some(last) = other.last_bin() {
            self.reserve_bins(other.base, last);
            let at = other.base - self.base;
            // a plain add, which the compiler vectorizes: a saturating one
            // took 10-20 instructions a bin, and merges of a few thousand
            // bins were a third of a cluster report's instructions. A count
            // cannot reach 2^64 samples; debug builds check it anyway.
            for (a, b) in self.bins[at..at + other.bins.len()]
                .iter_mut()
                .zip(&other.bins)
            {
                *a += *b;
            }
        }
        self.count += other.count;
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

    /// The last bin of the span, `None` before any sample.
    fn last_bin(&self) -> Option<usize> {
        if self.bins.is_empty() {
            None
        } else {
            Some(self.base + self.bins.len() - 1)
        }
    }

    /// The bins of the span (every bin that can be non-zero), with their indices.
    fn used(&self) -> impl DoubleEndedIterator<Item = (usize, u64)> + '_ {
        let base = self.base;
        self.bins
            .iter()
            .enumerate()
            .map(move |(k, &c)| (base + k, c))
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
            // read off the bins (no histogram to build: ~0.6 M
            // instructions per histogram, issue 13)
            vocab::hdr_bins::value_at_quantile::<HALF_MAGNITUDE>(self.used(), self.count, q) as f64
                / 1_000.0
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
        self.bins.fill(0);
        self.count = 0;
        self.saturated = 0;
        self.changed();
    }
}

#[cfg(test)]
#[path = "latency_tests.rs"]
mod tests;
