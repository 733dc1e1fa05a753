//! The memory hierarchy of one NIC or host: per-core caches or scratchpad, shared caches, packet buffer and DRAM.
//!
//! `MemoryConfig` is the `[memory]` section of a hardware profile;
//! `NicMemory` owns every cache of one machine and serves accesses by core id,
//! so cores that share an L2 (or L3) really share one `Cache` value.
//!
//! Latency model: an access costs the load-to-use latency of the level that
//! serves it (Table 2 of iPipe reports exactly these latencies, measured by
//! pointer chasing). A miss installs the line at every level it missed in
//! (fill on the way back). An access that spans several lines pays the first
//! line in full and each further line divided by `stream_overlap`, because
//! the hardware overlaps consecutive line fills (prefetch and memory-level
//! parallelism); `stream_overlap` is our assumption, not a paper figure.
//! Writes cost like reads (write-allocate, write-back; a store buffer would
//! hide some of this, which we do not model). Coherence traffic between
//! private caches is not modelled.
//!
//! Two address regions bypass the caches:
//! - the per-core scratchpad (LiquidIO: 54 cache lines per core, Table 2 of
//!   iPipe), at `SCRATCHPAD_BASE`, served at its own fixed latency;
//! - the hardware-managed packet buffer of on-path NICs, at
//!   `PACKET_BUFFER_BASE`, served at its own fixed latency. Off-path NICs have
//!   no such region: their packet buffers are ordinary NIC DRAM addresses and
//!   go through the caches.

use sim_core::SimDuration;

use crate::error::ModelError;
use crate::memory::cache::{Cache, CacheCounters, CacheGeometry, Lookup};

pub use super::config::{
    CacheLevelConfig, MemoryConfig, PacketBufferConfig, ScratchpadConfig, DRAM_PACKET_RING_BASE,
    DRAM_PACKET_RING_SLOTS, PACKET_BUFFER_BASE, PACKET_SLOT_BYTES, SCRATCHPAD_BASE,
};

/// Where an access was served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServedBy {
    /// Cache level index into `MemoryConfig::caches`.
    Cache(usize),
    /// DRAM.
    Dram,
    /// The core's scratchpad.
    Scratchpad,
    /// The hardware packet buffer.
    PacketBuffer,
}

/// Per-core access counters (for IPC / MPKI reports).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CoreMemCounters {
    /// Line accesses made by this core.
    pub line_accesses: u64,
    /// Line accesses served by each cache level (index as in the config).
    pub served_by_level: Vec<u64>,
    /// Line accesses served by DRAM.
    pub dram: u64,
    /// Accesses to the scratchpad.
    pub scratchpad: u64,
    /// Accesses to the packet buffer.
    pub packet_buffer: u64,
    /// Total stall time charged, ps.
    pub stall_ps: u64,
}

impl CoreMemCounters {
    /// Line accesses that missed the last cache level (went to DRAM).
    pub fn llc_misses(&self) -> u64 {
        self.dram
    }
    /// Line accesses that missed the first cache level.
    pub fn l1_misses(&self) -> u64 {
        self.served_by_level.iter().skip(1).sum::<u64>() + self.dram
    }
}

struct Level {
    latency: SimDuration,
    shared_by: usize,
    caches: Vec<Cache>,
}

/// Every cache of one machine, addressed by core id.
pub struct NicMemory {
    config: MemoryConfig,
    cores: usize,
    levels: Vec<Level>,
    dram: SimDuration,
    scratchpad: Option<(u64, SimDuration)>,
    packet_buffer: Option<(u64, SimDuration)>,
    counters: Vec<CoreMemCounters>,
    /// The outermost level with one instance for the whole machine (where
    /// device writes can allocate), if any.
    shared_level: Option<usize>,
}

impl NicMemory {
    /// Builds the hierarchy for `cores` cores; caches start empty.
    pub fn new(config: &MemoryConfig, cores: usize) -> Result<Self, ModelError> {
        config.validate()?;
        if cores == 0 {
            return Err(ModelError::InvalidConfig {
                key: "cores".into(),
                reason: "a machine needs at least one core".into(),
            });
        }
        let levels = config
            .caches
            .iter()
            .map(|c| {
                let shared_by = (c.shared_by_cores as usize).min(cores);
                let instances = cores.div_ceil(shared_by);
                let geometry = CacheGeometry {
                    size_bytes: c.size_kb * 1024,
                    line_bytes: config.line_bytes,
                    ways: c.ways,
                };
                Level {
                    latency: SimDuration::from_ns_f64(c.latency_ns),
                    shared_by,
                    caches: (0..instances).map(|_| Cache::new(geometry)).collect(),
                }
            })
            .collect();
        let counters = (0..cores)
            .map(|_| CoreMemCounters {
                served_by_level: vec![0; config.caches.len()],
                ..Default::default()
            })
            .collect();
        Ok(NicMemory {
            config: config.clone(),
            cores,
            levels,
            dram: SimDuration::from_ns_f64(config.dram_latency_ns),
            scratchpad: config.scratchpad.as_ref().map(|s| {
                (
                    s.lines * config.line_bytes,
                    SimDuration::from_ns_f64(s.latency_ns),
                )
            }),
            packet_buffer: config
                .packet_buffer
                .as_ref()
                .map(|p| (p.size_kb * 1024, SimDuration::from_ns_f64(p.latency_ns))),
            shared_level: None,
            counters,
        }
        .with_shared_level())
    }

    fn with_shared_level(mut self) -> Self {
        self.shared_level = self.levels.iter().rposition(|l| l.caches.len() == 1);
        self
    }

    /// A device (the NIC's packet input unit or DMA engine) writes `bytes` at
    /// `addr`: the first `allocate_lines` lines are installed in the shared
    /// cache level (the input unit allocating into L2), the rest go to DRAM
    /// only. Stale copies in a core's caches must be dropped with
    /// [`NicMemory::invalidate`] first (the caller knows which core read the
    /// memory last). Without a level shared by every core nothing is
    /// allocated. Charges no core.
    pub fn device_write(&mut self, addr: u64, bytes: u32, allocate_lines: u32) {
        let Some(level) = self.shared_level else {
            return;
        };
        if allocate_lines == 0 {
            return;
        }
        let line = self.config.line_bytes;
        let last = addr.saturating_add(u64::from(bytes.max(1)) - 1);
        let first = addr / line;
        let end = (last / line).min(first + u64::from(allocate_lines) - 1);
        let cache = &mut self.levels[level].caches[0];
        for l in first..=end {
            cache.access_line(l);
        }
    }

    /// Drops the lines of `bytes` at `addr` from every cache that serves
    /// `core` (coherence: a device is about to overwrite that memory).
    pub fn invalidate(&mut self, core: usize, addr: u64, bytes: u32) {
        if core >= self.cores {
            return;
        }
        let line = self.config.line_bytes;
        let last = addr.saturating_add(u64::from(bytes.max(1)) - 1);
        for l in addr / line..=last / line {
            for level in &mut self.levels {
                level.caches[core / level.shared_by].invalidate(l * line);
            }
        }
    }

    /// The configuration this hierarchy was built from.
    pub fn config(&self) -> &MemoryConfig {
        &self.config
    }

    /// Simulated address of packet buffer number `slot` (slots wrap around the buffer):
    /// in the hardware packet buffer when the machine has one (on-path), else in a ring
    /// in NIC DRAM that goes through the caches (off-path).
    pub fn packet_buffer_address(&self, slot: u64) -> u64 {
        match self.packet_buffer {
            Some((size, _)) => {
                let slots = (size / PACKET_SLOT_BYTES).max(1);
                PACKET_BUFFER_BASE + (slot % slots) * PACKET_SLOT_BYTES
            }
            None => DRAM_PACKET_RING_BASE + (slot % DRAM_PACKET_RING_SLOTS) * PACKET_SLOT_BYTES,
        }
    }

    /// Number of cores.
    pub fn cores(&self) -> usize {
        self.cores
    }

    /// Counters of one core.
    pub fn counters(&self, core: usize) -> Option<&CoreMemCounters> {
        self.counters.get(core)
    }

    /// Hit/miss counters of one cache instance (`level` index, instance index).
    pub fn cache_counters(&self, level: usize, instance: usize) -> Option<CacheCounters> {
        self.levels
            .get(level)?
            .caches
            .get(instance)
            .map(Cache::counters)
    }

    /// Empties every cache (counters of the caches reset; core counters kept).
    pub fn flush(&mut self) {
        for l in &mut self.levels {
            for c in &mut l.caches {
                c.clear();
            }
        }
    }

    /// One access of `bytes` bytes at `addr` by `core`; returns the stall time.
    /// `write` accesses cost like reads (write-allocate). Zero bytes count as one.
    #[inline(always)]
    pub fn access(
        &mut self,
        core: usize,
        addr: u64,
        bytes: u32,
        write: bool,
    ) -> Result<SimDuration, ModelError> {
        let _ = write; // writes are charged like reads; see module docs.
        if core >= self.cores {
            return Err(ModelError::NoSuchCore {
                core,
                cores: self.cores,
            });
        }
        let line = self.config.line_bytes;
        let last = addr.saturating_add(u64::from(bytes.max(1)) - 1);
        // `line` is a power of two (`MemoryConfig::validate`): a shift divides
        let shift = line.trailing_zeros();
        let (first_line, last_line) = (addr >> shift, last >> shift);
        if first_line == last_line {
            // one line: its latency as is (the sum below gives the same
            // whole picoseconds, a latency being far below 2^53 ps)
            let (d, _) = self.access_line(core, first_line * line);
            self.counters[core].stall_ps += d.as_ps();
            return Ok(d);
        }
        let mut total_ps: f64 = 0.0;
        for (i, l) in (first_line..=last_line).enumerate() {
            let (lat, _) = self.access_line(core, l * line);
            let ps = lat.as_ps() as f64;
            total_ps += if i == 0 {
                ps
            } else {
                ps / self.config.stream_overlap
            };
        }
        let d = SimDuration::from_ps(crate::compute::round_to_u64(total_ps));
        self.counters[core].stall_ps += d.as_ps();
        Ok(d)
    }

    /// One line access at `addr` by `core` (core must be valid): latency and the level that served it.
    #[inline(always)]
    pub fn access_line(&mut self, core: usize, addr: u64) -> (SimDuration, ServedBy) {
        let counters = &mut self.counters[core];
        counters.line_accesses += 1;
        if let Some((size, lat)) = self.scratchpad {
            if addr >= SCRATCHPAD_BASE && addr - SCRATCHPAD_BASE < size {
                counters.scratchpad += 1;
                return (lat, ServedBy::Scratchpad);
            }
        }
        if let Some((size, lat)) = self.packet_buffer {
            if addr >= PACKET_BUFFER_BASE && addr - PACKET_BUFFER_BASE < size {
                counters.packet_buffer += 1;
                return (lat, ServedBy::PacketBuffer);
            }
        }
        // every level's lines are `config.line_bytes` long (a power of two,
        // `MemoryConfig::validate`): the line number once, by a shift
        let line_no = addr >> self.config.line_bytes.trailing_zeros();
        for (i, level) in self.levels.iter_mut().enumerate() {
            let cache = &mut level.caches[core / level.shared_by];
            if cache.access_line(line_no) == Lookup::Hit {
                counters.served_by_level[i] += 1;
                return (level.latency, ServedBy::Cache(i));
            }
        }
        counters.dram += 1;
        (self.dram, ServedBy::Dram)
    }
}
