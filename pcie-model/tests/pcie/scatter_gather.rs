//! Scatter-gather: one command with several segments cuts TLPs at segment boundaries and pays per-segment overhead.

use pcie_model::{DmaCommand, DmaKind, PcieProfiles, PcieSystem};
use sim_core::SimTime;

#[test]
fn segments_cut_tlps_and_add_engine_time() {
    let p = PcieProfiles::liquidio_cn2350();
    let mut one = PcieSystem::new(&p).unwrap();
    let mut four = PcieSystem::new(&p).unwrap();
    let single = DmaCommand::new(DmaKind::Write, 1200).with_completion_word();
    let gathered = DmaCommand::gather(DmaKind::Write, vec![300; 4]).with_completion_word();
    assert_eq!(single.bytes(), gathered.bytes());
    let a = one.submit(SimTime::ZERO, 0, &single).unwrap();
    let b = four.submit(SimTime::ZERO, 0, &gathered).unwrap();
    // 1200 B = 4 x 256 + 176: 5 TLPs (+ the flush read); 4 x 300 B = 4 x (256 + 44): 8 TLPs.
    assert_eq!(one.stats().link.upstream.tlps, 5 + 1);
    assert_eq!(four.stats().link.upstream.tlps, 8 + 1);
    assert_eq!(one.stats().link.upstream.payload_bytes, 1200);
    assert_eq!(four.stats().link.upstream.payload_bytes, 1200);
    assert!(a.core_resume() > a.core_free && b.core_resume() > b.core_free);
}

#[test]
fn each_extra_segment_costs_the_engine_its_overhead() {
    let mut p = PcieProfiles::liquidio_cn2350();
    let cmd = DmaCommand::gather(DmaKind::Write, vec![600; 4]).with_completion_word();
    let with = PcieSystem::new(&p)
        .unwrap()
        .submit(SimTime::ZERO, 0, &cmd)
        .unwrap();
    p.dma.segment_overhead_ns = 0.0;
    let without = PcieSystem::new(&p)
        .unwrap()
        .submit(SimTime::ZERO, 0, &cmd)
        .unwrap();
    let extra = with.core_resume() - without.core_resume();
    assert_eq!(extra, sim_core::SimDuration::from_ns(3 * 20));
}

#[test]
fn a_gathered_read_fetches_every_segment() {
    let mut sys = PcieSystem::new(&PcieProfiles::liquidio_cn2350()).unwrap();
    let cmd = DmaCommand::gather(DmaKind::Read, vec![100, 600, 64]).with_completion_word();
    let c = sys.submit(SimTime::ZERO, 2, &cmd).unwrap();
    let s = sys.stats();
    // Requests: 100, 512 + 88, 64: four read requests upstream.
    assert_eq!(s.link.upstream.tlps, 4);
    assert_eq!(s.link.downstream.payload_bytes, 764);
    assert_eq!(s.dma.bytes_read, 764);
    assert!(c.completion_word.unwrap() > c.data_done);
}

#[test]
fn an_empty_command_is_an_error() {
    let mut sys = PcieSystem::new(&PcieProfiles::liquidio_cn2350()).unwrap();
    let cmd = DmaCommand::gather(DmaKind::Write, vec![]);
    assert!(sys.submit(SimTime::ZERO, 0, &cmd).is_err());
}
