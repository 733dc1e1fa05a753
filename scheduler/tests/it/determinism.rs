//! Same seed, same results: the runtime has no hidden entropy or hash-order
//! dependence, even through downgrades, core moves and a migration.

use crate::mix::{run_mix, settings};
use scheduler::{PolicyKind, SimTime};

fn fingerprint(seed: u64) -> (Vec<(u64, u64, u64)>, String) {
    let r = run_mix(settings(PolicyKind::Hybrid), 1.2, SimTime::from_ms(6), seed);
    let completions = r
        .driver
        .log
        .completions
        .iter()
        .map(|c| (c.msg_id, c.at.as_ns(), c.sojourn.as_ns()))
        .collect();
    let rt = &r.driver.rt;
    let text = format!(
        "{:?}\n{:?}\n{:?}\n{:?}",
        rt.actor_reports(),
        rt.placement_events(),
        rt.migrations(),
        rt.counters()
    );
    (completions, text)
}

#[test]
fn same_seed_gives_identical_results() {
    let (a_completions, a_text) = fingerprint(42);
    let (b_completions, b_text) = fingerprint(42);
    assert!(
        a_text.contains("Host"),
        "the run exercised a migration: {a_text}"
    );
    assert_eq!(a_completions, b_completions);
    assert_eq!(a_text, b_text);
    let (c_completions, _) = fingerprint(43);
    assert_ne!(
        a_completions, c_completions,
        "a different seed changes the run"
    );
}
