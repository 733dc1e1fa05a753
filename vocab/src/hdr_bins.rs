//! hdrhistogram's bin layout for a lowest discernible value of 1, as two plain functions, so that a recorder can bump a bin of a plain array and fill a real hdrhistogram from the bins when it is read.
//!
//! hdrhistogram (lowest 1, `d` significant digits) uses `2 * HALF` sub-buckets,
//! `HALF = 2^HALF_MAGNITUDE` the smallest power of two at least `10^d`; the first
//! bucket holds `0..2*HALF`, every later bucket the upper `HALF` sub-buckets of
//! the next power of two. `HALF_MAGNITUDE` is 7 for 2 digits and 10 for 3.
//! Both the simulator's `LatencyHistogram` (sim-core) and the runtime's run
//! statistics (scheduler) use it; each tests it against hdrhistogram itself.

/// The bin of value `v`: hdrhistogram's `index_for` for these bounds (the
/// bucket is how many powers of two `v` exceeds the first bucket by, the
/// sub-bucket its top `HALF_MAGNITUDE + 1` significant bits).
#[inline]
pub fn bin_of<const HALF_MAGNITUDE: u32>(v: u64) -> usize {
    let half: u64 = 1 << HALF_MAGNITUDE;
    // `(sub_bucket_count - 1) << unit_magnitude`, unit magnitude 0 for lowest 1
    let sub_bucket_mask = 2 * half - 1;
    // `64 - unit_magnitude - (HALF_MAGNITUDE + 1)`
    let leading_zero_count_base = 64 - (HALF_MAGNITUDE + 1);
    let bucket = leading_zero_count_base - (v | sub_bucket_mask).leading_zeros();
    let sub = v >> bucket;
    (((u64::from(bucket) + 1) << HALF_MAGNITUDE) + sub - half) as usize
}

/// The lowest value of bin `i`: hdrhistogram's `value_for` (so `bin_of` of it is `i`).
pub fn lowest_of<const HALF_MAGNITUDE: u32>(i: usize) -> u64 {
    let half: u64 = 1 << HALF_MAGNITUDE;
    let i = i as u64;
    let bucket = (i >> HALF_MAGNITUDE).saturating_sub(1);
    let sub = if i < half { i } else { (i & (half - 1)) + half };
    sub << bucket
}

/// How many values bin `i` holds: hdrhistogram's `equivalent_range`,
/// `1 << bucket` (unit magnitude 0).
pub fn range_of<const HALF_MAGNITUDE: u32>(i: usize) -> u64 {
    1u64 << (i >> HALF_MAGNITUDE).saturating_sub(1)
}

/// The highest value of bin `i`: hdrhistogram's `highest_equivalent` of its lowest.
pub fn highest_of<const HALF_MAGNITUDE: u32>(i: usize) -> u64 {
    lowest_of::<HALF_MAGNITUDE>(i) + range_of::<HALF_MAGNITUDE>(i) - 1
}

/// hdrhistogram's `value_at_quantile`, read off bins given as (bin, count)
/// in bin order, `total` the sum of their counts: the first bin whose
/// running count reaches `ceil(q total)` (at least 1), at its highest
/// equivalent value (its lowest for `q = 0`); 0 when empty. Without
/// building a histogram: building one to ask it was 22,000 instructions
/// and a zeroed counts array per question.
pub fn value_at_quantile<const HALF_MAGNITUDE: u32>(
    bins: impl IntoIterator<Item = (usize, u64)>,
    total: u64,
    q: f64,
) -> u64 {
    let q = if q > 1.0 { 1.0 } else { q };
    let target = ((q * total as f64).ceil() as u64).max(1);
    let mut seen = 0u64;
    for (i, c) in bins {
        seen += c;
        if seen >= target {
            return if q == 0.0 {
                lowest_of::<HALF_MAGNITUDE>(i)
            } else {
                highest_of::<HALF_MAGNITUDE>(i)
            };
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_ordered_and_their_lowest_values_map_back() {
        for &v in &[1u64, 2, 127, 128, 255, 256, 257, 1_000, 65_535, 1 << 40] {
            let (b2, b3) = (bin_of::<7>(v), bin_of::<10>(v));
            assert!(
                lowest_of::<7>(b2) <= v && lowest_of::<10>(b3) <= v,
                "value {v}"
            );
            assert_eq!(bin_of::<7>(lowest_of::<7>(b2)), b2);
            assert_eq!(bin_of::<10>(lowest_of::<10>(b3)), b3);
        }
        // exact below 2 * HALF, then one bin per HALF-th of a power of two
        assert_eq!(bin_of::<7>(255), 255);
        assert_eq!(bin_of::<7>(256), 256);
        assert_eq!(bin_of::<7>(257), 256);
        assert_eq!(bin_of::<10>(2047), 2047);
        assert_eq!(bin_of::<10>(2048), 2048);
        assert_eq!(bin_of::<10>(2049), 2048);
        assert_eq!(bin_of::<10>(2050), 2049);
    }
}
