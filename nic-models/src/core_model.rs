//! Per-core cost model of one NIC (or the host): compute, memory stalls through the shared cache hierarchy, accelerator waits.
//!
//! # API for the platform adapter
//!
//! One `CoreModel` models all cores of one machine; every call names the core
//! (`0..cores()`), so cores that share an L2 share its contents. Each call
//! returns the time the core spends, which the adapter adds to the core's
//! clock; nothing here keeps a clock of its own.
//!
//! - `compute(core, instructions)`: `instructions / (ipc x clock)`.
//! - `cycles(core, cycles)`: `cycles / clock` (raw cycles, e.g. a calibrated handler cost).
//! - `mem_access(core, addr, bytes, write)`: stall time from the cache model.
//!   Addresses are simulated: give each object a stable address range so the
//!   working set is seen. `SCRATCHPAD_BASE` / `PACKET_BUFFER_BASE` regions
//!   bypass the caches (see `memory::hierarchy`).
//! - `accel(core, kind, bytes, now)`: issue + queueing + service at the
//!   engine, the core waiting; without an engine of that kind, the software
//!   cost on the core. `accel_submit` / `AccelTicket::is_done` is the polling
//!   form, `accel_batch` the batched form. A full engine queue is an
//!   `Err(ModelError::AccelQueueFull)`, counted in `engine_overflows`.
//! - `stats(core)`: instructions, time split, IPC and MPKI (misses of the last
//!   cache level per 1000 instructions) for reports such as Table 3.

use sim_core::{SimDuration, SimTime};

use crate::accel::{AccelConfig, AccelEngine, AccelKind, AccelTicket};
use crate::compute::{ComputeConfig, CoreClock};
use crate::error::ModelError;
use crate::memory::{CoreMemCounters, MemoryConfig, NicMemory};

/// What one core has been charged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CoreStats {
    /// Instructions charged through `compute`.
    pub instructions: u64,
    /// Time charged for compute (both `compute` and `cycles`), ps.
    pub compute_ps: u64,
    /// Time charged for memory stalls, ps.
    pub mem_stall_ps: u64,
    /// Time charged waiting for (or running in software) accelerated functions, ps.
    pub accel_ps: u64,
    /// Accelerator calls made.
    pub accel_calls: u64,
}

/// Cost model of every core of one machine.
pub struct CoreModel {
    clock: CoreClock,
    memory: NicMemory,
    accel: AccelConfig,
    engines: Vec<AccelEngine>,
    stats: Vec<CoreStats>,
}

impl CoreModel {
    /// Builds the model from profile sections: `cores` cores at `freq_ghz`.
    pub fn from_parts(
        cores: usize,
        freq_ghz: f64,
        compute: &ComputeConfig,
        memory: &MemoryConfig,
        accel: &AccelConfig,
    ) -> Result<Self, ModelError> {
        compute.validate()?;
        accel.validate()?;
        let clock = CoreClock::new(freq_ghz, compute.ipc)?;
        let memory = NicMemory::new(memory, cores)?;
        Ok(CoreModel {
            clock,
            memory,
            engines: accel
                .engines
                .iter()
                .cloned()
                .map(AccelEngine::new)
                .collect(),
            accel: accel.clone(),
            stats: vec![CoreStats::default(); cores],
        })
    }

    /// Number of cores.
    pub fn cores(&self) -> usize {
        self.stats.len()
    }

    /// Clock and IPC.
    pub fn clock(&self) -> CoreClock {
        self.clock
    }

    /// The memory hierarchy (for counters).
    pub fn memory(&self) -> &NicMemory {
        &self.memory
    }

    /// The memory hierarchy, mutably (e.g. to flush between experiments).
    pub fn memory_mut(&mut self) -> &mut NicMemory {
        &mut self.memory
    }

    #[inline]
    fn stats_mut(&mut self, core: usize) -> Result<&mut CoreStats, ModelError> {
        let cores = self.stats.len();
        // a match, not `ok_or`: that builds (and drops) the error on every call
        match self.stats.get_mut(core) {
            Some(s) => Ok(s),
            None => Err(ModelError::NoSuchCore { core, cores }),
        }
    }

    /// Time for `core` to retire `instructions` of L1-resident work.
    pub fn compute(&mut self, core: usize, instructions: u64) -> Result<SimDuration, ModelError> {
        let d = self.clock.instructions(instructions);
        let s = self.stats_mut(core)?;
        s.instructions += instructions;
        s.compute_ps += d.as_ps();
        Ok(d)
    }

    /// Time of `cycles` raw cycles on `core` (counted as `cycles x ipc` instructions for IPC reports).
    #[inline]
    pub fn cycles(&mut self, core: usize, cycles: u64) -> Result<SimDuration, ModelError> {
        let d = self.clock.cycles(cycles);
        let instr =
            crate::compute::round_to_u64(crate::compute::u64_to_f64(cycles) * self.clock.ipc);
        let s = self.stats_mut(core)?;
        s.instructions += instr;
        s.compute_ps += d.as_ps();
        Ok(d)
    }

    /// Stall time of one access of `bytes` at simulated address `addr` by `core`.
    #[inline(always)]
    pub fn mem_access(
        &mut self,
        core: usize,
        addr: u64,
        bytes: u32,
        write: bool,
    ) -> Result<SimDuration, ModelError> {
        let d = self.memory.access(core, addr, bytes, write)?;
        self.stats_mut(core)?.mem_stall_ps += d.as_ps();
        Ok(d)
    }

    /// Whether this machine has a hardware engine for `kind`.
    pub fn has_engine(&self, kind: AccelKind) -> bool {
        self.engines.iter().any(|e| e.config().kind == kind)
    }

    fn engine_mut(&mut self, kind: AccelKind) -> Option<&mut AccelEngine> {
        self.engines.iter_mut().find(|e| e.config().kind == kind)
    }

    /// Software cost of `kind` on a core; a kind with no configured cost is free of
    /// accelerator time (the caller's own compute charges stand) and documented as such.
    fn software(&self, kind: AccelKind, bytes: u32) -> SimDuration {
        self.accel
            .software(kind)
            .map_or(SimDuration::ZERO, |s| s.duration(bytes))
    }

    /// Runs `bytes` through `kind` at `now`, the core waiting for completion. Includes issue,
    /// queueing and service at the engine, or the software cost when there is no engine.
    pub fn accel(
        &mut self,
        core: usize,
        kind: AccelKind,
        bytes: u32,
        now: SimTime,
    ) -> Result<SimDuration, ModelError> {
        self.stats_mut(core)?;
        let d = match self.engine_mut(kind) {
            Some(e) => e.submit(now, bytes)?.done_at - now,
            None => self.software(kind, bytes),
        };
        let s = self.stats_mut(core)?;
        s.accel_ps += d.as_ps();
        s.accel_calls += 1;
        Ok(d)
    }

    /// Polling form: submits and returns the ticket and the core's issue time (the core is free
    /// after issuing). Without an engine the work runs on the core: the ticket is done when it returns.
    pub fn accel_submit(
        &mut self,
        core: usize,
        kind: AccelKind,
        bytes: u32,
        now: SimTime,
    ) -> Result<(AccelTicket, SimDuration), ModelError> {
        self.stats_mut(core)?;
        let (ticket, busy) = match self.engine_mut(kind) {
            Some(e) => {
                let issue = e.invoke();
                (e.submit(now, bytes)?, issue)
            }
            None => {
                let d = self.software(kind, bytes);
                (AccelTicket { done_at: now + d }, d)
            }
        };
        let s = self.stats_mut(core)?;
        s.accel_ps += busy.as_ps();
        s.accel_calls += 1;
        Ok((ticket, busy))
    }

    /// Batched form: one issue for all `sizes`, the core waiting until the last completes.
    pub fn accel_batch(
        &mut self,
        core: usize,
        kind: AccelKind,
        sizes: &[u32],
        now: SimTime,
    ) -> Result<SimDuration, ModelError> {
        self.stats_mut(core)?;
        let d = match self.engine_mut(kind) {
            Some(e) => e.submit_batch(now, sizes)?.done_at - now,
            None => sizes
                .iter()
                .fold(SimDuration::ZERO, |acc, &b| acc + self.software(kind, b)),
        };
        let s = self.stats_mut(core)?;
        s.accel_ps += d.as_ps();
        s.accel_calls += sizes.len() as u64;
        Ok(d)
    }

    /// Requests dropped at the `kind` engine's full queue (0 without an engine).
    pub fn engine_overflows(&self, kind: AccelKind) -> u64 {
        self.engines
            .iter()
            .find(|e| e.config().kind == kind)
            .map_or(0, AccelEngine::overflows)
    }

    /// What `core` has been charged.
    pub fn stats(&self, core: usize) -> Option<&CoreStats> {
        self.stats.get(core)
    }

    /// Memory counters of `core`.
    pub fn mem_counters(&self, core: usize) -> Option<&CoreMemCounters> {
        self.memory.counters(core)
    }

    /// Achieved IPC of `core`: instructions over the cycles spent computing and stalling on memory.
    pub fn ipc(&self, core: usize) -> Option<f64> {
        let s = self.stats.get(core)?;
        let cycles = self
            .clock
            .cycles_in(SimDuration::from_ps(s.compute_ps + s.mem_stall_ps));
        (cycles > 0.0).then(|| s.instructions as f64 / cycles)
    }

    /// Last-level-cache misses per 1000 instructions of `core`.
    pub fn mpki(&self, core: usize) -> Option<f64> {
        let s = self.stats.get(core)?;
        let m = self.memory.counters(core)?;
        (s.instructions > 0).then(|| m.llc_misses() as f64 * 1000.0 / s.instructions as f64)
    }
}

impl crate::profile::NicProfile {
    /// The core cost model of this NIC's cores.
    pub fn core_model(&self) -> Result<CoreModel, ModelError> {
        CoreModel::from_parts(
            self.cores as usize,
            self.core_freq_ghz,
            &self.compute,
            &self.memory,
            &self.accel,
        )
    }
}
