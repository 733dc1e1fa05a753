//! Compute cost of a core: clock and sustained IPC turn an instruction count into time.
//!
//! The model is the issue's "task time = compute cycles + memory stalls +
//! accelerator waits": compute time is `instructions / (ipc x clock)`, where
//! `ipc` is the sustained IPC of the core on work that hits in L1 (memory
//! stalls are charged separately by the cache model, so they must not be
//! folded into `ipc`).

use serde::Deserialize;
use sim_core::SimDuration;

use crate::error::{positive, ModelError};
use crate::ranges::{number, MAX_IPC};

/// `[compute]` section of a profile.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ComputeConfig {
    /// Sustained instructions per cycle on L1-resident work.
    pub ipc: f64,
}

impl ComputeConfig {
    /// Checks the values; errors name the key.
    pub fn validate(&self) -> Result<(), ModelError> {
        number(
            "compute.ipc",
            self.ipc,
            (0.0, MAX_IPC),
            true,
            "instructions per cycle",
        )
    }
}

/// Clock and IPC of one kind of core.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CoreClock {
    /// Clock in GHz (cycles per ns).
    pub freq_ghz: f64,
    /// Sustained IPC on L1-resident work.
    pub ipc: f64,
}

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

impl CoreClock {
    /// Builds and checks a clock.
    pub fn new(freq_ghz: f64, ipc: f64) -> Result<Self, ModelError> {
        positive("core_freq_ghz", freq_ghz)?;
        positive("compute.ipc", ipc)?;
        Ok(CoreClock { freq_ghz, ipc })
    }

    /// Time to retire `instructions` at the sustained IPC.
    pub fn instructions(&self, instructions: u64) -> SimDuration {
        // ps = instr / (ipc * GHz) * 1000
        SimDuration::from_ps(round_to_u64(
            instructions as f64 * 1000.0 / (self.ipc * self.freq_ghz),
        ))
    }

    /// Time of `cycles` clock cycles.
    #[inline]
    pub fn cycles(&self, cycles: u64) -> SimDuration {
        SimDuration::from_ps(round_to_u64(u64_to_f64(cycles) * 1000.0 / self.freq_ghz))
    }

    /// Cycles elapsed in `d` (for IPC reports).
    pub fn cycles_in(&self, d: SimDuration) -> f64 {
        d.as_ps() as f64 * self.freq_ghz / 1000.0
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

    #[test]
    fn instructions_scale_with_ipc_and_clock() {
        let c = CoreClock::new(1.2, 2.0).unwrap();
        // 2400 instructions at 2 per cycle = 1200 cycles = 1000 ns at 1.2 GHz.
        assert_eq!(c.instructions(2400), SimDuration::from_ns(1000));
        assert_eq!(c.cycles(1200), SimDuration::from_ns(1000));
        assert!(CoreClock::new(0.0, 1.0).is_err());
    }
}
