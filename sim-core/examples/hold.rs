//! The classic hold-model benchmark of the engine (model in `sim_core::bench::hold`): N pending events; each, when it fires, schedules one more at now + Exp(mean).
//!
//! Usage: `cargo run --release -p sim-core --example hold -- --pending 1000 --events 20000000 [--mean-ns 1000] [--seed 1]`
//! The last line printed is `events_per_sec=<number>` (wall-clock rate of the
//! whole run, setup included).

use sim_core::bench::hold::hold_engine;
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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let parsed = (|| -> Result<(u64, u64, u64, u64), String> {
        Ok((
            arg(&args, "--pending", 1000)?,
            arg(&args, "--events", 20_000_000)?,
            arg(&args, "--mean-ns", 1000)?,
            arg(&args, "--seed", 1)?,
        ))
    })();
    let (pending, events, mean_ns, seed) = match parsed {
        Ok(v) => v,
        Err(e) => {
            eprintln!("hold: {e}\nusage: hold [--pending N] [--events N] [--mean-ns N] [--seed N]");
            std::process::exit(2);
        }
    };
    let start = Instant::now();
    let mut engine = hold_engine(pending, events, mean_ns, seed);
    if let Err(e) = engine.run_to_completion() {
        eprintln!("hold: {e}");
        std::process::exit(1);
    }
    let wall = start.elapsed().as_secs_f64();
    let handled = engine.events_handled();
    println!(
        "pending={pending} events={handled} sim_time={} wall_s={wall:.3}",
        engine.now()
    );
    println!("events_per_sec={:.0}", handled as f64 / wall);
}
