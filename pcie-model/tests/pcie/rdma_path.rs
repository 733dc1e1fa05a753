//! One-sided RDMA verbs: refused without an `[rdma]` table, and carried over the same PCIe path as DMA.

use pcie_model::{DmaError, PcieProfiles, PcieSystem};
use sim_core::SimTime;

#[test]
fn rdma_needs_an_rdma_table() {
    let mut sys = PcieSystem::new(&PcieProfiles::liquidio_cn2350()).unwrap();
    assert_eq!(
        sys.rdma_read(SimTime::ZERO, 0, 64),
        Err(DmaError::RdmaNotConfigured)
    );
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
