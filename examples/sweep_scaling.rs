//! Benchmark: wall time of a 48-point sweep (configs/sweeps/bench48.toml) on 1 thread vs 2 threads.
//!
//! Run: `cargo run --release --example sweep_scaling [SWEEP.toml] [ROUNDS]`.
//! Each round runs the whole sweep with --jobs 1, then with --jobs 2, into fresh
//! temporary directories (so nothing is resumed), and prints both times and
//! their ratio; the best time of each is kept. Target: ratio >= 1.7 on an idle
//! 2-core machine. The other load of the machine is printed alongside, since
//! it lowers the ratio.

use std::path::PathBuf;
use std::time::Instant;

use nicsim::sweep::scenario_runner::ScenarioRunner;
use nicsim::sweep::{expand, run_sweep, Progress, Shard, SweepOptions, SweepSpec};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("configs/sweeps/bench48.toml")
    });
    let rounds: usize = args.next().map_or(Ok(2), |s| s.parse())?;
    let spec = SweepSpec::load(&path)?;
    let runner = ScenarioRunner::new(&spec);
    let points = expand(&spec).len();
    let tmp = std::env::temp_dir().join(format!("nicsim-sweep-scaling-{}", std::process::id()));
    let mut best = [f64::INFINITY; 2];
    for round in 0..rounds {
        for (i, jobs) in [1usize, 2].into_iter().enumerate() {
            let out = tmp.join(format!("r{round}-j{jobs}"));
            let _ = std::fs::remove_dir_all(&out);
            let opts = SweepOptions {
                out,
                jobs,
                shard: Shard::ALL,
                progress: Progress::Quiet,
            };
            let t0 = Instant::now();
            let o = run_sweep(&spec, &runner, &opts)?;
            let secs = t0.elapsed().as_secs_f64();
            anyhow::ensure!(
                o.failed.is_empty() && o.ran == points,
                "sweep did not complete: {o:?}"
            );
            println!("round {round}: {points} points, --jobs {jobs}: {secs:.3} s");
            best[i] = best[i].min(secs);
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "best: 1 thread {:.3} s, 2 threads {:.3} s, speedup {:.2}x (target >= 1.70x); loadavg {}",
        best[0],
        best[1],
        best[0] / best[1],
        load.trim()
    );
    Ok(())
}
