//! Isolation by the watchdog: a runaway actor is stopped after one message, its state
//! is kept, its later requests are dropped and counted, and the other actors go on.

use crate::actors::{Runaway, Worker};
use crate::harness::{request, Driver};
use scheduler::{ActorStatus, PolicyKind, SchedulerSettings, SimTime};
use std::sync::{Arc, Mutex};

fn runaway_is_stopped(swallow: bool, policy: PolicyKind) {
    let settings = SchedulerSettings {
        policy,
        watchdog_ns: 200_000,
        ..SchedulerSettings::default()
    };
    let mut d = Driver::new(settings, 2, 1);
    let calls = Arc::new(Mutex::new(0));
    let bad = d.register(Box::new(Runaway {
        swallow,
        calls: Arc::clone(&calls),
    }));
    let good = d.register(Box::new(Worker::new("good", 2_000, 2_000, 1)));
    let mut id = 0;
    let mut arrivals = Vec::new();
    for i in 0..200u64 {
        let t = SimTime::from_ns(i * 5_000);
        id += 1;
        arrivals.push((t, request(id, good, t, 16)));
        if i % 40 == 0 {
            id += 1;
            arrivals.push((t, request(id, bad, t, 16)));
        }
    }
    d.add_arrivals(arrivals);
    d.run(SimTime::from_ms(1));

    let rt = &d.rt;
    assert_eq!(
        *calls.lock().unwrap(),
        1,
        "the runaway ran once, then was stopped"
    );
    assert_eq!(rt.status_of(bad), Some(ActorStatus::Killed));
    assert!(rt.actor(bad).is_some(), "its state is kept for inspection");
    let reports = rt.actor_reports();
    assert_eq!(reports[bad as usize].watchdog_kills, 1);
    assert_eq!(
        reports[bad as usize].dropped, 4,
        "its 4 later requests were refused"
    );
    assert_eq!(rt.counters().dropped_actor_killed, 4);
    assert_eq!(rt.counters().aborted_by_watchdog, 1);
    assert_eq!(rt.counters().delivered, rt.counters().accounted());
    // the others go on: every request of the good actor completed
    assert_eq!(reports[good as usize].requests, 200);
    assert_eq!(reports[good as usize].watchdog_kills, 0);
    // the runaway held its core for about the watchdog budget, not a million chunks
    let busy = rt.counters().work_ns - 200 * 2_010;
    assert!(
        (200_000..=210_000).contains(&busy),
        "runaway charged {busy} ns for a 200 us watchdog"
    );
}

#[test]
fn runaway_actor_returning_the_error_is_stopped_and_others_go_on() {
    runaway_is_stopped(false, PolicyKind::Fcfs);
}

#[test]
fn runaway_actor_ignoring_the_error_is_stopped_too() {
    runaway_is_stopped(true, PolicyKind::Fcfs);
}

#[test]
fn runaway_on_drr_is_stopped_and_leaves_the_ring() {
    runaway_is_stopped(false, PolicyKind::Drr);
}
