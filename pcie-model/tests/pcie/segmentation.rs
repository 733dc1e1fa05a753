//! TLP segmentation and conservation: sizes cut at MPS / MRRS / completion size, every payload byte carried once, wire time = bytes / rate.

use pcie_model::{Direction, DmaCommand, DmaKind, PcieProfiles, PcieSystem};
use sim_core::SimTime;

#[test]
fn writes_and_reads_are_cut_into_the_right_tlps() {
    for bytes in [1u64, 64, 255, 256, 257, 1000, 2048, 4097] {
        let mut sys = PcieSystem::new(&PcieProfiles::liquidio_cn2350()).unwrap();
        sys.submit(SimTime::ZERO, 0, &DmaCommand::new(DmaKind::Write, bytes))
            .unwrap();
        let s = sys.stats().link;
        assert_eq!(s.upstream.tlps, bytes.div_ceil(256), "write {bytes}");
        assert_eq!(s.upstream.payload_bytes, bytes);
        assert_eq!(s.upstream.wire_bytes, bytes + 24 * bytes.div_ceil(256));

        let mut sys = PcieSystem::new(&PcieProfiles::liquidio_cn2350()).unwrap();
        sys.submit(SimTime::ZERO, 0, &DmaCommand::new(DmaKind::Read, bytes))
            .unwrap();
        let s = sys.stats().link;
        assert_eq!(
            s.upstream.tlps,
            bytes.div_ceil(512),
            "read requests {bytes}"
        );
        assert_eq!(s.upstream.payload_bytes, 0);
        assert_eq!(s.downstream.payload_bytes, bytes);
        // One completion per 64 B host line within each request.
        let completions: u64 = (0..bytes.div_ceil(512))
            .map(|i| (bytes - i * 512).min(512).div_ceil(64))
            .sum();
        assert_eq!(s.downstream.tlps, completions, "completions {bytes}");
    }
}

#[test]
fn wire_time_is_wire_bytes_at_the_raw_rate_and_fits_in_the_elapsed_time() {
    let p = PcieProfiles::liquidio_cn2350();
    let mut sys = PcieSystem::new(&p).unwrap();
    let mut last = SimTime::ZERO;
    for core in 0..12 {
        let c = sys.nonblocking_write(SimTime::ZERO, core, 32768).unwrap();
        last = last.max(c.data_done);
    }
    let s = sys.stats();
    assert_eq!(s.link.upstream.payload_bytes, 12 * 32768);
    assert_eq!(s.dma.bytes_written, 12 * 32768);
    let expect_ns = s.link.upstream.wire_bytes as f64 / p.pcie.raw_gbytes_per_s();
    assert!((s.link.upstream.busy.as_ns_f64() - expect_ns).abs() < 1.0);
    // The wire cannot have been busy longer than the run lasted.
    assert!(s.link.upstream.busy <= last.since_start());
}

#[test]
fn device_and_host_writes_use_their_own_direction() {
    let mut sys = PcieSystem::new(&PcieProfiles::bluefield_1m332a()).unwrap();
    let up = sys.device_write_to_host(SimTime::ZERO, 1500);
    let down = sys.host_write_to_nic(SimTime::ZERO, 1500);
    let s = sys.stats().link;
    assert_eq!(s.upstream.payload_bytes, 1500);
    assert_eq!(s.downstream.payload_bytes, 1500);
    assert_eq!(s.upstream.tlps, 6);
    // Same size, idle link: both directions take the same time.
    assert_eq!(up.delivered, down.delivered);
    let one_way = sys.link().one_way_latency();
    assert!(up.delivered - up.sent == one_way);
    assert!(sys.link().idle_from(Direction::NicToHost) == up.sent);
}
