//! `nicsim sweep`: parameter sweeps over a base scenario, run in parallel, resumable, shardable.
//!
//! Modules: `spec` parses sweep files (format in its doc comment and in
//! configs/sweeps/README.md), `axes` expands them into points with
//! deterministic ids and seeds, `shard` picks a shard's points, `runner` runs
//! them with rayon and shows progress, `results` keeps DIR/results.csv
//! crash-safe and resumable. `synthetic` is a fake runner for tests/benchmarks.

pub mod axes;
pub mod filter;
pub mod results;
pub mod runner;
pub mod scenario_runner;
pub mod shard;
pub mod spec;
pub mod synthetic;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;

pub use axes::{derive_seed, expand, Point};
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
    /// Worker threads [default: all cores].
    #[arg(long, short = 'j')]
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

/// Default worker count: the machine's available parallelism.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The runner that simulates real scenarios.
pub fn scenario_runner(_spec: &SweepSpec) -> anyhow::Result<Box<dyn PointRunner>> {
    bail!(
        "the scenario runner is not wired yet (waiting for nicsim::run); use the synthetic runner"
    )
}

/// The text of `nicsim sweep --list`: one line per point of the shard.
pub fn list_text(spec: &SweepSpec, shard: Shard) -> String {
    let all = expand(spec);
    let mine = shard.select(&all);
    let mut out = format!(
        "sweep {}: {} point(s) in shard {shard} of {} ({} before filters)\n",
        spec.name,
        mine.len(),
        all.len(),
        axes::product_size(spec)
    );
    for p in &mine {
        out += &format!("{} seed={} {}\n", p.id, p.seed, runner::describe(p));
    }
    out
}

/// `nicsim sweep`: runs or resumes a sweep, prints a summary, fails if any point failed.
pub fn cmd_sweep(args: SweepArgs) -> anyhow::Result<()> {
    let spec = SweepSpec::load(&args.sweep)?;
    let shard = args.shard.unwrap_or(Shard::ALL);
    if args.list {
        print!("{}", list_text(&spec, shard));
        return Ok(());
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
