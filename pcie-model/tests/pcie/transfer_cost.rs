//! `transfer_cost`: the unloaded cost of moving actor state across PCIe, from the model, independent of load.

use pcie_model::{Direction, PcieProfiles, PcieSystem};
use sim_core::SimTime;

#[test]
fn transfer_cost_grows_with_size_and_respects_the_link_rate() {
    let sys = PcieSystem::new(&PcieProfiles::liquidio_cn2350()).unwrap();
    let p = sys.profiles().pcie.clone();
    for dir in [Direction::NicToHost, Direction::HostToNic] {
        let small = sys.transfer_cost(64, dir);
        let big = sys.transfer_cost(1 << 20, dir);
        assert!(big > small);
        let floor_s = (1u64 << 20) as f64 / (p.effective_write_gbytes_per_s() * 1e9);
        assert!(big.as_secs_f64() > floor_s, "{dir:?}: {big}");
        assert!(small.as_ns_f64() > 2.0 * p.one_way_latency_ns);
    }
}

#[test]
fn transfer_cost_ignores_current_load_and_matches_a_blocking_op() {
    let mut sys = PcieSystem::new(&PcieProfiles::liquidio_cn2350()).unwrap();
    let before = sys.transfer_cost(4096, Direction::NicToHost);
    for core in 0..8 {
        sys.nonblocking_write(SimTime::ZERO, core, 65536).unwrap();
    }
    assert_eq!(sys.transfer_cost(4096, Direction::NicToHost), before);
    let mut fresh = PcieSystem::new(&PcieProfiles::liquidio_cn2350()).unwrap();
    assert_eq!(
        fresh
            .blocking_write(SimTime::ZERO, 0, 4096)
            .unwrap()
            .since_start(),
        before
    );
}

#[test]
fn off_path_nics_move_state_with_rdma() {
    let sys = PcieSystem::new(&PcieProfiles::bluefield_1m332a()).unwrap();
    let lio = PcieSystem::new(&PcieProfiles::liquidio_cn2350()).unwrap();
    let d = Direction::HostToNic;
    assert!(sys.transfer_cost(4096, d) > lio.transfer_cost(4096, d));
}

/// The remembered costs are the computed ones, for every size and both
/// directions, on the first ask and on repeats, on- and off-path NICs.
#[test]
fn remembered_costs_equal_computed_ones() {
    for profiles in [
        PcieProfiles::liquidio_cn2350(),
        PcieProfiles::bluefield_1m332a(),
    ] {
        let sys = PcieSystem::new(&profiles).unwrap();
        let mut costs = sys.transfer_costs();
        let standalone = pcie_model::TransferCosts::new(&profiles).unwrap();
        assert_eq!(standalone.remembered(), 0);
        for round in 0..2 {
            for bytes in [0u64, 1, 64, 100, 4096, 65_537] {
                for dir in [Direction::NicToHost, Direction::HostToNic] {
                    assert_eq!(
                        costs.cost(bytes, dir),
                        sys.transfer_cost(bytes, dir),
                        "{bytes} B {dir:?}, round {round}"
                    );
                }
            }
        }
        assert_eq!(costs.remembered(), 12);
    }
}

/// Past its bound a memo stops remembering new sizes but still answers them.
#[test]
fn remembering_is_bounded() {
    let sys = PcieSystem::new(&PcieProfiles::liquidio_cn2350()).unwrap();
    let mut costs = sys.transfer_costs();
    let max = pcie_model::transfer_costs::MAX_REMEMBERED_SIZES as u64;
    for bytes in 0..max + 10 {
        costs.cost(bytes, Direction::NicToHost);
    }
    assert_eq!(costs.remembered() as u64, max);
    let d = Direction::NicToHost;
    assert_eq!(costs.cost(max + 5, d), sys.transfer_cost(max + 5, d));
}
