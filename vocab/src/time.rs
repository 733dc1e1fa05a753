//! Simulated time: `SimTime` (an instant) and `SimDuration` (a span), integer picoseconds.
//!
//! Picoseconds because one byte on a 100 Gb/s wire lasts 80 ps and a PCIe Gen3
//! lane moves a byte in 1 ns: nanoseconds would round away the differences the
//! models care about. A `u64` of picoseconds covers about 213 days of simulated
//! time, far beyond any run. Floating point appears only at the edges
//! (constructors from calibrated `f64` constants, and reporting helpers).

use std::fmt;
use std::ops::{Add, AddAssign, Div, Mul, Sub, SubAssign};

const PS_PER_NS: u64 = 1_000;
const PS_PER_US: u64 = 1_000_000;
const PS_PER_MS: u64 = 1_000_000_000;
const PS_PER_S: u64 = 1_000_000_000_000;

/// An instant of simulated time, in picoseconds since the start of the run.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(u64);

/// A span of simulated time, in picoseconds.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimDuration(u64);

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// The largest representable instant; used as "never".
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// An instant `ps` picoseconds after the start.
    pub const fn from_ps(ps: u64) -> Self {
        SimTime(ps)
    }
    /// An instant `ns` nanoseconds after the start.
    pub const fn from_ns(ns: u64) -> Self {
        SimTime(ns.saturating_mul(PS_PER_NS))
    }
    /// An instant `us` microseconds after the start.
    pub const fn from_us(us: u64) -> Self {
        SimTime(us.saturating_mul(PS_PER_US))
    }
    /// An instant `ms` milliseconds after the start.
    pub const fn from_ms(ms: u64) -> Self {
        SimTime(ms.saturating_mul(PS_PER_MS))
    }
    /// Picoseconds since the start.
    pub const fn as_ps(self) -> u64 {
        self.0
    }
    /// Whole nanoseconds since the start (rounded down).
    pub const fn as_ns(self) -> u64 {
        self.0 / PS_PER_NS
    }
    /// This instant rounded down to a whole nanosecond.
    pub const fn floor_ns(self) -> SimTime {
        SimTime(self.0 - self.0 % PS_PER_NS)
    }
    /// Time since the start as a duration.
    pub const fn since_start(self) -> SimDuration {
        SimDuration(self.0)
    }
    /// Seconds since the start, for reports only.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / PS_PER_S as f64
    }
    /// The span from `earlier` to `self`, zero if `earlier` is later.
    pub const fn saturating_since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
    /// `self + d`, or `None` on overflow.
    pub const fn checked_add(self, d: SimDuration) -> Option<SimTime> {
        match self.0.checked_add(d.0) {
            Some(v) => Some(SimTime(v)),
            None => None,
        }
    }
}

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);
    /// The longest representable span.
    pub const MAX: SimDuration = SimDuration(u64::MAX);

    /// A span of `ps` picoseconds.
    pub const fn from_ps(ps: u64) -> Self {
        SimDuration(ps)
    }
    /// A span of `ns` nanoseconds.
    pub const fn from_ns(ns: u64) -> Self {
        SimDuration(ns.saturating_mul(PS_PER_NS))
    }
    /// A span of `us` microseconds.
    pub const fn from_us(us: u64) -> Self {
        SimDuration(us.saturating_mul(PS_PER_US))
    }
    /// A span of `ms` milliseconds.
    pub const fn from_ms(ms: u64) -> Self {
        SimDuration(ms.saturating_mul(PS_PER_MS))
    }
    /// A span of `s` seconds.
    pub const fn from_secs(s: u64) -> Self {
        SimDuration(s.saturating_mul(PS_PER_S))
    }
    /// A span from a (calibrated, non-negative) number of nanoseconds, rounded
    /// to the nearest picosecond. Negative or NaN inputs give zero.
    pub fn from_ns_f64(ns: f64) -> Self {
        if ns.is_nan() || ns <= 0.0 {
            return SimDuration::ZERO;
        }
        SimDuration(crate::round::round_to_u64(ns * PS_PER_NS as f64))
    }
    /// A span from a (non-negative) number of microseconds, rounded to the picosecond.
    pub fn from_us_f64(us: f64) -> Self {
        Self::from_ns_f64(us * 1_000.0)
    }
    /// A span from a (non-negative) number of seconds, rounded to the picosecond.
    pub fn from_secs_f64(s: f64) -> Self {
        Self::from_ns_f64(s * 1e9)
    }
    /// The time to move `bytes` at `rate_gbps` gigabits per second. A zero
    /// rate gives `SimDuration::MAX` (never finishes).
    pub fn for_bytes_at_gbps(bytes: u64, rate_gbps: f64) -> Self {
        if rate_gbps <= 0.0 || rate_gbps.is_nan() {
            return SimDuration::MAX;
        }
        // bits / (Gb/s) = ns; * 1000 = ps.
        // the exact round without libm's call: once per frame on every link
        let bits_x1000 = crate::round::u64_to_f64(bytes) * 8.0 * 1_000.0;
        SimDuration(crate::round::round_to_u64(bits_x1000 / rate_gbps))
    }
    /// Picoseconds in this span.
    pub const fn as_ps(self) -> u64 {
        self.0
    }
    /// Whole nanoseconds in this span (rounded down).
    pub const fn as_ns(self) -> u64 {
        self.0 / PS_PER_NS
    }
    /// This span rounded down to a whole nanosecond.
    pub const fn floor_ns(self) -> SimDuration {
        SimDuration(self.0 - self.0 % PS_PER_NS)
    }
    /// This span rounded up to a whole nanosecond (saturating at `MAX`).
    pub const fn ceil_ns(self) -> SimDuration {
        match self.0 % PS_PER_NS {
            0 => self,
            r => SimDuration(self.0.saturating_add(PS_PER_NS - r)),
        }
    }
    /// Nanoseconds in this span, for reports.
    pub fn as_ns_f64(self) -> f64 {
        self.0 as f64 / PS_PER_NS as f64
    }
    /// Microseconds in this span, for reports.
    pub fn as_us_f64(self) -> f64 {
        self.0 as f64 / PS_PER_US as f64
    }
    /// Seconds in this span, for reports.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / PS_PER_S as f64
    }
    /// `self - other`, zero if `other` is longer.
    pub const fn saturating_sub(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_sub(other.0))
    }
    /// `self + other`, saturating at `SimDuration::MAX`.
    pub const fn saturating_add(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(other.0))
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    /// Saturates at `SimTime::MAX` so that "never" stays "never".
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}
impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, d: SimDuration) {
        *self = *self + d;
    }
}
impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    /// Saturates at zero: a span is never negative.
    fn sub(self, earlier: SimTime) -> SimDuration {
        self.saturating_since(earlier)
    }
}
impl Sub<SimDuration> for SimTime {
    type Output = SimTime;
    fn sub(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_sub(d.0))
    }
}
impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, o: SimDuration) -> SimDuration {
        self.saturating_add(o)
    }
}
impl AddAssign for SimDuration {
    fn add_assign(&mut self, o: SimDuration) {
        *self = *self + o;
    }
}
impl Sub for SimDuration {
    type Output = SimDuration;
    fn sub(self, o: SimDuration) -> SimDuration {
        self.saturating_sub(o)
    }
}
impl SubAssign for SimDuration {
    fn sub_assign(&mut self, o: SimDuration) {
        *self = *self - o;
    }
}
impl Mul<u64> for SimDuration {
    type Output = SimDuration;
    fn mul(self, k: u64) -> SimDuration {
        SimDuration(self.0.saturating_mul(k))
    }
}
impl Div<u64> for SimDuration {
    type Output = SimDuration;
    fn div(self, k: u64) -> SimDuration {
        SimDuration(self.0 / k.max(1))
    }
}

impl fmt::Debug for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t={}", fmt_ps(self.0))
    }
}
impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&fmt_ps(self.0))
    }
}
impl fmt::Debug for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&fmt_ps(self.0))
    }
}
impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&fmt_ps(self.0))
    }
}

/// Human-readable picoseconds with the largest unit that keeps the value >= 1.
fn fmt_ps(ps: u64) -> String {
    if ps == u64::MAX {
        return "never".to_string();
    }
    let (div, unit) = if ps >= PS_PER_S {
        (PS_PER_S, "s")
    } else if ps >= PS_PER_MS {
        (PS_PER_MS, "ms")
    } else if ps >= PS_PER_US {
        (PS_PER_US, "us")
    } else if ps >= PS_PER_NS {
        (PS_PER_NS, "ns")
    } else {
        (1, "ps")
    };
    if div == 1 {
        format!("{ps}ps")
    } else {
        format!("{:.3}{unit}", ps as f64 / div as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_convert_exactly() {
        assert_eq!(SimDuration::from_us(3).as_ps(), 3_000_000);
        assert_eq!(
            SimTime::from_ns(5) + SimDuration::from_ps(7),
            SimTime::from_ps(5_007)
        );
        assert_eq!(SimDuration::from_ns_f64(1.5).as_ps(), 1_500);
    }

    #[test]
    fn wire_time_of_a_byte_at_10gbps_is_800ps() {
        assert_eq!(SimDuration::for_bytes_at_gbps(1, 10.0).as_ps(), 800);
        assert_eq!(SimDuration::for_bytes_at_gbps(1, 0.0), SimDuration::MAX);
    }

    #[test]
    fn arithmetic_saturates_instead_of_wrapping() {
        assert_eq!(SimTime::MAX + SimDuration::from_ns(1), SimTime::MAX);
        assert_eq!(SimTime::from_ns(1) - SimTime::from_ns(2), SimDuration::ZERO);
    }

    #[test]
    fn huge_integer_constructors_saturate() {
        assert_eq!(SimDuration::from_ns(u64::MAX), SimDuration::MAX);
        assert_eq!(SimTime::from_ms(u64::MAX), SimTime::MAX);
        assert_eq!(SimDuration::from_secs(u64::MAX / 2), SimDuration::MAX);
    }

    #[test]
    fn nanosecond_views_round_as_named() {
        let d = SimDuration::from_ps(2_001);
        assert_eq!(d.as_ns(), 2);
        assert_eq!(d.floor_ns(), SimDuration::from_ns(2));
        assert_eq!(d.ceil_ns(), SimDuration::from_ns(3));
        assert_eq!(SimDuration::from_ns(4).ceil_ns(), SimDuration::from_ns(4));
        assert_eq!(SimDuration::MAX.ceil_ns(), SimDuration::MAX);
        assert_eq!(SimTime::from_ps(1_999).floor_ns(), SimTime::from_ns(1));
        assert_eq!(SimTime::from_ps(1_999).as_ns(), 1);
    }

    #[test]
    fn nanoseconds_round_trip_losslessly() {
        // Every whole-ns value the scheduler's `_ns` settings can hold below
        // u64::MAX / 1000 survives ns -> SimDuration -> ns unchanged.
        for ns in [0, 1, 999, 30_000, 2_000_000, u64::MAX / 1_000] {
            assert_eq!(SimDuration::from_ns(ns).as_ns(), ns);
            assert_eq!(SimTime::from_ns(ns).as_ns(), ns);
        }
    }

    #[test]
    fn display_picks_a_readable_unit() {
        assert_eq!(SimDuration::from_ns(1_500).to_string(), "1.500us");
        assert_eq!(SimTime::MAX.to_string(), "never");
    }
}
