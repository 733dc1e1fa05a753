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
    assert_eq!(o.generated, o.delivered + o.drops + o.in_flight, "{o:?}");
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
    assert_eq!(o.generated, o.delivered + o.drops + o.in_flight, "{o:?}");
}
