//! Fig. 7: a non-blocking operation costs the core only the enqueue, whatever the payload; blocking ones grow with it.

use pcie_model::measure::{unloaded_latency, Op};
use pcie_model::PcieProfiles;

/// Payloads of Fig. 7: 4 B to 2 KB in powers of two.
const PAYLOADS: [u64; 10] = [4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048];

fn latency_ns(op: Op, bytes: u64) -> f64 {
    unloaded_latency(&PcieProfiles::liquidio_cn2350(), op, bytes)
        .unwrap()
        .as_ns_f64()
}

#[test]
fn nonblocking_latency_is_flat_in_payload() {
    for op in [Op::DmaNonblockingRead, Op::DmaNonblockingWrite] {
        let v: Vec<f64> = PAYLOADS.iter().map(|&b| latency_ns(op, b)).collect();
        let max = v.iter().copied().fold(f64::MIN, f64::max);
        let min = v.iter().copied().fold(f64::MAX, f64::min);
        assert!(max / min < 1.01, "{op:?}: {v:?}");
    }
}

#[test]
fn blocking_latency_grows_with_payload_and_includes_a_pcie_round_trip() {
    let one_way = PcieProfiles::liquidio_cn2350().pcie.one_way_latency_ns;
    for op in [Op::DmaBlockingRead, Op::DmaBlockingWrite] {
        let small = latency_ns(op, 4);
        let large = latency_ns(op, 2048);
        assert!(
            large > small * 1.3,
            "{op:?}: 4 B {small} ns, 2 KB {large} ns"
        );
        // Blocking waits for a completion from the host: two crossings.
        assert!(small > 2.0 * one_way, "{op:?}: {small} ns");
        assert!(small > 10.0 * latency_ns(Op::DmaNonblockingWrite, 4));
    }
}
