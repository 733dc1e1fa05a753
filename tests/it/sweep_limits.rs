//! Sweep size limits and sweep-file errors: checked point counts, max_points, repetitions, ranges, --jobs; exit 2 with file, line, key and fix.

use nicsim::sweep::{expand, Expansion, Shard};

use super::sweep_support::{rejects, run_bounded, spec, tmpdir, write_sweep};

const HEAD: &str = "[sweep]\nname = \"lim\"\n[base]\nname = \"b\"\n";

/// An axis table sweeping `key` over 1..=n.
fn axis(key: &str, n: u64) -> String {
    format!("[[axis]]\nkey = \"{key}\"\nrange = {{ start = 1, end = {n}, step = 1 }}\n")
}

/// Writes `text` as a sweep file in a fresh dir and expects `nicsim sweep FILE --list` to reject it.
fn sweep_rejects(test: &str, text: &str, want: &[&str]) -> String {
    let dir = tmpdir(test);
    let f = write_sweep(&dir, text);
    let mut w = vec!["sweep.toml:"];
    w.extend_from_slice(want);
    rejects(&dir, &["sweep", f.to_str().unwrap(), "--list"], &w)
}

#[test]
fn four_axes_of_65536_values_overflow_instead_of_wrapping_to_zero() {
    let text = format!(
        "{HEAD}{}{}{}{}",
        axis("a", 65536),
        axis("b", 65536),
        axis("c", 65536),
        axis("d", 65536)
    );
    let e = sweep_rejects(
        "lim_2pow64",
        &text,
        &["18446744073709551616 points", "overflows", "Fix"],
    );
    assert!(!e.contains("0 point(s)"), "{e}");
}

#[test]
fn sweeps_above_the_limit_are_refused_and_the_limit_is_settable() {
    // 1001 x 1000 = 1,001,000 points: above the default limit of 1,000,000.
    let text = format!("{HEAD}{}{}", axis("a", 1001), axis("b", 1000));
    sweep_rejects(
        "lim_default",
        &text,
        &[
            ":1: key `sweep.max_points`",
            "1001000 points",
            "limit of 1000000",
            "--max-points",
        ],
    );
    // A small limit in the file: refused, with the line of `max_points`.
    let small = format!(
        "[sweep]\nname = \"lim\"\nmax_points = 10\n[base]\nname = \"b\"\n{}",
        axis("a", 12)
    );
    sweep_rejects(
        "lim_file",
        &small,
        &[":3: key `sweep.max_points`", "12 points", "limit of 10"],
    );
    // The flag overrides the file.
    let dir = tmpdir("lim_flag");
    let f = write_sweep(&dir, &small);
    let (code, out, err) = run_bounded(
        &dir,
        &["sweep", f.to_str().unwrap(), "--list", "--max-points", "12"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.lines().count(), 1 + 12, "{out}");
    rejects(
        &dir,
        &["sweep", f.to_str().unwrap(), "--list", "--max-points", "0"],
        &["--max-points", "Fix"],
    );
    sweep_rejects(
        "lim_file_zero",
        "[sweep]\nname = \"lim\"\nmax_points = -1\n[base]\n",
        &[":3: key `sweep.max_points`", "is -1", "Fix"],
    );
}

#[test]
fn repetitions_are_bounded() {
    for (reps, test) in [
        ("4294967295", "lim_reps_big"),
        ("0", "lim_reps_0"),
        ("-3", "lim_reps_neg"),
    ] {
        sweep_rejects(
            test,
            &format!("[sweep]\nname = \"r\"\nrepetitions = {reps}\n[base]\n"),
            &[":3: key `sweep.repetitions`", "Fix: use 1 to 100000"],
        );
    }
}

#[test]
fn overflowing_ranges_say_so() {
    let e = sweep_rejects(
        "lim_int_range",
        &format!("{HEAD}[[axis]]\nkey = \"a\"\nrange = {{ start = -9223372036854775808, end = 9223372036854775807, step = 1 }}\n"),
        &[":7: key `axis[0].range`", "gives 18446744073709551616 values", "more than 100000 per axis", "Fix"],
    );
    assert!(!e.contains("no values"), "{e}");
    sweep_rejects(
        "lim_float_range",
        &format!(
            "{HEAD}[[axis]]\nkey = \"a\"\nrange = {{ start = 0.0, end = 1e300, step = 1e-300 }}\n"
        ),
        &[":7: key `axis[0].range`", "overflows", "Fix"],
    );
    // Steps below float precision would repeat values.
    sweep_rejects(
        "lim_float_precision",
        &format!("{HEAD}[[axis]]\nkey = \"a\"\nrange = {{ start = 1e20, end = 100000000000000016384.0, step = 1.0 }}\n"),
        &[":7: key `axis[0].range`", "below the precision", "Fix"],
    );
    sweep_rejects(
        "lim_nonfinite_value",
        &format!("{HEAD}[[axis]]\nkey = \"a\"\nvalues = [1.0, inf]\n"),
        &[":7: key `axis[0].values`", "not a finite number"],
    );
}

#[test]
fn sweep_file_errors_exit_2_with_file_line_key_and_fix() {
    sweep_rejects(
        "lim_unknown",
        &format!("{HEAD}[[axis]]\nkey = \"a\"\nvalus = [1]\n"),
        &[":7: key `axis[0].valus`", "unknown field", "Fix"],
    );
    sweep_rejects(
        "lim_empty",
        &format!("{HEAD}[[axis]]\nkey = \"a\"\nvalues = []\n"),
        &[":7: key `axis[0].values`", "is empty", "Fix"],
    );
    sweep_rejects(
        "lim_name",
        "[sweep]\nname = \"../x\"\n[base]\n",
        &[":2: key `sweep.name`", "not a plain name", "Fix"],
    );
    sweep_rejects(
        "lim_filter",
        &format!(
            "{HEAD}{}[[filter]]\nskip_if = {{ b = {{ eq = 1 }} }}\n",
            axis("a", 2)
        ),
        &[
            ":9: key `filter[0].skip_if.\"b\"`",
            "not a swept key",
            "Fix",
        ],
    );
    let dir = tmpdir("lim_missing_file");
    rejects(
        &dir,
        &["sweep", "nope.toml"],
        &["nope.toml", "cannot read the sweep file", "Fix"],
    );
    // slurm and merge load sweep files the same way.
    let f = write_sweep(&dir, &format!("{HEAD}[[axis]]\nkey = \"a\"\nvalus = [1]\n"));
    let f = f.to_str().unwrap();
    rejects(
        &dir,
        &["slurm", f, "--tasks", "2"],
        &[":7: key `axis[0].valus`"],
    );
    let csv = dir.join("r.csv");
    std::fs::write(&csv, "point_id,repetition,a\n").unwrap();
    rejects(
        &dir,
        &["merge", csv.to_str().unwrap(), "--sweep", f],
        &[":7: key `axis[0].valus`"],
    );
}

#[test]
fn invalid_point_scenarios_exit_2_naming_the_point_and_key() {
    let dir = tmpdir("lim_bad_point");
    let f = write_sweep(
        &dir,
        "[sweep]\nname = \"bp\"\n[base]\nname = \"b\"\n[base.nic]\nprofile = \"liquidio_cn2350\"\n[[axis]]\nkey = \"nic.cores\"\nvalues = [1, 99]\n",
    );
    let out = dir.join("out");
    rejects(
        &dir,
        &["sweep", f.to_str().unwrap(), "--out", out.to_str().unwrap()],
        &["1 of 2 point(s)", "p0001", "nic.cores", "fix"],
    );
    assert!(!out.join("results.csv").exists(), "nothing runs");
}

#[test]
fn jobs_are_bounded_with_a_clear_error() {
    let dir = tmpdir("lim_jobs");
    let f = write_sweep(&dir, &format!("{HEAD}{}", axis("a", 2)));
    let f = f.to_str().unwrap();
    for jobs in ["100000", "0", "lots"] {
        rejects(
            &dir,
            &["sweep", f, "--jobs", jobs, "--synthetic-ms", "0"],
            &["--jobs", "from 1 to 1024", "Fix"],
        );
    }
    rejects(
        &dir,
        &["slurm", f, "--tasks", "2", "--cpus-per-task", "5000"],
        &["--cpus-per-task", "from 1 to 1024"],
    );
}

#[test]
fn the_lazy_expansion_matches_the_collected_one_point_by_point() {
    let s = spec(
        r#"
[sweep]
name = "lazy"
repetitions = 3
[base]
[[axis]]
key = "p"
values = ["a", "b", "c"]
zip = "g"
[[axis]]
key = "n"
range = { start = 1, end = 4, step = 1 }
[[axis]]
key = "q"
values = [1, 2, 3]
zip = "g"
[[filter]]
skip_if = { n = { gt = 2 }, q = { eq = 2 } }
"#,
    );
    let all = expand(&s);
    let exp = Expansion::new(&s);
    assert_eq!(exp.total(), 3 * 4 * 3);
    assert_eq!(
        all.len(),
        36 - 2 * 3,
        "two combinations filtered, 3 repetitions each"
    );
    for i in 0..exp.total() {
        let want = all.iter().find(|p| p.index == i).cloned();
        assert_eq!(exp.point(i), want, "index {i}");
    }
    for p in &all {
        assert_eq!(exp.index_of(&p.id), Some(p.index));
    }
    assert_eq!(exp.index_of("p36"), None, "wrong width");
    assert_eq!(exp.index_of("p0036"), None, "out of range");
    for n in 1..=4 {
        for k in 0..n {
            let sh = Shard { k, n };
            assert_eq!(sh.pick(exp.iter()).collect::<Vec<_>>(), sh.select(&all));
        }
    }
}

#[test]
fn a_million_point_sweep_expands_lazily_at_the_limit() {
    let s = spec(&format!("{HEAD}{}{}", axis("a", 1000), axis("b", 1000)));
    let exp = Expansion::new(&s);
    assert_eq!(exp.total(), 1_000_000);
    let last = exp.point(999_999).unwrap();
    assert_eq!(last.id, "p999999");
    assert_eq!(nicsim::sweep::axes::param_cell(&last.params[0].1), "1000");
    // The shard's points are produced one at a time, not collected.
    let third = Shard { k: 2, n: 3 }.pick(exp.iter()).count();
    assert_eq!(third, 333_333);
}

#[test]
fn an_output_directory_of_another_sweep_exits_2() {
    let dir = tmpdir("lim_other_out");
    let out = dir.join("out");
    let o = out.to_str().unwrap();
    let a = write_sweep(&dir, &format!("{HEAD}{}", axis("a", 2)));
    let (code, _, err) = run_bounded(
        &dir,
        &[
            "sweep",
            a.to_str().unwrap(),
            "--out",
            o,
            "--synthetic-ms",
            "0",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let b = dir.join("b.toml");
    std::fs::write(&b, format!("{HEAD}{}", axis("b", 2))).unwrap();
    rejects(
        &dir,
        &[
            "sweep",
            b.to_str().unwrap(),
            "--out",
            o,
            "--synthetic-ms",
            "0",
        ],
        &["results.csv:1:", "has columns", "Fix: use a fresh --out"],
    );
    rejects(
        &dir,
        &["merge", o, "--drop-column", "nope"],
        &["--drop-column", "no such column", "Fix"],
    );
}
