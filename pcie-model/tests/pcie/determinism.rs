//! Same inputs, same outputs: a mixed load gives identical results run after run.

use pcie_model::{PcieProfiles, PcieSystem};
use sim_core::SimTime;

fn mixed_load() -> (Vec<SimTime>, String) {
    let mut sys = PcieSystem::new(&PcieProfiles::bluefield_1m332a()).unwrap();
    let mut out = Vec::new();
    let mut now = SimTime::ZERO;
    for i in 0u64..300 {
        let core = (i * 7 % 12) as usize;
        let bytes = 4 << (i % 10);
        let t = match i % 5 {
            0 => sys.blocking_write(now, core, bytes).ok(),
            1 => sys.blocking_read(now, core, bytes).ok(),
            2 => sys
                .nonblocking_write(now, core, bytes)
                .ok()
                .map(|c| c.data_done),
            3 => sys.rdma_read(now, core, bytes).ok().map(|c| c.completed),
            _ => sys.rdma_write(now, core, bytes).ok().map(|c| c.completed),
        };
        out.push(t.unwrap_or(SimTime::MAX));
        now += sim_core::SimDuration::from_ns(37);
    }
    (out, format!("{:?}", sys.stats()))
}

#[test]
fn a_mixed_load_is_reproducible() {
    assert_eq!(mixed_load(), mixed_load());
}
