//! Pointer chasing over the cache model: the measured latency follows the working set across levels.

use nic_models::memory::pointer_chase::chase;
use nic_models::memory::{CacheLevelConfig, MemoryConfig, NicMemory};

fn two_level() -> MemoryConfig {
    MemoryConfig {
        line_bytes: 64,
        caches: vec![
            CacheLevelConfig {
                name: "l1".into(),
                size_kb: 4,
                ways: 2,
                latency_ns: 1.0,
                shared_by_cores: 1,
            },
            CacheLevelConfig {
                name: "l2".into(),
                size_kb: 64,
                ways: 8,
                latency_ns: 10.0,
                shared_by_cores: 1,
            },
        ],
        dram_latency_ns: 100.0,
        stream_overlap: 4.0,
        scratchpad: None,
        packet_buffer: None,
        packet_ring: None,
    }
}

#[test]
fn chase_latency_follows_the_working_set_across_levels() {
    let mut mem = NicMemory::new(&two_level(), 1).unwrap();
    let fits_l1 = chase(&mut mem, 0, 0, 2 * 1024, 64, 2000).latency_ns;
    let fits_l2 = chase(&mut mem, 0, 0, 32 * 1024, 512, 2000).latency_ns;
    let beyond = chase(&mut mem, 0, 0, 1024 * 1024, 0, 2000).latency_ns;
    assert!((fits_l1 - 1.0).abs() < 1e-9, "{fits_l1}");
    assert!((fits_l2 - 10.0).abs() < 1e-9, "{fits_l2}");
    assert!((beyond - 100.0).abs() < 1e-9, "{beyond}");
    // Just over L2's capacity: cyclic LRU thrashes, every load goes to DRAM.
    let over = chase(&mut mem, 0, 0, 128 * 1024, 2048, 2000).latency_ns;
    assert!((over - 100.0).abs() < 1e-9, "{over}");
}
