//! Figs. 9 and 10: one-sided RDMA on BlueField costs about twice a blocking DMA on LiquidIO at every payload; its per-core throughput rises with payload.

use pcie_model::measure::{unloaded_latency, Op};
use pcie_model::PcieProfiles;
use repro::figures::pcie::{fig10_table, fig9_parts, PAYLOADS};

#[test]
fn rdma_latency_is_about_twice_blocking_dma_at_every_payload() {
    let paper = crate::paper()
        .rdma("bluefield_1m332a")
        .unwrap()
        .latency_vs_blocking_dma;
    let bf = PcieProfiles::bluefield_1m332a();
    let lio = PcieProfiles::liquidio_cn2350();
    for (rdma, dma) in [
        (Op::RdmaRead, Op::DmaBlockingRead),
        (Op::RdmaWrite, Op::DmaBlockingWrite),
    ] {
        for &b in &PAYLOADS {
            let r = unloaded_latency(&bf, rdma, b).unwrap().as_ns_f64();
            let d = unloaded_latency(&lio, dma, b).unwrap().as_ns_f64();
            let ratio = r / d;
            assert!(
                (ratio - paper).abs() <= 0.15 * paper,
                "{rdma:?} {b} B: {r} ns vs {d} ns = {ratio}"
            );
        }
    }
}

#[test]
fn fig9_claims_pass() {
    let (table, claims) = fig9_parts(&crate::ctx()).unwrap();
    assert_eq!(table.columns, ["op", "payload_bytes", "latency_us"]);
    assert_eq!(claims.len(), 4);
    assert!(claims.iter().all(|c| c.pass()), "{claims:?}");
}

#[test]
fn rdma_per_core_throughput_rises_with_payload_and_stays_below_the_link() {
    let table = fig10_table(true);
    assert_eq!(
        table.columns,
        ["op", "payload_bytes", "throughput_gbytes_per_s"]
    );
    let v = table.numbers("throughput_gbytes_per_s").unwrap();
    let link = PcieProfiles::bluefield_1m332a()
        .pcie
        .effective_write_gbytes_per_s();
    for series in v.chunks(PAYLOADS.len()) {
        assert!(
            series
                .iter()
                .all(|x| x.is_finite() && *x > 0.0 && *x < link),
            "{series:?}"
        );
        assert!(series.windows(2).all(|w| w[1] >= w[0] * 0.99), "{series:?}");
        assert!(series[series.len() - 1] > 5.0 * series[0]);
    }
}
