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

use serde::Deserialize;
use sim_core::SimDuration;

use crate::error::ModelError;
use crate::memory::cache::{Cache, CacheCounters, CacheGeometry, Lookup};

/// Base address of the per-core scratchpad region (same base on every core; private per core).
pub const SCRATCHPAD_BASE: u64 = 0xFFFF_0000_0000_0000;
/// Base address of the on-path hardware packet buffer region.
pub const PACKET_BUFFER_BASE: u64 = 0xFFFE_0000_0000_0000;
/// Base address of the packet-buffer ring in NIC DRAM on NICs without a hardware packet buffer (off-path).
pub const DRAM_PACKET_RING_BASE: u64 = 0x0000_7F00_0000_0000;
/// Bytes reserved per packet buffer (one MTU-sized frame rounded up).
pub const PACKET_SLOT_BYTES: u64 = 2048;
/// Buffers in the off-path DRAM packet ring (assumed: 4096 x 2 KiB = 8 MiB).
pub const DRAM_PACKET_RING_SLOTS: u64 = 4096;

fn default_stream_overlap() -> f64 {
    4.0
}
fn default_shared_by_cores() -> u32 {
    1
}

/// `[memory]` section of a profile.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MemoryConfig {
    /// Cache line size in bytes (128 on LiquidIO, 64 elsewhere: Table 2 of iPipe).
    pub line_bytes: u64,
    /// Cache levels from the closest (L1) outwards.
    pub caches: Vec<CacheLevelConfig>,
    /// Load-to-use latency of DRAM in ns.
    pub dram_latency_ns: f64,
    /// How many consecutive line fills of one access overlap (>= 1). Default 4 (assumption).
    #[serde(default = "default_stream_overlap")]
    pub stream_overlap: f64,
    /// Per-core scratchpad, if the core has one.
    #[serde(default)]
    pub scratchpad: Option<ScratchpadConfig>,
    /// Hardware-managed packet buffer (on-path NICs only).
    #[serde(default)]
    pub packet_buffer: Option<PacketBufferConfig>,
    /// The receive ring of packet buffers and work entries in NIC memory that
    /// the forwarding path reads through the caches (`memory::packet_ring`).
    #[serde(default)]
    pub packet_ring: Option<crate::memory::packet_ring::PacketRingConfig>,
}

/// One cache level (`[[memory.caches]]`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CacheLevelConfig {
    /// Level name used in reports, e.g. `l1`, `l2`, `l3`.
    pub name: String,
    /// Capacity of one cache instance in KiB.
    pub size_kb: u64,
    /// Associativity.
    pub ways: u32,
    /// Load-to-use latency of a hit, ns.
    pub latency_ns: f64,
    /// How many consecutive cores share one instance (1 = private; all cores = one shared cache).
    #[serde(default = "default_shared_by_cores")]
    pub shared_by_cores: u32,
}

/// Per-core scratchpad (`[memory.scratchpad]`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScratchpadConfig {
    /// Capacity in cache lines.
    pub lines: u64,
    /// Access latency, ns.
    pub latency_ns: f64,
}

/// Hardware packet buffer (`[memory.packet_buffer]`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PacketBufferConfig {
    /// Capacity in KiB.
    pub size_kb: u64,
    /// Access latency, ns.
    pub latency_ns: f64,
}

impl MemoryConfig {
    /// Checks every value; errors name the key.
    pub fn validate(&self) -> Result<(), ModelError> {
        use crate::ranges::{count, latency_ns, queue, MAX_CACHE_KB, MAX_CORES, MAX_WAYS};
        let bad = |key: &str, reason: String| ModelError::InvalidConfig {
            key: format!("memory.{key}"),
            reason,
        };
        if !self.line_bytes.is_power_of_two() || !(8..=4096).contains(&self.line_bytes) {
            return Err(bad(
                "line_bytes",
                format!(
                    "must be a power of two in 8..=4096 bytes, got {}: write e.g. 64",
                    self.line_bytes
                ),
            ));
        }
        if self.caches.is_empty() {
            return Err(bad(
                "caches",
                "at least one [[memory.caches]] level is needed".into(),
            ));
        }
        for (i, c) in self.caches.iter().enumerate() {
            let k = format!("memory.caches[{i}]");
            count(&format!("{k}.ways"), c.ways.into(), 1, MAX_WAYS, "ways")?;
            count(
                &format!("{k}.shared_by_cores"),
                c.shared_by_cores.into(),
                1,
                MAX_CORES,
                "cores",
            )?;
            count(&format!("{k}.size_kb"), c.size_kb, 1, MAX_CACHE_KB, "KiB")?;
            if c.size_kb * 1024 < self.line_bytes * u64::from(c.ways) {
                return Err(bad(
                    &format!("caches[{i}].size_kb"),
                    format!("{} KiB cannot hold one set of {} ways", c.size_kb, c.ways),
                ));
            }
            latency_ns(&format!("{k}.latency_ns"), c.latency_ns)?;
        }
        latency_ns("memory.dram_latency_ns", self.dram_latency_ns)?;
        crate::ranges::number(
            "memory.stream_overlap",
            self.stream_overlap,
            (1.0, 64.0),
            false,
            "line fills",
        )?;
        if let Some(s) = &self.scratchpad {
            queue("memory.scratchpad.lines", s.lines)?;
            latency_ns("memory.scratchpad.latency_ns", s.latency_ns)?;
        }
        if let Some(p) = &self.packet_buffer {
            count(
                "memory.packet_buffer.size_kb",
                p.size_kb,
                1,
                MAX_CACHE_KB,
                "KiB",
            )?;
            latency_ns("memory.packet_buffer.latency_ns", p.latency_ns)?;
        }
        if let Some(r) = &self.packet_ring {
            r.validate(self.line_bytes)?;
        }
        Ok(())
    }

    /// Checks that the tag arrays of every cache instance of a `cores`-core
    /// machine stay within [`crate::ranges::MAX_CACHE_LINES_TOTAL`] lines
    /// (they are allocated when the model is built). Call after `validate`.
    pub fn validate_for_cores(&self, cores: u32) -> Result<(), ModelError> {
        let cores = u64::from(cores.max(1));
        let lines: u64 = self
            .caches
            .iter()
            .map(|c| {
                let instances = cores.div_ceil(u64::from(c.shared_by_cores.max(1)).min(cores));
                (c.size_kb.saturating_mul(1024) / self.line_bytes.max(1)).saturating_mul(instances)
            })
            .fold(0u64, u64::saturating_add);
        if lines > crate::ranges::MAX_CACHE_LINES_TOTAL {
            return Err(ModelError::InvalidConfig {
                key: "memory.caches".into(),
                reason: format!(
                    "{lines} cache lines over all levels and cores, more than the {} the model \
                     allocates: make the caches smaller or share them between more cores",
                    crate::ranges::MAX_CACHE_LINES_TOTAL
                ),
            });
        }
        Ok(())
    }

    /// Capacity of the last cache level in bytes (one instance).
    pub fn last_level_bytes(&self) -> u64 {
        self.caches.last().map_or(0, |c| c.size_kb * 1024)
    }
}

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
        let d = SimDuration::from_ps(total_ps.round() as u64);
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
