//! Conservation: every generated packet is delivered, dropped with a reason, or still in flight.

use crate::common::{quickstart, run};

#[test]
fn every_packet_is_accounted_for_under_overload() {
    // One core at line rate with a tiny traffic manager: most packets drop at
    // the traffic manager, some are queued or on the core at the end.
    let s = quickstart(&[
        "nic.cores=1",
        "nic.tm_queue_packets=16",
        "traffic.arrival=poisson",
        "traffic.rate_gbps=9",
        "duration_ms=2",
    ]);
    let o = run(&s).summary;
    assert!(o.drops_tm > 0, "overload must drop at the traffic manager");
    assert!(o.in_flight > 0, "the run ends with packets inside");
    assert_eq!(
        o.generated,
        o.delivered + o.steered_host + o.drops + o.in_flight,
        "{o:?}"
    );
    assert_eq!(
        o.drops,
        o.drops_source + o.drops_ingress + o.drops_tm + o.drops_tx
    );
}

#[test]
fn every_packet_is_accounted_for_without_loss() {
    let s = quickstart(&["traffic.packet_size=1500", "duration_ms=2"]);
    let o = run(&s).summary;
    assert_eq!(o.drops, 0);
    assert_eq!(o.generated, o.delivered + o.in_flight, "{o:?}");
    // In flight at the end is at most what 12 cores and the wires can hold.
    assert!(o.in_flight <= 12 + 4, "{o:?}");
}

#[test]
fn poisson_near_line_rate_conserves_packets() {
    let s = quickstart(&[
        "traffic.arrival=poisson",
        "traffic.rate_gbps=9.27",
        "traffic.packet_size=256",
        "nic.cores=12",
        "duration_ms=5",
    ]);
    let o = run(&s).summary;
    assert_eq!(
        o.generated,
        o.delivered + o.steered_host + o.drops + o.in_flight,
        "{o:?}"
    );
}

#[test]
fn off_path_switch_steers_a_share_to_the_host_and_every_packet_is_accounted_for() {
    // Stingray: flows to UDP port 5000 (1/8 of the flows) go to the host,
    // flows to port 5001 are dropped by a rule, the rest are echoed by the cores.
    let s = quickstart(&[
        "nic.profile=stingray_ps225",
        "nic.cores=8",
        "nic.switch_rules=[{ dst_port = 5000, to = \"host\" }, { dst_port = 5001, to = \"drop\" }]",
        "traffic.packet_size=512",
        "traffic.rate_gbps=10",
        "duration_ms=2",
    ]);
    let o = run(&s).summary;
    let share = |n: u64| n as f64 / o.generated as f64;
    assert!((share(o.steered_host) - 0.125).abs() < 0.02, "{o:?}");
    assert!((share(o.drops_switch) - 0.125).abs() < 0.02, "{o:?}");
    assert!((share(o.delivered) - 0.75).abs() < 0.03, "{o:?}");
    assert_eq!(
        o.generated,
        o.delivered + o.steered_host + o.drops + o.in_flight,
        "{o:?}"
    );
}

#[test]
fn switch_rules_on_an_on_path_nic_are_refused() {
    let o: Vec<String> = vec!["nic.switch_rules=[{ dst_port = 5000, to = \"host\" }]".into()];
    let err = nicsim::Scenario::load(&crate::common::repo().join("configs/quickstart.toml"), &o)
        .unwrap_err();
    assert!(err.to_string().contains("on-path"), "{err}");
}

#[test]
fn every_actor_message_is_accounted_for_place_by_place() {
    // Hybrid on 4 NIC cores at twice their capacity with small queues: drops
    // at several places, migrations to the host, messages on PCIe and queued
    // at the end. Each place is counted on its own.
    let o: Vec<String> = [
        "nic.cores=4",
        "workload.load_fraction=2",
        "duration_ms=5",
        "scheduler.fcfs_queue_capacity=64",
        "scheduler.mailbox_capacity=16",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let s = nicsim::Scenario::load(&crate::common::repo().join("configs/actors_mix.toml"), &o)
        .expect("actors_mix loads");
    let out = run(&s);
    let (p, o) = (&out.places, &out.summary);
    assert!(p.conserved(), "{p:?}");
    assert!(o.drops > 0 && o.in_flight > 0, "{o:?}");
    assert_eq!(o.drops, o.drops_by_reason(), "{o:?}");
    assert_eq!(o.drops_tm, 0, "actor drops keep their own reasons");
    assert_eq!(o.generated, o.delivered + o.drops + o.in_flight, "{o:?}");
    assert_eq!(o.reorders, 0);
}
