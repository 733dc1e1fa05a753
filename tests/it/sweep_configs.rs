//! The example sweeps in configs/sweeps/ parse, expand as documented, and (where the keys exist) validate as scenarios.

use std::path::Path;

use nicsim::sweep::scenario_runner::ScenarioRunner;
use nicsim::sweep::{expand, run_sweep, PointRunner, Progress, Shard, SweepOptions, SweepSpec};

use super::sweep_support::{comparable, tmpdir};

fn load(name: &str) -> SweepSpec {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("configs/sweeps")
        .join(name);
    SweepSpec::load(&p).unwrap_or_else(|e| panic!("{e}"))
}

fn validate_all(spec: &SweepSpec) {
    let r = ScenarioRunner::new(spec);
    for p in expand(spec) {
        r.validate(&p)
            .unwrap_or_else(|e| panic!("{} point {}: {e:#}", spec.name, p.id));
    }
}

#[test]
fn fig2_is_cn2350_echo_12_cores_by_6_sizes() {
    let s = load("fig2.toml");
    let pts = expand(&s);
    assert_eq!(pts.len(), 72);
    assert_eq!(s.keys(), ["nic.cores", "traffic.packet_size"]);
    let r = ScenarioRunner::new(&s);
    let last = r.scenario(&pts[71]).unwrap();
    assert_eq!(
        (last.cores, last.nic.name.as_str()),
        (12, "liquidio_cn2350")
    );
    validate_all(&s);
}

#[test]
fn ci_and_bench_sweeps_validate() {
    let s = load("bench48.toml");
    assert_eq!(
        expand(&s).len(),
        48,
        "the scaling benchmark needs 48 points"
    );
    validate_all(&s);
    validate_all(&load("ci-small.toml"));
}

#[test]
fn policies_sweep_validates_with_four_policies() {
    let s = load("policies.toml");
    assert_eq!(expand(&s).len(), 4 * 12 * 2);
    assert_eq!(s.axes[0].values.len(), 4);
    validate_all(&s);
}

#[test]
fn a_real_sweep_gives_the_same_table_on_one_and_two_threads() {
    let s = load("ci-small.toml");
    let (a, b) = (tmpdir("real_jobs1"), tmpdir("real_jobs2"));
    let r = ScenarioRunner::new(&s);
    for (dir, jobs) in [(&a, 1), (&b, 2)] {
        let o = SweepOptions {
            out: dir.to_path_buf(),
            jobs,
            shard: Shard::ALL,
            progress: Progress::Quiet,
        };
        let out = run_sweep(&s, &r, &o).unwrap();
        assert!(out.failed.is_empty(), "{:?}", out.failed);
    }
    let ta = comparable(&a.join("results.csv"));
    assert_eq!(ta.rows.len(), 8);
    assert_eq!(ta, comparable(&b.join("results.csv")));
    // Repetitions differ in seed and so in the simulated traffic.
    let gen = ta.column("generated").unwrap();
    assert_ne!(ta.rows[0][gen], ta.rows[1][gen]);
}
