//! `nicsim run` on a `[cluster]` scenario: the `--threads`, `--pcap`, `--trace` and `--trace-window` flags, and the cluster lines of the console output.

use crate::cli::RunArgs;
use crate::input_error::InputError;
use crate::scenario::Scenario;
use anyhow::Result;
use system::run::cluster::{run_cluster, ClusterOptions};
use system::run::RunOutput;
use system::trace::window::parse_window;

fn bad(flag: &str, message: String) -> anyhow::Error {
    InputError::new(flag, None, "", message).into()
}

/// Most worker threads `--threads` accepts.
pub const MAX_THREADS: usize = 256;

/// The cluster options of `a`, or `None` for a one-server scenario (which
/// refuses the cluster-only flags).
pub fn options(a: &RunArgs, s: &Scenario) -> Result<Option<ClusterOptions>> {
    let threads = match a.threads.as_str() {
        "auto" => std::thread::available_parallelism().map_or(1, |n| n.get()),
        t => match t.parse::<usize>() {
            Ok(n) if (1..=MAX_THREADS).contains(&n) => n,
            _ => {
                return Err(bad(
                    "--threads",
                    format!(
                        "must be 1..={MAX_THREADS} or `auto`, got `{t}`. Fix: e.g. --threads 2"
                    ),
                ))
            }
        },
    };
    if s.cluster.is_none() {
        for (flag, set) in [
            ("--pcap", a.pcap.is_some()),
            ("--trace", a.trace.is_some()),
            ("--threads", a.threads != "1"),
        ] {
            if set {
                return Err(bad(
                    flag,
                    format!("applies to [cluster] scenarios only, and {} has none. Fix: drop {flag}, or add a [cluster] section (see configs/cluster_star.toml)", a.scenario.display()),
                ));
            }
        }
        return Ok(None);
    }
    let trace = match (&a.trace, &a.trace_window) {
        (None, _) => None,
        (Some(_), None) => Some((sim_core::SimTime::ZERO, sim_core::SimTime::MAX)),
        (Some(_), Some(w)) => {
            let w = parse_window(w).map_err(|e| {
                bad(
                    "--trace-window",
                    format!("{e}. Fix: e.g. --trace-window 1ms..1.2ms"),
                )
            })?;
            Some((w.start, w.end))
        }
    };
    Ok(Some(ClusterOptions {
        threads,
        pcap: a.pcap.clone(),
        trace,
        drain: false,
        record_messages: false,
    }))
}

/// Runs the cluster; returns its outputs and the lines saying what else was written.
pub fn run(a: &RunArgs, s: &Scenario, opts: &ClusterOptions) -> Result<(RunOutput, Vec<String>)> {
    let (out, extras) = run_cluster(s, opts)?;
    let mut notes = Vec::new();
    if let (Some(n), Some(dir)) = (extras.pcap_records, &a.pcap) {
        notes.push(format!(
            "  pcap          {} records in {}/ (one file per switch port; {} over the bound)",
            n.written,
            dir.display(),
            n.over_bound
        ));
    }
    if let (Some(tr), Some(path)) = (extras.trace, &a.trace) {
        std::fs::write(path, tr.to_json())?;
        notes.push(format!(
            "  trace         {} events in {} ({} outside the window, {} over the bound); open in ui.perfetto.dev",
            tr.len(),
            path.display(),
            tr.outside_window,
            tr.truncated
        ));
    }
    Ok((out, notes))
}

/// The cluster totals of the console output (none for a one-server run).
pub fn summary_lines(out: &RunOutput) -> Vec<String> {
    let get = |k: &str| {
        out.summary_extra
            .iter()
            .find(|(name, _)| name == k)
            .map_or("0", |(_, v)| v.as_str())
    };
    if out.summary_extra.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![
        format!(
            "  cluster       {} servers, {} clients; host cores used {}",
            get("servers"),
            get("clients"),
            get("host_cores_used")
        ),
        format!(
            "  clients       {} sent: {} answered, {} one-way, {} timed out, {} outstanding",
            get("client_sent"),
            get("client_responses"),
            get("client_one_way"),
            get("client_timeouts"),
            get("client_outstanding")
        ),
        format!(
            "  network       {} frames: {} arrived, {} in flight; drops {} buffer_full, {} uplink, {} no_actor, {} link_loss, {} server_down",
            get("net_frames"),
            get("net_arrived"),
            get("net_in_flight"),
            get("net_drops_buffer_full"),
            get("net_drops_uplink"),
            get("net_drops_no_actor"),
            get("net_drops_link_loss"),
            get("net_drops_server_down")
        ),
    ];
    if get("server_crashes") != "0" {
        lines.push(format!(
            "  faults        {} crashes, {} restarts; {} messages lost inside crashed servers",
            get("server_crashes"),
            get("server_restarts"),
            get("lost_server_crash")
        ));
    }
    lines
}
