//! Memory models: set-associative caches, the per-machine hierarchy, and the pointer-chasing microbenchmark.

pub mod cache;
pub mod config;
pub mod hierarchy;
pub mod packet_ring;
pub mod pointer_chase;

pub use cache::{Cache, CacheCounters, CacheGeometry, Lookup};
pub use hierarchy::{
    CacheLevelConfig, CoreMemCounters, MemoryConfig, NicMemory, PacketBufferConfig,
    ScratchpadConfig, ServedBy, DRAM_PACKET_RING_BASE, PACKET_BUFFER_BASE, PACKET_SLOT_BYTES,
    SCRATCHPAD_BASE,
};
pub use packet_ring::{PacketRing, PacketRingConfig, ENTRY_RING_BASE};
