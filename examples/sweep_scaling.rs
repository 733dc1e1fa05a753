//! Benchmark: wall time of a 48-point sweep (configs/sweeps/bench48.toml) on 1 thread vs 2 threads.
//!
//! Run: `cargo run --release --example sweep_scaling [SWEEP.toml] [ROUNDS]`.
//! Each round runs the whole sweep with --jobs 1, then with --jobs 2, into fresh
//! temporary directories (so nothing is resumed), and prints both times and
//! their ratio; the best time of each is kept. Target: ratio >= 1.7 on an idle
//! 2-core machine. The process CPU time and the machine's load are printed
//! alongside: on a shared machine other load steals cores from either run, so
//! a second ratio divides the 1-thread run's CPU time (its uncontended wall
//! time) by the best 2-thread wall time.

use std::path::PathBuf;
use std::time::Instant;

use nicsim::sweep::scenario_runner::ScenarioRunner;
use nicsim::sweep::{expand, run_sweep, Progress, Shard, SweepOptions, SweepSpec};

/// CPU time (user + system) of this process so far, from /proc/self/stat (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (field(11) + field(12)) / 100.0 // USER_HZ is 100 on Linux
}

/// Removes `dir` and everything in it; a missing `dir` is fine.
fn remove_if_present(dir: &std::path::Path) -> anyhow::Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(anyhow::anyhow!("cannot remove {}: {e}", dir.display()))
        }
        _ => Ok(()),
    }
}

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
    let mut cpu_1thread = f64::INFINITY;
    for round in 0..rounds {
        for (i, jobs) in [1usize, 2].into_iter().enumerate() {
            let out = tmp.join(format!("r{round}-j{jobs}"));
            remove_if_present(&out)?;
            let opts = SweepOptions {
                out,
                jobs,
                shard: Shard::ALL,
                progress: Progress::Quiet,
            };
            let (t0, cpu0) = (Instant::now(), cpu_seconds());
            let o = run_sweep(&spec, &runner, &opts)?;
            let secs = t0.elapsed().as_secs_f64();
            let cpu = cpu_seconds() - cpu0;
            anyhow::ensure!(
                o.failed.is_empty() && o.ran == points,
                "sweep did not complete: {o:?}"
            );
            // cpu/wall near `jobs` means the threads got their cores; well below, other load took them.
            println!(
                "round {round}: {points} points, --jobs {jobs}: {secs:.3} s wall, {cpu:.2} s cpu ({:.2} cores busy)",
                cpu / secs
            );
            best[i] = best[i].min(secs);
            if jobs == 1 {
                cpu_1thread = cpu_1thread.min(cpu);
            }
        }
    }
    remove_if_present(&tmp)?;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "best: 1 thread {:.3} s, 2 threads {:.3} s, speedup {:.2}x (target >= 1.70x); loadavg {}",
        best[0],
        best[1],
        best[0] / best[1],
        load.trim()
    );
    // On a shared machine the 1-thread wall time is inflated by other load; its
    // CPU time is what an uncontended 1-thread run would take.
    println!(
        "contention-corrected: 1-thread cpu {:.3} s / 2-thread best wall {:.3} s = {:.2}x",
        cpu_1thread,
        best[1],
        cpu_1thread / best[1]
    );
    Ok(())
}
