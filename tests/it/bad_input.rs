//! Bad scenarios get a one-line error naming the file, the line and the key, exit code 2, and no panic.

use crate::common::{nicsim, scratch};
use std::path::Path;

const GOOD: &str = "name = \"t\"\n[nic]\nprofile = \"liquidio_cn2350\"\ncores = 4\n[traffic]\npacket_size = 256\nrate_gbps = 5.0\n";

/// Runs `nicsim validate` on `text` and returns the single stderr line.
fn rejects(test: &str, text: Option<&str>) -> String {
    let dir = scratch(test);
    let file = dir.join("s.toml");
    if let Some(t) = text {
        std::fs::write(&file, t).unwrap();
    }
    let out = nicsim(&dir, &["validate", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains(file.to_str().unwrap()),
        "names the file: {stderr}"
    );
    stderr
}

fn line_of(text: &str, needle: &str) -> String {
    let n = text
        .lines()
        .position(|l| l.contains(needle))
        .expect("needle in text")
        + 1;
    format!(":{n}:")
}

#[test]
fn the_good_scenario_is_accepted() {
    let dir = scratch("bad-input-good");
    std::fs::write(dir.join("s.toml"), GOOD).unwrap();
    let out = nicsim(&dir, &["validate", "s.toml"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn unknown_key() {
    let text = GOOD.replace("cores = 4", "cores = 4\ncoers = 5");
    let e = rejects("bad-input-unknown-key", Some(&text));
    assert!(
        e.contains("coers") && e.contains(&line_of(&text, "coers")),
        "{e}"
    );
}

#[test]
fn unknown_nic() {
    let text = GOOD.replace("liquidio_cn2350", "liquidio_cn9999");
    let e = rejects("bad-input-unknown-nic", Some(&text));
    assert!(
        e.contains("nic.profile")
            && e.contains("liquidio_cn9999")
            && e.contains(&line_of(&text, "profile")),
        "{e}"
    );
}

#[test]
fn zero_cores() {
    let text = GOOD.replace("cores = 4", "cores = 0");
    let e = rejects("bad-input-zero-cores", Some(&text));
    assert!(
        e.contains("nic.cores") && e.contains(&line_of(&text, "cores = 0")),
        "{e}"
    );
}

#[test]
fn negative_rate() {
    let text = GOOD.replace("rate_gbps = 5.0", "rate_gbps = -5.0");
    let e = rejects("bad-input-negative-rate", Some(&text));
    assert!(
        e.contains("traffic.rate_gbps") && e.contains(&line_of(&text, "rate_gbps")),
        "{e}"
    );
}

#[test]
fn malformed_toml() {
    let text = GOOD.replace("cores = 4", "cores = = 4");
    let e = rejects("bad-input-malformed", Some(&text));
    assert!(e.contains(&line_of(&text, "cores = =")), "{e}");
}

#[test]
fn missing_file() {
    let e = rejects("bad-input-missing", None);
    assert!(e.contains("cannot read"), "{e}");
}

#[test]
fn bad_override_names_the_flag() {
    let dir = scratch("bad-input-override");
    std::fs::write(dir.join("s.toml"), GOOD).unwrap();
    let out = nicsim(Path::new(&dir), &["run", "s.toml", "--set", "nic.cores=99"]);
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("nic.cores") && e.contains("1..=12"), "{e}");
}

#[test]
fn unknown_actor_kind_names_the_entry_and_the_valid_kinds() {
    let text = "[nic]\nprofile = \"liquidio_cn2350\"\n[workload]\nkind = \"actors\"\n[[workload.actors]]\nname = \"a\"\nkind = \"firewal\"\n";
    let e = rejects("bad-input-actor-kind", Some(text));
    assert!(
        e.contains("workload.actors[0].kind") && e.contains("firewall"),
        "{e}"
    );
}

#[test]
fn scheduler_settings_on_an_echo_scenario_are_refused() {
    let text = format!("{GOOD}[scheduler]\npolicy = \"fcfs\"\n");
    let e = rejects("bad-input-scheduler-on-echo", Some(&text));
    assert!(
        e.contains("scheduler") && e.contains("actor workloads"),
        "{e}"
    );
}
