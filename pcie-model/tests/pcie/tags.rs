//! Reads hold a PCIe tag until their last completion: with few tags a read-heavy load is tag-limited.

use pcie_model::measure::{streaming_throughput, Op};
use pcie_model::{PcieProfiles, PcieSystem};
use sim_core::SimTime;

fn read_throughput(tags: u32) -> f64 {
    let mut p = PcieProfiles::liquidio_cn2350();
    p.pcie.read_tags = tags;
    p.pcie.nonposted_header_credits = 64;
    streaming_throughput(&p, Op::DmaNonblockingRead, 2048, 8, 60).unwrap()
}

#[test]
fn read_throughput_rises_with_the_tag_count_until_the_link_limits_it() {
    // With a 700 ns round trip, 16 tags already come near the link limit.
    let tags = [1u32, 2, 4, 8];
    let v: Vec<f64> = tags.iter().map(|&t| read_throughput(t)).collect();
    assert!(
        v.windows(2).all(|w| w[1] > w[0] * 1.5),
        "not tag-limited: {v:?}"
    );
    // With one tag, at most one MRRS request per round trip.
    let p = PcieProfiles::liquidio_cn2350().pcie;
    let rtt_s = 2.0 * p.one_way_latency_ns * 1e-9;
    let bound = f64::from(p.max_read_request_bytes) / rtt_s / 1e9;
    assert!(v[0] <= bound, "1 tag: {} > {bound}", v[0]);
    // Plenty of tags: the link, not the tags, sets the pace.
    let limit = p.effective_read_gbytes_per_s();
    let at_64 = read_throughput(64);
    assert!(at_64 <= limit * 1.001 && at_64 > 0.9 * limit, "{at_64}");
}

#[test]
fn tag_waits_are_counted() {
    let mut p = PcieProfiles::liquidio_cn2350();
    p.pcie.read_tags = 2;
    let mut sys = PcieSystem::new(&p).unwrap();
    for core in 0..4 {
        sys.nonblocking_read(SimTime::ZERO, core, 2048).unwrap();
    }
    assert!(sys.stats().link.tag_waits > 0);
}

#[test]
fn a_tag_limited_load_never_has_more_reads_in_flight_than_tags() {
    let mut p = PcieProfiles::liquidio_cn2350();
    p.pcie.read_tags = 4;
    let mut sys = PcieSystem::new(&p).unwrap();
    let mut now = SimTime::ZERO;
    for i in 0..400usize {
        now = sys.next_dma_issue_time(i % 8, now);
        sys.nonblocking_read(now, i % 8, 4096).unwrap();
    }
    let s = sys.stats().link;
    assert!(s.tag_waits > 100, "{s:?}");
    // The pool's hold is a lower bound (the bare round trip), so a tag is
    // rarely promised twice; `oversubscribed_units` counts it. Rare: at most
    // 1% of the read requests.
    assert!(s.oversubscribed_units * 100 <= s.upstream.tlps, "{s:?}");
}
