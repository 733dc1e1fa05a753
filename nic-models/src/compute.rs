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

// the exact float-to-integer helpers every cost model rounds with live in
// the shared vocabulary (time conversions use them too)
pub use vocab::round::{round_to_u64, u64_to_f64};

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
    fn instructions_scale_with_ipc_and_clock() {
        let c = CoreClock::new(1.2, 2.0).unwrap();
        // 2400 instructions at 2 per cycle = 1200 cycles = 1000 ns at 1.2 GHz.
        assert_eq!(c.instructions(2400), SimDuration::from_ns(1000));
        assert_eq!(c.cycles(1200), SimDuration::from_ns(1000));
        assert!(CoreClock::new(0.0, 1.0).is_err());
    }
}
