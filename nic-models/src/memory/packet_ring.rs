//! The receive ring: packet buffers and work entries at real NIC-memory addresses, written by the NIC's input unit and read by a core through the cache model.
//!
//! A received frame is written by hardware (LiquidIO's packet input unit,
//! an off-path NIC's DMA into its DRAM) into the next buffer of a ring of
//! `buffers` buffers of `buffer_bytes`, with a work entry (LiquidIO's work
//! queue entry, an off-path NIC's receive completion) in a parallel ring. The
//! core that processes the frame then reads the work entry and the frame's
//! header through its caches ([`CoreModel::mem_access`]). What that costs is
//! decided by the cache model, not by a constant:
//! - the device write makes every cached copy stale: the lines the
//!   previous reader of this buffer pulled into its caches are invalidated
//!   (coherence; only that core read them, so only its caches are touched);
//! - the device write allocates the first `allocate_lines` lines of the frame
//!   (and the work entry when `entry_allocate`) in the cache level shared by
//!   every core, as LiquidIO's input unit can (the OCTEON "OPC mode"); the
//!   rest goes to DRAM only, so the core's first read of it misses;
//! - the core's reads install the lines in its caches, where they compete
//!   with everything else the core touches (flow state, a task's data).
//!
//! Reads are charged when the frame is admitted, right after its device
//! write; lines a later frame's device write evicts while this frame waits
//! in the queue are not seen (in the built-in profiles that needs a queue of
//! thousands of frames).
//!
//! Because the read follows the device write, the ring's own stall never
//! depends on the cache state: an allocated line was just installed (a hit
//! in the shared level), any other line was just invalidated everywhere (a
//! miss to DRAM). What the cache state decides is the effect of the ring's
//! lines on everything else the cores keep there. So when nothing else uses
//! the caches, [`PacketRing::stall_alone`] gives the same answer as
//! [`PacketRing::receive`] without touching them (tested), which keeps the
//! closed-form echo path fast.

use serde::Deserialize;
use sim_core::SimDuration;

use crate::core_model::CoreModel;
use crate::error::ModelError;
use crate::memory::hierarchy::{MemoryConfig, NicMemory, DRAM_PACKET_RING_BASE};

/// Base address of the packet-buffer ring in NIC memory.
pub const PACKET_RING_BASE: u64 = DRAM_PACKET_RING_BASE;
/// Base address of the work-entry ring in NIC memory.
pub const ENTRY_RING_BASE: u64 = 0x0000_7E00_0000_0000;

/// Largest ring (the per-buffer reader table is allocated up front).
const MAX_BUFFERS: u64 = 1 << 20;
/// Largest buffer.
const MAX_BUFFER_BYTES: u64 = 1 << 16;

/// `[memory.packet_ring]` of a profile.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PacketRingConfig {
    /// Packet buffers in the ring (reused in order).
    pub buffers: u64,
    /// Bytes per buffer (a multiple of the line size); a longer frame's tail is not modelled.
    pub buffer_bytes: u64,
    /// Bytes of the work entry written per frame; 0 = none.
    #[serde(default)]
    pub entry_bytes: u32,
    /// Whether the device write of the work entry allocates in the shared cache level.
    #[serde(default)]
    pub entry_allocate: bool,
    /// Leading lines of each frame the device write allocates in the shared cache level.
    #[serde(default)]
    pub allocate_lines: u32,
    /// Bytes at the front of each frame the forwarding handler reads.
    pub header_bytes: u32,
}

impl PacketRingConfig {
    /// Checks every value against `line_bytes`; errors name the key.
    pub fn validate(&self, line_bytes: u64) -> Result<(), ModelError> {
        use crate::ranges::count;
        let k = |n: &str| format!("memory.packet_ring.{n}");
        count(&k("buffers"), self.buffers, 1, MAX_BUFFERS, "buffers")?;
        count(
            &k("buffer_bytes"),
            self.buffer_bytes,
            line_bytes,
            MAX_BUFFER_BYTES,
            "bytes",
        )?;
        if self.buffer_bytes % line_bytes != 0 {
            return Err(ModelError::InvalidConfig {
                key: k("buffer_bytes"),
                reason: format!(
                    "must be a multiple of memory.line_bytes ({line_bytes}), got {}: write e.g. 2048",
                    self.buffer_bytes
                ),
            });
        }
        count(&k("entry_bytes"), self.entry_bytes.into(), 0, 4096, "bytes")?;
        count(
            &k("allocate_lines"),
            self.allocate_lines.into(),
            0,
            self.buffer_bytes / line_bytes,
            "lines (at most one buffer)",
        )?;
        count(
            &k("header_bytes"),
            self.header_bytes.into(),
            1,
            self.buffer_bytes,
            "bytes (at most one buffer)",
        )
    }
}

/// The stall of one frame whose header read is `header` bytes on caches that
/// hold nothing else, as [`NicMemory::access`] charges it: a line the device
/// allocated is served by the shared level (the outermost level with one
/// instance for all `cores`), any other line by DRAM; an access pays its
/// first line in full and each further one divided by `stream_overlap`.
/// Computed rather than simulated so that building a ring allocates no
/// caches (`alone_the_ring_charges_what_the_caches_would` checks it).
fn cold_stall(
    cfg: &PacketRingConfig,
    mem: &MemoryConfig,
    cores: usize,
    header: u64,
) -> SimDuration {
    let cores = cores.max(1);
    let shared = mem
        .caches
        .iter()
        .rev()
        .find(|c| cores.div_ceil((c.shared_by_cores as usize).clamp(1, cores)) == 1)
        .map(|c| SimDuration::from_ns_f64(c.latency_ns));
    let dram = SimDuration::from_ns_f64(mem.dram_latency_ns);
    let access = |lines: u64, allocated: u64| -> SimDuration {
        let mut total_ps = 0.0;
        for i in 0..lines.max(1) {
            let lat = match shared {
                Some(l) if i < allocated => l,
                _ => dram,
            };
            let ps = lat.as_ps() as f64;
            total_ps += if i == 0 { ps } else { ps / mem.stream_overlap };
        }
        SimDuration::from_ps(crate::compute::round_to_u64(total_ps))
    };
    let line = mem.line_bytes;
    let mut d = access(header.div_ceil(line), u64::from(cfg.allocate_lines));
    if cfg.entry_bytes > 0 {
        let entry_lines = u64::from(cfg.entry_bytes).div_ceil(line);
        let allocated = if cfg.entry_allocate { entry_lines } else { 0 };
        d += access(entry_lines, allocated);
    }
    d
}

/// `forwarding.per_packet_ns` includes the ring's stall on an idle NIC, so it
/// may not be smaller (call after the memory section is validated).
pub fn check_per_packet(nic: &crate::NicProfile) -> Result<(), ModelError> {
    let Some(cfg) = &nic.memory.packet_ring else {
        return Ok(());
    };
    let nominal = PacketRing::new(cfg, &nic.memory, nic.cores as usize)?
        .nominal()
        .as_ns_f64();
    if nominal > nic.forwarding.per_packet_ns {
        return Err(ModelError::InvalidConfig {
            key: "forwarding.per_packet_ns".into(),
            reason: format!(
                "{} ns is less than the {nominal} ns the [memory.packet_ring] reads cost on an idle NIC, \
                 which it includes: raise it or make the ring cheaper",
                nic.forwarding.per_packet_ns
            ),
        });
    }
    Ok(())
}

/// The ring's state: the next buffer and who read each buffer last.
pub struct PacketRing {
    cfg: PacketRingConfig,
    line_bytes: u64,
    /// Distance between work entries: the entry rounded up to whole lines.
    entry_stride: u64,
    next: u64,
    /// Per buffer: the core that read it last (`u32::MAX`: none yet).
    reader: Vec<u32>,
    /// The stall by number of header lines read (index 0 = one line), as a
    /// cold hierarchy charges it: what every frame pays when nothing else
    /// uses the caches.
    alone: Vec<SimDuration>,
}

/// Where one frame's reads go.
struct Reads {
    buf: u64,
    header: u32,
    entry: u64,
    entry_bytes: u32,
}

impl PacketRing {
    /// An empty ring for the `cores` cores of a machine with memory `mem`
    /// (`cfg` validated against its line size).
    pub fn new(
        cfg: &PacketRingConfig,
        mem: &MemoryConfig,
        cores: usize,
    ) -> Result<PacketRing, ModelError> {
        let line_bytes = mem.line_bytes;
        cfg.validate(line_bytes)?;
        let mut ring = PacketRing {
            entry_stride: u64::from(cfg.entry_bytes).div_ceil(line_bytes) * line_bytes,
            line_bytes,
            cfg: cfg.clone(),
            next: 0,
            reader: vec![u32::MAX; cfg.buffers as usize],
            alone: Vec::new(),
        };
        for n in 1..=u64::from(cfg.header_bytes).div_ceil(line_bytes) {
            let header = (n * line_bytes).min(u64::from(cfg.header_bytes));
            ring.alone.push(cold_stall(cfg, mem, cores, header));
        }
        ring.next = 0;
        ring.reader.fill(u32::MAX);
        Ok(ring)
    }

    /// Addresses of buffer `slot` and of its work entry.
    pub fn addresses(&self, slot: u64) -> (u64, u64) {
        let slot = slot % self.cfg.buffers;
        (
            PACKET_RING_BASE + slot * self.cfg.buffer_bytes,
            ENTRY_RING_BASE + slot * self.entry_stride,
        )
    }

    /// The device writes a frame of `wire_bytes` (and its work entry) into
    /// the next buffer, which `core` will read: stale copies invalidated,
    /// allocated lines installed.
    fn prepare(&mut self, mem: &mut NicMemory, core: usize, wire_bytes: u32) -> Reads {
        let slot = self.next % self.cfg.buffers;
        self.next += 1;
        let (buf, entry) = self.addresses(slot);
        let frame = wire_bytes.min(self.cfg.buffer_bytes as u32);
        let entry_bytes = self.cfg.entry_bytes;
        let prev = self.reader[slot as usize];
        if prev != u32::MAX {
            // what the previous reader pulled in is stale now
            mem.invalidate(prev as usize, buf, self.cfg.header_bytes);
            if entry_bytes > 0 {
                mem.invalidate(prev as usize, entry, entry_bytes);
            }
        }
        if entry_bytes > 0 && self.cfg.entry_allocate {
            mem.device_write(entry, entry_bytes, u32::MAX);
        }
        mem.device_write(buf, frame, self.cfg.allocate_lines);
        self.reader[slot as usize] = core as u32;
        Reads {
            buf,
            header: self.cfg.header_bytes.min(frame).max(1),
            entry,
            entry_bytes,
        }
    }

    /// A frame of `wire_bytes` lands in the next buffer and `core` reads its
    /// work entry and header through `model`'s caches: returns the core's
    /// memory stall.
    pub fn receive(
        &mut self,
        model: &mut CoreModel,
        core: usize,
        wire_bytes: u32,
    ) -> Result<SimDuration, ModelError> {
        let r = self.prepare(model.memory_mut(), core, wire_bytes);
        let mut stall = model.mem_access(core, r.buf, r.header, false)?;
        if r.entry_bytes > 0 {
            stall += model.mem_access(core, r.entry, r.entry_bytes, false)?;
        }
        Ok(stall)
    }

    /// What [`PacketRing::receive`] charges for a frame of `wire_bytes` when
    /// nothing but the ring uses the caches (see the module notes), without
    /// touching them; the ring advances as in `receive`.
    pub fn stall_alone(&mut self, wire_bytes: u32) -> SimDuration {
        self.next += 1;
        let frame = wire_bytes.min(self.cfg.buffer_bytes as u32);
        let header = self.cfg.header_bytes.min(frame).max(1);
        let lines = u64::from(header).div_ceil(self.line_bytes) as usize;
        self.alone[lines.clamp(1, self.alone.len()) - 1]
    }

    /// The stall of a frame whose header fills `header_bytes` on an idle NIC
    /// (what `forwarding.per_packet_ns` includes).
    pub fn nominal(&self) -> SimDuration {
        self.alone.last().copied().unwrap_or(SimDuration::ZERO)
    }

    /// Frames received so far.
    pub fn received(&self) -> u64 {
        self.next
    }
}

#[cfg(test)]
mod tests;
