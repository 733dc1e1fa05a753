//! The node's per-actor timer service (`timer_us` + `timer_kind`): a one-server run delivers exactly one message per period, counted and conserved like every other message.

use crate::common::run;
use nicsim::Scenario;

/// A one-server actor run of `duration_ms` whose weight-0 actor `t` (on the
/// host: the timer reaches it wherever it is placed) gets nothing but its
/// timer's messages.
fn scenario(duration_ms: f64, timer_us: f64) -> Scenario {
    let text = format!(
        r#"name = "timer"
seed = 3
duration_ms = {duration_ms}

[nic]
profile = "liquidio_cn2350"
cores = 4

[workload]
kind = "actors"
rate_krps = 50.0

[[workload.actors]]
name = "a"
kind = "fixed_cost"

[[workload.actors]]
name = "t"
kind = "fixed_cost"
weight = 0
placement = "host"
timer_us = {timer_us}
timer_kind = 7
"#
    );
    let table: toml::Table = text.parse().expect("test scenario parses");
    Scenario::from_table(table, "timer.toml").expect("test scenario is valid")
}

fn counter(out: &nicsim::RunOutput, name: &str) -> u64 {
    crate::common::table_u64(out, "counters.csv", name)
}

/// actors.csv `requests` of actor `name`.
fn requests(out: &nicsim::RunOutput, name: &str) -> u64 {
    crate::common::table_u64(out, "actors.csv", name)
}

#[test]
fn a_timer_fires_once_per_period_and_its_messages_are_conserved() {
    // 2 ms at 100 us: messages at 100, 200, ..., 1900 us (the first one
    // period after the start, none at the end): 19
    let out = run(&scenario(2.0, 100.0));
    assert_eq!(counter(&out, "timer_messages"), 19);
    assert_eq!(requests(&out, "t"), 19, "t gets only its timer's messages");
    // 250 us: 250, 500, ..., 1750 us
    let out = run(&scenario(2.0, 250.0));
    assert_eq!(counter(&out, "timer_messages"), 7);
    assert_eq!(requests(&out, "t"), 7);
    // counted like every other message: generated = delivered + ended + inside
    let p = &out.places;
    let ended: u64 = p.ended.iter().map(|(_, n)| n).sum();
    let inside: u64 = p.in_flight.iter().map(|(_, n)| n).sum();
    assert_eq!(p.generated, p.delivered + ended + inside, "{p:?}");
    assert!(requests(&out, "a") > 50, "the clients' actor ran too");
}
