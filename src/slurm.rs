//! `nicsim slurm`: writes an sbatch job-array script that runs one shard of a sweep per array task.
//!
//! Task K of N runs `nicsim sweep SWEEP --shard K/N --out DIR/shard-K` with the
//! absolute path of the nicsim executable that wrote the script, so the cluster
//! runs the same build. Every path in the script is absolute and single-quoted.
//! Since each shard resumes, resubmitting the script (or one task of it, with
//! `sbatch --array=K`) finishes whatever a failed or timed-out task left.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::sweep::{expand, Shard, SweepSpec};

/// Arguments of `nicsim slurm`.
#[derive(Debug, Clone, clap::Args)]
pub struct SlurmArgs {
    /// The sweep file.
    pub sweep: PathBuf,
    /// Number of array tasks (shards).
    #[arg(long)]
    pub tasks: usize,
    /// Time limit per task, HH:MM:SS (or any format sbatch accepts).
    #[arg(long)]
    pub time: Option<String>,
    /// Slurm partition.
    #[arg(long)]
    pub partition: Option<String>,
    /// CPUs per task; each task runs its shard with that many worker threads.
    #[arg(long, default_value_t = 1)]
    pub cpus_per_task: usize,
    /// Output directory for the script, logs and shard results [default: results/sweeps/NAME].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Testing aid: tasks run `nicsim sweep --synthetic-ms MS` (no simulator).
    #[arg(long, hide = true)]
    pub synthetic_ms: Option<u64>,
}

/// Quotes a string for a POSIX shell.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// What goes into the script.
#[derive(Debug, Clone)]
pub struct ScriptPlan {
    pub job_name: String,
    pub exe: PathBuf,
    pub sweep: PathBuf,
    pub out: PathBuf,
    pub tasks: usize,
    pub cpus_per_task: usize,
    pub time: Option<String>,
    pub partition: Option<String>,
    /// Extra arguments appended to the `nicsim sweep` command line (already shell-safe).
    pub extra: String,
}

/// The sbatch script text.
pub fn sbatch_script(p: &ScriptPlan) -> String {
    let out = p.out.display().to_string();
    let mut s = String::from("#!/bin/bash\n");
    s += "# Written by `nicsim slurm`: one sweep shard per array task. Submit with sbatch.\n";
    s += &format!("#SBATCH --job-name={}\n", p.job_name);
    s += &format!("#SBATCH --array=0-{}\n", p.tasks - 1);
    s += "#SBATCH --ntasks=1\n";
    s += &format!("#SBATCH --cpus-per-task={}\n", p.cpus_per_task);
    s += &format!("#SBATCH --output={out}/logs/task-%a.log\n");
    if let Some(t) = &p.time {
        s += &format!("#SBATCH --time={t}\n");
    }
    if let Some(part) = &p.partition {
        s += &format!("#SBATCH --partition={part}\n");
    }
    s += "set -euo pipefail\n";
    s += &format!(": \"${{SLURM_ARRAY_TASK_ID:?run this script with sbatch (it is a job array of {} tasks)}}\"\n", p.tasks);
    s += &format!(
        "exec {} sweep {} --shard \"$SLURM_ARRAY_TASK_ID/{}\" --out {}\"/shard-$SLURM_ARRAY_TASK_ID\" --jobs \"${{SLURM_CPUS_PER_TASK:-{}}}\" --progress plain{}\n",
        shell_quote(&p.exe.display().to_string()),
        shell_quote(&p.sweep.display().to_string()),
        p.tasks,
        shell_quote(&out),
        p.cpus_per_task,
        p.extra
    );
    s
}

fn absolute(p: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(p).with_context(|| format!("cannot make {} absolute", p.display()))
}

/// `nicsim slurm`: writes DIR/sweep.sbatch and DIR/logs/, prints how to submit and merge.
pub fn cmd_slurm(args: SlurmArgs) -> anyhow::Result<()> {
    let spec = SweepSpec::load(&args.sweep)?;
    if args.tasks == 0 {
        bail!("--tasks 0: need at least one task. Fix: e.g. --tasks 4.");
    }
    if args.cpus_per_task == 0 {
        bail!("--cpus-per-task 0: need at least one CPU. Fix: e.g. --cpus-per-task 1.");
    }
    let points = expand(&spec).len();
    let out = absolute(
        &args
            .out
            .unwrap_or_else(|| crate::sweep::default_out(&spec, Shard::ALL)),
    )?;
    std::fs::create_dir_all(out.join("logs"))
        .with_context(|| format!("cannot create {}", out.display()))?;
    let plan = ScriptPlan {
        job_name: format!("nicsim-{}", spec.name),
        exe: std::env::current_exe().context("cannot find the nicsim executable")?,
        sweep: spec.path.clone(),
        out: out.clone(),
        tasks: args.tasks,
        cpus_per_task: args.cpus_per_task,
        time: args.time,
        partition: args.partition,
        extra: args
            .synthetic_ms
            .map_or_else(String::new, |ms| format!(" --synthetic-ms {ms}")),
    };
    let script = out.join("sweep.sbatch");
    std::fs::write(&script, sbatch_script(&plan))
        .with_context(|| format!("cannot write {}", script.display()))?;
    let q = |p: &Path| shell_quote(&p.display().to_string());
    if args.tasks > points {
        eprintln!(
            "note: {} tasks for {points} point(s): tasks {points} and up will have nothing to run",
            args.tasks
        );
    }
    println!(
        "wrote {} ({} task(s), {points} point(s), about {} per task)",
        script.display(),
        args.tasks,
        points.div_ceil(args.tasks)
    );
    println!(
        "submit:   sbatch {}        (add --wait to block until all tasks end)",
        q(&script)
    );
    println!("progress: tail {}/logs/task-*.log", q(&out));
    println!(
        "retry:    resubmitting the script resumes; one task only: sbatch --array=K {}",
        q(&script)
    );
    println!(
        "merge:    {} merge {}/shard-* --sweep {} --out {}",
        q(&plan.exe),
        q(&out),
        q(&spec.path),
        q(&out.join("results.csv"))
    );
    Ok(())
}
