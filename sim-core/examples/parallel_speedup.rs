//! Speedup of the parallel engine on the ping model (`sim_core::bench::ping`): wall time at 1 and 2 threads, interleaved, median and min of several runs.
//!
//! Usage: `cargo run --release -p sim-core --example parallel_speedup -- [--partitions 8] [--work 400] [--us 2000] [--lookahead-ns 1000] [--reps 5]`
//! `--work` is arithmetic rounds per event (about 1 ns each): the model needs
//! enough work per event and per window for threads to pay off. The digests
//! printed for each thread count must be equal (the engine's determinism).
//! The machine may be shared: read the ratio, not the absolute times.

use sim_core::bench::ping::{ping_engine, run_digest, PingConfig};
use sim_core::{SimDuration, SimTime};
use std::time::Instant;

fn arg(args: &[String], name: &str, default: u64) -> Result<u64, String> {
    match args.iter().position(|a| a == name) {
        None => Ok(default),
        Some(i) => args
            .get(i + 1)
            .ok_or_else(|| format!("{name} needs a value"))?
            .parse()
            .map_err(|e| format!("{name}: {e}")),
    }
}

fn run(cfg: PingConfig, end: SimTime, threads: usize) -> Result<(f64, u64, u64, u64), String> {
    let mut e = ping_engine(cfg).map_err(|e| e.to_string())?;
    let t0 = Instant::now();
    e.run_until(end, threads).map_err(|e| e.to_string())?;
    let wall = t0.elapsed().as_secs_f64();
    Ok((wall, e.events_handled(), e.windows(), run_digest(&e)))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let parsed = (|| -> Result<_, String> {
        Ok((
            arg(&args, "--partitions", 8)?,
            arg(&args, "--work", 400)?,
            arg(&args, "--us", 2000)?,
            arg(&args, "--reps", 5)?,
            arg(&args, "--lookahead-ns", 1_000)?,
        ))
    })();
    let (partitions, work, us, reps, lookahead_ns) = match parsed {
        Ok(v) => v,
        Err(e) => {
            eprintln!("parallel_speedup: {e}\nusage: parallel_speedup [--partitions N] [--work N] [--us N] [--lookahead-ns N] [--reps N]");
            std::process::exit(2);
        }
    };
    let cfg = PingConfig {
        partitions: partitions.max(1) as usize,
        tokens_per_partition: 16,
        lookahead: SimDuration::from_ns(lookahead_ns.max(1)),
        work_rounds: work as u32,
        seed: 1,
        record_trace: false,
    };
    let end = SimTime::from_us(us);
    let mut walls = [Vec::new(), Vec::new()];
    for _ in 0..reps.max(1) {
        for (k, threads) in [1usize, 2].into_iter().enumerate() {
            match run(cfg, end, threads) {
                Ok((wall, events, windows, digest)) => {
                    println!("threads={threads} wall_s={wall:.3} events={events} windows={windows} digest={digest:016x}");
                    walls[k].push(wall);
                }
                Err(e) => {
                    eprintln!("parallel_speedup: {e}");
                    std::process::exit(1);
                }
            }
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[v.len() / 2], v[0])
    };
    let (m1, min1) = median(&mut walls[0]);
    let (m2, min2) = median(&mut walls[1]);
    println!(
        "speedup_2_over_1: median {:.2}x (1 thread {m1:.3} s, 2 threads {m2:.3} s), min {:.2}x",
        m1 / m2,
        min1 / min2
    );
}
