//! Exact float-to-integer conversions without libm calls: `round_to_u64` (`x.round() as u64`) and `u64_to_f64` (`v as f64`).
//!
//! Why here: every cost model turns a float (cycles scaled by a clock, bytes
//! over a rate) into integer picoseconds, once or twice per event. On the
//! baseline x86-64 target `f64::round` is a call into libm (or the compiler's
//! soft implementation), and the unsigned conversions take a dozen
//! instructions; both showed in profiles of every run. These give the same
//! bits as the plain expressions (tested below), so switching a call site
//! never changes a result.

/// `x.round() as u64`, exactly, without the call to libm's `round` the
/// baseline x86-64 target makes (every cycle charge rounds twice). Below
/// 2^53 the integer part and the fraction are exact in f64; above, NaN and
/// negative values take the plain expression (a negative rounds to 0 either way).
#[inline]
pub fn round_to_u64(x: f64) -> u64 {
    if !(x > 0.0 && x < 9.0e15) {
        return x.round() as u64;
    }
    // through i64: in this range the signed conversions are exact and one
    // instruction each, where the unsigned ones take a dozen on x86-64
    let i = x as i64;
    // the half-up step as an added 0 or 1, not a branch: the fraction of a
    // cycle charge is as good as random (as a branch it was mispredicted
    // on about half of an actor run's charges, cachegrind)
    i as u64 + u64::from(x - i as f64 >= 0.5)
}

/// `v as f64` (the same value, rounded to nearest), through the signed
/// conversion when `v` fits in an `i64` (every cycle count does).
#[inline]
pub fn u64_to_f64(v: u64) -> f64 {
    match i64::try_from(v) {
        Ok(s) => s as f64,
        Err(_) => v as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u64_to_f64_matches_the_plain_conversion() {
        let mut x = 11u64;
        for v in [
            0,
            1,
            (1 << 53) + 1,
            i64::MAX as u64,
            i64::MAX as u64 + 1,
            u64::MAX,
        ] {
            assert_eq!(u64_to_f64(v).to_bits(), (v as f64).to_bits(), "{v}");
        }
        for _ in 0..10_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let v = x >> (x % 64);
            assert_eq!(u64_to_f64(v).to_bits(), (v as f64).to_bits(), "{v}");
        }
    }

    #[test]
    fn round_to_u64_matches_round_exactly() {
        let mut v = vec![
            0.0,
            -0.0,
            -0.4,
            -0.5,
            -3.7,
            0.49999999999999994,
            0.5,
            1.5,
            2.5,
            4503599627370495.5,
            8.9e15 + 0.5,
            9.0e15,
            1e19,
            1e30,
            f64::NAN,
            f64::INFINITY,
        ];
        let mut x = 7u64;
        for _ in 0..10_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            v.push((x >> 11) as f64 / (1u64 << (x % 50)) as f64);
            v.push((x >> 40) as f64 + 0.5);
        }
        for x in v {
            assert_eq!(round_to_u64(x), x.round() as u64, "{x}");
        }
    }
}
