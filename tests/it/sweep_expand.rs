//! Sweep expansion: cartesian order, zipped axes, filters, repetitions, deterministic ids, shards, file errors.

use std::collections::BTreeSet;

use nicsim::sweep::{derive_seed, expand, Point, Shard, SweepSpec};
use toml::Value;

use super::sweep_support::{spec, SWEEP48};

fn cells(p: &Point) -> Vec<String> {
    p.params
        .iter()
        .map(|(_, v)| nicsim::sweep::axes::param_cell(v))
        .collect()
}

#[test]
fn cartesian_product_first_axis_slowest_with_padded_ids() {
    let s = spec(
        r#"
[sweep]
name = "c"
[base]
x = 1
[[axis]]
key = "a.b"
values = [1, 2, 3]
[[axis]]
key = "c"
values = ["x", "y"]
"#,
    );
    let pts = expand(&s);
    let got: Vec<(String, Vec<String>)> = pts.iter().map(|p| (p.id.clone(), cells(p))).collect();
    let want = [
        ("p0000", ["1", "x"]),
        ("p0001", ["1", "y"]),
        ("p0002", ["2", "x"]),
        ("p0003", ["2", "y"]),
        ("p0004", ["3", "x"]),
        ("p0005", ["3", "y"]),
    ];
    let want: Vec<(String, Vec<String>)> = want
        .iter()
        .map(|(id, c)| (id.to_string(), c.iter().map(|s| s.to_string()).collect()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(s.keys(), vec!["a.b", "c"]);
}

#[test]
fn zipped_axes_vary_together_and_ranges_are_inclusive() {
    let s = spec(
        r#"
[sweep]
name = "z"
[base]
[[axis]]
key = "policy"
values = ["fcfs", "drr", "hybrid"]
zip = "g"
[[axis]]
key = "cores"
range = { start = 2, end = 3, step = 1 }
[[axis]]
key = "load"
range = { start = 0.1, end = 0.3, step = 0.1 }
zip = "g"
"#,
    );
    let pts = expand(&s);
    assert_eq!(pts.len(), 6, "3 zipped x 2 cores");
    let got: Vec<Vec<String>> = pts.iter().map(cells).collect();
    assert_eq!(got[0], ["fcfs", "2", "0.1"]);
    assert_eq!(got[1], ["fcfs", "3", "0.1"]);
    assert_eq!(got[2], ["drr", "2", "0.2"]);
    assert_eq!(got[5], ["hybrid", "3", "0.3"]);
    assert_eq!(
        pts[5].param("load"),
        Some(&Value::Float(0.3)),
        "float ranges are rounded, not 0.30000000000000004"
    );
}

#[test]
fn filters_skip_points_only_when_all_conditions_hold_and_keep_ids() {
    let s = spec(
        r#"
[sweep]
name = "f"
[base]
[[axis]]
key = "cores"
values = [1, 8, 12]
[[axis]]
key = "size"
values = [64, 1500]
[[filter]]
skip_if = { cores = { gt = 8 }, size = { eq = 64 } }
[[filter]]
skip_if = { cores = { in = [1] }, size = { ge = 1000 } }
"#,
    );
    let pts = expand(&s);
    let ids: Vec<&str> = pts.iter().map(|p| p.id.as_str()).collect();
    // Full product: p0000 (1,64) p0001 (1,1500) p0002 (8,64) p0003 (8,1500) p0004 (12,64) p0005 (12,1500).
    assert_eq!(ids, ["p0000", "p0002", "p0003", "p0005"]);
}

#[test]
fn repetitions_get_distinct_derived_seeds_shared_across_parameters() {
    let s = spec(SWEEP48);
    let pts = expand(&s);
    assert_eq!(pts.len(), 48);
    for p in &pts {
        assert_eq!(p.seed, derive_seed(42, p.repetition));
    }
    assert_ne!(pts[0].seed, pts[1].seed, "repetitions 0 and 1 differ");
    assert_eq!(
        pts[0].seed, pts[2].seed,
        "same repetition, other parameters: same seed"
    );
    assert_eq!(pts[1].params, pts[0].params);
}

#[test]
fn point_ids_and_seeds_are_deterministic_and_unique() {
    let a = expand(&spec(SWEEP48));
    let b = expand(&spec(SWEEP48));
    assert_eq!(a, b);
    let ids: BTreeSet<&str> = a.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids.len(), a.len());
    let mut sorted: Vec<&str> = a.iter().map(|p| p.id.as_str()).collect();
    sorted.sort();
    assert_eq!(
        sorted,
        a.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        "string order is expansion order"
    );
}

#[test]
fn shards_partition_the_points_exactly_once() {
    let pts = expand(&spec(SWEEP48));
    for n in 1..=7 {
        let mut seen = Vec::new();
        for k in 0..n {
            let sel = Shard { k, n }.select(&pts);
            assert!(sel.len().abs_diff(pts.len() / n) <= 1, "balanced shards");
            seen.extend(sel.into_iter().map(|p| p.id));
        }
        seen.sort();
        let all: Vec<String> = pts.iter().map(|p| p.id.clone()).collect();
        assert_eq!(seen, all, "{n} shards cover every point once");
    }
}

fn err(text: &str) -> String {
    SweepSpec::parse(text, "bad.toml", std::path::Path::new("."))
        .unwrap_err()
        .to_string()
}

#[test]
fn bad_files_give_errors_naming_file_key_and_fix() {
    let head = "[sweep]\nname = \"e\"\n[base]\n";
    let e = err(&format!(
        "{head}[[axis]]\nkey = \"a\"\nvalues = [1]\nvalus = [2]\n"
    ));
    assert!(
        e.contains("bad.toml") && e.contains("valus") && e.contains("Fix"),
        "{e}"
    );
    let e = err(&format!("{head}[[axis]]\nkey = \"a\"\nvalues = [1, 2]\nzip = \"g\"\n[[axis]]\nkey = \"b\"\nvalues = [1]\nzip = \"g\"\n"));
    assert!(e.contains("zip group `g`") && e.contains("Fix"), "{e}");
    let e = err(&format!(
        "{head}[[axis]]\nkey = \"a\"\nvalues = [1]\n[[filter]]\nskip_if = {{ b = {{ eq = 1 }} }}\n"
    ));
    assert!(
        e.contains("filter[0].skip_if.\"b\"") && e.contains("not a swept key"),
        "{e}"
    );
    let e = err(&format!(
        "{head}[[axis]]\nkey = \"a\"\nrange = {{ start = 1, end = 5, step = 0 }}\n"
    ));
    assert!(e.contains("axis[0].range") && e.contains("step > 0"), "{e}");
    let e = err(&format!("{head}[[axis]]\nkey = \"a\"\nvalues = [\"x\"]\n[[filter]]\nskip_if = {{ a = {{ gt = 1 }} }}\n"));
    assert!(e.contains("numeric axis"), "{e}");
    let e = err("[sweep]\nname = \"e\"\n");
    assert!(e.contains("sweep.base") && e.contains("Fix"), "{e}");
}

#[test]
fn list_prints_the_shard_points_without_running() {
    let dir = super::sweep_support::tmpdir("list");
    let sweep = super::sweep_support::write_sweep(&dir, SWEEP48);
    let out = dir.join("never");
    let o = super::sweep_support::nicsim()
        .args([
            "sweep",
            sweep.to_str().unwrap(),
            "--list",
            "--shard",
            "1/4",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    let ids: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    let want: Vec<String> = (0..48)
        .filter(|i| i % 4 == 1)
        .map(|i| format!("p{i:04}"))
        .collect();
    assert_eq!(ids, want);
    assert!(text.contains(&format!("seed={}", derive_seed(42, 1))));
    assert!(!out.exists(), "--list runs nothing");
}
