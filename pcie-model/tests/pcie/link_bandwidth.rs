//! Many cores issuing large DMAs fill the link up to its bandwidth after TLP overhead, and never beyond it.

use pcie_model::measure::{streaming_throughput, Op};
use pcie_model::PcieProfiles;

#[test]
fn many_cores_writing_approach_but_never_exceed_the_effective_write_bandwidth() {
    let p = PcieProfiles::liquidio_cn2350();
    let limit = p.pcie.effective_write_gbytes_per_s();
    // 256 B MPS with 24 B overhead: 7.877 * 256 / 280 = 7.20 GB/s.
    assert!((limit - 7.20).abs() < 0.01, "{limit}");
    let one = streaming_throughput(&p, Op::DmaNonblockingWrite, 16384, 1, 40).unwrap();
    let many = streaming_throughput(&p, Op::DmaNonblockingWrite, 16384, 12, 40).unwrap();
    assert!(many <= limit * 1.001, "{many} > {limit}");
    assert!(
        many >= 0.95 * limit,
        "12 cores reach only {many} of {limit} GB/s"
    );
    assert!(many > 2.5 * one, "one core {one}, twelve {many}");
}

#[test]
fn many_cores_reading_approach_but_never_exceed_the_effective_read_bandwidth() {
    let mut p = PcieProfiles::liquidio_cn2350();
    let limit = p.pcie.effective_read_gbytes_per_s();
    // Completions of 64 B with 24 B overhead: 7.877 * 64 / 88 = 5.73 GB/s.
    assert!((limit - 5.73).abs() < 0.01, "{limit}");
    // Default engines: 8 engines x 5 read slots of 512 B in flight bound
    // reads below the link (Little's law), but close to it.
    let default = streaming_throughput(&p, Op::DmaNonblockingRead, 16384, 12, 40).unwrap();
    assert!(default <= limit * 1.001, "{default} > {limit}");
    assert!(default >= 0.80 * limit, "{default}");
    // With more completion buffer per engine the link itself is the limit
    // (a few percent is lost to gaps between completions shorter than a TLP).
    p.dma.read_slots_per_engine = 16;
    let many = streaming_throughput(&p, Op::DmaNonblockingRead, 16384, 12, 40).unwrap();
    assert!(many <= limit * 1.001, "{many} > {limit}");
    assert!(
        many >= 0.90 * limit,
        "12 cores reach only {many} of {limit} GB/s"
    );
    assert!(many > default);
}

#[test]
fn a_bigger_max_payload_size_raises_the_write_ceiling() {
    let mut p = PcieProfiles::liquidio_cn2350();
    p.dma.engines = 12;
    let at_256 = streaming_throughput(&p, Op::DmaNonblockingWrite, 16384, 12, 30).unwrap();
    p.pcie.max_payload_bytes = 128;
    let at_128 = streaming_throughput(&p, Op::DmaNonblockingWrite, 16384, 12, 30).unwrap();
    // 128/152 vs 256/280 of the raw rate.
    assert!(at_128 < at_256 * 0.95, "{at_128} vs {at_256}");
    assert!(at_128 <= p.pcie.effective_write_gbytes_per_s() * 1.001);
}
