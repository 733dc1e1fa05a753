//! Benchmark suite: one table of engine and model speeds (hold model, echo and actor scenarios, the parallel engine).
//!
//! Run: `cargo run --release --example speed [-- --reps N] [--tables N] [--only TEXT] [--huge-pages]`
//! (default 5 reps and 1 table; `--tables N` prints N tables back to back
//! and then how many of them met each of issue 13's targets, see
//! `targets.rs`; `--only cluster` runs just the cases whose name contains
//! `cluster`; `--huge-pages` skips the `prctl` that turns transparent huge
//! pages off, as the binary does: see `nicsim::use_small_pages`; mimalloc
//! itself no longer asks for them, so this compares only on a kernel whose
//! THP mode is `always`).
//! Every case runs `reps` times, interleaved with the other cases (case A, B,
//! C, A, B, C, ...) so that a burst of load from elsewhere on a shared machine
//! hits all cases alike; the table prints the median and the minimum wall
//! time, and the median CPU time of the process per worker thread.
//!
//! Why CPU time: on a shared virtual machine the hypervisor pauses a busy
//! vCPU for milliseconds at a time (`examples/vcpu_pauses.rs` measures it),
//! and a 30 ms run that is paused for 5 ms looks 15% slower on the wall
//! clock. The process CPU clock (`CLOCK_PROCESS_CPUTIME_ID`) does not
//! advance while the vCPU is paused, so it measures the code, not the host.
//! For a run on N threads the CPU time is divided by N. In a cluster run
//! (neighbour-synchronized windows) a waiting worker spins or yields and
//! never sleeps, so time lost to waiting still counts; only time the vCPU
//! was taken away does not. (The ping toy uses barrier windows, whose
//! workers may park between windows: its CPU column flatters it.)
//!
//! Columns: `x_real` = simulated time / wall time (median and best run);
//! `x_cpu` = simulated time / CPU time per thread (median run); `events/s` =
//! engine events per wall second (median run); `events/unit` = engine events
//! per delivered packet (echo) or request (actors). After the table, each
//! case that ran at 1 and 2 threads gets its speed-up (wall median, wall
//! minimum, CPU per thread, and the median of each round's ratio). To add
//! a case, push one more [`Case`] in `cases()`.

mod table;
mod targets;

use nicsim::{run_scenario, Scenario};
use sim_core::bench::{hold, ping};
use sim_core::{SimDuration, SimTime};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use table::{print_table, CaseRuns};

/// Which build this is: `scripts/pgo-build.sh` sets `NICSIM_BUILD=pgo`
/// for its profile-guided build; a plain `cargo build --release` has none.
const BUILD: &str = match option_env!("NICSIM_BUILD") {
    Some(b) => b,
    None => "release",
};

/// What one run of a case measured (apart from its wall time).
struct Measured {
    events: u64,
    /// Simulated seconds, if the case simulates a system.
    sim_s: Option<f64>,
    /// Delivered packets or requests, if the case has such a unit.
    units: Option<u64>,
}

/// One row of the table.
struct Case {
    name: String,
    /// The case without its thread count: cases of one family that differ
    /// only in threads are compared after the table.
    family: String,
    /// Worker threads of the run (1 for everything but the parallel engine).
    threads: usize,
    run: Box<dyn Fn() -> Result<Measured, String>>,
}

fn hold_case(pending: u64, events: u64) -> Case {
    Case {
        name: format!("hold, {pending} pending"),
        family: format!("hold, {pending} pending"),
        threads: 1,
        run: Box::new(move || {
            let handled = hold::run_hold(pending, events, 1_000, 1).map_err(|e| e.to_string())?;
            Ok(Measured {
                events: handled,
                sim_s: None,
                units: None,
            })
        }),
    }
}

fn scenario_case(name: &str, file: &str, overrides: &[&str]) -> Case {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), file].iter().collect();
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    Case {
        name: name.to_string(),
        family: name.to_string(),
        threads: 1,
        run: Box::new(move || {
            let s = Scenario::load(&path, &overrides).map_err(|e| e.to_string())?;
            let out = run_scenario(&s).map_err(|e| e.to_string())?;
            Ok(Measured {
                events: out.summary.events,
                sim_s: Some(out.summary.sim_time_s),
                units: Some(out.summary.delivered),
            })
        }),
    }
}

/// The toy partitioned model of `sim_core::bench::ping` (8 partitions, about
/// 2 us of work per event, 1 us lookahead: about 200 us of work per window)
/// on the parallel engine.
fn ping_case(threads: usize) -> Case {
    Case {
        name: format!("parallel ping toy, {threads} thread(s)"),
        family: "the parallel ping toy".to_string(),
        threads,
        run: Box::new(move || {
            let cfg = ping::PingConfig {
                partitions: 8,
                tokens_per_partition: 16,
                lookahead: SimDuration::from_ns(1_000),
                work_rounds: 2_000,
                seed: 1,
                record_trace: false,
            };
            let end = SimTime::from_us(1_000);
            let mut e = ping::ping_engine(cfg).map_err(|e| e.to_string())?;
            e.run_until(end, threads).map_err(|e| e.to_string())?;
            Ok(Measured {
                events: e.events_handled(),
                sim_s: Some(end.as_secs_f64()),
                units: None,
            })
        }),
    }
}

/// A cluster example on `threads` worker threads (outputs identical to 1 thread).
fn cluster_case(name: &'static str, threads: usize) -> Case {
    cluster_case_with(name, name, &[], threads)
}

/// A cluster example with `--set` overrides, named `label`.
fn cluster_case_with(
    label: &'static str,
    name: &'static str,
    overrides: &'static [&'static str],
    threads: usize,
) -> Case {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "configs",
        &format!("{name}.toml"),
    ]
    .iter()
    .collect();
    Case {
        name: format!("{label}, {threads} thread(s)"),
        family: label.to_string(),
        threads,
        run: Box::new(move || {
            use nicsim::run::cluster::{run_cluster, ClusterOptions};
            let sets: Vec<String> = overrides.iter().map(|o| o.to_string()).collect();
            let s = Scenario::load(&path, &sets).map_err(|e| e.to_string())?;
            let opts = ClusterOptions {
                threads,
                ..ClusterOptions::default()
            };
            let (out, _) = run_cluster(&s, &opts).map_err(|e| e.to_string())?;
            Ok(Measured {
                events: out.summary.events,
                sim_s: Some(out.summary.sim_time_s),
                units: Some(out.summary.delivered),
            })
        }),
    }
}

/// The leaf-spine example grown to 4 racks of 16 servers and 8 clients:
/// about 325 events per window instead of 73.
const BIG: [&str; 3] = [
    "cluster.racks=4",
    "cluster.servers_per_rack=16",
    "cluster.clients=8",
];

fn cases() -> Vec<Case> {
    vec![
        hold_case(1_000, 4_000_000),
        hold_case(100_000, 4_000_000),
        scenario_case("quickstart LiquidIO 256 B", "configs/quickstart.toml", &[]),
        scenario_case(
            "quickstart LiquidIO 64 B",
            "configs/quickstart.toml",
            &["traffic.packet_size=64"],
        ),
        scenario_case(
            "Stingray PS225 25GbE 256 B",
            "configs/quickstart.toml",
            &["nic.profile=stingray_ps225", "nic.cores=8"],
        ),
        scenario_case("actors_mix", "configs/actors_mix.toml", &[]),
        ping_case(1),
        ping_case(2),
        cluster_case("cluster_star", 1),
        cluster_case("cluster_star", 2),
        cluster_case("cluster_leaf_spine", 1),
        cluster_case("cluster_leaf_spine", 2),
        cluster_case_with("cluster 64 servers", "cluster_leaf_spine", &BIG, 1),
        cluster_case_with("cluster 64 servers", "cluster_leaf_spine", &BIG, 2),
    ]
}

/// CPU time of this process so far (all threads), where the OS has a
/// process CPU clock.
#[cfg(unix)]
fn process_cpu() -> Duration {
    use nix::time::{clock_gettime, ClockId};
    match clock_gettime(ClockId::CLOCK_PROCESS_CPUTIME_ID) {
        Ok(t) => Duration::from(t),
        Err(e) => {
            eprintln!("speed: the process CPU clock failed: {e}");
            std::process::exit(1);
        }
    }
}

/// No process CPU clock here: the CPU columns repeat the wall time.
#[cfg(not(unix))]
fn process_cpu() -> Duration {
    Duration::ZERO
}

/// A positive integer after `flag`, or `default` without the flag; exit
/// code 2 with the usage otherwise.
fn count_arg(args: &[String], flag: &str, default: usize) -> usize {
    match args.iter().position(|a| a == flag) {
        None => default,
        Some(i) => match args.get(i + 1).and_then(|v| v.parse::<usize>().ok()) {
            Some(n) if n > 0 => n,
            _ => {
                eprintln!("speed: {flag} needs a positive integer\nusage: speed [--reps N] [--tables N] [--only TEXT] [--huge-pages]");
                std::process::exit(2);
            }
        },
    }
}

/// Runs every case `reps` times, interleaved (A, B, C, A, B, C, ...).
fn run_cases(cases: &[Case], reps: usize) -> Vec<CaseRuns> {
    let mut runs: Vec<CaseRuns> = cases
        .iter()
        .map(|_| CaseRuns {
            walls: Vec::with_capacity(reps),
            cpus: Vec::with_capacity(reps),
            last: None,
        })
        .collect();
    for _ in 0..reps {
        for (c, r) in cases.iter().zip(runs.iter_mut()) {
            let cpu0 = process_cpu();
            let t0 = Instant::now();
            match (c.run)() {
                Ok(m) => {
                    let wall = t0.elapsed().as_secs_f64();
                    let cpu = (process_cpu() - cpu0).as_secs_f64();
                    r.walls.push(wall);
                    // per worker thread; the wall time where there is no CPU clock
                    r.cpus.push(if cpu > 0.0 {
                        cpu / c.threads as f64
                    } else {
                        wall
                    });
                    r.last = Some(m);
                }
                Err(e) => {
                    eprintln!("speed: case '{}': {e}", c.name);
                    std::process::exit(1);
                }
            }
        }
    }
    runs
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // as the binary does, unless `--huge-pages` asks to compare
    let small_pages = !args.iter().any(|a| a == "--huge-pages") && nicsim::use_small_pages();
    let reps = count_arg(&args, "--reps", 5);
    let tables = count_arg(&args, "--tables", 1);
    // `--only TEXT`: just the cases whose name contains TEXT
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1).cloned());
    let cases: Vec<Case> = cases()
        .into_iter()
        .filter(|c| only.as_ref().map_or(true, |o| c.name.contains(o.as_str())))
        .collect();
    let header = format!(
        "nicsim speed table: {reps} interleaved runs per case; wall and process CPU time \
         (the machine may be shared: trust CPU time, minima and ratios); transparent huge \
         pages {}; {} build",
        if small_pages { "off" } else { "on" },
        BUILD
    );
    let mut figures = Vec::with_capacity(tables);
    for _ in 0..tables {
        let runs = run_cases(&cases, reps);
        figures.push(print_table(&header, &cases, &runs));
    }
    if tables > 1 {
        targets::print_summary(&figures);
    }
}
