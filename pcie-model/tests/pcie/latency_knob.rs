//! The one-way latency enters exactly where PCIe puts it: twice in a blocking op, never in a non-blocking issue or in pipelined write throughput; once in an RDMA verb's doorbell.

use pcie_model::measure::{per_core_throughput, unloaded_latency, Op};
use pcie_model::PcieProfiles;

#[test]
fn one_way_latency_costs_a_blocking_op_twice_and_a_nonblocking_issue_nothing() {
    let base = PcieProfiles::liquidio_cn2350();
    let mut slow = base.clone();
    slow.pcie.one_way_latency_ns += 500.0;
    for op in [Op::DmaBlockingRead, Op::DmaBlockingWrite] {
        let a = unloaded_latency(&base, op, 64).unwrap();
        let b = unloaded_latency(&slow, op, 64).unwrap();
        assert_eq!(b - a, sim_core::SimDuration::from_ns(1000), "{op:?}");
    }
    for op in [Op::DmaNonblockingRead, Op::DmaNonblockingWrite] {
        assert_eq!(
            unloaded_latency(&base, op, 64).unwrap(),
            unloaded_latency(&slow, op, 64).unwrap()
        );
    }
    // Pipelined posted writes stream regardless of the latency; pipelined
    // reads hold their slots for a longer round trip and slow down.
    let w0 = per_core_throughput(&base, Op::DmaNonblockingWrite, 2048, 200).unwrap();
    let w1 = per_core_throughput(&slow, Op::DmaNonblockingWrite, 2048, 200).unwrap();
    assert!((w0 - w1).abs() / w0 < 0.01, "{w0} vs {w1}");
    let r0 = per_core_throughput(&base, Op::DmaNonblockingRead, 2048, 200).unwrap();
    let r1 = per_core_throughput(&slow, Op::DmaNonblockingRead, 2048, 200).unwrap();
    assert!(r1 < r0 * 0.8, "{r0} vs {r1}");
    // A blocking core waits out the round trip of every command, writes too
    // (the flush read behind the writes).
    let b0 = per_core_throughput(&base, Op::DmaBlockingWrite, 2048, 50).unwrap();
    let b1 = per_core_throughput(&slow, Op::DmaBlockingWrite, 2048, 50).unwrap();
    assert!(b1 < b0 * 0.8, "{b0} vs {b1}");
}

#[test]
fn the_rdma_doorbell_crosses_the_link_once() {
    let base = PcieProfiles::bluefield_1m332a();
    let mut slow = base.clone();
    slow.pcie.one_way_latency_ns += 500.0;
    // Write: doorbell + flush round trip; read: doorbell + read round trip.
    for op in [Op::RdmaRead, Op::RdmaWrite] {
        let a = unloaded_latency(&base, op, 64).unwrap();
        let b = unloaded_latency(&slow, op, 64).unwrap();
        assert_eq!(b - a, sim_core::SimDuration::from_ns(1500), "{op:?}");
    }
}
