//! `nicsim slurm` writes a job-array script whose tasks, run as Slurm would run them, merge into the local result.

use std::process::Command;

use super::sweep_support::{comparable, rejects, run, tmpdir, write_sweep, SWEEP48};

#[test]
fn the_sbatch_script_runs_one_shard_per_task_and_merges_to_the_local_table() {
    let dir = tmpdir("slurm_script");
    let sweep = write_sweep(&dir, SWEEP48);
    let out = dir.join("cluster");
    let o = super::sweep_support::nicsim()
        .args([
            "slurm",
            sweep.to_str().unwrap(),
            "--tasks",
            "4",
            "--time",
            "00:10:00",
            "--partition",
            "debug",
        ])
        .args(["--out", out.to_str().unwrap(), "--synthetic-ms", "0"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let printed = String::from_utf8_lossy(&o.stdout);
    assert!(
        printed.contains("sbatch ") && printed.contains(" merge "),
        "prints how to submit and merge: {printed}"
    );

    let script_path = out.join("sweep.sbatch");
    let script = std::fs::read_to_string(&script_path).unwrap();
    for want in [
        "#SBATCH --array=0-3",
        "#SBATCH --time=00:10:00",
        "#SBATCH --partition=debug",
        "--shard \"$SLURM_ARRAY_TASK_ID/4\"",
    ] {
        assert!(script.contains(want), "missing {want:?} in:\n{script}");
    }
    assert!(
        script.contains(&format!("'{}'", env!("CARGO_BIN_EXE_nicsim"))),
        "absolute nicsim path:\n{script}"
    );
    assert!(
        out.join("logs").is_dir(),
        "the log directory exists before submission"
    );

    // Without Slurm the script refuses to run.
    let st = Command::new("bash")
        .arg(&script_path)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .output()
        .unwrap();
    assert!(!st.status.success());

    // Run each array task the way Slurm would, then merge as the printed command says.
    for k in 0..4 {
        let st = Command::new("bash")
            .arg(&script_path)
            .env("SLURM_ARRAY_TASK_ID", k.to_string())
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "task {k}: {}",
            String::from_utf8_lossy(&st.stderr)
        );
    }
    let shards: Vec<String> = (0..4)
        .map(|k| out.join(format!("shard-{k}")).to_str().unwrap().to_string())
        .collect();
    let merged = out.join("results.csv");
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(String::as_str));
    args.extend([
        "--sweep",
        sweep.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    let (ok, err) = run(&args);
    assert!(ok, "{err}");
    let local = dir.join("local");
    let (ok, err) = run(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--out",
        local.to_str().unwrap(),
        "--synthetic-ms",
        "0",
    ]);
    assert!(ok, "{err}");
    assert_eq!(comparable(&merged), comparable(&local.join("results.csv")));
}

/// The `--output=` value of an `#SBATCH` line as sbatch reads it: sbatch
/// tokenizes these lines itself (src/sbatch/opt.c `_get_argument`): quotes
/// group, a backslash escapes the next character, an unquoted `#` ends the line.
fn sbatch_argument(line: &str) -> String {
    let mut out = String::new();
    let (mut quote, mut escape) = (None, false);
    for c in line.trim_start().chars() {
        if escape {
            out.push(c);
            escape = false;
        } else if c == '\\' {
            escape = true;
        } else if let Some(q) = quote {
            if c == q {
                quote = None;
            } else {
                out.push(c);
            }
        } else if c == '"' || c == '\'' {
            quote = Some(c);
        } else if c == '#' || c.is_whitespace() {
            break;
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn paths_with_spaces_quotes_and_percent_are_quoted_for_sbatch_and_bash() {
    let dir = tmpdir("slurm_quoting");
    let sweep = write_sweep(&dir, SWEEP48);
    // A directory with a space, a double quote, a single quote and a `%`.
    let out = dir.join("my \"runs\" it's 50%");
    let o = super::sweep_support::nicsim()
        .args(["slurm", sweep.to_str().unwrap(), "--tasks", "2"])
        .args(["--out", out.to_str().unwrap(), "--synthetic-ms", "0"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let script_path = out.join("sweep.sbatch");
    let script = std::fs::read_to_string(&script_path).unwrap();
    let line = script
        .lines()
        .find_map(|l| l.strip_prefix("#SBATCH --output="))
        .expect("an --output line");
    // sbatch reads the directory literally, `%%` standing for `%`; `%a` is the task id.
    assert_eq!(
        sbatch_argument(line),
        format!(
            "{}/logs/task-%a.log",
            out.to_str().unwrap().replace('%', "%%")
        ),
        "{line}"
    );
    // bash runs a task of it: the shard's results land in the quoted directory.
    let st = Command::new("bash")
        .arg(&script_path)
        .env("SLURM_ARRAY_TASK_ID", "1")
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    assert!(out.join("shard-1").join("results.csv").is_file());
}

#[test]
fn time_partition_and_task_flags_are_validated_before_writing() {
    use nicsim::slurm::{parse_partition, parse_time};
    for ok in [
        "30",
        "30:00",
        "01:00:00",
        "2-12",
        "2-12:30",
        "2-12:30:15",
        "0",
        "UNLIMITED",
    ] {
        assert_eq!(parse_time(ok).as_deref(), Ok(ok));
    }
    for bad in [
        "",
        "1:60:00",
        "1:00:60",
        "abc",
        "1-",
        "-1",
        "1:2:3:4",
        "1h",
        "01:00:00\necho pwned",
        "1:00;rm -rf /",
        " 10",
    ] {
        assert!(parse_time(bad).is_err(), "{bad:?} accepted");
    }
    for ok in ["debug", "gpu-a100", "long,short", "p_1.x"] {
        assert_eq!(parse_partition(ok).as_deref(), Ok(ok));
    }
    for bad in ["", "a b", "a;b", "a\nb", "$(id)", "a,,b", "`x`", "a'b"] {
        assert!(parse_partition(bad).is_err(), "{bad:?} accepted");
    }

    let dir = tmpdir("slurm_flags");
    let sweep = write_sweep(&dir, SWEEP48);
    let out = dir.join("out");
    let (s, o) = (sweep.to_str().unwrap(), out.to_str().unwrap());
    let cases: [(&[&str], &str); 5] = [
        (&["--time", "1:00:00\n#SBATCH --wrap=id"], "--time"),
        (&["--time", "forever"], "--time"),
        (&["--partition", "debug\necho pwned"], "--partition"),
        (&["--tasks", "0"], "--tasks"),
        (&["--tasks", "1000000"], "--tasks"),
    ];
    for (flags, flag) in cases {
        let mut args = vec!["slurm", s, "--out", o];
        if flags[0] != "--tasks" {
            args.extend(["--tasks", "2"]);
        }
        args.extend_from_slice(flags);
        rejects(&dir, &args, &[flag, "Fix"]);
        assert!(!out.exists(), "nothing written for {flags:?}");
    }
    // A line break in the output directory cannot go into an #SBATCH line.
    let nl = dir.join("a\nb");
    rejects(
        &dir,
        &["slurm", s, "--tasks", "2", "--out", nl.to_str().unwrap()],
        &["line break", "Fix"],
    );
    assert!(!nl.exists());
}
