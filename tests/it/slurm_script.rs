//! `nicsim slurm` writes a job-array script whose tasks, run as Slurm would run them, merge into the local result.

use std::process::Command;

use super::sweep_support::{comparable, run, tmpdir, write_sweep, SWEEP48};

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
