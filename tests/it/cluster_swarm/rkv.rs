//! Replicated key-value swarm: random RKV clusters (3 or 5 replicas, keys, read share, value sizes, timers, election timeouts, clients at the followers, a lossy link, a server crashing for good), each run drained at 1 and 2 threads: identical outputs and messages, one decided log, and every read returning the last write before it.
//!
//! The decided log is what the network saw: the leaders' `RKV_COMMIT`
//! announcements and the clients' answers, slot by slot. A slot decided two
//! ways fails. Reads are checked up to the first slot the record did not
//! see (a lost announcement leaves a gap whose write is unknown). Crashed
//! servers do not restart: a replica restarted with empty state forgets its
//! promises, which no Paxos without a durable acceptor log survives.
//!
//! ```sh
//! NICSIM_RKV_SWARM_SEED=1234 cargo test --test it rkv_swarm -- --nocapture
//! NICSIM_RKV_SWARM_COUNT=300 cargo test --release --test it rkv_swarm
//! ```

use super::{header, load, run_twice_recorded, star, Swarm};
use crate::swarm::draw::Draw;
use std::collections::BTreeMap;
use system::cluster::record::NetMessage;
use workloads::apps::codec::Dec;
use workloads::apps::rkv::{self, decode_reply, Op};

/// Scenarios per CI run.
const DEFAULT_COUNT: u64 = 10;
/// Default base seed.
const DEFAULT_BASE: u64 = 0x4b_5eed;

/// The scenario (TOML text) of one seed.
fn draw_rkv(seed: u64) -> String {
    let mut d = Draw(seed);
    let n = *d.pick(&[3u64, 5]);
    let mut t = header(
        &mut d,
        "rkv_swarm",
        seed,
        (0.8, 2.5),
        &["hybrid", "fcfs", "nic_only"],
    );
    t.push_str(&format!(
        "\n[workload]\nkind = \"actors\"\nrate_krps = {:.1}\narrival = \"poisson\"\n\n[workload.app]\nkey_count = {}\nkey_distribution = \"{}\"\nread_fraction = {:.2}\nrequest_bytes = {}\n",
        d.float(20.0, 400.0),
        d.pick(&[8, 256, 4096]),
        d.pick(&["uniform", "zipf"]),
        d.float(0.1, 0.9),
        d.pick(&[8, 64, 512])
    ));
    let replicas: Vec<String> = (0..n)
        .map(|i| format!("{{ server = \"s{i}\", actor = \"r{i}\" }}"))
        .collect();
    let (timer_us, timeout_ticks) = (d.float(20.0, 100.0), d.int(3, 20));
    // a crash, most often of the first leader's server; then clients also
    // send to the followers, so that a new leader's answers are seen
    let crash = d
        .chance(0.35)
        .then(|| if d.chance(0.6) { 0 } else { d.int(1, n - 1) });
    let follower_weight = if crash.is_some() || d.chance(0.5) {
        0.25
    } else {
        0.0
    };
    for i in 0..n {
        let weight = if i == 0 { 1.0 } else { follower_weight };
        t.push_str(&format!(
            "\n[[workload.actors]]\nname = \"r{i}\"\nkind = \"rkv_replica\"\nweight = {weight}\ntimer_us = {timer_us:.1}\ntimer_kind = {}\nconfig = {{ index = {i}, replicas = [{}], memtable = {{ actor = \"m{i}\" }}, election_timeout_ticks = {timeout_ticks} }}\n",
            rkv::RKV_TICK,
            replicas.join(", ")
        ));
        t.push_str(&format!(
            "\n[[workload.actors]]\nname = \"m{i}\"\nkind = \"rkv_memtable\"\nweight = 0\nconfig = {{ sstable = {{ actor = \"t{i}\" }}, flush_entries = {} }}\n",
            d.pick(&[16, 256, 1024])
        ));
        t.push_str(&format!(
            "\n[[workload.actors]]\nname = \"t{i}\"\nkind = \"rkv_sstable\"\nweight = 0\nplacement = \"host\"\n"
        ));
    }
    t.push_str(&star(&mut d, n));
    for i in 0..n {
        t.push_str(&format!(
            "\n[[cluster.server]]\nname = \"s{i}\"\nactors = [\"r{i}\", \"m{i}\", \"t{i}\"]\n"
        ));
    }
    if d.chance(0.3) {
        t.push_str(&format!(
            "\n[[faults.link]]\nlink = \"s{}\"\ndrop_probability = {:.3}\n",
            d.int(0, n - 1),
            d.float(0.001, 0.05)
        ));
    }
    if let Some(server) = crash {
        t.push_str(&format!(
            "\n[[faults.crash]]\nserver = \"s{server}\"\nat_ms = {:.3}\n",
            d.float(0.1, 0.4)
        ));
    }
    t
}

/// A decided slot: (request id, key, the PUT's value or `None` for a GET);
/// a no-op has no request.
type Entry = (Option<u64>, u32, Option<Vec<u8>>);

/// The clients' answers by request: (slot, status, value).
type Answers = BTreeMap<u64, (u64, u8, Vec<u8>)>;

/// Records `entry` at `slot`; `Err` when the slot was decided otherwise.
fn decide(log: &mut BTreeMap<u64, Entry>, slot: u64, entry: Entry) -> Result<(), String> {
    match log.insert(slot, entry.clone()) {
        Some(old) if old != entry => {
            Err(format!("slot {slot} decided twice: {old:?} and {entry:?}"))
        }
        _ => Ok(()),
    }
}

/// The decided log and the clients' answers.
fn decided(msgs: &[NetMessage], servers: u32) -> Result<(BTreeMap<u64, Entry>, Answers), String> {
    let bad = |what: &str| format!("undecodable {what}");
    let mut requests: BTreeMap<u64, (u32, Option<Vec<u8>>)> = BTreeMap::new();
    for m in msgs
        .iter()
        .filter(|m| m.kind == rkv::RKV_PUT || m.kind == rkv::RKV_GET)
    {
        let mut d = Dec::new(&m.payload);
        let (id, key) = (
            d.u64().map_err(|_| bad("request"))?,
            d.u32().map_err(|_| bad("request"))?,
        );
        let value = match m.kind {
            rkv::RKV_PUT => Some(d.bytes().map_err(|_| bad("PUT"))?),
            _ => None,
        };
        requests.insert(id, (key, value));
    }
    let mut log = BTreeMap::new();
    for m in msgs.iter().filter(|m| m.kind == rkv::RKV_COMMIT) {
        let mut d = Dec::new(&m.payload);
        for _ in 0..d.count(12).map_err(|_| bad("COMMIT"))? {
            let slot = d.u64().map_err(|_| bad("COMMIT slot"))?;
            let op = d.bytes().map_err(|_| bad("COMMIT op"))?;
            let entry = match Op::decode(&mut Dec::new(&op)).map_err(|_| bad("op"))? {
                Op::Put {
                    req, key, value, ..
                } => (Some(req), key, Some(value)),
                Op::Get { req, key, .. } => (Some(req), key, None),
                Op::Noop => (None, u32::MAX, None),
            };
            decide(&mut log, slot, entry)?;
        }
    }
    let mut answers = BTreeMap::new();
    for m in msgs
        .iter()
        .filter(|m| m.kind == rkv::RKV_REPLY && m.dst_node >= servers)
    {
        let r = decode_reply(&m.payload).map_err(|_| bad("reply"))?;
        // a refusal (busy) was not applied at its slot
        if ![rkv::ST_STORED, rkv::ST_FOUND, rkv::ST_NOT_FOUND].contains(&r.status) {
            continue;
        }
        let Some((key, value)) = requests.get(&r.req) else {
            return Err(format!("an answer to request {} nobody sent", r.req));
        };
        decide(&mut log, r.slot, (Some(r.req), *key, value.clone()))?;
        answers.insert(r.req, (r.slot, r.status, r.value));
    }
    Ok((log, answers))
}

/// Every answered read up to the first unseen slot returns the last write
/// before it; returns how many reads were checked.
fn reads_see_last_write(log: &BTreeMap<u64, Entry>, answers: &Answers) -> Result<u64, String> {
    let mut store: BTreeMap<u32, &Vec<u8>> = BTreeMap::new();
    let mut checked = 0;
    // slots start at 1 (`rkv_replica`)
    for (expected, (slot, (req, key, value))) in (1u64..).zip(log) {
        if *slot != expected {
            break;
        }
        match (req, value) {
            (Some(_), Some(v)) => {
                store.insert(*key, v);
            }
            (Some(req), None) => {
                // the answer given at this slot (a request retried to a
                // new leader may be decided at another one too)
                let Some((_, status, got)) = answers.get(req).filter(|a| a.0 == *slot) else {
                    continue;
                };
                checked += 1;
                let ok = match store.get(key) {
                    Some(v) => *status == rkv::ST_FOUND && got == *v,
                    None => *status == rkv::ST_NOT_FOUND,
                };
                if !ok {
                    return Err(format!(
                        "GET of key {key} at slot {slot} answered status {status}, {} bytes; the last write before it: {:?}",
                        got.len(),
                        store.get(key).map(|v| v.len())
                    ));
                }
            }
            (None, _) => {}
        }
    }
    Ok(checked)
}

/// Whether a server other than s0 (the first leader) acknowledged a write:
/// a new leader was elected.
fn new_leader_answered(msgs: &[NetMessage], servers: u32) -> bool {
    msgs.iter()
        .filter(|m| m.kind == rkv::RKV_REPLY && m.dst_node >= servers)
        .filter(|m| !matches!(m.src, scheduler::Endpoint::Network { node: 0, .. }))
        .any(|m| decode_reply(&m.payload).is_ok_and(|r| r.status == rkv::ST_STORED))
}

/// One scenario: both thread counts, conservation, one decided log, reads;
/// the reads checked and whether a new leader answered.
fn check_rkv(text: &str) -> Result<(u64, bool), String> {
    let s = load(text, "rkv_swarm.toml")?;
    let servers = s.cluster.as_ref().ok_or("no cluster")?.servers.len() as u32;
    let (_, msgs) = run_twice_recorded(&s)?;
    let (log, answers) = decided(&msgs, servers)?;
    let reads = reads_see_last_write(&log, &answers)?;
    Ok((reads, new_leader_answered(&msgs, servers)))
}

#[test]
fn rkv_swarm() {
    let swarm = Swarm {
        prefix: "NICSIM_RKV_SWARM",
        test: "rkv_swarm",
        base: DEFAULT_BASE,
        count: DEFAULT_COUNT,
    };
    let (mut reads, mut elections) = (0, 0);
    let n = swarm.each_seed(
        draw_rkv,
        |t| t.as_str(),
        |t| {
            let (r, elected) = check_rkv(t)?;
            reads += r;
            elections += u64::from(elected);
            Ok(())
        },
    );
    println!(
        "rkv swarm: {n} scenarios passed, {reads} reads checked, {elections} with writes acknowledged by a new leader"
    );
    assert!(reads > 0, "no read was checked");
    if swarm.full(n) {
        assert!(elections > 0, "no scenario elected a new leader");
    }
}
