//! A run's outputs form one set: `nicsim run` killed at random moments never leaves files of two runs together, and the next run removes every temporary.
//!
//! The kill moments come from a seeded generator; the seed is printed and
//! `NICSIM_KILL_SEED=N` replays a sequence (the moments are wall-clock
//! delays, so a replay hits similar, not identical, instants).

use crate::common::{nicsim, repo, scratch, without_wall_time};
use rand::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Two runs with different seeds write different sets into `out`. A small
/// window makes timeseries.csv large, so kills also land while writing.
fn run_args(seed: u64) -> Vec<String> {
    let q = repo().join("configs/quickstart.toml");
    [
        "run",
        q.to_str().unwrap(),
        "--quiet",
        "--out",
        "out",
        "--seed",
        &seed.to_string(),
        "--set",
        "traffic.arrival=poisson",
        "--set",
        "traffic.rate_gbps=8",
        "--set",
        "duration_ms=4",
        "--set",
        "output.window_us=0.5",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// A directory's files and their contents (summary without wall_time_s).
fn contents(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().to_string();
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            let text = if name == "summary.csv" {
                without_wall_time(&text)
            } else {
                text
            };
            (name, text)
        })
        .collect()
}

/// Entries of `dir` that are temporaries of a run's output set.
fn temporaries(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        if name.starts_with(".out.") {
            found.push(name);
        }
    }
    if dir.join("out").is_dir() {
        for e in std::fs::read_dir(dir.join("out")).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                found.push(format!("out/{name}"));
            }
        }
    }
    found
}

#[test]
fn killed_runs_never_leave_a_mixed_set_and_the_next_run_cleans_up() {
    let dir = scratch("output-set-kill");
    let seeds = [11u64, 12];
    // The two reference sets, and how long a whole run takes here.
    let mut reference = BTreeMap::new();
    let mut longest = Duration::ZERO;
    for seed in seeds {
        let args = run_args(seed);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let t = Instant::now();
        let out = nicsim(&dir, &args);
        longest = longest.max(t.elapsed());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        reference.insert(seed, contents(&dir.join("out")));
    }
    assert_ne!(reference[&11], reference[&12]);

    let kill_seed: u64 = std::env::var("NICSIM_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_130);
    println!("kill moments from NICSIM_KILL_SEED={kill_seed}");
    let mut kill_rng = Xoshiro256PlusPlus::seed_from_u64(kill_seed);
    let span_us = (longest.as_micros() as u64 * 5 / 4).max(1);
    let mut mid_write = 0;
    for round in 0..24 {
        let seed = seeds[round % 2];
        let delay = Duration::from_micros(kill_rng.next_u64() % span_us);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_nicsim"))
            .args(run_args(seed))
            .current_dir(&dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL (a child that already exited is not reaped yet, so this succeeds)
        child.wait().unwrap();
        let out = dir.join("out");
        let pid = format!(".{}", child.id());
        if temporaries(&dir).iter().any(|t| t.ends_with(&pid)) {
            mid_write += 1; // killed while writing or swapping its set
        }
        let context = format!(
            "round {round}, seed {seed}, kill after {delay:?} (NICSIM_KILL_SEED={kill_seed})"
        );
        if out.exists() {
            let got = contents(&out);
            let visible: BTreeMap<_, _> = got
                .iter()
                .filter(|(k, _)| !k.starts_with('.'))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            assert!(
                reference.values().any(|r| *r == visible),
                "{context}: out/ is not one run's complete set: {:?}",
                visible.keys().collect::<Vec<_>>()
            );
        } else {
            // Only a kill between moving the old set aside and renaming the
            // new one in leaves no directory; the old set is then beside it.
            let old: Vec<String> = temporaries(&dir)
                .into_iter()
                .filter(|n| n.contains("nicsim-old"))
                .collect();
            assert!(
                !old.is_empty(),
                "{context}: out/ vanished without a swap in progress"
            );
        }
    }

    println!("{mid_write} of 24 kills landed while a set was being written or swapped");
    let args = run_args(11);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = nicsim(&dir, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(contents(&dir.join("out")), reference[&11]);
    assert_eq!(
        temporaries(&dir),
        Vec::<String>::new(),
        "temporaries remain"
    );
}

#[test]
fn a_directory_with_other_files_is_refused_and_left_alone() {
    let dir = scratch("output-set-foreign");
    std::fs::create_dir_all(dir.join("out")).unwrap();
    std::fs::write(dir.join("out/notes.txt"), "mine").unwrap();
    let args = run_args(11);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = nicsim(&dir, &args);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("notes.txt") && err.contains("--out"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("out/notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(temporaries(&dir), Vec::<String>::new());
}
