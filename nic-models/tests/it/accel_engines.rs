//! Accelerator engines: queueing, overflow, batching, polling and the software fallback.

use nic_models::{AccelKind, HostProfile, ModelError, NicProfile};
use sim_core::{SimDuration, SimTime};

#[test]
fn busy_engine_queues_the_extra_request() {
    let p = NicProfile::builtin("liquidio_cn2350").unwrap();
    let mut m = p.core_model().unwrap();
    // MD5 has 12 units: 12 requests at once run in parallel, the 13th waits for one.
    let first = m.accel(0, AccelKind::Md5, 1024, SimTime::ZERO).unwrap();
    for core in 1..12 {
        assert_eq!(
            m.accel(core, AccelKind::Md5, 1024, SimTime::ZERO).unwrap(),
            first
        );
    }
    let waited = m.accel(0, AccelKind::Md5, 1024, SimTime::ZERO).unwrap();
    assert!(waited > first, "{waited} should exceed {first}");
}

#[test]
fn full_queue_drops_and_counts() {
    let p = NicProfile::builtin("liquidio_cn2350").unwrap();
    let mut m = p.core_model().unwrap();
    // The ZIP engine has 1 unit and a queue of 32: the 34th simultaneous request is dropped.
    let mut dropped = 0;
    for i in 0..40 {
        match m.accel(i % 12, AccelKind::Compress, 4096, SimTime::ZERO) {
            Ok(_) => {}
            Err(ModelError::AccelQueueFull { .. }) => dropped += 1,
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(dropped, 40 - 33);
    assert_eq!(m.engine_overflows(AccelKind::Compress), 7);
}

#[test]
fn batching_amortizes_invocation_but_holds_the_core_longer() {
    let p = NicProfile::builtin("liquidio_cn2350").unwrap();
    // The ZIP engine has one unit, so requests run back to back either way.
    let mut one_by_one = p.core_model().unwrap();
    let mut now = SimTime::ZERO;
    for _ in 0..8 {
        now += one_by_one.accel(0, AccelKind::Compress, 256, now).unwrap();
    }
    let mut batched = p.core_model().unwrap();
    let batch = batched
        .accel_batch(0, AccelKind::Compress, &[256; 8], SimTime::ZERO)
        .unwrap();
    // One invocation (60 ns) instead of eight.
    assert_eq!(now.since_start() - batch, SimDuration::from_ns(7 * 60));
    // But the core waits for the whole batch: far longer than for one request.
    let single = p
        .core_model()
        .unwrap()
        .accel(0, AccelKind::Compress, 256, SimTime::ZERO)
        .unwrap();
    assert!(batch > single * 7);
}

#[test]
fn polling_frees_the_core_after_issue() {
    let p = NicProfile::builtin("liquidio_cn2350").unwrap();
    let mut m = p.core_model().unwrap();
    let (ticket, busy) = m
        .accel_submit(0, AccelKind::Md5, 1024, SimTime::ZERO)
        .unwrap();
    assert_eq!(busy, SimDuration::from_ns(40));
    assert!(!ticket.is_done(SimTime::ZERO + busy));
    assert!(ticket.is_done(ticket.done_at));
}

#[test]
fn machines_without_engines_pay_software_cost() {
    let h = HostProfile::builtin("host_e5_2620v4").unwrap();
    let mut hm = h.core_model().unwrap();
    assert!(!hm.has_engine(AccelKind::Md5));
    // 142.9 ns + 2.381 ns/B * 1024 B.
    let d = hm.accel(0, AccelKind::Md5, 1024, SimTime::ZERO).unwrap();
    assert!((d.as_ns_f64() - 2581.04).abs() < 0.01, "{d}");
    let bf = NicProfile::builtin("bluefield_1m332a").unwrap();
    let mut bm = bf.core_model().unwrap();
    let slow = bm.accel(0, AccelKind::Md5, 1024, SimTime::ZERO).unwrap();
    assert!(slow > d, "a 0.8 GHz A72 hashes slower than the host");
}
