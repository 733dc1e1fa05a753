//! Blocking DMA waits for its completion word before the next command; non-blocking keeps descriptors in flight; RDMA verbs cost the core their software time.

use pcie_model::measure::{per_core_throughput, unloaded_latency, Op};
use pcie_model::PcieProfiles;

fn thr(p: &PcieProfiles, op: Op, bytes: u64) -> f64 {
    per_core_throughput(p, op, bytes, 200).unwrap()
}

#[test]
fn a_blocking_core_gets_one_payload_per_blocking_latency() {
    let p = PcieProfiles::liquidio_cn2350();
    for op in [Op::DmaBlockingRead, Op::DmaBlockingWrite] {
        for bytes in [64u64, 2048] {
            let lat_s = unloaded_latency(&p, op, bytes).unwrap().as_secs_f64();
            let expect = bytes as f64 / lat_s / 1e9;
            let got = thr(&p, op, bytes);
            // Back-to-back commands on an otherwise idle link: the same
            // latency each time (to the ns rounding of the instants).
            assert!(
                (got - expect).abs() / expect < 0.01,
                "{op:?} {bytes}: {got} vs {expect}"
            );
        }
    }
}

#[test]
fn non_blocking_beats_blocking_and_most_at_small_payloads() {
    let p = PcieProfiles::liquidio_cn2350();
    for (nb, b) in [
        (Op::DmaNonblockingRead, Op::DmaBlockingRead),
        (Op::DmaNonblockingWrite, Op::DmaBlockingWrite),
    ] {
        let gain = |bytes| thr(&p, nb, bytes) / thr(&p, b, bytes);
        let (small, large) = (gain(64), gain(2048));
        assert!(small > 3.0, "{nb:?} 64 B: {small}x");
        assert!(large > 1.2, "{nb:?} 2 KB: {large}x");
        assert!(small > large, "{nb:?}: {small}x at 64 B, {large}x at 2 KB");
    }
}

#[test]
fn a_deeper_queue_does_not_help_a_blocking_core() {
    let base = PcieProfiles::liquidio_cn2350();
    let mut shallow = base.clone();
    shallow.dma.queue_depth = 1;
    // A blocking core never has a second command queued, so the queue bound
    // cannot change its rate.
    let b0 = thr(&base, Op::DmaBlockingWrite, 256);
    let b1 = thr(&shallow, Op::DmaBlockingWrite, 256);
    assert!((b0 - b1).abs() / b0 < 1e-9, "{b0} vs {b1}");
}

#[test]
fn small_rdma_verbs_are_bound_by_the_cores_software_cost() {
    let p = PcieProfiles::bluefield_1m332a();
    let r = p.rdma.clone().unwrap();
    let per_verb_s = (r.post_overhead_ns + r.poll_overhead_ns) * 1e-9;
    for op in [Op::RdmaRead, Op::RdmaWrite] {
        let got = thr(&p, op, 64);
        let bound = 64.0 / per_verb_s / 1e9;
        assert!(
            (got - bound).abs() / bound < 0.01,
            "{op:?}: {got} vs {bound}"
        );
        // Halving the software cost nearly doubles small-verb throughput.
        let mut fast = p.clone();
        let f = fast.rdma.as_mut().unwrap();
        f.post_overhead_ns /= 2.0;
        f.poll_overhead_ns /= 2.0;
        assert!(thr(&fast, op, 64) > 1.9 * got);
    }
}
