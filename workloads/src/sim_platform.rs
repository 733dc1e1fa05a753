//! `SimPlatform`: the simulator's `scheduler::Platform` for one core, charging time from nic-models' `CoreModel`.
//!
//! Every charge advances the core's clock (`sim_core::SimTime`, picoseconds,
//! so many small charges lose no rounding): `charge_cycles` through the
//! model's clock, `mem_access` through its cache hierarchy, `accel` through
//! its engines (queueing included), `dma` at a simple documented cost. `send`
//! collects outgoing messages in a bounded outbox for the driver; overflow is
//! a counted drop. The driver brackets each handler with `begin_exec` /
//! `end_exec`, which gives the watchdog its `charged_in_exec` and the driver
//! the service time.
//!
//! The platform either owns the `CoreModel` (one core alone, as in Table 3)
//! or borrows it (`SimPlatform<&mut CoreModel>`), so a multicore driver can
//! run several cores over one model whose L2 they share.

use nic_models::{CoreModel, ModelError};
use scheduler::{AccelKind, DmaDirection, Endpoint, MemAccess, Message, Nanos, Platform, Side};
use sim_core::{SimDuration, SimTime};
use std::borrow::BorrowMut;

/// DMA cost when no PCIe model is wired in: a fixed 1 us setup and completion
/// latency (inside the 0.5-2 us PCIe latency range of iPipe section 2.2.5) plus
/// bytes at 2.1 GB/s (blocking DMA write throughput at 2 KB on LiquidIO, Fig. 7;
/// both via shared/calibration/ipipe-sigcomm19.toml).
pub const DMA_FIXED_NS: u64 = 1_000;
/// See [`DMA_FIXED_NS`].
pub const DMA_GBYTES_PER_S: f64 = 2.1;
/// Default bound of the outbox, messages.
pub const DEFAULT_OUTBOX_CAPACITY: usize = 4096;

/// Maps the runtime's accelerator kinds onto the model's.
pub fn model_accel_kind(kind: AccelKind) -> nic_models::AccelKind {
    use nic_models::AccelKind as M;
    match kind {
        AccelKind::Md5 => M::Md5,
        AccelKind::Aes => M::Aes,
        AccelKind::Sha1 => M::Sha1,
        AccelKind::Crc => M::Crc,
        AccelKind::Compress => M::Compress,
        AccelKind::PatternMatch => M::PatternMatch,
    }
}

/// One simulated core seen through `scheduler::Platform`.
pub struct SimPlatform<M: BorrowMut<CoreModel> = CoreModel> {
    model: M,
    core: usize,
    side: Side,
    clock: SimTime,
    exec_start: SimTime,
    outbox: Vec<(Endpoint, Message)>,
    outbox_capacity: usize,
    dropped_sends: u64,
    model_errors: u64,
    dma_bytes: u64,
}

impl<M: BorrowMut<CoreModel>> SimPlatform<M> {
    /// A platform for core `core` of `model` on `side`, clock at zero.
    pub fn new(model: M, core: usize, side: Side) -> Result<SimPlatform<M>, ModelError> {
        let cores = model.borrow().cores();
        if core >= cores {
            return Err(ModelError::NoSuchCore { core, cores });
        }
        Ok(SimPlatform {
            model,
            core,
            side,
            clock: SimTime::ZERO,
            exec_start: SimTime::ZERO,
            outbox: Vec::new(),
            outbox_capacity: DEFAULT_OUTBOX_CAPACITY,
            dropped_sends: 0,
            model_errors: 0,
            dma_bytes: 0,
        })
    }

    /// Sets the outbox bound (sends beyond it are dropped and counted).
    pub fn with_outbox_capacity(mut self, capacity: usize) -> SimPlatform<M> {
        self.outbox_capacity = capacity;
        self
    }

    /// The cost model.
    pub fn model(&self) -> &CoreModel {
        self.model.borrow()
    }

    /// The core this platform charges.
    pub fn core(&self) -> usize {
        self.core
    }

    /// The core's clock.
    pub fn clock(&self) -> SimTime {
        self.clock
    }

    /// Moves the core's clock forward to `t` (idle time); never backwards.
    pub fn advance_to(&mut self, t: SimTime) {
        self.clock = self.clock.max(t);
    }

    /// Starts a handler execution: `charged_in_exec` restarts from zero.
    pub fn begin_exec(&mut self) {
        self.exec_start = self.clock;
    }

    /// Ends a handler execution and returns the time it charged.
    pub fn end_exec(&mut self) -> SimDuration {
        let d = self.clock.saturating_since(self.exec_start);
        self.exec_start = self.clock;
        d
    }

    /// Takes the messages sent so far, in send order, with their destinations.
    pub fn take_outbox(&mut self) -> Vec<(Endpoint, Message)> {
        std::mem::take(&mut self.outbox)
    }

    /// Sends refused because the outbox was full.
    pub fn dropped_sends(&self) -> u64 {
        self.dropped_sends
    }

    /// Model operations refused (e.g. an accelerator queue full); each charged nothing.
    pub fn model_errors(&self) -> u64 {
        self.model_errors
    }

    /// Bytes moved by `dma`.
    pub fn dma_bytes(&self) -> u64 {
        self.dma_bytes
    }

    fn charge(&mut self, r: Result<SimDuration, ModelError>) {
        match r {
            Ok(d) => self.clock += d,
            Err(_) => self.model_errors += 1,
        }
    }
}

impl<M: BorrowMut<CoreModel>> Platform for SimPlatform<M> {
    fn now(&self) -> Nanos {
        Nanos(self.clock.as_ps() / 1_000)
    }

    fn side(&self) -> Side {
        self.side
    }

    fn charge_cycles(&mut self, cycles: u64) {
        let core = self.core;
        let r = self.model.borrow_mut().cycles(core, cycles);
        self.charge(r);
    }

    fn mem_access(&mut self, addr: u64, bytes: u32, kind: MemAccess) {
        let core = self.core;
        let write = kind == MemAccess::Write;
        let r = self.model.borrow_mut().mem_access(core, addr, bytes, write);
        self.charge(r);
    }

    fn accel(&mut self, kind: AccelKind, bytes: u32) {
        let (core, now) = (self.core, self.clock);
        let r = self
            .model
            .borrow_mut()
            .accel(core, model_accel_kind(kind), bytes, now);
        self.charge(r);
    }

    fn dma(&mut self, _dir: DmaDirection, bytes: u64) -> Nanos {
        self.dma_bytes += bytes;
        let d = SimDuration::from_ns(DMA_FIXED_NS)
            + SimDuration::from_ns_f64(bytes as f64 / DMA_GBYTES_PER_S);
        self.clock += d;
        Nanos(d.as_ps().div_ceil(1_000))
    }

    fn send(&mut self, msg: Message) {
        let dst = Endpoint::Actor(msg.dst);
        self.send_to(dst, msg);
    }

    fn send_to(&mut self, dst_endpoint: Endpoint, msg: Message) {
        if self.outbox.len() >= self.outbox_capacity {
            self.dropped_sends += 1;
        } else {
            self.outbox.push((dst_endpoint, msg));
        }
    }

    fn charged_in_exec(&self) -> Nanos {
        Nanos(self.clock.saturating_since(self.exec_start).as_ps() / 1_000)
    }
}

/// `[compute]`, `[memory]` and `[accel]` of the CN2350 until configs/nics/liquidio_cn2350.toml carries them.
/// Latencies and line size: Table 2 of iPipe; 54-line scratchpad: Table 2; clock 1.2 GHz: section 2
/// (all via shared/calibration/ipipe-sigcomm19.toml). Cache sizes (32 KB L1D, 4 MB shared L2) are
/// OCTEON III data-sheet figures; IPC 1.0 on L1-resident work and the CRC engine's costs are assumptions.
const CN2350_CORE_SECTIONS: &str = r#"
[compute]
ipc = 1.0
[memory]
line_bytes = 128
dram_latency_ns = 115.0
caches = [
  { name = "l1", size_kb = 32, ways = 8, latency_ns = 8.3 },
  { name = "l2", size_kb = 4096, ways = 16, latency_ns = 55.8, shared_by_cores = 12 },
]
scratchpad = { lines = 54, latency_ns = 8.3 }
[accel]
engines = [ { kind = "crc", units = 1, invoke_ns = 100.0, setup_ns = 50.0, per_byte_ns = 0.2 } ]
"#;

#[derive(serde::Deserialize)]
struct CoreSections {
    compute: nic_models::ComputeConfig,
    memory: nic_models::MemoryConfig,
    accel: nic_models::AccelConfig,
}

/// The CN2350 cost model: 12 cores at 1.2 GHz sharing one L2.
pub fn liquidio_cn2350_model() -> Result<CoreModel, ModelError> {
    let s: CoreSections =
        toml::from_str(CN2350_CORE_SECTIONS).map_err(|e| ModelError::InvalidConfig {
            key: "liquidio_cn2350 core sections".into(),
            reason: e.message().to_string(),
        })?;
    CoreModel::from_parts(12, 1.2, &s.compute, &s.memory, &s.accel)
}
