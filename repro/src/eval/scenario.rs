//! The eval's cluster scenarios: one place that turns (application, configuration, NIC, request size, offered load) into a `[cluster]` scenario.
//!
//! Every server of a star cluster runs one shard of the application, its
//! peers local actor ids (the order of `[[workload.actors]]`); clients, as
//! many as servers, send at constant gaps (assumption: so a point offers
//! exactly its load) the entry actor's own requests zero-padded to the
//! request size (`workload.actors[].request_bytes`). The other actors get a
//! token weight (the scenario format wants a positive one): 0.1% of the
//! requests go to them directly. When cross-server peers exist, only
//! [`app_actors`] changes.
//!
//! The two configurations differ only in the scheduler: `ipipe` runs the
//! hybrid policy with every actor starting on the NIC; `host_only` places
//! every actor on the host (`placement = "host"`, policy `host_only`, which
//! never migrates) and the host cores pay the host's DPDK-style stack per
//! message from or to the wire (`system::node::host_stack`).

use crate::error::ReproError;
use system::Scenario;

/// An application of the paper's evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum App {
    /// Distributed transactions (OCC + 2PC).
    Dt,
    /// Replicated key-value store (Multi-Paxos, LSM).
    Rkv,
    /// Real-time analytics (filter, counter, ranker).
    Rta,
}

impl App {
    /// All three, in report order.
    pub const ALL: [App; 3] = [App::Dt, App::Rkv, App::Rta];

    /// The `app` column.
    pub fn name(self) -> &'static str {
        match self {
            App::Dt => "dt",
            App::Rkv => "rkv",
            App::Rta => "rta",
        }
    }

    /// Frame bytes of the entry actor's own request (payload + 64 B of
    /// headers): a swept size below it cannot be made by padding.
    pub fn natural_request_bytes(self) -> u32 {
        match self {
            // DT_TXN: txn id, 3 reads, 2 writes = 52 B
            App::Dt => 116,
            // RKV_PUT with a 64 B value = 80 B (a GET is 12 B)
            App::Rkv => 144,
            // RTA_TUPLES: 16 tuples of 16 B + a count = 260 B
            App::Rta => 324,
        }
    }

    /// Whether clients get an answer (RTA's stream is one-way).
    pub fn answers_clients(self) -> bool {
        !matches!(self, App::Rta)
    }
}

/// The configuration compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Config {
    /// Actors start on the NIC; the hybrid scheduler places and migrates them.
    Ipipe,
    /// The same actors on host cores, never migrated; the NIC is a plain NIC.
    HostOnly,
}

impl Config {
    /// Both, in report order.
    pub const ALL: [Config; 2] = [Config::HostOnly, Config::Ipipe];

    /// The `config` column.
    pub fn name(self) -> &'static str {
        match self {
            Config::Ipipe => "ipipe",
            Config::HostOnly => "host_only",
        }
    }
}

/// One point of the sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// Application.
    pub app: App,
    /// Configuration.
    pub config: Config,
    /// NIC profile (built-in name).
    pub nic: &'static str,
    /// Its link speed (and the cluster's links), Gb/s.
    pub link_gbps: f64,
    /// Request frame bytes.
    pub request_bytes: u32,
    /// Offered load per server, Gb/s of request frames.
    pub offered_gbps: f64,
    /// Servers (one shard each); clients are as many.
    pub servers: u32,
    /// Simulated time, ms.
    pub duration_ms: f64,
    /// Root seed.
    pub seed: u64,
}

impl Point {
    /// Requests per second the clients send in all, kreq/s.
    pub fn rate_krps(&self) -> f64 {
        self.offered_gbps * 1e9 * f64::from(self.servers)
            / (8.0 * f64::from(self.request_bytes))
            / 1e3
    }
}

/// One `[[workload.actors]]` entry: name, kind, weight, config (inline TOML).
struct ActorLine {
    name: &'static str,
    kind: &'static str,
    entry: bool,
    config: &'static str,
}

/// The actors of one shard, entry actor first; peers are local actor ids.
fn app_actors(app: App) -> Vec<ActorLine> {
    let a = |name, kind, entry, config| ActorLine {
        name,
        kind,
        entry,
        config,
    };
    match app {
        App::Dt => vec![
            a(
                "coordinator",
                "dt_coordinator",
                true,
                "{ participants = [1, 2], log = 3 }",
            ),
            a(
                "p0",
                "dt_participant",
                false,
                "{ index = 0, partitions = 2 }",
            ),
            a(
                "p1",
                "dt_participant",
                false,
                "{ index = 1, partitions = 2 }",
            ),
            a("log", "dt_log", false, "{}"),
        ],
        App::Rkv => vec![
            a(
                "r0",
                "rkv_replica",
                true,
                "{ index = 0, replicas = [0, 1, 2], memtable = 3 }",
            ),
            a(
                "r1",
                "rkv_replica",
                false,
                "{ index = 1, replicas = [0, 1, 2] }",
            ),
            a(
                "r2",
                "rkv_replica",
                false,
                "{ index = 2, replicas = [0, 1, 2] }",
            ),
            a("memtable", "rkv_memtable", false, "{ sstable = 4 }"),
            a("sstable", "rkv_sstable", false, "{}"),
        ],
        App::Rta => vec![
            a("filter", "rta_filter", true, "{ counters = [1, 2] }"),
            a("c0", "rta_counter", false, "{ rankers = [3] }"),
            a("c1", "rta_counter", false, "{ rankers = [3] }"),
            a("ranker", "rta_ranker", false, "{}"),
        ],
    }
}

/// The scenario's TOML text.
pub fn scenario_toml(p: &Point) -> String {
    let (policy, placement) = match p.config {
        Config::Ipipe => ("hybrid", ""),
        Config::HostOnly => ("host_only", "placement = \"host\"\n"),
    };
    let mut t = format!(
        "name = \"eval_{app}_{cfg}_{nic}_{size}\"\nseed = {seed}\nduration_ms = {dur}\n\
         [nic]\nprofile = \"{nic}\"\n[host]\nprofile = \"host_e5_2620v4\"\n\
         [scheduler]\npolicy = \"{policy}\"\n\
         [workload]\nkind = \"actors\"\nrate_krps = {rate}\narrival = \"constant\"\n",
        app = p.app.name(),
        cfg = p.config.name(),
        nic = p.nic,
        size = p.request_bytes,
        seed = p.seed,
        dur = p.duration_ms,
        rate = p.rate_krps(),
    );
    for a in app_actors(p.app) {
        let (weight, size) = match a.entry {
            true => ("1.0", format!("request_bytes = {}\n", p.request_bytes)),
            false => ("0.001", String::new()),
        };
        let class = if a.entry { "entry" } else { "internal" };
        // RKV replicas need their tick (RKV_TICK = 20482 every 50 us, as in
        // configs/cluster_rkv.toml): commits, heartbeats and loss recovery run on it.
        let timer = match a.kind {
            "rkv_replica" => "timer_us = 50.0\ntimer_kind = 20482\n",
            _ => "",
        };
        t.push_str(&format!(
            "[[workload.actors]]\nname = \"{}\"\nkind = \"{}\"\nweight = {weight}\nclass = \"{class}\"\n{size}{placement}{timer}config = {}\n",
            a.name, a.kind, a.config
        ));
    }
    t.push_str(&format!(
        "[cluster]\nshape = \"star\"\nservers = {s}\nclients = {s}\nlink_gbps = {l}\n",
        s = p.servers,
        l = p.link_gbps
    ));
    t
}

/// The validated scenario of `p`.
pub fn scenario(p: &Point) -> Result<Scenario, ReproError> {
    let fail = |e: &dyn std::fmt::Display| ReproError::generate("eval", e);
    let table: toml::Table = scenario_toml(p).parse().map_err(|e| fail(&e))?;
    Scenario::from_table(table, "repro eval scenario").map_err(|e| fail(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(app: App, config: Config) -> Point {
        Point {
            app,
            config,
            nic: "liquidio_cn2350",
            link_gbps: 10.0,
            request_bytes: 512,
            offered_gbps: 1.0,
            servers: 2,
            duration_ms: 1.0,
            seed: 1,
        }
    }

    #[test]
    fn every_app_and_config_makes_a_valid_cluster_scenario() {
        for app in App::ALL {
            for config in Config::ALL {
                let s = scenario(&point(app, config)).expect("valid");
                assert!(s.cluster.is_some());
            }
        }
        // 1 Gb/s of 512 B frames on each of 2 servers
        assert!((point(App::Dt, Config::Ipipe).rate_krps() - 488.28125).abs() < 1e-9);
    }
}
