//! Invariants of every run on the node, read from its outputs: executions start in time order, the driver saw no error, nothing goes uncounted.

use super::{run_scenario, RunOutput};
use crate::scenario::Scenario;
use std::path::PathBuf;

fn load(file: &str, overrides: &[&str]) -> Scenario {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(file);
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    Scenario::load(&path, &o).expect("scenario loads")
}

fn counter(out: &RunOutput, name: &str) -> u64 {
    let (_, t) = out
        .extra_tables
        .iter()
        .find(|(n, _)| n == "counters.csv")
        .expect("counters.csv");
    let row = t
        .rows
        .iter()
        .find(|r| r[0] == name)
        .expect("counter present");
    row[1].parse().expect("integer")
}

fn runs() -> Vec<RunOutput> {
    [
        ("configs/actors_mix.toml", vec!["duration_ms=4"]),
        (
            "configs/actors_mix.toml",
            vec!["duration_ms=4", "workload.load_fraction=1.3"],
        ),
        (
            "configs/quickstart.toml",
            vec!["duration_ms=1", "nic.cores=3"],
        ),
    ]
    .into_iter()
    .map(|(f, o)| run_scenario(&load(f, &o)).expect("run"))
    .collect()
}

#[test]
fn dispatches_start_in_time_order() {
    // The ordering argument of node::driver (resources are first reached in
    // start-time order) rests on this: every execution starts no earlier than
    // the one dispatched before it, under overload and migrations too.
    for out in runs() {
        assert_eq!(counter(&out, "driver_out_of_order_dispatches"), 0);
    }
}

#[test]
fn the_driver_reports_no_error_and_the_runtime_accounts_for_every_request() {
    for out in runs() {
        for c in [
            "driver_runtime_errors",
            "driver_platform_errors",
            "driver_model_errors",
            "driver_dropped_sends",
        ] {
            assert_eq!(counter(&out, c), 0, "{c}");
        }
        let s = &out.summary;
        assert_eq!(s.generated, s.delivered + s.drops + s.in_flight, "{s:?}");
    }
}
