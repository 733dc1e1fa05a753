//! Messages between actors and to the network: actor ids assigned by the runtime,
//! actor-to-actor delivery through the driver, replies to the network endpoint.

use crate::actors::{Forwarder, Worker};
use crate::harness::{request, Driver};
use scheduler::{Endpoint, SchedulerSettings, SimTime};
use std::collections::BTreeSet;

#[test]
fn actors_send_to_actors_and_reply_to_the_network() {
    let mut d = Driver::new(SchedulerSettings::default(), 2, 1);
    let sink_worker = Worker::new("sink", 1_000, 1_000, 1);
    let sink_log = sink_worker.log();
    let sink = d.register(Box::new(sink_worker));
    let fwd = d.register(Box::new(Forwarder { next: sink }));
    let arrivals = (0..50u64).map(|i| {
        (
            SimTime::from_ns(i * 2_000),
            request(i + 1, fwd, SimTime::from_ns(i * 2_000), 32),
        )
    });
    d.add_arrivals(arrivals);
    d.run(SimTime::from_us(200));

    let seen = sink_log.lock().unwrap();
    assert_eq!(seen.len(), 50, "every forwarded message reached the sink");
    let ids: BTreeSet<u64> = seen.iter().map(|&(id, _)| id).collect();
    assert_eq!(ids.len(), 50, "runtime-assigned ids are unique");
    assert!(ids
        .iter()
        .all(|&id| id >= scheduler::runtime::RUNTIME_MSG_ID_BASE));
    assert_eq!(d.log.outbound.len(), 50);
    assert!(d
        .log
        .outbound
        .iter()
        .all(|(_, dst, m)| *dst == Endpoint::Network { node: 1, port: 9 }
            && m.src == Endpoint::Actor(fwd)
            && m.payload == b"ack"));
    let c = d.rt.counters();
    assert_eq!(c.delivered, 100);
    assert_eq!(c.completed, 100);
}
