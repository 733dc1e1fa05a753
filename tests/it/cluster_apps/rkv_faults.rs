//! RKV across servers under faults (configs/cluster_rkv.toml with the leader's server crashing): a new leader is elected, by the followers' timers when no message reaches them, and no acknowledged write is lost.

use super::{migrations, port_of, src_node};
use crate::common::repo;
use nicsim::run::cluster::{run_cluster, ClusterOptions};
use nicsim::Scenario;
use std::collections::BTreeMap;
use system::cluster::record::NetMessage;
use workloads::apps::codec::Dec;
use workloads::apps::rkv::{self, decode_reply, Op};

/// The request id standing for a no-op in [`decided_log`].
const NOOP: u64 = u64::MAX;

/// RKV's decided log as the network saw it: slot -> operation, from the
/// leaders' RKV_COMMIT announcements and the clients' answers (whose
/// operation is the client's request). A slot with two different
/// operations fails the test.
fn decided_log(
    msgs: &[NetMessage],
    servers: u32,
    requests: &BTreeMap<u64, (u32, Option<Vec<u8>>)>,
) -> BTreeMap<u64, (u64, u32, Option<Vec<u8>>)> {
    let mut log: BTreeMap<u64, (u64, u32, Option<Vec<u8>>)> = BTreeMap::new();
    let mut put = |slot: u64, entry: (u64, u32, Option<Vec<u8>>)| {
        if let Some(old) = log.insert(slot, entry.clone()) {
            assert_eq!(old, entry, "rkv: slot {slot} decided twice, differently");
        }
    };
    for m in msgs.iter().filter(|m| m.kind == rkv::RKV_COMMIT) {
        let mut d = Dec::new(&m.payload);
        for _ in 0..d.count(12).expect("n") {
            let (slot, op) = (d.u64().expect("slot"), d.bytes().expect("op"));
            match Op::decode(&mut Dec::new(&op)).expect("op") {
                Op::Put {
                    req, key, value, ..
                } => put(slot, (req, key, Some(value))),
                Op::Get { req, key, .. } => put(slot, (req, key, None)),
                // a gap filled by a new leader: must not be a slot someone was answered for
                Op::Noop => put(slot, (NOOP, u32::MAX, None)),
            }
        }
    }
    for m in msgs
        .iter()
        .filter(|m| m.kind == rkv::RKV_REPLY && m.dst_node >= servers)
    {
        let r = decode_reply(&m.payload).expect("reply");
        if let Some((key, value)) = requests.get(&r.req) {
            put(r.slot, (r.req, *key, value.clone()));
        }
    }
    log
}

#[test]
fn rkv_leader_crash_on_a_cluster_elects_a_new_leader_and_loses_no_acknowledged_write() {
    // configs/cluster_rkv.toml with clients also sending to the followers
    // (only so that the new leader's answers can be checked: the replicas'
    // timers drive the election, see the test below), the migration on
    // follower r1's server (1 NIC core there, all of them on the leader's)
    // and the leader's server s0 crashing at 3 ms for good.
    let text = std::fs::read_to_string(repo().join("configs/cluster_rkv.toml")).expect("config");
    let text = text
        .replace("nic_cores = 4\n", "")
        .replace("name = \"s1\"\n", "name = \"s1\"\nnic_cores = 1\n");
    let mut text = text.replace(
        "name = \"r1\"\nkind = \"rkv_replica\"\nweight = 0\n",
        "name = \"r1\"\nkind = \"rkv_replica\"\nweight = 0.25\n",
    );
    text = text.replace(
        "name = \"r2\"\nkind = \"rkv_replica\"\nweight = 0\n",
        "name = \"r2\"\nkind = \"rkv_replica\"\nweight = 0.25\n",
    );
    assert_eq!(
        text.matches("weight = 0.25").count(),
        2,
        "the followers' entries"
    );
    text.push_str("\n[[faults.crash]]\nserver = \"s0\"\nat_ms = 3.0\n");
    let dir = crate::common::scratch("cluster-apps-rkv-crash");
    let path = dir.join("rkv_crash.toml");
    std::fs::write(&path, text).expect("write");
    let s = Scenario::load(&path, &["duration_ms=6".to_string()]).expect("loads");
    let servers = 3;
    let opts = ClusterOptions {
        drain: true,
        record_messages: true,
        ..ClusterOptions::default()
    };
    let (out, extras) = run_cluster(&s, &opts).expect("runs");
    let msgs = extras.messages.expect("recorded").messages;
    let crash = sim_core::SimTime::from_ms(3);
    let moved = migrations(&out);
    assert!(
        moved.contains(&"s1/r1".to_string()),
        "rkv crash: no migration: {moved:?}"
    );
    let crashes = out
        .summary_extra
        .iter()
        .find(|(k, _)| k == "server_crashes")
        .map(|(_, v)| v.as_str());
    assert_eq!(crashes, Some("1"));
    // every client request to any replica, by id
    let ports: Vec<u16> = ["r0", "r1", "r2"].iter().map(|r| port_of(&s, r)).collect();
    let mut requests: BTreeMap<u64, (u32, Option<Vec<u8>>)> = BTreeMap::new();
    for m in msgs.iter().filter(|m| ports.contains(&m.dst_port)) {
        if m.kind != rkv::RKV_PUT && m.kind != rkv::RKV_GET {
            continue;
        }
        let mut d = Dec::new(&m.payload);
        let (id, key) = (d.u64().expect("req"), d.u32().expect("key"));
        let value = (m.kind == rkv::RKV_PUT).then(|| d.bytes().expect("value"));
        requests.insert(id, (key, value));
    }
    // a new leader: a server other than s0 answered clients after the crash
    let answered_after: Vec<_> = msgs
        .iter()
        .filter(|m| m.kind == rkv::RKV_REPLY && m.dst_node >= servers && m.at > crash)
        .filter(|m| src_node(m) != 0)
        .map(|m| decode_reply(&m.payload).expect("reply"))
        .collect();
    assert!(
        answered_after.len() > 50,
        "rkv crash: only {} answers from a new leader",
        answered_after.len()
    );
    // acknowledged before the crash: the PUTs s0's memtable answered
    let acked_before: Vec<_> = msgs
        .iter()
        .filter(|m| m.kind == rkv::RKV_REPLY && m.dst_node >= servers && src_node(m) == 0)
        .map(|m| decode_reply(&m.payload).expect("reply"))
        .filter(|r| r.status == rkv::ST_STORED)
        .collect();
    assert!(
        acked_before.len() > 100,
        "rkv crash: writes acknowledged before the crash"
    );
    // one decided log (no slot decided twice differently), containing every
    // acknowledged write at its slot, and every read at any leader returns
    // the last write before it in that log
    let log = decided_log(&msgs, servers, &requests);
    for r in &acked_before {
        assert_eq!(
            log.get(&r.slot).map(|e| e.0),
            Some(r.req),
            "rkv crash: acknowledged PUT {} lost from slot {}",
            r.req,
            r.slot
        );
    }
    let replies: BTreeMap<u64, &rkv::Reply> = answered_after.iter().map(|r| (r.slot, r)).collect();
    let mut store: BTreeMap<u32, Vec<u8>> = BTreeMap::new();
    let (mut reads_after, mut found_after) = (0, 0);
    for (slot, (req, key, value)) in &log {
        match value {
            Some(v) => {
                store.insert(*key, v.clone());
            }
            None if *req == NOOP => {}
            None => {
                let Some(r) = replies.get(slot).filter(|r| r.req == *req) else {
                    continue;
                };
                reads_after += 1;
                match store.get(key) {
                    Some(v) => {
                        found_after += 1;
                        assert_eq!(r.status, rkv::ST_FOUND, "rkv crash: GET at slot {slot}");
                        assert_eq!(&r.value, v, "rkv crash: GET key {key} at slot {slot}");
                    }
                    None => {
                        assert_eq!(r.status, rkv::ST_NOT_FOUND, "rkv crash: GET at slot {slot}")
                    }
                }
            }
        }
    }
    assert!(
        found_after > 0,
        "rkv crash: reads after recovery found values"
    );
    println!(
        "rkv crash: {} acknowledged writes before the crash, {} answers from the new leader ({reads_after} reads, {found_after} found), {} decided slots, migrations {moved:?}",
        acked_before.len(),
        answered_after.len(),
        log.len()
    );
}

/// `name`'s row of the cluster counters.csv for server `server`.
fn server_counter(out: &nicsim::RunOutput, server: &str, name: &str) -> u64 {
    let t = &out
        .extra_tables
        .iter()
        .find(|(n, _)| n == "counters.csv")
        .expect("counters.csv")
        .1;
    t.rows
        .iter()
        .find(|r| r[0] == server && r[1] == name)
        .unwrap_or_else(|| panic!("{server} {name}"))[2]
        .parse()
        .expect("integer")
}

#[test]
fn rkv_followers_that_get_no_message_elect_a_leader_by_their_timers() {
    // configs/cluster_rkv.toml as shipped (clients send to r0 only), s0
    // crashing at 1.5 ms and restarting at 3.5 ms of a 5 ms run. After the
    // crash no message reaches the followers but their timers' RKV_TICKs:
    // r1 (the shortest timeout: 20 + 2 ticks of 50 us) must time out, win
    // r2's promise and lead.
    let text = std::fs::read_to_string(repo().join("configs/cluster_rkv.toml")).expect("config");
    let text =
        format!("{text}\n[[faults.crash]]\nserver = \"s0\"\nat_ms = 1.5\nrestart_ms = 3.5\n");
    let dir = crate::common::scratch("cluster-apps-rkv-timer");
    let path = dir.join("rkv_timer.toml");
    std::fs::write(&path, text).expect("write");
    let s = Scenario::load(&path, &["duration_ms=5".to_string()]).expect("loads");
    let servers = 3;
    let opts = ClusterOptions {
        record_messages: true,
        ..ClusterOptions::default()
    };
    let (out, extras) = run_cluster(&s, &opts).expect("runs");
    let msgs = extras.messages.expect("recorded").messages;
    let (crash, restart) = (
        sim_core::SimTime::from_us(1500),
        sim_core::SimTime::from_us(3500),
    );
    let followers = [port_of(&s, "r1"), port_of(&s, "r2")];
    let to_followers = |m: &&NetMessage| m.dst_node < servers && followers.contains(&m.dst_port);
    assert_eq!(
        msgs.iter()
            .filter(to_followers)
            .filter(|m| src_node(m) >= servers)
            .count(),
        0,
        "no client sends to a follower"
    );
    let first = |kind: u16, from: u32| {
        msgs.iter()
            .filter(|m| m.kind == kind && m.at > crash && src_node(m) == from)
            .map(|m| m.at)
            .min()
    };
    // r1 times out after its 22 quiet ticks (1.1 ms), one tick later at most
    let prepare = first(rkv::RKV_PREPARE, 1).expect("r1 runs an election");
    assert!(
        prepare < crash + sim_core::SimDuration::from_us(1300),
        "r1's PREPARE at {prepare:?}"
    );
    let promise = first(rkv::RKV_PROMISE, 2).expect("r2 promises");
    let heartbeat = first(rkv::RKV_HEARTBEAT, 1).expect("r1 leads");
    assert!(
        prepare < promise && promise < heartbeat,
        "{prepare:?} {promise:?} {heartbeat:?}"
    );
    assert_eq!(
        first(rkv::RKV_PREPARE, 2),
        None,
        "r2 never needs an election"
    );
    // timer messages: 50 us apart from the start (s1, s2: 1 replica each)
    // and, on s0, from the restart (the crashed life's timers stopped with it)
    assert_eq!(server_counter(&out, "s1", "timer_messages"), 99);
    assert_eq!(server_counter(&out, "s2", "timer_messages"), 99);
    assert_eq!(server_counter(&out, "s0", "timer_messages"), 29);
    // nothing from s0 while it is down
    assert!(
        !msgs.iter().any(|m| m.dst_node < servers
            && src_node(m) == 0
            && m.at > crash + sim_core::SimDuration::from_us(100)
            && m.at < restart),
        "s0 sent while down"
    );
    println!("rkv timer: r1's PREPARE at {prepare:?}, r2's PROMISE at {promise:?}, r1's first HEARTBEAT at {heartbeat:?}");
}
