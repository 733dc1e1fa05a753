//! `nicsim slurm`: writes an sbatch job-array script that runs one shard of a sweep per array task.
//!
//! Task K of N runs `nicsim sweep SWEEP --shard K/N --out DIR/shard-K` with the
//! absolute path of the nicsim executable that wrote the script, so the cluster
//! runs the same build. Everything written into the script is validated or
//! quoted: paths in shell lines are single-quoted (`shell_quote`), the log path
//! in its `#SBATCH` line is double-quoted for sbatch's own tokenizer
//! (`sbatch_quote`, which refuses newlines), and `--time` and `--partition` are
//! checked against Slurm's formats before anything is written.
//! Since each shard resumes, resubmitting the script (or one task of it, with
//! `sbatch --array=K`) finishes whatever a failed or timed-out task left.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::input_error::InputError;
use crate::sweep::{Expansion, Shard, SweepSpec};

/// Arguments of `nicsim slurm`.
#[derive(Debug, Clone, clap::Args)]
pub struct SlurmArgs {
    /// The sweep file.
    pub sweep: PathBuf,
    /// Number of array tasks (shards), 1 to 100000.
    #[arg(long, value_parser = parse_tasks)]
    pub tasks: usize,
    /// Time limit per task in a Slurm format: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS or UNLIMITED.
    #[arg(long, value_parser = parse_time)]
    pub time: Option<String>,
    /// Slurm partition (or comma-separated partitions): letters, digits, `_`, `-`, `.`.
    #[arg(long, value_parser = parse_partition)]
    pub partition: Option<String>,
    /// CPUs per task, 1 to 1024; each task runs its shard with that many worker threads.
    #[arg(long, default_value_t = 1, value_parser = crate::sweep::parse_jobs)]
    pub cpus_per_task: usize,
    /// The sweep's size limit, as for `nicsim sweep --max-points` (passed on to the tasks).
    #[arg(long, value_parser = crate::sweep::parse_max_points)]
    pub max_points: Option<usize>,
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

/// Largest `--tasks`: far beyond any cluster's MaxArraySize, small enough to catch a typo.
pub const MAX_TASKS: usize = 100_000;

/// Parses `--tasks`: 1 to `MAX_TASKS` (clap reports errors with the flag, exit 2).
pub fn parse_tasks(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_TASKS).contains(&n) => Ok(n),
        _ => Err(format!(
            "`{s}` is not a task count from 1 to {MAX_TASKS}. Fix: e.g. --tasks 4 (more tasks than points leaves tasks idle)."
        )),
    }
}

/// Parses `--time`: the formats of sbatch `--time` (minutes, minutes:seconds,
/// hours:minutes:seconds, days-hours, days-hours:minutes, days-hours:minutes:seconds)
/// or `UNLIMITED`/`INFINITE`; digits only, minutes and seconds after a colon below 60.
pub fn parse_time(s: &str) -> Result<String, String> {
    let bad = || {
        format!(
            "`{}` is not a Slurm time limit. Fix: use MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS or UNLIMITED, e.g. --time 02:00:00.",
            s.escape_debug()
        )
    };
    if s == "UNLIMITED" || s == "INFINITE" {
        return Ok(s.to_string());
    }
    let num = |p: &str| -> Option<u64> {
        (!p.is_empty() && p.len() <= 6 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let (days, rest) = match s.split_once('-') {
        Some((d, r)) => (Some(num(d).ok_or_else(bad)?), r),
        None => (None, s),
    };
    let parts: Vec<u64> = rest
        .split(':')
        .map(num)
        .collect::<Option<Vec<u64>>>()
        .ok_or_else(bad)?;
    // After the first field, minutes and seconds are clock fields.
    let ok = match (days, parts.len()) {
        (None, 1..=3) | (Some(_), 1..=3) => parts[1..].iter().all(|&v| v < 60),
        _ => false,
    };
    if ok {
        Ok(s.to_string())
    } else {
        Err(bad())
    }
}

/// Parses `--partition`: Slurm partition names (comma-separated for several),
/// restricted to a charset that is inert in a `#SBATCH` line and in a shell.
pub fn parse_partition(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 256
        && s.split(',').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
        });
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{}` is not a partition name. Fix: use letters, digits, `_`, `-` and `.` (comma-separated for several), as `sinfo -s` lists them.",
            s.escape_debug()
        ))
    }
}

/// Quotes a value for a `#SBATCH` line, which sbatch tokenizes itself (not a
/// shell): inside double quotes, a backslash escapes the next character.
/// Newlines cannot be quoted: an error. (A `%` meant literally in a filename
/// pattern must be doubled by the caller.)
pub fn sbatch_quote(s: &str) -> Result<String, String> {
    if s.contains(['\n', '\r', '\0']) {
        return Err(format!(
            "`{}` contains a line break, which cannot appear in an #SBATCH line. Fix: use a path without line breaks.",
            s.escape_debug()
        ));
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(out)
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

/// The sbatch script text; fails if the output path cannot be written into an
/// `#SBATCH` line (a line break in it).
pub fn sbatch_script(p: &ScriptPlan) -> Result<String, String> {
    let out = p.out.display().to_string();
    // `%` in the directory is literal: doubled, so sbatch does not expand it.
    let log = sbatch_quote(&format!("{}/logs/task-%a.log", out.replace('%', "%%")))?;
    // Callers of this library function get the same checks as the CLI flags.
    if !p
        .job_name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
    {
        return Err(format!("job name `{}` has characters other than letters, digits, `_`, `-`, `.`. Fix: rename the sweep.", p.job_name.escape_debug()));
    }
    if let Some(t) = &p.time {
        parse_time(t)?;
    }
    if let Some(part) = &p.partition {
        parse_partition(part)?;
    }
    if p.tasks == 0 {
        return Err("0 tasks. Fix: at least one task.".into());
    }
    let mut s = String::from("#!/bin/bash\n");
    s += "# Written by `nicsim slurm`: one sweep shard per array task. Submit with sbatch.\n";
    s += &format!("#SBATCH --job-name={}\n", p.job_name);
    s += &format!("#SBATCH --array=0-{}\n", p.tasks - 1);
    s += "#SBATCH --ntasks=1\n";
    s += &format!("#SBATCH --cpus-per-task={}\n", p.cpus_per_task);
    s += &format!("#SBATCH --output={log}\n");
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
    Ok(s)
}

fn absolute(p: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(p).with_context(|| format!("cannot make {} absolute", p.display()))
}

/// `nicsim slurm`: writes DIR/sweep.sbatch and DIR/logs/, prints how to submit and merge.
pub fn cmd_slurm(args: SlurmArgs) -> anyhow::Result<()> {
    let spec = SweepSpec::load_limited(&args.sweep, args.max_points)?;
    let points = Expansion::new(&spec).iter().count();
    let out = absolute(
        &args
            .out
            .unwrap_or_else(|| crate::sweep::default_out(&spec, Shard::ALL)),
    )?;
    if out.to_str().is_none() {
        return Err(InputError::new(
            "--out",
            None,
            "",
            format!(
                "{} is not valid UTF-8, so it cannot be written into the script. Fix: use a UTF-8 directory name.",
                out.display()
            ),
        )
        .into());
    }
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
            .max_points
            .map_or_else(String::new, |n| format!(" --max-points {n}"))
            + &args
                .synthetic_ms
                .map_or_else(String::new, |ms| format!(" --synthetic-ms {ms}")),
    };
    let text = sbatch_script(&plan)
        .map_err(|m| InputError::new("--out", None, "", format!("{}: {m}", out.display())))?;
    std::fs::create_dir_all(out.join("logs"))
        .with_context(|| format!("cannot create {}", out.display()))?;
    let script = out.join("sweep.sbatch");
    std::fs::write(&script, text).with_context(|| format!("cannot write {}", script.display()))?;
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
