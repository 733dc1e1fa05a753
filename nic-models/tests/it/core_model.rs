//! The per-core cost model: compute time, shared L2 between cores, private caches, bypass regions, IPC and MPKI accounting.

use nic_models::memory::{PACKET_BUFFER_BASE, SCRATCHPAD_BASE};
use nic_models::{HostProfile, ModelError, NicProfile};
use sim_core::SimDuration;

#[test]
fn compute_time_is_instructions_over_ipc_times_clock() {
    let p = NicProfile::builtin("liquidio_cn2350").unwrap();
    let mut m = p.core_model().unwrap();
    // IPC 1.0 at 1.2 GHz: 1200 instructions = 1 us.
    assert_eq!(m.compute(0, 1200).unwrap(), SimDuration::from_us(1));
    assert!(matches!(
        m.compute(12, 1),
        Err(ModelError::NoSuchCore {
            core: 12,
            cores: 12
        })
    ));
}

#[test]
fn cores_share_the_l2_but_not_the_l1() {
    let p = NicProfile::builtin("liquidio_cn2350").unwrap();
    let mut m = p.core_model().unwrap();
    let a = 0x10_0000;
    assert_eq!(m.mem_access(0, a, 8, false).unwrap().as_ns_f64(), 115.0); // DRAM
    assert_eq!(m.mem_access(0, a, 8, false).unwrap().as_ns_f64(), 8.3); // own L1
    assert_eq!(m.mem_access(5, a, 8, true).unwrap().as_ns_f64(), 55.8); // shared L2
}

#[test]
fn host_sockets_have_separate_l3s() {
    let h = HostProfile::builtin("host_e5_2620v4").unwrap();
    let mut m = h.core_model().unwrap();
    let a = 0x4000;
    m.mem_access(0, a, 8, false).unwrap();
    assert_eq!(m.mem_access(7, a, 8, false).unwrap().as_ns_f64(), 22.4); // same socket: L3
    assert_eq!(m.mem_access(8, a, 8, false).unwrap().as_ns_f64(), 62.2); // other socket: DRAM
}

#[test]
fn scratchpad_and_packet_buffer_bypass_the_caches() {
    let p = NicProfile::builtin("liquidio_cn2350").unwrap();
    let mut m = p.core_model().unwrap();
    assert_eq!(
        m.mem_access(3, SCRATCHPAD_BASE, 8, true)
            .unwrap()
            .as_ns_f64(),
        8.3
    );
    assert_eq!(
        m.mem_access(3, PACKET_BUFFER_BASE + 4096, 8, false)
            .unwrap()
            .as_ns_f64(),
        55.8
    );
    let c = m.mem_counters(3).unwrap();
    assert_eq!((c.scratchpad, c.packet_buffer, c.dram), (1, 1, 0));
}

#[test]
fn multi_line_accesses_overlap_fills() {
    let p = NicProfile::builtin("stingray_ps225").unwrap();
    let mut m = p.core_model().unwrap();
    // 256 B = 4 lines of 64 B from DRAM: first in full, the rest at 1/4 each.
    let d = m.mem_access(0, 0, 256, false).unwrap().as_ns_f64();
    assert!((d - 85.3 * (1.0 + 3.0 / 4.0)).abs() < 1e-3, "{d}");
}

#[test]
fn ipc_and_mpki_reflect_memory_behaviour() {
    let p = NicProfile::builtin("liquidio_cn2350").unwrap();
    let mut cached = p.core_model().unwrap();
    let mut missing = p.core_model().unwrap();
    for i in 0..1000u64 {
        cached.compute(0, 100).unwrap();
        cached.mem_access(0, (i % 16) * 128, 8, false).unwrap();
        missing.compute(0, 100).unwrap();
        missing.mem_access(0, i * 1_048_576, 8, false).unwrap(); // always a new line
    }
    let (ipc_c, ipc_m) = (cached.ipc(0).unwrap(), missing.ipc(0).unwrap());
    // IPC 1.0 minus the L1 hit time (8.3 ns per 83.3 ns of compute) vs DRAM misses.
    assert!(ipc_c > 0.85 && ipc_m < 0.6, "{ipc_c} {ipc_m}");
    assert!(cached.mpki(0).unwrap() < 0.2);
    assert!((missing.mpki(0).unwrap() - 10.0).abs() < 1e-9);
}

#[test]
fn packets_live_in_the_packet_buffer_on_path_and_in_cached_dram_off_path() {
    let on = NicProfile::builtin("liquidio_cn2350").unwrap();
    let mut m = on.core_model().unwrap();
    let a = m.memory().packet_buffer_address(7);
    // A fresh packet is read at the packet buffer's fixed latency, not from DRAM.
    assert_eq!(m.mem_access(0, a, 64, false).unwrap().as_ns_f64(), 55.8);
    let off = NicProfile::builtin("stingray_ps225").unwrap();
    let mut m = off.core_model().unwrap();
    let a = m.memory().packet_buffer_address(7);
    assert_eq!(m.mem_access(0, a, 64, false).unwrap().as_ns_f64(), 85.3); // NIC DRAM
    assert_eq!(m.mem_access(0, a, 64, false).unwrap().as_ns_f64(), 1.3); // then cached
}
