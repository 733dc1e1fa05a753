//! `SimPlatform`: the simulator's `scheduler::Platform` for one core, charging time from a core cost model.
//!
//! Every charge advances the core's clock (kept in picoseconds, so many small
//! charges do not lose rounding): compute cycles at the core clock, memory
//! accesses through the core's caches line by line, accelerator calls through
//! the engine model, DMA at a simple documented cost. `send` collects outgoing
//! messages in a bounded outbox for the driver; overflow is a counted drop.
//! The driver brackets each handler with `begin_exec` / `end_exec`, which
//! gives the watchdog its `charged_in_exec` and the driver the service time.

use scheduler::{AccelKind, DmaDirection, Endpoint, MemAccess, Message, Nanos, Platform, Side};

/// DMA cost when no PCIe model is wired in: a fixed 1 us setup and completion
/// latency (inside the 0.5-2 us PCIe latency range of iPipe section 2.2.5) plus
/// bytes at 2.1 GB/s (blocking DMA write throughput at 2 KB on LiquidIO, Fig. 7;
/// both via shared/calibration/ipipe-sigcomm19.toml).
pub const DMA_FIXED_PS: u64 = 1_000_000;
/// See [`DMA_FIXED_PS`]: 2.1 GB/s is 2.1 bytes per ns, i.e. 1000/2.1 ps per byte.
pub const DMA_GBYTES_PER_S: f64 = 2.1;
/// Default bound of the outbox.
pub const DEFAULT_OUTBOX_CAPACITY: usize = 4096;

/// What the core did, as counted by the platform (reset with [`SimPlatform::reset_stats`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CoreStats {
    /// Cycles charged as pure compute.
    pub compute_cycles: u64,
    /// Instructions retired (modelled: compute cycles x the core's compute IPC, plus one per line accessed).
    pub instructions: u64,
    /// Cache lines accessed.
    pub line_accesses: u64,
    /// Line accesses that missed L1.
    pub l1_misses: u64,
    /// Line accesses that missed L2 (went to DRAM).
    pub l2_misses: u64,
    /// Accelerator invocations.
    pub accel_calls: u64,
    /// Bytes moved by DMA.
    pub dma_bytes: u64,
    /// Total time charged, ps.
    pub busy_ps: u64,
}

impl CoreStats {
    /// Instructions per cycle over the charged time (at `freq_mhz`).
    pub fn ipc(&self, freq_mhz: u64) -> f64 {
        let cycles = self.busy_ps as f64 * freq_mhz as f64 / 1e6;
        if cycles == 0.0 {
            0.0
        } else {
            self.instructions as f64 / cycles
        }
    }

    /// L1 misses per thousand instructions.
    pub fn l1_mpki(&self) -> f64 {
        if self.instructions == 0 {
            0.0
        } else {
            self.l1_misses as f64 * 1000.0 / self.instructions as f64
        }
    }
}

/// One simulated core seen through `scheduler::Platform`.
#[derive(Debug)]
pub struct SimPlatform {
    core: CoreModel,
    side: Side,
    clock_ps: u64,
    exec_start_ps: u64,
    outbox: Vec<(Endpoint, Message)>,
    outbox_capacity: usize,
    dropped_sends: u64,
    stats: CoreStats,
}

impl SimPlatform {
    /// A platform for one core of `core`'s kind on `side`, clock at zero.
    pub fn new(core: CoreModel, side: Side) -> SimPlatform {
        SimPlatform {
            core,
            side,
            clock_ps: 0,
            exec_start_ps: 0,
            outbox: Vec::new(),
            outbox_capacity: DEFAULT_OUTBOX_CAPACITY,
            dropped_sends: 0,
            stats: CoreStats::default(),
        }
    }

    /// Sets the outbox bound (sends beyond it are dropped and counted).
    pub fn with_outbox_capacity(mut self, capacity: usize) -> SimPlatform {
        self.outbox_capacity = capacity;
        self
    }

    /// The core model (clock, caches).
    pub fn core(&self) -> &CoreModel {
        &self.core
    }

    /// Moves the core's clock forward to `t` (idle time); never backwards.
    pub fn advance_to(&mut self, t: Nanos) {
        self.clock_ps = self.clock_ps.max(t.as_ns().saturating_mul(1_000));
    }

    /// Starts a handler execution: `charged_in_exec` restarts from zero.
    pub fn begin_exec(&mut self) {
        self.exec_start_ps = self.clock_ps;
    }

    /// Ends a handler execution and returns the time it charged, rounded up to whole ns.
    pub fn end_exec(&mut self) -> Nanos {
        let ps = self.clock_ps - self.exec_start_ps;
        self.exec_start_ps = self.clock_ps;
        Nanos(ps.div_ceil(1_000))
    }

    /// Time charged in the current execution, picoseconds (exact).
    pub fn charged_in_exec_ps(&self) -> u64 {
        self.clock_ps - self.exec_start_ps
    }

    /// Takes the messages sent so far, in send order.
    pub fn take_outbox(&mut self) -> Vec<(Endpoint, Message)> {
        std::mem::take(&mut self.outbox)
    }

    /// Sends refused because the outbox was full.
    pub fn dropped_sends(&self) -> u64 {
        self.dropped_sends
    }

    /// Counters since the last reset.
    pub fn stats(&self) -> &CoreStats {
        &self.stats
    }

    /// Zeroes the counters (the caches stay warm).
    pub fn reset_stats(&mut self) {
        self.stats = CoreStats::default();
    }

    fn charge_ps(&mut self, ps: u64) {
        self.clock_ps = self.clock_ps.saturating_add(ps);
        self.stats.busy_ps = self.stats.busy_ps.saturating_add(ps);
    }
}

impl Platform for SimPlatform {
    fn now(&self) -> Nanos {
        Nanos(self.clock_ps / 1_000)
    }

    fn side(&self) -> Side {
        self.side
    }

    fn charge_cycles(&mut self, cycles: u64) {
        self.stats.compute_cycles += cycles;
        self.stats.instructions += self.core.instructions_for_cycles(cycles);
        let ps = self.core.cycles_to_ps(cycles);
        self.charge_ps(ps);
    }

    fn mem_access(&mut self, addr: u64, bytes: u32, kind: MemAccess) {
        let line = self.core.line_bytes();
        let first = addr / line;
        let last = (addr + u64::from(bytes.max(1)) - 1) / line;
        let mut ps = 0u64;
        for l in first..=last {
            let (level, cost_ps) = self.core.access(l * line, kind);
            self.stats.line_accesses += 1;
            self.stats.instructions += 1;
            match level {
                AccessLevel::L1 => {}
                AccessLevel::L2 => self.stats.l1_misses += 1,
                AccessLevel::Dram => {
                    self.stats.l1_misses += 1;
                    self.stats.l2_misses += 1;
                }
            }
            ps += cost_ps;
        }
        self.charge_ps(ps);
    }

    fn accel(&mut self, kind: AccelKind, bytes: u32) {
        self.stats.accel_calls += 1;
        let ps = self.core.accel_ps(kind, bytes);
        self.charge_ps(ps);
    }

    fn dma(&mut self, _dir: DmaDirection, bytes: u64) -> Nanos {
        self.stats.dma_bytes += bytes;
        let ps = DMA_FIXED_PS + (bytes as f64 * 1_000.0 / DMA_GBYTES_PER_S).round() as u64;
        self.charge_ps(ps);
        Nanos(ps.div_ceil(1_000))
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
        Nanos(self.charged_in_exec_ps() / 1_000)
    }
}

pub use core_model::{AccessLevel, CoreModel};

/// Stand-in per-core cost model until nic-models' core and cache models are merged.
mod core_model {
    use scheduler::{AccelKind, MemAccess};

    /// Where a line access was served.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum AccessLevel {
        L1,
        L2,
        Dram,
    }

    /// One set-associative LRU cache level: per set, line tags most recent first.
    #[derive(Clone, Debug)]
    struct Cache {
        sets: Vec<Vec<u64>>,
        ways: usize,
    }

    impl Cache {
        fn new(bytes: u64, line: u64, ways: usize) -> Cache {
            let sets = (bytes / line / ways as u64).max(1) as usize;
            Cache { sets: vec![Vec::with_capacity(ways); sets], ways }
        }
        /// True on hit; on miss the line is filled (evicting the LRU line).
        fn access(&mut self, line_no: u64) -> bool {
            let n = self.sets.len() as u64;
            let set = &mut self.sets[(line_no % n) as usize];
            if let Some(pos) = set.iter().position(|&t| t == line_no) {
                let t = set.remove(pos);
                set.insert(0, t);
                true
            } else {
                if set.len() == self.ways {
                    set.pop();
                }
                set.insert(0, line_no);
                false
            }
        }
    }

    /// Clock, compute IPC, two cache levels with Table 2 latencies, accelerator costs.
    #[derive(Clone, Debug)]
    pub struct CoreModel {
        freq_mhz: u64,
        compute_ipc: f64,
        line_bytes: u64,
        l1: Cache,
        l2: Cache,
        lat_ps: [u64; 3],
    }

    impl CoreModel {
        /// LiquidIO CN2350 core: 1.2 GHz (iPipe section 2), 128 B lines and L1/L2/DRAM
        /// latencies 8.3/55.8/115 ns (Table 2), via shared/calibration/ipipe-sigcomm19.toml.
        /// Cache sizes (32 KB 8-way L1D, 4 MB 16-way shared L2) are OCTEON III data-sheet
        /// figures, not from the paper; compute IPC 1 is a stand-in assumption (the 2-way
        /// core's ideal IPC is 2).
        pub fn liquidio_cn2350() -> CoreModel {
            CoreModel {
                freq_mhz: 1_200,
                compute_ipc: 1.0,
                line_bytes: 128,
                l1: Cache::new(32 << 10, 128, 8),
                l2: Cache::new(4 << 20, 128, 16),
                lat_ps: [8_300, 55_800, 115_000],
            }
        }
        pub fn freq_mhz(&self) -> u64 {
            self.freq_mhz
        }
        pub fn line_bytes(&self) -> u64 {
            self.line_bytes
        }
        pub fn cycles_to_ps(&self, cycles: u64) -> u64 {
            cycles * 1_000_000 / self.freq_mhz
        }
        pub fn instructions_for_cycles(&self, cycles: u64) -> u64 {
            (cycles as f64 * self.compute_ipc).round() as u64
        }
        pub fn access(&mut self, addr: u64, _kind: MemAccess) -> (AccessLevel, u64) {
            let line_no = addr / self.line_bytes;
            if self.l1.access(line_no) {
                (AccessLevel::L1, self.lat_ps[0])
            } else if self.l2.access(line_no) {
                (AccessLevel::L2, self.lat_ps[1])
            } else {
                (AccessLevel::Dram, self.lat_ps[2])
            }
        }
        /// Stand-in engine cost: 300 ns invocation plus 1 ns per byte.
        pub fn accel_ps(&self, _kind: AccelKind, bytes: u32) -> u64 {
            300_000 + u64::from(bytes) * 1_000
        }
    }
}
