//! Distributed-transaction swarm: random DT clusters (partitions, key contention, transaction shapes, placement, policies, links, lossy links), each run drained at 1 and 2 threads: identical outputs and messages, every committed history serializable, every acknowledged commit logged.
//!
//! The coordinator sits on the first server and the log on the last, so
//! every commit record and every answer crosses the network and is in the
//! message record. Lossy links are drawn; crashes are not (a restarted
//! participant starts with an empty store, which no commit protocol
//! without a durable participant log survives).
//!
//! ```sh
//! NICSIM_DT_SWARM_SEED=1234 cargo test --test it dt_swarm -- --nocapture
//! NICSIM_DT_SWARM_COUNT=300 cargo test --release --test it dt_swarm
//! ```

use super::{header, load, nothing_dropped, port_of, run_twice_recorded, star, Swarm};
use crate::swarm::draw::Draw;
use nicsim::Scenario;
use std::collections::BTreeSet;
use system::cluster::record::NetMessage;
use workloads::apps::dt::checker::{check, Verdict};
use workloads::apps::dt::{self, decode_result, CommitRecord};

/// Scenarios per CI run.
const DEFAULT_COUNT: u64 = 12;
/// Default base seed.
const DEFAULT_BASE: u64 = 0xd7_5eed;

/// The scenario (TOML text) of one seed, and whether its links lose frames.
fn draw_dt(seed: u64) -> (String, bool) {
    let mut d = Draw(seed);
    let servers = d.int(2, 5);
    let partitions = d.int(1, 4);
    let reads = d.int(1, 4);
    let policies = ["hybrid", "fcfs", "drr", "nic_only", "host_only"];
    let mut t = header(&mut d, "dt_swarm", seed, (0.3, 0.8), &policies);
    // few keys: transactions conflict and abort; many: they commit
    t.push_str(&format!(
        "\n[workload]\nkind = \"actors\"\nrate_krps = {:.1}\narrival = \"{}\"\n\n[workload.app]\nkey_count = {}\nkey_distribution = \"{}\"\ntxn_reads = {reads}\ntxn_writes = {}\n",
        d.float(20.0, 600.0),
        d.pick(&["poisson", "constant"]),
        d.pick(&[4, 16, 256, 4096]),
        d.pick(&["uniform", "zipf"]),
        d.int(0, reads)
    ));
    // participant i on server 1 + i % (servers - 1); the log on the last server
    let on = |i: u64| 1 + i % (servers - 1);
    let peers: Vec<String> = (0..partitions)
        .map(|i| format!("{{ server = \"s{}\", actor = \"p{i}\" }}", on(i)))
        .collect();
    let last = servers - 1;
    t.push_str(&format!(
        "\n[[workload.actors]]\nname = \"coordinator\"\nkind = \"dt_coordinator\"\nweight = 1.0\nconfig = {{ participants = [{}], log = {{ server = \"s{last}\", actor = \"log\" }} }}\n",
        peers.join(", ")
    ));
    for i in 0..partitions {
        t.push_str(&format!(
            "\n[[workload.actors]]\nname = \"p{i}\"\nkind = \"dt_participant\"\nweight = 0\nconfig = {{ index = {i}, partitions = {partitions} }}\n"
        ));
    }
    t.push_str("\n[[workload.actors]]\nname = \"log\"\nkind = \"dt_log\"\nweight = 0\n");
    t.push_str(&star(&mut d, servers));
    t.push_str(&format!(
        "switch_buffer_bytes = {}\nforwarding = \"{}\"\n",
        d.pick(&[9216, 524288]),
        d.pick(&["cut_through", "store_and_forward"])
    ));
    for s in 0..servers {
        let mut actors: Vec<String> = (0..partitions)
            .filter(|&i| on(i) == s)
            .map(|i| format!("\"p{i}\""))
            .collect();
        if s == 0 {
            actors.push("\"coordinator\"".into());
        }
        if s == last {
            actors.push("\"log\"".into());
        }
        t.push_str(&format!(
            "\n[[cluster.server]]\nname = \"s{s}\"\nactors = [{}]\n",
            actors.join(", ")
        ));
    }
    let lossy = d.chance(0.3);
    if lossy {
        t.push_str(&format!(
            "\n[[faults.link]]\nlink = \"s{}\"\ndrop_probability = {:.3}\n",
            d.int(0, last),
            d.float(0.001, 0.05)
        ));
    }
    (t, lossy)
}

/// The transactions' safety from the delivered messages: `Err` says what
/// broke; `Ok` the numbers of commit records and of aborts answered.
fn check_transactions(
    s: &Scenario,
    msgs: &[NetMessage],
    lossless: bool,
) -> Result<(u64, u64), String> {
    let servers = s.cluster.as_ref().ok_or("no cluster")?.servers.len() as u32;
    let (coordinator, log) = (port_of(s, "coordinator")?, port_of(s, "log")?);
    let txns: BTreeSet<u64> = msgs
        .iter()
        .filter(|m| m.kind == dt::DT_TXN && m.dst_port == coordinator)
        .filter_map(|m| m.payload.get(..8)?.try_into().ok().map(u64::from_le_bytes))
        .collect();
    let results = msgs
        .iter()
        .filter(|m| m.kind == dt::DT_RESULT && m.dst_node >= servers)
        .map(|m| decode_result(&m.payload).map_err(|e| format!("a DT_RESULT: {e:?}")))
        .collect::<Result<Vec<_>, String>>()?;
    let answered: BTreeSet<u64> = results.iter().map(|r| r.txn).collect();
    if answered.len() != results.len() {
        return Err("a transaction answered twice".into());
    }
    let records = msgs
        .iter()
        .filter(|m| m.kind == dt::DT_LOG && m.dst_port == log)
        .map(|m| CommitRecord::decode(&m.payload).map_err(|e| format!("a DT_LOG: {e:?}")))
        .collect::<Result<Vec<_>, String>>()?;
    let logged: BTreeSet<u64> = records.iter().map(|r| r.txn).collect();
    let acked: BTreeSet<u64> = results
        .iter()
        .filter(|r| r.committed)
        .map(|r| r.txn)
        .collect();
    if let Some(t) = acked.difference(&logged).next() {
        return Err(format!("txn {t} acknowledged committed but never logged"));
    }
    if let Verdict::Violation(v) = check(&records) {
        return Err(format!("committed history not serializable: {v}"));
    }
    if lossless && (answered != txns || acked != logged) {
        return Err(format!(
            "lossless run: {} txns, {} answered, {} acknowledged commits, {} logged",
            txns.len(),
            answered.len(),
            acked.len(),
            logged.len()
        ));
    }
    Ok((records.len() as u64, (results.len() - acked.len()) as u64))
}

/// One scenario: both thread counts, conservation, the transactions'
/// safety; the numbers of commit records and aborts.
fn check_dt(text: &str, lossy: bool) -> Result<(u64, u64), String> {
    let s = load(text, "dt_swarm.toml")?;
    let (one, msgs) = run_twice_recorded(&s)?;
    let lossless = !lossy && nothing_dropped(&one);
    check_transactions(&s, &msgs, lossless)
}

#[test]
fn dt_swarm() {
    let swarm = Swarm {
        prefix: "NICSIM_DT_SWARM",
        test: "dt_swarm",
        base: DEFAULT_BASE,
        count: DEFAULT_COUNT,
    };
    let (mut commits, mut aborts, mut lossy_runs) = (0, 0, 0);
    let n = swarm.each_seed(
        draw_dt,
        |(text, _)| text.as_str(),
        |(text, lossy)| {
            let (c, a) = check_dt(text, *lossy)?;
            commits += c;
            aborts += a;
            lossy_runs += u64::from(*lossy);
            Ok(())
        },
    );
    println!(
        "dt swarm: {n} scenarios passed ({lossy_runs} with a lossy link), {commits} commit records checked, {aborts} aborts"
    );
    // conflicts must happen, or serializability is checked on easy histories
    assert!(
        commits > 0 && aborts > 0,
        "{commits} commits, {aborts} aborts"
    );
    if swarm.full(n) {
        assert!(lossy_runs > 0, "no scenario with a lossy link");
    }
}
