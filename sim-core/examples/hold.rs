//! The classic hold-model benchmark of the engine: N pending events; each, when it fires, schedules one more at now + Exp(mean).
//!
//! Usage: `cargo run --release -p sim-core --example hold -- --pending 1000 --events 20000000 [--mean-ns 1000] [--seed 1]`
//! The last line printed is `events_per_sec=<number>` (wall-clock rate of the
//! whole run, setup included).

use rand::Rng;
use rand_distr::{Distribution, Exp1};
use sim_core::{Engine, Model, RngStreams, Scheduler, SimDuration, SimRng, SimTime};
use std::time::Instant;

/// Hold model: every event reschedules itself after an exponential delay.
struct Hold {
    rng: SimRng,
    mean_ps: f64,
    remaining: u64,
}

impl Model for Hold {
    type Event = ();
    #[inline]
    fn handle(&mut self, _now: SimTime, _ev: (), sched: &mut Scheduler<()>) {
        if self.remaining == 0 {
            return;
        }
        self.remaining -= 1;
        let x: f64 = Exp1.sample(&mut self.rng);
        sched.schedule_in(SimDuration::from_ps((x * self.mean_ps) as u64), ());
    }
}

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
    let streams = RngStreams::new(seed);
    let mut init_rng = streams.stream("hold/init");
    let model = Hold {
        rng: streams.stream("hold/model"),
        mean_ps: mean_ns as f64 * 1000.0,
        remaining: events.saturating_sub(pending),
    };
    let start = Instant::now();
    let mut engine = Engine::new(model);
    for _ in 0..pending {
        let t: u64 = init_rng.gen_range(0..mean_ns * 1000);
        engine.schedule_at(SimTime::from_ps(t), ());
    }
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
