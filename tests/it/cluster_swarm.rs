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

use crate::swarm::draw::{seeds, Draw};
use crate::swarm::{load, panic_text};
use nicsim::run::cluster::{run_cluster, ClusterOptions};
use nicsim::{RunOutput, Scenario};
use std::panic::{catch_unwind, AssertUnwindSafe};
use system::cluster::record::NetMessage;

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
    custom: u64,
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
        self.custom += u64::from(text.contains("\"custom\""));
        self.closed_loop += u64::from(text.contains("client_outstanding"));
        self.replication += u64::from(text.contains("\"replication\""));
        self.faults += u64::from(text.contains("[[faults."));
        self.buffer_drops += u64::from(extra(o, "net_drops_buffer_full") > 0);
        self.link_losses += u64::from(extra(o, "net_drops_link_loss") > 0);
        self.timeouts += u64::from(extra(o, "client_timeouts") > 0);
    }
}

/// A cluster total of `summary.csv` (0 when absent: [`conserved`] checks
/// first that every total it balances is there).
fn extra(out: &RunOutput, key: &str) -> i128 {
    out.summary_extra
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
}

/// The cluster totals [`conserved`] balances.
const BALANCED: [&str; 11] = [
    "net_in_flight",
    "net_frames",
    "net_arrived",
    "net_drops_buffer_full",
    "net_drops_no_route",
    "net_drops_link_loss",
    "client_outstanding",
    "client_sent",
    "client_responses",
    "client_one_way",
    "client_timeouts",
];

/// Every count of a drained run balances; `Err` says which does not.
fn conserved(out: &RunOutput) -> Result<(), String> {
    // a renamed total must fail here, not balance as zeros
    if let Some(k) = BALANCED
        .iter()
        .find(|k| !out.summary_extra.iter().any(|(name, _)| name == *k))
    {
        return Err(format!("no {k} among summary.csv's cluster columns"));
    }
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

/// Whether nothing was dropped anywhere: in the servers, in the switches,
/// on the links.
fn nothing_dropped(out: &RunOutput) -> bool {
    out.summary.drops == 0
        && [
            "net_drops_buffer_full",
            "net_drops_no_route",
            "net_drops_link_loss",
        ]
        .iter()
        .all(|k| extra(out, k) == 0)
}

/// The port actor `name` listens on (`ACTOR_PORT_BASE` + its index).
fn port_of(s: &Scenario, name: &str) -> Result<u16, String> {
    s.actors
        .as_ref()
        .and_then(|plan| plan.actors.iter().position(|a| a.name == name))
        .and_then(|k| u16::try_from(k).ok())
        .map(|k| system::cluster::world::ACTOR_PORT_BASE + k)
        .ok_or_else(|| format!("no actor {name} in the scenario"))
}

/// An application scenario's `[cluster]`: a star of `servers` servers
/// and 1-3 clients, a link rate and a propagation delay.
fn star(d: &mut Draw, servers: u64) -> String {
    format!(
        "\n[cluster]\nshape = \"star\"\nservers = {servers}\nclients = {}\nlink_gbps = {:.1}\npropagation_ns = {:.1}\n",
        d.int(1, 3),
        d.pick(&[10.0, 25.0, 100.0]),
        d.float(50.0, 1000.0)
    )
}

/// Runs `s` drained on `threads` threads, with the network's message record
/// when `record` is set; a panic, an error or an overflowed record is `Err`.
fn run(s: &Scenario, threads: usize, record: bool) -> Result<(RunOutput, Vec<NetMessage>), String> {
    let opts = ClusterOptions {
        threads,
        drain: true,
        record_messages: record,
        ..ClusterOptions::default()
    };
    let (out, extras) = catch_unwind(AssertUnwindSafe(|| run_cluster(s, &opts)))
        .map_err(|p| format!("{threads} thread(s): panicked: {}", panic_text(&*p)))?
        .map_err(|e| format!("{threads} thread(s): run failed: {e}"))?;
    match extras.messages {
        Some(rec) if rec.overflow > 0 => {
            Err(format!("the message record overflowed by {}", rec.overflow))
        }
        Some(rec) => Ok((out, rec.messages)),
        None => Ok((out, Vec::new())),
    }
}

/// An application scenario at 1 and 2 threads with the message record:
/// the 1-thread run conserves everything, and the 2-thread run gives the
/// same outputs and delivers the same messages. Returns the 1-thread run.
fn run_twice_recorded(s: &Scenario) -> Result<(RunOutput, Vec<NetMessage>), String> {
    let (one, msgs) = run(s, 1, true)?;
    conserved(&one)?;
    let (two, msgs_two) = run(s, 2, true)?;
    if let Some(what) = first_difference(&one, &two) {
        return Err(format!("{what} differs between 1 and 2 threads"));
    }
    if msgs != msgs_two {
        return Err("the delivered messages differ between 1 and 2 threads".into());
    }
    Ok((one, msgs))
}

/// The opening of an application scenario: name, run seed, a duration in
/// `duration_ms`, a NIC, host cores and one of `policies`.
fn header(
    d: &mut Draw,
    name: &str,
    seed: u64,
    duration_ms: (f64, f64),
    policies: &[&str],
) -> String {
    // TOML integers are signed 64-bit: the run's root seed is the swarm seed's top 63 bits
    format!(
        "name = \"{name}\"\nseed = {}\nduration_ms = {:.3}\nwarmup_ms = 0\n\n[nic]\nprofile = \"{}\"\n\n[host]\ncores = {}\n\n[scheduler]\npolicy = \"{}\"\n",
        seed >> 1,
        d.float(duration_ms.0, duration_ms.1),
        d.pick(&nic_models::profile::builtin_names()),
        d.int(1, 4),
        d.pick(policies)
    )
}

/// A swarm's name and seeds: the environment variables `{prefix}_SEED`,
/// `_COUNT` and `_BASE` (see [`crate::swarm::draw::seeds`]), the test that
/// runs it, and its default base seed and count.
struct Swarm {
    prefix: &'static str,
    test: &'static str,
    base: u64,
    count: u64,
}

impl Swarm {
    /// Runs `check` on the scenario `draw` gives for every seed, where
    /// `text` is that scenario's TOML; a failure panics with the seed, the
    /// scenario and how to run it alone. Returns the number of seeds.
    fn each_seed<T>(
        &self,
        draw: impl Fn(u64) -> T,
        text: impl Fn(&T) -> &str,
        mut check: impl FnMut(&T) -> Result<(), String>,
    ) -> u64 {
        let seeds = seeds(self.prefix, self.base, self.count);
        for &seed in &seeds {
            let drawn = draw(seed);
            if let Err(why) = check(&drawn) {
                panic!(
                    "{} scenario failed: {why}\n--- scenario ---\n{}--- reproduce with ---\n{}_SEED={seed} cargo test --test it {} -- --nocapture",
                    self.test,
                    text(&drawn),
                    self.prefix,
                    self.test
                );
            }
        }
        seeds.len() as u64
    }

    /// Whether this run is the full default swarm (not one seed or a few),
    /// where coverage assertions apply.
    fn full(&self, ran: u64) -> bool {
        ran >= self.count
    }
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
    let scenario = load(text, "cluster_swarm.toml")?;
    let (reference, _) = run(&scenario, THREADS[0], false)?;
    conserved(&reference)?;
    for &threads in &THREADS[1..] {
        let (other, _) = run(&scenario, threads, false)?;
        if let Some(what) = first_difference(&reference, &other) {
            return Err(format!("{what} differs between 1 and {threads} threads"));
        }
    }
    coverage.add(text, &reference);
    Ok(())
}

#[test]
fn cluster_swarm() {
    let swarm = Swarm {
        prefix: "NICSIM_CLUSTER_SWARM",
        test: "cluster_swarm",
        base: DEFAULT_BASE,
        count: DEFAULT_COUNT,
    };
    let mut coverage = Coverage::default();
    let n = swarm.each_seed(draw_cluster, |t| t.as_str(), |t| check(t, &mut coverage));
    println!("cluster swarm: {n} scenarios passed; {coverage:?}");
    if swarm.full(n) {
        // a swarm that never reaches these proves less than it seems to
        let c = &coverage;
        assert!(
            c.leaf_spine > 0
                && c.custom > 0
                && c.closed_loop > 0
                && c.replication > 0
                && c.faults > 0,
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
