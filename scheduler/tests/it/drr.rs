//! Deficit round robin: backlogged actors get equal shares of core time whatever
//! their per-message cost, and a switch between actors costs `drr_switch_cost_cycles`.

use crate::actors::Worker;
use crate::harness::{request, Driver};
use scheduler::{PolicyKind, SchedulerSettings, SimTime};

#[test]
fn backlogged_actors_share_core_time_equally() {
    let settings = SchedulerSettings {
        policy: PolicyKind::Drr,
        mailbox_capacity: 4096,
        drr_quantum_ns: 5_000,
        ..SchedulerSettings::default()
    };
    let mut d = Driver::new(settings, 1, 1);
    let short = d.register(Box::new(Worker::new("short", 1_000, 1_000, 1)));
    let long = d.register(Box::new(Worker::new("long", 10_000, 10_000, 2)));
    let mut arrivals = Vec::new();
    for i in 0..3_000u64 {
        arrivals.push((SimTime::ZERO, request(2 * i + 1, short, SimTime::ZERO, 8)));
        arrivals.push((SimTime::ZERO, request(2 * i + 2, long, SimTime::ZERO, 8)));
    }
    d.add_arrivals(arrivals);
    d.run(SimTime::from_ms(4));

    // core time each actor got in the first 4 ms (execution = cycles + one 10 ns line)
    let horizon = SimTime::from_ms(4);
    let time_of = |actor, cost_ns: u64| {
        d.log
            .completions
            .iter()
            .filter(|c| c.actor == actor && c.at <= horizon)
            .count() as u64
            * cost_ns
    };
    let (ts, tl) = (time_of(short, 1_010), time_of(long, 10_010));
    let ratio = ts as f64 / tl as f64;
    assert!(
        (0.85..1.15).contains(&ratio),
        "short got {ts} ns, long {tl} ns of core time (ratio {ratio:.2})"
    );
    // every switch between the two actors was charged
    let c = d.rt.counters();
    assert!(c.drr_switches > 100);
    assert_eq!(c.overhead_ns, c.drr_switches * 600);
    assert_eq!(c.delivered, c.accounted());
}

#[test]
fn fcfs_gives_the_long_actor_the_core_instead() {
    // the same backlog under FCFS is served in arrival order: the 10x costlier actor
    // takes about 10x the core time, which is what DRR prevents
    let settings = SchedulerSettings {
        policy: PolicyKind::Fcfs,
        fcfs_queue_capacity: 8192,
        ..SchedulerSettings::default()
    };
    let mut d = Driver::new(settings, 1, 1);
    let short = d.register(Box::new(Worker::new("short", 1_000, 1_000, 1)));
    let long = d.register(Box::new(Worker::new("long", 10_000, 10_000, 2)));
    let mut arrivals = Vec::new();
    for i in 0..3_000u64 {
        arrivals.push((SimTime::ZERO, request(2 * i + 1, short, SimTime::ZERO, 8)));
        arrivals.push((SimTime::ZERO, request(2 * i + 2, long, SimTime::ZERO, 8)));
    }
    d.add_arrivals(arrivals);
    d.run(SimTime::from_ms(4));
    let n = |actor| {
        d.log
            .completions
            .iter()
            .filter(|c| c.actor == actor && c.at <= SimTime::from_ms(4))
            .count()
    };
    // arrival order alternates short, long: equal counts (within the one cut at the horizon)
    assert!(
        n(short).abs_diff(n(long)) <= 1,
        "{} vs {}",
        n(short),
        n(long)
    );
    assert_eq!(d.rt.counters().overhead_ns, 0);
}
