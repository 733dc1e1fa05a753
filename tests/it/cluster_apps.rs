//! The paper's three applications across servers (configs/cluster_{rta,dt,rkv}.toml) under the hybrid policy with a migration: RTA's top-N equals brute force, every committed DT history is serializable, RKV reads return the last acknowledged write and no acknowledged write is lost, also when the leader's server crashes.
//!
//! Each test runs the shipped scenario, lets everything in flight finish
//! (`drain`), and checks the applications' results from the messages the
//! network delivered (`record_messages`): the clients' requests, the actors'
//! answers and the actor-to-actor messages that cross servers. The configs
//! place the actors so that every message the check needs crosses the switch.

use crate::common::repo;
use nicsim::run::cluster::{run_cluster, ClusterOptions};
use nicsim::Scenario;
use scheduler::Endpoint;
use std::collections::{BTreeMap, BTreeSet};
use system::cluster::record::NetMessage;
use system::cluster::world::ACTOR_PORT_BASE;
use workloads::apps::codec::Dec;
use workloads::apps::dt::checker::{check, Verdict};
use workloads::apps::dt::{self, decode_result, CommitRecord};
use workloads::apps::rkv::{self, decode_reply, Op};
use workloads::apps::rta::{self, brute_force_top, decode_pairs, decode_tuples};

mod rkv_faults;

/// Runs `configs/NAME.toml` drained with the message record; returns the
/// scenario, the output, the delivered messages and the number of servers.
fn run_app(name: &str) -> (Scenario, nicsim::RunOutput, Vec<NetMessage>, u32) {
    let s = Scenario::load(&repo().join(format!("configs/{name}.toml")), &[]).expect("loads");
    let servers = s.cluster.as_ref().expect("a cluster").servers.len() as u32;
    let opts = ClusterOptions {
        drain: true,
        record_messages: true,
        ..ClusterOptions::default()
    };
    let (out, extras) = run_cluster(&s, &opts).expect("runs");
    let rec = extras.messages.expect("recorded");
    assert_eq!(rec.overflow, 0, "{name}: the record overflowed");
    (s, out, rec.messages, servers)
}

/// The port actor `name` listens on (7000 + its index in [[workload.actors]]).
fn port_of(s: &Scenario, name: &str) -> u16 {
    let actors = &s.actors.as_ref().expect("actors").actors;
    let k = actors.iter().position(|a| a.name == name).expect(name);
    ACTOR_PORT_BASE + k as u16
}

fn src_node(m: &NetMessage) -> u32 {
    match m.src {
        Endpoint::Network { node, .. } => node,
        other => panic!("a delivered message from {other:?}"),
    }
}

/// Completed migrations in migrations.csv (at least one is required).
fn migrations(out: &nicsim::RunOutput) -> Vec<String> {
    let t = &out
        .extra_tables
        .iter()
        .find(|(n, _)| n == "migrations.csv")
        .expect("migrations.csv")
        .1;
    let col = |c: &str| t.columns.iter().position(|x| x == c).expect(c);
    t.rows
        .iter()
        .filter(|r| r[col("aborted")].is_empty())
        .map(|r| format!("{}/{}", r[col("server")], r[col("actor")]))
        .collect()
}

/// Nothing was dropped anywhere and nothing is left in flight (so every
/// request the clients sent reached its actor and was handled).
fn assert_lossless(name: &str, out: &nicsim::RunOutput) {
    assert_eq!(out.summary.drops, 0, "{name}: drops");
    assert_eq!(
        out.places.generated, out.places.delivered,
        "{name}: every message served once drained: {:?}",
        out.places
    );
}

#[test]
fn rta_across_servers_ranks_the_brute_force_top_n() {
    let (s, out, msgs, servers) = run_app("cluster_rta");
    assert_lossless("rta", &out);
    let moved = migrations(&out);
    assert!(!moved.is_empty(), "rta: no migration");
    // the stream: every tuple batch a client delivered to a filter
    let filter = port_of(&s, "filter");
    let stream: Vec<rta::Tuple> = msgs
        .iter()
        .filter(|m| m.kind == rta::RTA_TUPLES && m.dst_port == filter)
        .inspect(|m| assert!(src_node(m) >= servers, "tuples come from clients"))
        .flat_map(|m| decode_tuples(&m.payload).expect("tuples"))
        .collect();
    // filters reached counters on other servers, counters the ranker on s0
    let counted = msgs.iter().filter(|m| m.kind == rta::RTA_FILTERED).count();
    let totals = msgs.iter().filter(|m| m.kind == rta::RTA_TOTALS).count();
    assert!(
        counted > 0 && totals > 0,
        "rta: the pipeline crossed servers"
    );
    // the ranker's own list: its last RTA_PARTIAL (highest sequence) to the dashboard
    let dashboard = port_of(&s, "dashboard");
    let (seq, got) = msgs
        .iter()
        .filter(|m| m.kind == rta::RTA_PARTIAL && m.dst_port == dashboard)
        .map(|m| {
            let mut d = Dec::new(&m.payload);
            let seq = d.u64().expect("seq");
            (seq, decode_pairs(&mut d).expect("list"))
        })
        .max_by_key(|(seq, _)| *seq)
        .expect("the ranker reported");
    let want = brute_force_top(&stream, 10, 10);
    assert_eq!(want.len(), 10, "rta: stream too small to rank");
    assert_eq!(
        got,
        want,
        "rta: the ranker's top 10 (report {seq}) differs from brute force over {} tuples",
        stream.len()
    );
    println!(
        "rta: {} tuples, top1 {:?}, {seq} ranker reports, migrations {moved:?}",
        stream.len(),
        got[0]
    );
}

#[test]
fn dt_across_servers_commits_only_serializable_histories() {
    let (s, out, msgs, servers) = run_app("cluster_dt");
    assert_lossless("dt", &out);
    let moved = migrations(&out);
    assert!(!moved.is_empty(), "dt: no migration");
    let coordinator = port_of(&s, "coordinator");
    let txns: BTreeSet<u64> = msgs
        .iter()
        .filter(|m| m.kind == dt::DT_TXN && m.dst_port == coordinator)
        .map(|m| u64::from_le_bytes(m.payload[..8].try_into().expect("txn id")))
        .collect();
    let results: Vec<_> = msgs
        .iter()
        .filter(|m| m.kind == dt::DT_RESULT && m.dst_node >= servers)
        .map(|m| decode_result(&m.payload).expect("result"))
        .collect();
    let answered: BTreeSet<u64> = results.iter().map(|r| r.txn).collect();
    assert_eq!(answered.len(), results.len(), "dt: one answer per txn");
    assert_eq!(answered, txns, "dt: every transaction answered");
    // 2PC crossed servers: the log (s2) got every commit record over the network
    let log = port_of(&s, "log");
    let records: Vec<CommitRecord> = msgs
        .iter()
        .filter(|m| m.kind == dt::DT_LOG && m.dst_port == log)
        .map(|m| CommitRecord::decode(&m.payload).expect("record"))
        .collect();
    let prepares = msgs.iter().filter(|m| m.kind == dt::DT_PREPARE).count();
    assert!(prepares > 0, "dt: PREPAREs crossed the switch");
    let committed: BTreeSet<u64> = results
        .iter()
        .filter(|r| r.committed)
        .map(|r| r.txn)
        .collect();
    let logged: BTreeSet<u64> = records.iter().map(|r| r.txn).collect();
    assert_eq!(
        committed, logged,
        "dt: acknowledged commits = logged records"
    );
    let aborts = results.len() - committed.len();
    assert!(
        committed.len() > results.len() / 2,
        "dt: {aborts} aborts of {}",
        results.len()
    );
    match check(&records) {
        Verdict::Serializable { order, .. } => assert_eq!(order.len(), records.len()),
        Verdict::Violation(v) => panic!("dt: not serializable: {v}"),
    }
    println!(
        "dt: {} txns, {} committed, {aborts} aborted, {prepares} PREPAREs across servers, migrations {moved:?}",
        results.len(),
        committed.len()
    );
}

#[test]
fn rkv_across_servers_reads_the_last_acknowledged_write() {
    let (s, out, msgs, servers) = run_app("cluster_rkv");
    assert_lossless("rkv", &out);
    let moved = migrations(&out);
    assert!(!moved.is_empty(), "rkv: no migration");
    let leader = port_of(&s, "r0");
    // client requests by id: Some(value) for a PUT, None for a GET
    let mut requests: BTreeMap<u64, (u32, Option<Vec<u8>>)> = BTreeMap::new();
    for m in msgs.iter().filter(|m| m.dst_port == leader) {
        let mut d = Dec::new(&m.payload);
        let (id, key) = match m.kind {
            rkv::RKV_PUT | rkv::RKV_GET => (d.u64().expect("req"), d.u32().expect("key")),
            _ => continue,
        };
        let value = (m.kind == rkv::RKV_PUT).then(|| d.bytes().expect("value"));
        assert!(requests.insert(id, (key, value)).is_none(), "unique ids");
    }
    let replies: Vec<_> = msgs
        .iter()
        .filter(|m| m.kind == rkv::RKV_REPLY && m.dst_node >= servers)
        .map(|m| decode_reply(&m.payload).expect("reply"))
        .collect();
    assert_eq!(replies.len(), requests.len(), "rkv: every request answered");
    // the replicated log as the clients saw it: slot -> (key, request)
    let mut by_slot = BTreeMap::new();
    for r in &replies {
        let (key, put) = requests.get(&r.req).expect("a reply to a request");
        assert!(by_slot.insert(r.slot, (*key, r)).is_none(), "unique slots");
        if put.is_some() {
            assert_eq!(r.status, rkv::ST_STORED, "rkv: PUT {} acknowledged", r.req);
        }
    }
    // every read returns the value of the last acknowledged write before it
    let mut store: BTreeMap<u32, Vec<u8>> = BTreeMap::new();
    let (mut reads, mut found) = (0, 0);
    for (slot, (key, r)) in &by_slot {
        match &requests[&r.req].1 {
            Some(v) => {
                store.insert(*key, v.clone());
            }
            None => {
                reads += 1;
                match store.get(key) {
                    Some(v) => {
                        found += 1;
                        assert_eq!(r.status, rkv::ST_FOUND, "rkv: GET at slot {slot}");
                        assert_eq!(&r.value, v, "rkv: GET key {key} at slot {slot}");
                    }
                    None => assert_eq!(r.status, rkv::ST_NOT_FOUND, "rkv: GET at slot {slot}"),
                }
            }
        }
    }
    assert!(found > 0, "rkv: some reads found a value");
    // no acknowledged write is lost: each one's log entry reached both followers
    let mut accepted: BTreeMap<u64, BTreeSet<u32>> = BTreeMap::new();
    for m in msgs.iter().filter(|m| m.kind == rkv::RKV_ACCEPT) {
        let mut d = Dec::new(&m.payload);
        let (_ballot, slot) = (d.u64().expect("ballot"), d.u64().expect("slot"));
        if let Op::Put { req, .. } = Op::decode(&mut d).expect("op") {
            assert_eq!(
                by_slot.get(&slot).map(|(_, r)| r.req),
                Some(req),
                "slot {slot}"
            );
            accepted.entry(slot).or_default().insert(m.dst_node);
        }
    }
    // the leader's lazy ticks (tick_us) told the followers which slots are
    // decided, with the same operations the clients were answered for
    let mut announced = 0;
    for m in msgs.iter().filter(|m| m.kind == rkv::RKV_COMMIT) {
        let mut d = Dec::new(&m.payload);
        for _ in 0..d.count(12).expect("n") {
            let (slot, op) = (d.u64().expect("slot"), d.bytes().expect("op"));
            let req = match Op::decode(&mut Dec::new(&op)).expect("op") {
                Op::Put { req, .. } | Op::Get { req, .. } => req,
                Op::Noop => continue,
            };
            assert_eq!(
                by_slot.get(&slot).map(|(_, r)| r.req),
                Some(req),
                "slot {slot}"
            );
            announced += 1;
        }
    }
    assert!(
        announced > requests.len(),
        "rkv: {announced} slots announced to followers"
    );
    for (slot, (_, r)) in &by_slot {
        if requests[&r.req].1.is_some() {
            let at = accepted.get(slot).map_or(0, BTreeSet::len);
            assert_eq!(
                at, 2,
                "rkv: acknowledged PUT at slot {slot} on {at} followers"
            );
        }
    }
    println!(
        "rkv: {} requests, {reads} reads ({found} found), {announced} decided slots announced, {} keys written, migrations {moved:?}",
        requests.len(),
        store.len()
    );
}

#[test]
fn an_app_across_servers_gives_the_same_messages_at_any_thread_count() {
    let s = Scenario::load(
        &repo().join("configs/cluster_dt.toml"),
        &["duration_ms=1".to_string()],
    )
    .expect("loads");
    let run = |threads: usize| {
        let opts = ClusterOptions {
            threads,
            drain: true,
            record_messages: true,
            ..ClusterOptions::default()
        };
        let (out, extras) = run_cluster(&s, &opts).expect("runs");
        (out.places, extras.messages.expect("recorded").messages)
    };
    let (places, one) = run(1);
    assert!(one.len() > 1000, "{} messages", one.len());
    assert_eq!(run(2), (places, one), "1 vs 2 threads");
}

#[test]
fn workload_app_settings_shape_the_clients_requests() {
    // read_fraction 1 and 16 keys: only GETs, on keys 0..16
    let o = [
        "duration_ms=1",
        "workload.app.read_fraction=1.0",
        "workload.app.key_count=16",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect::<Vec<_>>();
    let s = Scenario::load(&repo().join("configs/cluster_rkv.toml"), &o).expect("loads");
    let opts = ClusterOptions {
        record_messages: true,
        ..ClusterOptions::default()
    };
    let (_, extras) = run_cluster(&s, &opts).expect("runs");
    let msgs = extras.messages.expect("recorded").messages;
    let leader = port_of(&s, "r0");
    let keys: Vec<(u16, u32)> = msgs
        .iter()
        .filter(|m| m.dst_port == leader && (m.kind == rkv::RKV_PUT || m.kind == rkv::RKV_GET))
        .map(|m| {
            let mut d = Dec::new(&m.payload);
            d.u64().expect("req");
            (m.kind, d.u32().expect("key"))
        })
        .collect();
    assert!(keys.len() > 100, "{} requests", keys.len());
    assert!(keys.iter().all(|&(k, key)| k == rkv::RKV_GET && key < 16));
    let distinct: BTreeSet<u32> = keys.iter().map(|k| k.1).collect();
    assert!(
        distinct.len() > 8,
        "Zipf over 16 keys still draws most of them"
    );
}
