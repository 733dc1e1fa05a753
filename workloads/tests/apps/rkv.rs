//! RKV: with the leader's replica crashed at time T, a new leader is elected, no
//! acknowledged write is lost, and reads after recovery return the last
//! acknowledged value (or that of a write still unacknowledged at the crash).

use crate::driver::{seeds, AppDriver, HybridWithForcedMigration};
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Exp};
use rand_xoshiro::Xoshiro256PlusPlus;
use scheduler::{ActorId, Endpoint, Placement, SimDuration, SimTime};
use std::collections::BTreeMap;
use workloads::apps::peer::Peer;
use workloads::apps::rkv::memtable::{RkvMemtable, RkvMemtableConfig};
use workloads::apps::rkv::replica::{RkvReplica, RkvReplicaConfig};
use workloads::apps::rkv::sstable::{RkvSstable, RkvSstableConfig};
use workloads::apps::rkv::{self, decode_reply, encode_get, encode_put};
use workloads::apps::workload::AppWorkload;

const CLIENT: Endpoint = Endpoint::Network { node: 300, port: 1 };
const REPLICAS: u32 = 3;
const TICK: SimDuration = SimDuration::from_us(50);

fn paxos(r: u32) -> ActorId {
    3 * r
}

#[derive(Clone, Debug)]
struct Req {
    key: u32,
    put: Option<Vec<u8>>,
    /// Reply: (status, slot, value, from actor).
    reply: Option<(u8, u64, Vec<u8>, Endpoint)>,
    /// Replica it was last sent to.
    to: u32,
}

struct Client {
    reqs: BTreeMap<u64, Req>,
    next: u64,
    value_bytes: usize,
}

impl Client {
    fn value(&self, req: u64) -> Vec<u8> {
        req.to_le_bytes()
            .iter()
            .copied()
            .cycle()
            .take(self.value_bytes.max(8))
            .collect()
    }

    fn send(&mut self, d: &mut AppDriver, at: SimTime, key: u32, put: bool, to: u32) -> u64 {
        self.next += 1;
        let req = self.next;
        let value = put.then(|| self.value(req));
        let (kind, payload) = match &value {
            Some(v) => (rkv::RKV_PUT, encode_put(req, key, v)),
            None => (rkv::RKV_GET, encode_get(req, key)),
        };
        d.inject(at, CLIENT, paxos(to), kind, payload);
        self.reqs.insert(
            req,
            Req {
                key,
                put: value,
                reply: None,
                to,
            },
        );
        req
    }

    /// Takes replies; follows redirects (to the hinted live replica, else the next live one).
    fn absorb(&mut self, d: &mut AppDriver, crashed: Option<u32>) {
        for (t, _, m) in d.take_outbound() {
            match m.kind {
                rkv::RKV_REPLY => {
                    let r = decode_reply(&m.payload).unwrap();
                    let q = self.reqs.get_mut(&r.req).expect("reply to a known request");
                    q.reply.get_or_insert((r.status, r.slot, r.value, m.src));
                }
                rkv::RKV_REDIRECT => {
                    let mut dd = workloads::apps::codec::Dec::new(&m.payload);
                    let (req, hint) = (dd.u64().unwrap(), dd.u32().unwrap());
                    let q = self.reqs.get_mut(&req).expect("known request");
                    let mut to = if hint < REPLICAS {
                        hint
                    } else {
                        (q.to + 1) % REPLICAS
                    };
                    if Some(to) == crashed {
                        to = (to + 1) % REPLICAS;
                    }
                    q.to = to;
                    let (kind, payload) = match &q.put {
                        Some(v) => (rkv::RKV_PUT, encode_put(req, q.key, v)),
                        None => (rkv::RKV_GET, encode_get(req, q.key)),
                    };
                    d.inject(
                        t + SimDuration::from_us(20),
                        CLIENT,
                        paxos(to),
                        kind,
                        payload,
                    );
                }
                _ => {}
            }
        }
    }

    fn answered(&self, ids: &[u64]) -> bool {
        ids.iter().all(|i| self.reqs[i].reply.is_some())
    }
}

fn run_rkv(seed: u64, w: &AppWorkload) {
    w.validate().expect("workload");
    let ctx = format!("seed {seed}");
    let crash_at = SimTime::from_ms(2);
    let end = SimTime::from_ms(12);
    let policy = HybridWithForcedMigration::new("rkv_memtable_1", SimTime::from_us(500));
    let mut d = AppDriver::new(Box::new(policy), 6, 2);
    for r in 0..REPLICAS {
        register_server(&mut d, r, 0, TICK, end);
    }
    d.crash(&[paxos(0), 1, 2], crash_at);
    d.tick_until(end);

    // Phase 1: open-loop PUT/GET traffic to the initial leader, past the crash (so
    // some writes are in flight when it happens and are never acknowledged).
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let keys = w.keys();
    let gap = Exp::new(w.request_rate_per_us).expect("rate");
    let mut client = Client {
        reqs: BTreeMap::new(),
        next: 0,
        value_bytes: w.request_bytes as usize,
    };
    let mut t_us = 0.0;
    loop {
        t_us += gap.sample(&mut rng);
        let at = SimTime::from_ns((t_us * 1_000.0) as u64);
        if at >= crash_at + SimDuration::from_us(100) {
            break;
        }
        let put = !rng.gen_bool(w.read_fraction);
        client.send(&mut d, at, keys.sample(&mut rng), put, 0);
    }
    let mut now = SimTime::ZERO;
    while now < crash_at + SimDuration::from_ms(2) {
        now += SimDuration::from_us(100);
        d.run_until(now);
        client.absorb(&mut d, None);
    }
    let before: Vec<u64> = client.reqs.keys().copied().collect();

    // Phase 2, after the election: read every key, through replica 1 (redirects followed).
    let touched: Vec<u32> = {
        let mut k: Vec<u32> = client.reqs.values().map(|q| q.key).collect();
        k.sort_unstable();
        k.dedup();
        k
    };
    let reads: Vec<u64> = touched
        .iter()
        .map(|&k| client.send(&mut d, now, k, false, 1))
        .collect();
    while !client.answered(&reads) && now < end {
        now += SimDuration::from_us(100);
        d.run_until(now);
        client.absorb(&mut d, Some(0));
    }
    // Phase 3: the new leader takes writes; read them back.
    let writes: Vec<u64> = touched
        .iter()
        .take(8)
        .map(|&k| client.send(&mut d, now, k, true, 2))
        .collect();
    while !client.answered(&writes) && now < end {
        now += SimDuration::from_us(100);
        d.run_until(now);
        client.absorb(&mut d, Some(0));
    }
    let rereads: Vec<u64> = touched
        .iter()
        .take(8)
        .map(|&k| client.send(&mut d, now, k, false, 1))
        .collect();
    while !client.answered(&rereads) && now < end {
        now += SimDuration::from_us(100);
        d.run_until(now);
        client.absorb(&mut d, Some(0));
    }

    assert!(d.failures.is_empty(), "{ctx}: {:?}", d.failures);
    assert_eq!(d.runtime_drops, 0, "{ctx}");
    assert!(
        d.migrated().contains(&"rkv_memtable_1".to_string()),
        "{ctx}: no migration"
    );
    assert!(
        client.answered(&reads),
        "{ctx}: reads after the crash unanswered by {end:?}"
    );
    assert!(
        client.answered(&writes) && client.answered(&rereads),
        "{ctx}: new leader took no writes"
    );

    // Who answered after the crash: the memtable or SSTable of replica 1 or 2.
    let leaders: Vec<u32> = reads
        .iter()
        .chain(&writes)
        .map(|i| match client.reqs[i].reply.as_ref().unwrap().3 {
            Endpoint::Actor(a) => a / 3,
            e => panic!("{ctx}: reply from {e:?}"),
        })
        .collect();
    assert!(
        leaders.iter().all(|&r| r == 1 || r == 2),
        "{ctx}: {leaders:?}"
    );
    let from_sst = client
        .reqs
        .values()
        .filter(|q| matches!(q.reply, Some((_, _, _, Endpoint::Actor(a))) if a % 3 == 2))
        .count();
    assert!(from_sst > 0, "{ctx}: no read reached the SSTables");

    // No acknowledged write lost: each key reads as its last acknowledged write
    // (highest slot), or as a write that was never acknowledged (it may have committed).
    let (mut acked, mut unacked) = (0, 0);
    for (i, &k) in touched.iter().enumerate() {
        let pre: Vec<&Req> = before
            .iter()
            .map(|r| &client.reqs[r])
            .filter(|q| q.key == k && q.put.is_some())
            .collect();
        let last_acked = pre
            .iter()
            .filter_map(|q| q.reply.as_ref().map(|r| (r.1, q.put.clone().unwrap())))
            .max_by_key(|x| x.0);
        acked += pre.iter().filter(|q| q.reply.is_some()).count();
        unacked += pre.iter().filter(|q| q.reply.is_none()).count();
        let (status, _, got, _) = client.reqs[&reads[i]].reply.clone().unwrap();
        let in_flight = |v: &Vec<u8>| {
            pre.iter()
                .any(|q| q.reply.is_none() && q.put.as_ref() == Some(v))
        };
        match last_acked {
            Some((slot, v)) => assert!(
                status == rkv::ST_FOUND && (got == v || in_flight(&got)),
                "{ctx}: key {k}: last acked write (slot {slot}) lost; read status {status}"
            ),
            None => assert!(
                status == rkv::ST_NOT_FOUND || in_flight(&got),
                "{ctx}: key {k}: phantom value"
            ),
        }
    }
    for (w, r) in writes.iter().zip(&rereads) {
        let (status, _, got, _) = client.reqs[r].reply.clone().unwrap();
        assert_eq!(status, rkv::ST_FOUND, "{ctx}");
        assert_eq!(
            Some(got),
            client.reqs[w].put.clone(),
            "{ctx}: write to the new leader not read back"
        );
    }
    println!(
        "rkv {ctx}: {} keys checked, {acked} acked and {unacked} unacked writes before the crash at {crash_at:?}; \
         new leader replica {}; {from_sst} reads from SSTables; {} messages lost to the crash; migrations {:?}",
        touched.len(),
        leaders[0],
        d.crash_drops,
        d.migrated()
    );
}

#[test]
fn rkv_survives_leader_crash_zipf() {
    let w = AppWorkload {
        key_count: 64,
        request_rate_per_us: 0.1,
        ..AppWorkload::default()
    };
    for s in seeds(31) {
        run_rkv(s, &w);
    }
}

#[test]
fn rkv_survives_leader_crash_uniform_write_heavy() {
    let w = AppWorkload {
        key_count: 128,
        key_distribution: workloads::apps::workload::KeyDistribution::Uniform,
        read_fraction: 0.2,
        request_bytes: 256,
        request_rate_per_us: 0.2,
        ..AppWorkload::default()
    };
    for s in seeds(32) {
        run_rkv(s, &w);
    }
}

/// Registers replica `r` (actor `3r`), its memtable (`3r + 1`) and its SSTable
/// (`3r + 2`, on the host), with a timer ticking the replica every `tick`
/// until `end`; `election_timeout_ticks = 0` keeps the replica's default.
pub(crate) fn register_server(
    d: &mut AppDriver,
    r: u32,
    election_timeout_ticks: u32,
    tick: SimDuration,
    end: SimTime,
) {
    let mut rc = RkvReplicaConfig {
        name: format!("rkv_replica_{r}"),
        index: r,
        replicas: (0..REPLICAS).map(|i| Peer::from(paxos(i))).collect(),
        memtable: Some(Peer::from(3 * r + 1)),
        ..RkvReplicaConfig::default()
    };
    if election_timeout_ticks > 0 {
        rc.election_timeout_ticks = election_timeout_ticks;
    }
    assert_eq!(
        d.register(Box::new(RkvReplica::new(rc).unwrap()), None),
        paxos(r)
    );
    let mc = RkvMemtableConfig {
        name: format!("rkv_memtable_{r}"),
        sstable: Some(Peer::from(3 * r + 2)),
        flush_entries: 16,
    };
    d.register(Box::new(RkvMemtable::new(mc).unwrap()), None);
    let sc = RkvSstableConfig {
        name: format!("rkv_sstable_{r}"),
        max_runs: 3,
    };
    d.register(
        Box::new(RkvSstable::new(sc).unwrap()),
        Some(Placement::Host),
    );
    d.add_timer(paxos(r), rkv::RKV_TICK, tick, end);
}
