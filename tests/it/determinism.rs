//! Same scenario and seed give byte-identical outputs (apart from wall_time_s); another seed differs.

use crate::common::{nicsim, repo, scratch, without_wall_time};

fn summary_of(dir: &std::path::Path, seed: &str) -> String {
    let q = repo().join("configs/quickstart.toml");
    let out = nicsim(
        dir,
        &[
            "run",
            q.to_str().unwrap(),
            "--quiet",
            "--out",
            "out",
            "--seed",
            seed,
            "--set",
            "traffic.arrival=poisson",
            "--set",
            "duration_ms=3",
            "--set",
            "traffic.rate_gbps=8",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(dir.join("out/summary.csv")).unwrap()
}

#[test]
fn same_seed_gives_identical_summary_and_timeseries() {
    let a = scratch("determinism-a");
    let b = scratch("determinism-b");
    let (sa, sb) = (summary_of(&a, "7"), summary_of(&b, "7"));
    assert_eq!(without_wall_time(&sa), without_wall_time(&sb));
    let ta = std::fs::read(a.join("out/timeseries.csv")).unwrap();
    let tb = std::fs::read(b.join("out/timeseries.csv")).unwrap();
    assert_eq!(ta, tb);
    assert_eq!(
        std::fs::read(a.join("out/resolved.toml")).unwrap(),
        std::fs::read(b.join("out/resolved.toml")).unwrap()
    );
}

#[test]
fn another_seed_gives_other_draws() {
    let a = scratch("determinism-seed-a");
    let b = scratch("determinism-seed-b");
    assert_ne!(
        without_wall_time(&summary_of(&a, "7")),
        without_wall_time(&summary_of(&b, "8"))
    );
}

#[test]
fn resolved_toml_runs_again_to_the_same_result() {
    let a = scratch("determinism-resolved");
    let first = summary_of(&a, "3");
    let resolved = a.join("out/resolved.toml");
    let out = nicsim(
        &a,
        &[
            "run",
            resolved.to_str().unwrap(),
            "--quiet",
            "--out",
            "again",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = std::fs::read_to_string(a.join("again/summary.csv")).unwrap();
    assert_eq!(without_wall_time(&first), without_wall_time(&again));
}

#[test]
fn actor_runs_are_deterministic_too() {
    let run_in = |dir: &std::path::Path| {
        let a = repo().join("configs/actors_mix.toml");
        let out = nicsim(
            dir,
            &[
                "run",
                a.to_str().unwrap(),
                "--quiet",
                "--out",
                "out",
                "--set",
                "duration_ms=3",
                "--set",
                "workload.load_fraction=1.5",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let (a, b) = (
        scratch("determinism-actors-a"),
        scratch("determinism-actors-b"),
    );
    run_in(&a);
    run_in(&b);
    for file in [
        "timeseries.csv",
        "actors.csv",
        "placements.csv",
        "migrations.csv",
        "classes.csv",
    ] {
        assert_eq!(
            std::fs::read(a.join("out").join(file)).unwrap(),
            std::fs::read(b.join("out").join(file)).unwrap(),
            "{file}"
        );
    }
    let summary = |d: &std::path::Path| std::fs::read_to_string(d.join("out/summary.csv")).unwrap();
    assert_eq!(
        without_wall_time(&summary(&a)),
        without_wall_time(&summary(&b))
    );
}
