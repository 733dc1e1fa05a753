//! `nicsim native SCENARIO.toml`: runs an actor scenario for real (the `native` crate: real threads, loopback UDP) and writes the same files as `nicsim run` from measured times.

use crate::run::ClassResult;
use crate::scenario::actors::{ActorsPlan, OfferedLoad};
use crate::scenario::{Scenario, ScenarioError};
use anyhow::Result;
use clap::Args;
use sim_core::{SimDuration, Table};
use std::path::{Path, PathBuf};
use system::report::write::csv_bytes;
use system::report::Summary;
use workloads::ArrivalProcess;

mod measure;
mod run;

pub use run::run_native;

/// Most requests one native run may send (each keeps a 32 B record).
pub const MAX_NATIVE_REQUESTS: u64 = 4_000_000;

/// Arguments of `nicsim native`.
#[derive(Debug, Args)]
pub struct NativeArgs {
    /// The scenario file (TOML); its workload must be `actors`.
    pub scenario: PathBuf,
    /// Seconds of load (default: the scenario's duration_ms).
    #[arg(long, value_name = "S")]
    pub duration_s: Option<f64>,
    /// Output directory (default: results/<scenario name>-native/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Requests per second, thousands (default: the scenario's rate, as `nicsim run` computes it).
    #[arg(long, value_name = "KRPS")]
    pub rate_krps: Option<f64>,
    /// Runtime NIC cores (default: the scenario's nic.cores, at most 2).
    #[arg(long)]
    pub nic_cores: Option<u32>,
    /// Runtime host cores (default: 1).
    #[arg(long, default_value_t = 1)]
    pub host_cores: u32,
    /// Worker threads serving the NIC cores (1..=nic cores). The default
    /// 1 + 1 keeps a native run to 2 worker threads on a 2-core machine.
    #[arg(long, default_value_t = 1)]
    pub nic_threads: u32,
    /// Worker threads serving the host cores (1..=host cores).
    #[arg(long, default_value_t = 1)]
    pub host_threads: u32,
    /// Root seed, overriding the scenario's `seed`.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override a scenario key by its dotted path (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// How one native run goes.
#[derive(Clone, Copy, Debug)]
pub struct NativeOptions {
    /// Load duration.
    pub duration: SimDuration,
    /// Runtime NIC cores.
    pub nic_cores: u32,
    /// Runtime host cores.
    pub host_cores: u32,
    /// NIC worker threads.
    pub nic_threads: u32,
    /// Host worker threads.
    pub host_threads: u32,
    /// Requests per second (`None`: the scenario's rate).
    pub rate_rps: Option<f64>,
}

/// What one native run measured.
pub struct NativeOutput {
    /// The `summary.csv` row.
    pub summary: Summary,
    /// Further tables by file name.
    pub tables: Vec<(String, Table)>,
    /// Per-class results (after warm-up).
    pub classes: Vec<ClassResult>,
    /// The rate asked for, requests per second.
    pub rate_rps: f64,
    /// The rate the generator really sent at.
    pub sent_rps: f64,
    /// Actors the watchdog killed.
    pub watchdog_kills: u64,
    /// Mean and p99 of the runtime's own sojourn (deliver to finish, us), over all actors.
    pub runtime_sojourn_mean_us: f64,
}

/// The requests' rate of `s` (as `nicsim run` computes it: a fraction of
/// the simulated NIC's capacity, or an absolute rate).
pub fn scenario_rate_rps(s: &Scenario, plan: &ActorsPlan) -> Result<f64> {
    Ok(match plan.load {
        OfferedLoad::Krps(k) => k * 1e3,
        OfferedLoad::Fraction(f) => f * system::run::estimate_nic_capacity_rps(s, plan)?,
    })
}

fn bad(s: &Path, key: &str, msg: String, fix: &str) -> anyhow::Error {
    let text = std::fs::read_to_string(s).unwrap_or_default();
    let line = system::scenario::error::locate_key(&text, key);
    ScenarioError::key(s.display().to_string(), line, key, msg, fix).into()
}

/// `nicsim native`.
pub fn cmd_native(a: NativeArgs) -> Result<()> {
    let mut s = Scenario::load(&a.scenario, &a.overrides)?;
    if let Some(seed) = a.seed {
        s = s.with_seed(seed);
    }
    let Some(plan) = s.actors.clone() else {
        return Err(bad(
            &a.scenario,
            "workload.kind",
            "a native run needs an actor workload".into(),
            "set workload.kind = \"actors\" (echo runs only in the simulator)",
        ));
    };
    if s.cluster.is_some() {
        return Err(bad(
            &a.scenario,
            "cluster",
            "native cluster runs are not implemented (the multi-server world has not landed)"
                .into(),
            "remove [cluster] to run one server natively",
        ));
    }
    if plan.arrival == ArrivalProcess::OnOff {
        return Err(bad(
            &a.scenario,
            "workload.arrival",
            "bursty (\"onoff\") requests are not built for native runs (the simulator runs them)"
                .into(),
            "set workload.arrival = \"constant\" or \"poisson\"",
        ));
    }
    let duration_s = a.duration_s.unwrap_or(s.duration.as_secs_f64());
    if !(duration_s > 0.0 && duration_s <= 3600.0) {
        return Err(crate::input_error::InputError::new(
            "--duration-s",
            None,
            "duration_s",
            format!("must be above 0 and at most 3600, got {duration_s}; fix: give seconds, e.g. --duration-s 2"),
        )
        .into());
    }
    // two NIC cores by default: the hybrid policy needs a DRR core besides
    // the FCFS one (with one NIC core a downgraded actor waits forever)
    let nic_cores = a.nic_cores.unwrap_or(s.cores.min(2));
    for (flag, n, max, what) in [
        (
            "--nic-cores",
            nic_cores,
            s.cores,
            "the scenario's nic.cores",
        ),
        (
            "--host-cores",
            a.host_cores,
            plan.host_cores,
            "the scenario's host cores",
        ),
        (
            "--nic-threads",
            a.nic_threads,
            nic_cores,
            "the runtime's NIC cores",
        ),
        (
            "--host-threads",
            a.host_threads,
            a.host_cores,
            "the runtime's host cores",
        ),
    ] {
        if n == 0 || n > max {
            return Err(crate::input_error::InputError::new(
                flag,
                None,
                flag.trim_start_matches('-'),
                format!("must be 1..={max} ({what}), got {n}; fix: give {flag} 1"),
            )
            .into());
        }
    }
    let opts = NativeOptions {
        duration: SimDuration::from_secs_f64(duration_s),
        nic_cores,
        host_cores: a.host_cores,
        nic_threads: a.nic_threads,
        host_threads: a.host_threads,
        rate_rps: a.rate_krps.map(|k| k * 1e3),
    };
    if let Some(k) = a.rate_krps {
        if !(k > 0.0 && k.is_finite()) {
            return Err(crate::input_error::InputError::new(
                "--rate-krps",
                None,
                "rate_krps",
                format!("must be a positive number, got {k}; fix: e.g. --rate-krps 20"),
            )
            .into());
        }
    }
    let out_dir = a
        .out
        .unwrap_or_else(|| PathBuf::from("results").join(format!("{}-native", s.name)));
    let out = run_native(&s, &plan, opts)?;
    let mut files = vec![(
        "summary.csv".to_string(),
        csv_bytes(&Summary::columns(), [out.summary.fields()])?,
    )];
    for (name, t) in &out.tables {
        let cols: Vec<&str> = t.columns.iter().map(String::as_str).collect();
        files.push((name.clone(), csv_bytes(&cols, t.rows.iter().cloned())?));
    }
    files.push(("resolved.toml".into(), s.resolved_toml().into_bytes()));
    system::report::set::write_set(&out_dir, &files)?;
    if !a.quiet {
        print!("{}", native_text(&out, opts));
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        println!(
            "  wrote         {}/{{{}}}",
            out_dir.display(),
            names.join(",")
        );
    }
    Ok(())
}

fn native_text(out: &NativeOutput, o: NativeOptions) -> String {
    let s = &out.summary;
    format!(
        "native run {}  (seed {})\n  cores         {} NIC + {} host runtime cores on {} + {} worker threads (plus ingress, generator and client-receiver I/O threads)\n  load          {:.1} krps asked, {:.1} krps sent open loop over UDP on 127.0.0.1 for {:.2} s\n  throughput    {:.1} krps answered after warm-up\n  latency       round trip mean {:.1} us, p50 {:.1} us, p99 {:.1} us, p99.9 {:.1} us; runtime sojourn mean {:.1} us\n  accounting    {} sent = {} answered + {} dropped + {} outstanding\n",
        s.scenario, s.seed, o.nic_cores, o.host_cores, o.nic_threads, o.host_threads, out.rate_rps / 1e3, out.sent_rps / 1e3, o.duration.as_secs_f64(),
        s.achieved_mpps * 1e3, s.lat_mean_us, s.lat_p50_us, s.lat_p99_us, s.lat_p999_us,
        out.runtime_sojourn_mean_us, s.generated, s.delivered, s.drops, s.in_flight
    ) + &if out.watchdog_kills > 0 {
        format!(
            "  watchdog      killed {} actor(s): natively it measures wall time, preemption by other processes included; --set scheduler.watchdog_ns=N allows more\n",
            out.watchdog_kills
        )
    } else {
        String::new()
    }
}
