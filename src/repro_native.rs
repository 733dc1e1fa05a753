//! `nicsim repro native`: the simulator checked against this machine: a host-only actor scenario run natively and simulated with configs/nics/host_local.toml, at several loads up to saturation, into native.csv.
//!
//! Both sides run the same runtime and the same actor (kv_cache, placed on
//! the host, policy host_only, one host core). Compared per load:
//! - throughput: requests answered per second after warm-up;
//! - latency as each side defines it end to end: native = client round
//!   trip over loopback UDP (send to response received), simulated =
//!   creation at the source to handler completion (the NIC path and PCIe);
//! - the runtime's own sojourn (deliver to finish, mean and p99 from
//!   actors.csv): the same code measures it on both sides.
//!
//! Loads are fractions of the native capacity, measured first by a short
//! run at a rate far above it. Nothing here asserts a tolerance: the
//! errors are the result (README, "Native runs and the simulator checked
//! against them").

use crate::native_cmd::{run_native, NativeOptions};
use crate::scenario::Scenario;
use anyhow::{Context, Result};
use sim_core::table::fmt_f64;
use sim_core::{SimDuration, Table};
use std::path::{Path, PathBuf};

/// Fractions of the native capacity probe. Up to 2x: the probe runs under
/// a 400 krps overload, where the generator itself takes a core, so it
/// underestimates what the server sustains at a paced rate.
const LOAD_FRACTIONS: [f64; 6] = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0];
/// Load of each native point.
const NATIVE_DURATION_S: f64 = 1.0;

fn host_local() -> Result<PathBuf> {
    let here = PathBuf::from("configs/nics/host_local.toml");
    let p = if here.is_file() {
        here
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/nics/host_local.toml")
    };
    if !p.is_file() {
        anyhow::bail!(
            "{} is missing; fix: run `nicsim calibrate-host --out configs/nics/host_local.toml` first",
            p.display()
        );
    }
    Ok(p.canonicalize()?)
}

/// The host-only scenario at `rate_krps`, written into `dir` and loaded.
fn scenario(dir: &Path, rate_krps: f64, duration_ms: f64) -> Result<Scenario> {
    let text = format!(
        r#"# nicsim repro native: one kv_cache actor on one host core (host_only).
name = "native_kv"
seed = 1
duration_ms = {duration_ms}
warmup_ms = {warm}

[nic]
profile = "liquidio_cn2350"
cores = 1

[host]
profile = "{host}"
cores = 1

[workload]
kind = "actors"
rate_krps = {rate_krps}
arrival = "poisson"

[[workload.actors]]
name = "kv"
kind = "kv_cache"
placement = "host"

[scheduler]
policy = "host_only"
# a native thread preempted by another job must not look like a runaway handler
watchdog_ns = 10000000000
"#,
        warm = duration_ms * 0.1,
        host = host_local()?.display(),
    );
    let path = dir.join("native_kv.toml");
    std::fs::write(&path, text).with_context(|| format!("write {}", path.display()))?;
    Ok(Scenario::load(&path, &[])?)
}

fn col(t: &Table, name: &str) -> f64 {
    let i = t.columns.iter().position(|c| c == name);
    i.and_then(|i| t.rows.first().map(|r| r[i].parse().unwrap_or(f64::NAN)))
        .unwrap_or(f64::NAN)
}

fn rel(sim: f64, native: f64) -> f64 {
    (sim - native) / native
}

fn actors_of(tables: &[(String, Table)]) -> Option<&Table> {
    tables
        .iter()
        .find(|(n, _)| n == "actors.csv")
        .map(|(_, t)| t)
}

/// Runs the comparison and writes `out/native.csv`; returns the table.
pub fn run(out: &Path) -> Result<Table> {
    std::fs::create_dir_all(out).with_context(|| format!("create {}", out.display()))?;
    let opts = |rate_krps: f64, s: f64| NativeOptions {
        duration: SimDuration::from_secs_f64(s),
        nic_cores: 1,
        host_cores: 1,
        nic_threads: 1,
        host_threads: 1,
        rate_rps: Some(rate_krps * 1e3),
    };
    // native capacity: answered per second under an open-loop overload
    let probe = scenario(out, 400.0, 500.0)?;
    let plan = probe.actors.clone().context("actor plan")?;
    let p = run_native(&probe, &plan, opts(400.0, 0.5))?;
    let cap_krps = p.summary.achieved_mpps * 1e3;
    println!("native capacity (0.5 s at 400 krps offered): {cap_krps:.1} krps");
    let mut t = Table::new([
        "load_frac",
        "load_krps",
        "native_krps",
        "sim_krps",
        "tput_rel_err",
        "native_mean_us",
        "sim_mean_us",
        "mean_rel_err",
        "native_p99_us",
        "sim_p99_us",
        "p99_rel_err",
        "native_sojourn_mean_us",
        "sim_sojourn_mean_us",
        "sojourn_mean_rel_err",
        "native_sojourn_p99_us",
        "sim_sojourn_p99_us",
        "sojourn_p99_rel_err",
        "native_drops",
        "native_outstanding",
    ]);
    for f in LOAD_FRACTIONS {
        let load = (f * cap_krps).max(1.0);
        let s = scenario(out, load, NATIVE_DURATION_S * 1e3)?;
        let plan = s.actors.clone().context("actor plan")?;
        let n = run_native(&s, &plan, opts(load, NATIVE_DURATION_S))?;
        // simulated: 200 ms is thousands of requests at these rates
        let sim_s = scenario(out, load, 200.0)?;
        let sim = crate::run::run_scenario(&sim_s)?;
        let (na, sa) = (actors_of(&n.tables), actors_of(&sim.extra_tables));
        let get = |a: Option<&Table>, c: &str| a.map_or(f64::NAN, |a| col(a, c));
        let (nk, sk) = (
            n.summary.achieved_mpps * 1e3,
            sim.summary.achieved_mpps * 1e3,
        );
        let (nm, sm) = (n.summary.lat_mean_us, sim.summary.lat_mean_us);
        let (np, sp) = (n.summary.lat_p99_us, sim.summary.lat_p99_us);
        let (nsm, ssm) = (get(na, "mean_us"), get(sa, "mean_us"));
        let (nsp, ssp) = (get(na, "p99_us"), get(sa, "p99_us"));
        let row = [
            fmt_f64(f, 2),
            fmt_f64(load, 1),
            fmt_f64(nk, 2),
            fmt_f64(sk, 2),
            fmt_f64(rel(sk, nk), 3),
            fmt_f64(nm, 2),
            fmt_f64(sm, 2),
            fmt_f64(rel(sm, nm), 3),
            fmt_f64(np, 2),
            fmt_f64(sp, 2),
            fmt_f64(rel(sp, np), 3),
            fmt_f64(nsm, 2),
            fmt_f64(ssm, 2),
            fmt_f64(rel(ssm, nsm), 3),
            fmt_f64(nsp, 2),
            fmt_f64(ssp, 2),
            fmt_f64(rel(ssp, nsp), 3),
            n.summary.drops.to_string(),
            n.summary.in_flight.to_string(),
        ];
        println!(
            "load {load:7.1} krps: tput native {nk:7.2} sim {sk:7.2} krps; mean native {nm:8.1} sim {sm:6.2} us; p99 native {np:8.1} sim {sp:6.2} us; runtime sojourn mean native {nsm:8.2} sim {ssm:6.2} us"
        );
        t.push(row);
    }
    let cols: Vec<&str> = t.columns.iter().map(String::as_str).collect();
    let bytes = system::report::write::csv_bytes(&cols, t.rows.iter().cloned())?;
    system::report::write::write_atomic(&out.join("native.csv"), &bytes)?;
    println!("wrote {}", out.join("native.csv").display());
    Ok(t)
}
