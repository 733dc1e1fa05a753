//! Tests of the NIC's closed-form forwarding stages (`node::forward`).

use super::*;
use nic_models::profile::ForwardingProfile;

/// 1 us per packet, nothing per byte.
fn profile_1us() -> ForwardingProfile {
    ForwardingProfile {
        per_packet_ns: 1000.0,
        per_byte_ns: 0.0,
        packet_engine_mpps: None,
        ingress_fifo_packets: 4,
        flow_state_bytes: 0,
    }
}

fn path(cores: usize, queue: usize) -> ForwardPath {
    let p = profile_1us();
    ForwardPath::new(
        cores,
        queue,
        ForwardingCost::new(&p, SimDuration::ZERO),
        SimDuration::ZERO,
        Mechanisms::none(),
    )
}

#[test]
fn frames_leave_in_finish_order_only_once_final() {
    let mut f = path(2, 8);
    let t = SimTime::from_ns;
    assert_eq!(
        f.admit(t(0), t(0), 64, 0),
        Admit::Run {
            start: t(0),
            done: t(1000)
        }
    );
    f.admit(t(100), t(100), 64, 0);
    f.admit(t(200), t(200), 64, 0); // waits for core 0
    assert_eq!(f.pop_done(t(999)), None);
    assert_eq!(f.inside(), (0, 1, 2));
    assert_eq!(f.pop_done(t(1000)).map(|p| p.created), Some(t(0)));
    assert_eq!(f.pop_done(t(1000)), None);
    assert_eq!(f.busy(t(1000)), SimDuration::from_ns(1000 + 900));
}

#[test]
fn an_idle_core_waits_for_the_hand_over_and_a_busy_one_does_not() {
    let p = profile_1us();
    let mech = Mechanisms {
        get_work: SimDuration::from_ns(100),
        contention: SimDuration::from_ns(2),
        ..Mechanisms::none()
    };
    let cost = ForwardingCost::new(&p, SimDuration::ZERO);
    let mut f = ForwardPath::new(2, 8, cost, SimDuration::ZERO, mech);
    let t = SimTime::from_ns;
    // both cores poll: 100 ns + 2 ns for the other poller
    assert_eq!(
        f.admit(t(0), t(0), 64, 0),
        Admit::Run {
            start: t(102),
            done: t(1102)
        }
    );
    f.admit(t(10), t(10), 64, 1); // the other core, alone polling: 110
                                  // both busy: the next frame was prefetched, starts when core 0 frees
    assert_eq!(
        f.admit(t(20), t(20), 64, 2),
        Admit::Run {
            start: t(1102),
            done: t(2102)
        }
    );
}

#[test]
fn the_flow_record_costs_what_the_cache_serves() {
    let nic = nic_models::NicProfile::builtin("liquidio_cn2350").expect("built-in");
    let mech = Mechanisms {
        memory: Some(nic.core_model().expect("model")),
        flow_state_bytes: 64,
        ..Mechanisms::none()
    };
    let cost = ForwardingCost::new(&nic.forwarding, SimDuration::ZERO);
    let mut f = ForwardPath::new(1, 8, cost, SimDuration::ZERO, mech);
    let mut services = Vec::new();
    let mut at = SimTime::ZERO;
    for flow in [7, 7, 900, 7] {
        if let Admit::Run { start, done } = f.admit(at, at, 256, flow) {
            services.push((done - start).as_ps());
            at = done;
        }
    }
    // first touch from DRAM, then the core's L1 (Table 2: 115 and 8.3 ns)
    assert_eq!(services[0] - services[1], 115_000 - 8_300);
    assert_eq!(services[2], services[0]);
    assert_eq!(services[3], services[1]);
}

/// Service times of `frames` 1500 B frames on one core, with 64 B of
/// state per flow over 8192 flows and a ring of `buffers` buffers whose
/// frames the input unit writes whole into L2.
fn services_with_ring(buffers: u64, frames: u32) -> Vec<u64> {
    let mut nic = nic_models::NicProfile::builtin("liquidio_cn2350").expect("built-in");
    nic.forwarding.flow_state_bytes = 64;
    let ring = nic.memory.packet_ring.as_mut().expect("ring");
    ring.buffers = buffers;
    ring.allocate_lines = 16;
    let mech = Mechanisms::from_profile(&nic).expect("mechanisms");
    let cost = ForwardingCost::new(&nic.forwarding, SimDuration::ZERO);
    let mut f = ForwardPath::new(1, 8, cost, SimDuration::ZERO, mech);
    let mut at = SimTime::ZERO;
    let mut out = Vec::new();
    for i in 0..frames {
        if let Admit::Run { start, done } = f.admit(at, at, 1500, (i * 7) % 8192) {
            out.push((done - start).as_ps());
            at = done;
        }
        f.pop_done(at);
    }
    out
}

#[test]
fn a_ring_larger_than_the_l2_evicts_the_flow_state() {
    // 8192 flow records (512 KiB) stay in the 4 MiB L2 behind a 64-buffer
    // ring; a 65536-buffer ring (128 MiB of frames) sweeps them out
    // between two frames of a flow
    let small = services_with_ring(64, 20_000);
    let large = services_with_ring(65_536, 20_000);
    let tail = |v: &[u64]| {
        v[10_000..]
            .iter()
            .filter(|&&d| d > v[10_000..].iter().copied().min().unwrap_or(0))
            .count()
    };
    let mean = |v: &[u64]| v[10_000..].iter().sum::<u64>() / (v.len() - 10_000) as u64;
    // the record misses L1 (8192 records > 256 lines) and is served by
    // L2 (55.8 ns) or, behind the large ring, DRAM (115 ns): three
    // quarters of the records share sets with the frames' lines (12 of
    // every 16 lines of a 2 KiB buffer hold a 1500 B frame), a tail of
    // +59.2 ns and a mean of +44.4 ns
    assert_eq!(tail(&small), 0, "small ring: one service time");
    let (l, s) = (mean(&large), mean(&small));
    assert!((s + 40_000..=s + 48_000).contains(&l), "{l} vs {s}");
    assert!(tail(&large) > 1_000);
}

#[test]
fn without_other_data_the_ring_costs_what_per_packet_ns_includes() {
    let nic = nic_models::NicProfile::builtin("liquidio_cn2350").expect("built-in");
    let mech = Mechanisms::from_profile(&nic).expect("mechanisms");
    // WQE from L2 + header from DRAM (Table 2): 55.8 + 115 ns
    assert_eq!(mech.ring_nominal, SimDuration::from_ps(170_800));
    assert!(mech.memory.is_none());
    let mut cost = ForwardingCost::new(&nic.forwarding, SimDuration::ZERO);
    let want = cost.service_time(256).as_ps();
    let mut f = ForwardPath::new(1, 8, cost, SimDuration::ZERO, mech);
    if let Admit::Run { start, done } = f.admit(SimTime::ZERO, SimTime::ZERO, 256, 0) {
        assert_eq!((done - start).as_ps(), want);
    } else {
        panic!("admitted");
    }
}

#[test]
fn a_ring_costing_more_than_per_packet_ns_is_refused() {
    let mut nic = nic_models::NicProfile::builtin("stingray_ps225").expect("built-in");
    nic.forwarding.per_packet_ns = 100.0; // < 2 x 85.3 ns of DRAM misses
    let e = Mechanisms::from_profile(&nic)
        .err()
        .expect("refused")
        .to_string();
    assert!(e.contains("forwarding.per_packet_ns"), "{e}");
}

#[test]
fn a_full_traffic_manager_drops() {
    let mut f = path(1, 1);
    let t = SimTime::from_ns;
    f.admit(t(0), t(0), 64, 0);
    f.admit(t(1), t(1), 64, 0);
    assert_eq!(f.admit(t(2), t(2), 64, 0), Admit::QueueFull);
    assert_eq!(f.drops(), 1);
}
