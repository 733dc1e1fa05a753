//! Posted-write flow-control credits: a receiver with little buffer throttles the writer.

use pcie_model::measure::{streaming_throughput, Op};
use pcie_model::PcieProfiles;

#[test]
fn few_posted_data_credits_throttle_writes() {
    let mut p = PcieProfiles::liquidio_cn2350();
    let roomy = streaming_throughput(&p, Op::DmaNonblockingWrite, 8192, 8, 30).unwrap();
    // One MPS TLP worth of credits, returned 1 us after the TLP leaves.
    p.pcie.posted_data_credits = 16;
    p.pcie.credit_return_ns = 1000.0;
    let tight = streaming_throughput(&p, Op::DmaNonblockingWrite, 8192, 8, 30).unwrap();
    let wire_s = f64::from(256 + 24) / (p.pcie.raw_gbytes_per_s() * 1e9);
    let bound = 256.0 / (wire_s + 1e-6) / 1e9;
    assert!(tight <= bound * 1.001, "{tight} > credit bound {bound}");
    assert!(tight < roomy / 3.0, "{tight} vs {roomy}");
}
