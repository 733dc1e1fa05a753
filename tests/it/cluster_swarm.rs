//! Cluster swarm test: random clusters drawn from a seed, each run drained at 1, 2 and 3 threads, checked for byte-identical outputs across thread counts and for conservation of every frame, message and request.
//!
//! The parallel engine's own swarm (`sim_core::parallel` tests) runs a toy
//! model; the examples' identity tests run fixed clusters. This one runs the
//! real cluster world on shapes, sizes, link rates, propagation delays (so
//! lookaheads), switch buffers, NIC mixes, server-to-server replication,
//! open and closed-loop clients and faults that no example has. A failure
//! prints the seed and the scenario; the seed alone reproduces it:
//!
//! ```sh
//! NICSIM_CLUSTER_SWARM_SEED=1234 cargo test --test it cluster_swarm -- --nocapture
//! NICSIM_CLUSTER_SWARM_COUNT=500 cargo test --release --test it cluster_swarm   # a longer swarm
//! ```
//!
//! `NICSIM_CLUSTER_SWARM_BASE` moves the whole swarm to other seeds.

use crate::swarm::draw::Draw;
use nicsim::run::cluster::{run_cluster, ClusterOptions};
use nicsim::{RunOutput, Scenario};
use std::panic::{catch_unwind, AssertUnwindSafe};

mod draw;
mod dt;
mod rkv;
mod rta;

use draw::draw_cluster;

/// Scenarios per CI run (each a fraction of a simulated millisecond, run
/// at three thread counts).
const DEFAULT_COUNT: u64 = 60;
/// Default base seed of the swarm.
const DEFAULT_BASE: u64 = 0xc105_7e25;

/// Thread counts every scenario runs at; the first is the reference.
const THREADS: [usize; 3] = [1, 2, 3];

/// What a swarm exercised, summed over its scenarios.
#[derive(Debug, Default)]
struct Coverage {
    leaf_spine: u64,
    closed_loop: u64,
    replication: u64,
    faults: u64,
    /// Scenarios with switch-buffer drops, link losses, client timeouts.
    buffer_drops: u64,
    link_losses: u64,
    timeouts: u64,
}

impl Coverage {
    fn add(&mut self, text: &str, o: &RunOutput) {
        self.leaf_spine += u64::from(text.contains("\"leaf_spine\""));
        self.closed_loop += u64::from(text.contains("client_outstanding"));
        self.replication += u64::from(text.contains("\"replication\""));
        self.faults += u64::from(text.contains("[[faults."));
        self.buffer_drops += u64::from(extra(o, "net_drops_buffer_full") > 0);
        self.link_losses += u64::from(extra(o, "net_drops_link_loss") > 0);
        self.timeouts += u64::from(extra(o, "client_timeouts") > 0);
    }
}

/// A cluster total of `summary.csv` (0 when absent: the check then fails
/// on the balance it is part of, not here).
fn extra(out: &RunOutput, key: &str) -> i128 {
    out.summary_extra
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
}

/// Every count of a drained run balances; `Err` says which does not.
fn conserved(out: &RunOutput) -> Result<(), String> {
    let n = |k: &str| extra(out, k);
    let checks = [
        (
            out.places.conserved(),
            "places: generated != delivered + ended + in flight",
        ),
        (
            out.summary.in_flight == 0,
            "requests left in flight after the drain",
        ),
        (
            n("net_in_flight") == 0,
            "frames left in the network after the drain",
        ),
        (
            n("net_frames")
                == n("net_arrived")
                    + n("net_drops_buffer_full")
                    + n("net_drops_no_route")
                    + n("net_drops_link_loss"),
            "net_frames != arrived + drops",
        ),
        (
            n("client_outstanding") == 0,
            "client requests outstanding after the drain",
        ),
        (
            n("client_sent") == n("client_responses") + n("client_one_way") + n("client_timeouts"),
            "client_sent != responses + one-way + timeouts",
        ),
        (n("client_sent") > 0, "the clients sent nothing"),
        (
            out.summary.driver_errors == 0,
            "a misrouted event or refused driver call",
        ),
    ];
    match checks.iter().find(|(ok, _)| !ok) {
        Some((_, what)) => Err(format!(
            "{what}\nplaces: {:?}\ncluster: {:?}",
            out.places, out.summary_extra
        )),
        None => Ok(()),
    }
}

/// Runs `s` drained on `threads` threads; a panic or error becomes `Err`.
fn run(s: &Scenario, threads: usize) -> Result<RunOutput, String> {
    let opts = ClusterOptions {
        threads,
        drain: true,
        ..ClusterOptions::default()
    };
    catch_unwind(AssertUnwindSafe(|| run_cluster(s, &opts)))
        .map_err(|p| {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            format!("{threads} thread(s): panicked: {msg}")
        })?
        .map(|(out, _)| out)
        .map_err(|e| format!("{threads} thread(s): run failed: {e}"))
}

/// The first output that differs between `a` and `b` (the wall clock aside).
fn first_difference(a: &RunOutput, b: &RunOutput) -> Option<String> {
    let mut sb = b.summary.clone();
    sb.wall_time_s = a.summary.wall_time_s;
    if sb != a.summary {
        return Some("summary.csv".into());
    }
    if a.summary_extra != b.summary_extra {
        return Some("summary.csv's cluster columns".into());
    }
    if a.timeseries != b.timeseries {
        return Some("timeseries.csv".into());
    }
    if a.resolved_toml != b.resolved_toml {
        return Some("resolved.toml".into());
    }
    if a.places != b.places {
        return Some("places".into());
    }
    let names = |o: &RunOutput| {
        o.extra_tables
            .iter()
            .map(|(n, _)| n.clone())
            .collect::<Vec<_>>()
    };
    if names(a) != names(b) {
        return Some(format!(
            "the set of tables: {:?} against {:?}",
            names(a),
            names(b)
        ));
    }
    a.extra_tables
        .iter()
        .zip(&b.extra_tables)
        .find(|((_, ta), (_, tb))| ta != tb)
        .map(|((name, _), _)| name.clone())
}

/// Runs one scenario at every thread count and checks it.
fn check(text: &str, coverage: &mut Coverage) -> Result<(), String> {
    let table: toml::Table = text.parse().map_err(|e| format!("drawn TOML: {e}"))?;
    let scenario =
        Scenario::from_table(table, "cluster_swarm.toml").map_err(|e| format!("refused: {e}"))?;
    let reference = run(&scenario, THREADS[0])?;
    conserved(&reference)?;
    for &threads in &THREADS[1..] {
        let other = run(&scenario, threads)?;
        if let Some(what) = first_difference(&reference, &other) {
            return Err(format!("{what} differs between 1 and {threads} threads"));
        }
    }
    coverage.add(text, &reference);
    Ok(())
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[test]
fn cluster_swarm() {
    let seeds: Vec<u64> = match env_u64("NICSIM_CLUSTER_SWARM_SEED") {
        Some(seed) => vec![seed],
        None => {
            let base = env_u64("NICSIM_CLUSTER_SWARM_BASE").unwrap_or(DEFAULT_BASE);
            let count = env_u64("NICSIM_CLUSTER_SWARM_COUNT").unwrap_or(DEFAULT_COUNT);
            let mut d = Draw(base);
            (0..count).map(|_| d.u64()).collect()
        }
    };
    let mut coverage = Coverage::default();
    for &seed in &seeds {
        let text = draw_cluster(seed);
        if let Err(why) = check(&text, &mut coverage) {
            panic!(
                "cluster swarm scenario failed: {why}\n--- scenario ---\n{text}--- reproduce with ---\nNICSIM_CLUSTER_SWARM_SEED={seed} cargo test --test it cluster_swarm -- --nocapture"
            );
        }
    }
    println!(
        "cluster swarm: {} scenarios passed; {coverage:?}",
        seeds.len()
    );
    if seeds.len() as u64 >= DEFAULT_COUNT {
        // a swarm that never reaches these proves less than it seems to
        let c = &coverage;
        assert!(
            c.leaf_spine > 0 && c.closed_loop > 0 && c.replication > 0 && c.faults > 0,
            "{c:?}"
        );
        assert!(c.buffer_drops > 0 || c.link_losses > 0, "{c:?}");
        assert!(c.timeouts > 0, "{c:?}");
    }
}

#[test]
fn a_seed_always_draws_the_same_cluster() {
    assert_eq!(draw_cluster(42), draw_cluster(42));
    assert_ne!(draw_cluster(42), draw_cluster(43));
}
