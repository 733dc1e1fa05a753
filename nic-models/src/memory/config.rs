//! The `[memory]` section of a hardware profile: cache levels, scratchpad, packet buffer, the address regions, and their validation.

use serde::Deserialize;

use crate::error::ModelError;

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
