//! Fig. 9: one-sided RDMA on BlueField costs about twice a blocking DMA on LiquidIO, at every payload.

use pcie_model::figures::{fig10, fig9, PAYLOADS};
use pcie_model::measure::{unloaded_latency, Op};
use pcie_model::{DmaError, PcieProfiles, PcieSystem};
use sim_core::SimTime;

#[test]
fn rdma_latency_is_about_twice_blocking_dma_at_every_payload() {
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
                (ratio - 2.0).abs() <= 0.15 * 2.0,
                "{rdma:?} {b} B: {r} ns vs {d} ns = {ratio}"
            );
        }
    }
}

#[test]
fn fig9_claims_pass() {
    let (table, claims) = fig9(true);
    assert_eq!(table.columns, ["op", "payload_bytes", "latency_us"]);
    assert_eq!(claims.len(), 4);
    assert!(claims.iter().all(|c| c.pass()), "{claims:?}");
}

#[test]
fn rdma_needs_an_rdma_table() {
    let mut sys = PcieSystem::new(&PcieProfiles::liquidio_cn2350()).unwrap();
    assert_eq!(
        sys.rdma_read(SimTime::ZERO, 0, 64),
        Err(DmaError::RdmaNotConfigured)
    );
}

#[test]
fn rdma_per_core_throughput_rises_with_payload_and_stays_below_the_link() {
    let (table, _) = fig10(true);
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

#[test]
fn rdma_runs_on_the_same_pcie_path_as_dma() {
    let mut sys = PcieSystem::new(&PcieProfiles::bluefield_1m332a()).unwrap();
    let r = sys.rdma_read(SimTime::ZERO, 0, 2048).unwrap();
    let s = sys.stats();
    // Four MRRS read requests up, 32 cache-line completions down.
    assert_eq!(s.link.upstream.tlps, 4);
    assert_eq!(s.link.downstream.tlps, 32);
    assert_eq!(s.link.downstream.payload_bytes, 2048);
    assert_eq!(s.dma.bytes_read, 2048);
    assert_eq!(s.rdma.verbs, 1);
    assert!(r.core_free < r.data_done && r.data_done < r.completed);

    let w = sys.rdma_write(r.completed, 1, 1000).unwrap();
    let s = sys.stats();
    // 1000 B = 3 x 256 + 232: four posted TLPs plus the flush read.
    assert_eq!(s.link.upstream.tlps, 4 + 4 + 1);
    assert_eq!(s.link.upstream.payload_bytes, 1000);
    assert!(w.data_done < w.completed);
}
