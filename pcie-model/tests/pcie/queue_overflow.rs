//! Bounded queues: a command that finds its DMA queue (or RDMA send queue) full is refused and counted.

use pcie_model::{DmaError, PcieProfiles, PcieSystem};
use sim_core::SimTime;

#[test]
fn a_full_dma_queue_refuses_and_counts_commands() {
    let mut p = PcieProfiles::liquidio_cn2350();
    p.dma.queue_depth = 8;
    let mut sys = PcieSystem::new(&p).unwrap();
    let mut accepted = 0;
    let mut refused = 0;
    // Core 0 fires 50 commands in the same instant; the engine holds one in
    // service and eight in the queue.
    for _ in 0..50 {
        match sys.nonblocking_write(SimTime::ZERO, 0, 2048) {
            Ok(_) => accepted += 1,
            Err(DmaError::QueueFull {
                engine: 0,
                depth: 8,
            }) => refused += 1,
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(accepted, 9);
    assert_eq!(refused, 41);
    assert_eq!(sys.stats().dma.dropped, 41);
    assert_eq!(sys.stats().dma.commands, 9);
    // Another core maps to another engine with its own queue.
    assert!(sys.nonblocking_write(SimTime::ZERO, 1, 2048).is_ok());
    // Waiting until the advertised instant always succeeds.
    let t = sys.next_dma_issue_time(0, SimTime::ZERO);
    assert!(t > SimTime::ZERO);
    assert!(sys.nonblocking_write(t, 0, 2048).is_ok());
}

#[test]
fn a_full_rdma_send_queue_refuses_and_counts_work_requests() {
    let mut p = PcieProfiles::bluefield_1m332a();
    if let Some(r) = p.rdma.as_mut() {
        r.send_queue_depth = 4;
    }
    let mut sys = PcieSystem::new(&p).unwrap();
    let results: Vec<_> = (0..10)
        .map(|_| sys.rdma_write(SimTime::ZERO, 3, 64))
        .collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 4);
    assert!(matches!(
        results[4],
        Err(DmaError::SendQueueFull { core: 3, depth: 4 })
    ));
    assert_eq!(sys.stats().rdma.dropped, 6);
    assert_eq!(sys.stats().rdma.verbs, 4);
}
