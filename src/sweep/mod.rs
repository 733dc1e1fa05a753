//! `nicsim sweep`: parameter sweeps over a base scenario, run in parallel, resumable, shardable.
//!
//! Modules: `spec` parses sweep files (format in its doc comment and in
//! configs/sweeps/README.md), `axes` expands them into points with
//! deterministic ids and seeds, `shard` picks a shard's points, `runner` runs
//! them with rayon and shows progress, `results` keeps DIR/results.csv
//! crash-safe and resumable. `synthetic` is a fake runner for tests/benchmarks.

pub mod axes;
pub mod filter;
mod range;
pub mod results;
pub mod runner;
pub mod scenario_runner;
pub mod shard;
pub mod spec;
pub mod synthetic;

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;

pub use axes::{derive_seed, expand, Expansion, Point};
pub use runner::{run_sweep, PointRunner, Progress, SweepOptions, SweepOutcome};
pub use shard::Shard;
pub use spec::{SpecError, SweepSpec};

/// Arguments of `nicsim sweep`.
#[derive(Debug, Clone, clap::Args)]
pub struct SweepArgs {
    /// The sweep file (TOML; see configs/sweeps/README.md).
    pub sweep: PathBuf,
    /// Output directory [default: results/sweeps/NAME, plus /shard-K with --shard].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads, 1 to 1024 [default: all cores, at most 1024].
    #[arg(long, short = 'j', value_parser = parse_jobs)]
    pub jobs: Option<usize>,
    /// Run only shard K of N (points K, K+N, ...), e.g. --shard 0/4.
    #[arg(long)]
    pub shard: Option<Shard>,
    /// Progress display.
    #[arg(long, value_enum, default_value_t = Progress::Auto)]
    pub progress: Progress,
    /// Print the points (id, repetition, seed, parameters) of this shard and exit without running.
    #[arg(long)]
    pub list: bool,
    /// Largest sweep accepted, in points of the full product (repetitions included,
    /// before filters) [default: `max_points` of the sweep file, else 1000000].
    #[arg(long, value_parser = parse_max_points)]
    pub max_points: Option<usize>,
    /// Testing aid: run a synthetic runner sleeping this many ms per point instead of the simulator.
    #[arg(long, hide = true)]
    pub synthetic_ms: Option<u64>,
}

/// Default output directory of a sweep (and shard).
pub fn default_out(spec: &SweepSpec, shard: Shard) -> PathBuf {
    let base = PathBuf::from("results").join("sweeps").join(&spec.name);
    if shard == Shard::ALL {
        base
    } else {
        base.join(format!("shard-{}", shard.k))
    }
}

/// Default worker count: the machine's available parallelism, at most `MAX_JOBS`.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_JOBS))
}

/// The runner that simulates real scenarios.
pub fn scenario_runner(_spec: &SweepSpec) -> anyhow::Result<Box<dyn PointRunner>> {
    bail!(
        "the scenario runner is not wired yet (waiting for nicsim::run); use the synthetic runner"
    )
}

/// Largest `--jobs` (and `nicsim slurm --cpus-per-task`): each worker is an OS
/// thread, and beyond this a typo (`--jobs 100000`) would spend minutes and
/// gigabytes starting threads instead of failing.
pub const MAX_JOBS: usize = 1024;

/// Parses a worker count: 1 to `MAX_JOBS` (clap reports the error with the flag, exit 2).
pub fn parse_jobs(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_JOBS).contains(&n) => Ok(n),
        _ => Err(format!(
            "`{s}` worker threads is not a number from 1 to {MAX_JOBS}. Fix: use the number of cores (the default) or fewer, at most {MAX_JOBS}."
        )),
    }
}

/// Parses `--max-points`: a positive point count.
pub fn parse_max_points(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "`{s}` is not a positive number of points. Fix: e.g. --max-points 2000000 (default {}).",
            spec::DEFAULT_MAX_POINTS
        )),
    }
}

/// Writes the text of `nicsim sweep --list` (one line per point of the shard),
/// streaming from the lazy expansion: two passes, nothing held in memory.
pub fn write_list(spec: &SweepSpec, shard: Shard, out: &mut dyn Write) -> std::io::Result<()> {
    let exp = Expansion::new(spec);
    let (mut mine, mut all) = (0usize, 0usize);
    for (i, _) in exp.iter().enumerate() {
        all += 1;
        mine += usize::from(shard.has(i));
    }
    writeln!(
        out,
        "sweep {}: {mine} point(s) in shard {shard} of {all} ({} before filters)",
        spec.name,
        exp.total()
    )?;
    for p in shard.pick(exp.iter()) {
        writeln!(out, "{} seed={} {}", p.id, p.seed, runner::describe(&p))?;
    }
    Ok(())
}

/// The text of `nicsim sweep --list` as a string (small sweeps; see `write_list`).
pub fn list_text(spec: &SweepSpec, shard: Shard) -> String {
    let mut out = Vec::new();
    write_list(spec, shard, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8_lossy(&out).into_owned()
}

/// `nicsim sweep`: runs or resumes a sweep, prints a summary, fails if any point failed.
pub fn cmd_sweep(args: SweepArgs) -> anyhow::Result<()> {
    let spec = SweepSpec::load_limited(&args.sweep, args.max_points)?;
    let shard = args.shard.unwrap_or(Shard::ALL);
    if args.list {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        return match write_list(&spec, shard, &mut out).and_then(|()| out.flush()) {
            // `nicsim sweep --list | head` closes the pipe early: not an error.
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
            _ => Ok(()),
        };
    }
    let runner: Box<dyn PointRunner> = match args.synthetic_ms {
        Some(ms) => Box::new(synthetic::SyntheticRunner {
            sleep: Duration::from_millis(ms),
            spin_rounds: 0,
        }),
        None => Box::new(scenario_runner::ScenarioRunner::new(&spec)),
    };
    let opts = SweepOptions {
        out: args.out.unwrap_or_else(|| default_out(&spec, shard)),
        jobs: args.jobs.unwrap_or_else(default_jobs),
        shard,
        progress: args.progress,
    };
    let o = run_sweep(&spec, runner.as_ref(), &opts)?;
    eprintln!(
        "sweep {} shard {}: {} point(s), {} already done, {} run now, {} failed; results in {}",
        spec.name,
        shard,
        o.selected,
        o.already_done,
        o.ran,
        o.failed.len(),
        o.results.display()
    );
    if !o.failed.is_empty() {
        let list: Vec<String> = o
            .failed
            .iter()
            .map(|(id, e)| format!("{id}: {e}"))
            .collect();
        bail!(
            "{} point(s) failed (rerun the same command to retry them):\n  {}",
            o.failed.len(),
            list.join("\n  ")
        );
    }
    Ok(())
}
