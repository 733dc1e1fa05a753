//! Tests of `LatencyHistogram`: every answer equals hdrhistogram fed the same values, and the bins span only what was recorded.

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

/// Merging and clearing visit only each histogram's span: two
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

/// The bins span only what was recorded, from a base near the lowest
/// sample (not bin 0) to the highest, growing at either end by at
/// least the span's length, up to the whole range and no further:
/// microsecond latencies hold a few thousand bins, not the 252 KB of
/// the full layout.
#[test]
fn bins_span_what_was_recorded_and_grow_at_either_end() {
    let mut h = LatencyHistogram::new();
    assert!(h.bins.is_empty());
    let span = |h: &LatencyHistogram| (h.base, h.base + h.bins.len());
    h.record(SimDuration::from_us(5));
    let b5 = bin_of(5_000);
    assert_eq!(
        span(&h),
        (b5 - b5 % BASE_ALIGN, b5 - b5 % BASE_ALIGN + BASE_ALIGN)
    );
    assert!(h.base > 0, "microseconds need no bins from 0");
    // up: at least doubling, at most twice what is needed (aligned)
    h.record(SimDuration::from_us(1_000));
    let b = bin_of(1_000_000);
    let (base, end) = span(&h);
    assert!(
        end > b && end - base <= 2 * (b + 1 - base) + BASE_ALIGN,
        "{base}..{end}"
    );
    // down, below the base
    h.record(SimDuration::from_ns(300));
    assert!(h.base <= bin_of(300), "{}", h.base);
    assert_eq!(h.base % BASE_ALIGN, 0);
    assert!(h.bins.len() < bin_of(HIST_MAX_NS) / 2, "{}", h.bins.len());
    h.record(SimDuration::from_secs(5000));
    assert_eq!(span(&h), (0, bin_of(HIST_MAX_NS) + 1));
    let mut merged = LatencyHistogram::new();
    merged.merge(&h);
    assert!(merged.base <= h.base && merged.base + merged.bins.len() >= h.base + h.bins.len());
    assert_eq!(merged.max_us(), h.max_us());
    assert_eq!(merged.quantile_us(0.5), h.quantile_us(0.5));
    assert_eq!(merged.quantile_us(0.0), h.quantile_us(0.0));
}

/// Samples falling (the span grows down, its counts move) and rising,
/// and merges of histograms with different bases, answer as
/// hdrhistogram fed the same values.
#[test]
fn falling_and_rising_samples_and_merges_answer_like_hdrhistogram() {
    let values: Vec<u64> = (0..400u64).map(|i| 40_000_000 / (i + 1) + i).collect();
    let mut theirs = Histogram::<u64>::new_with_bounds(1, HIST_MAX_NS, 3).unwrap();
    let (mut falling, mut rising) = (LatencyHistogram::new(), LatencyHistogram::new());
    for (k, &v) in values.iter().enumerate() {
        theirs.record(v).unwrap();
        falling.record(SimDuration::from_ns(v));
        rising.record(SimDuration::from_ns(values[values.len() - 1 - k]));
    }
    let mut high = LatencyHistogram::new();
    high.record(SimDuration::from_ms(3));
    let mut merged = high.clone();
    merged.merge(&rising);
    let mut theirs_merged = theirs.clone();
    theirs_merged.record(3_000_000).unwrap();
    for (ours, t) in [
        (&falling, &theirs),
        (&rising, &theirs),
        (&merged, &theirs_merged),
    ] {
        assert_eq!(ours.count(), t.len());
        assert_eq!(ours.mean_us(), t.mean() / 1_000.0);
        assert_eq!(ours.stdev_us(), t.stdev() / 1_000.0);
        assert_eq!(ours.max_us(), t.max() as f64 / 1_000.0);
        for q in [0.0, 0.25, 0.5, 0.9, 0.999, 1.0] {
            assert_eq!(ours.quantile_us(q), t.value_at_quantile(q) as f64 / 1_000.0);
        }
    }
}

#[test]
fn out_of_range_samples_are_counted() {
    let mut h = LatencyHistogram::new();
    h.record(SimDuration::from_secs(5000));
    assert_eq!(h.saturated(), 1);
    assert_eq!(h.count(), 1);
}
