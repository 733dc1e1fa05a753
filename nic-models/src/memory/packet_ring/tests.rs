//! Tests of the NIC packet ring (`PacketRing`).

use super::*;
use crate::NicProfile;

fn ring(p: &NicProfile, f: impl Fn(&mut PacketRingConfig)) -> (CoreModel, PacketRing) {
    let mut cfg = p.memory.packet_ring.clone().expect("built-in ring");
    f(&mut cfg);
    let m = p.core_model().expect("model");
    let r = PacketRing::new(&cfg, &p.memory, p.cores as usize).expect("ring");
    (m, r)
}

#[test]
fn a_frame_the_device_wrote_to_dram_misses_every_time() {
    let p = NicProfile::builtin("stingray_ps225").expect("built-in");
    let (mut m, mut r) = ring(&p, |c| c.buffers = 4);
    // header and completion entry from DRAM (Table 2: 85.3 ns each), even
    // when the same core reuses the same buffer: the device write
    // invalidated its copies
    for _ in 0..10 {
        let d = r.receive(&mut m, 0, 256).expect("ok");
        assert_eq!(d, SimDuration::from_ps(2 * 85_300));
    }
}

#[test]
fn allocated_lines_hit_the_shared_cache() {
    let p = NicProfile::builtin("liquidio_cn2350").expect("built-in");
    let (mut m, mut r) = ring(&p, |c| {
        c.allocate_lines = 1;
        c.entry_allocate = true;
    });
    // both from L2 (Table 2: 55.8 ns)
    let d = r.receive(&mut m, 3, 256).expect("ok");
    assert_eq!(d, SimDuration::from_ps(2 * 55_800));
}

#[test]
fn the_packet_stream_evicts_other_data_from_the_shared_cache() {
    // a line of other data in L2 survives a short ring's traffic and is
    // evicted by a ring larger than the L2 (what decides a task's misses)
    let p = NicProfile::builtin("liquidio_cn2350").expect("built-in");
    let other = 0x1000_0000u64;
    let mut misses = Vec::new();
    for buffers in [64, 65_536] {
        let (mut m, mut r) = ring(&p, |c| {
            c.buffers = buffers;
            c.allocate_lines = 16;
        });
        m.mem_access(0, other, 8, false).expect("ok");
        for _ in 0..65_536 {
            r.receive(&mut m, 1, 2048).expect("ok");
        }
        // core 5 does not hold it in L1: L2 or DRAM
        let d = m.mem_access(5, other, 8, false).expect("ok");
        misses.push(d.as_ps());
    }
    assert_eq!(misses, vec![55_800, 115_000]);
}

#[test]
fn alone_the_ring_charges_what_the_caches_would() {
    // the shortcut is exact when nothing else uses the caches: every
    // profile, frame sizes around the header, cores in turn, wrapping
    for name in ["liquidio_cn2350", "stingray_ps225", "bluefield_1m332a"] {
        let p = NicProfile::builtin(name).expect("built-in");
        for allocate in [0, 1, 2] {
            let (mut m, mut full) = ring(&p, |c| {
                c.buffers = 5;
                c.allocate_lines = allocate;
                c.entry_allocate = allocate > 0;
                c.header_bytes = 100;
            });
            let (_, mut alone) = ring(&p, |c| {
                c.buffers = 5;
                c.allocate_lines = allocate;
                c.entry_allocate = allocate > 0;
                c.header_bytes = 100;
            });
            for i in 0..40u32 {
                let size = [64, 90, 128, 1500][(i % 4) as usize];
                let core = (i as usize * 7) % p.cores as usize;
                let a = full.receive(&mut m, core, size).expect("ok");
                assert_eq!(alone.stall_alone(size), a, "{name} frame {i}");
            }
        }
    }
}

#[test]
fn bad_values_name_the_key() {
    let p = NicProfile::builtin("liquidio_cn2350").expect("built-in");
    let mut c = p.memory.packet_ring.clone().expect("ring");
    c.buffer_bytes = 2000;
    let e = c.validate(128).unwrap_err().to_string();
    assert!(e.contains("memory.packet_ring.buffer_bytes"), "{e}");
    c.buffer_bytes = 2048;
    c.header_bytes = 0;
    let e = c.validate(128).unwrap_err().to_string();
    assert!(e.contains("memory.packet_ring.header_bytes"), "{e}");
}
