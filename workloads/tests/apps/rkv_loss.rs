//! RKV under message loss: during a window, one in N Paxos messages to each
//! replica and its memtable is dropped (as by a full mailbox) while the leader migrates; the
//! store keeps answering every request, each read returns the value of the last
//! write decided before it, and no acknowledged write is lost.

use crate::driver::{seeds, AppDriver, HybridWithForcedMigration};
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Exp};
use rand_xoshiro::Xoshiro256PlusPlus;
use scheduler::{ActorId, Endpoint, SimDuration, SimTime};
use std::collections::BTreeMap;
use workloads::apps::codec::Dec;
use workloads::apps::rkv::{self, decode_reply, encode_get, encode_put};

const CLIENT: Endpoint = Endpoint::Network { node: 301, port: 1 };
const REPLICAS: u32 = 3;

fn paxos(r: u32) -> ActorId {
    3 * r
}

/// key, value written (PUT) or none (GET), reply (status, slot, value).
type Req = (u32, Option<Vec<u8>>, Option<(u8, u64, Vec<u8>)>);

fn send(d: &mut AppDriver, reqs: &BTreeMap<u64, Req>, id: u64, at: SimTime, to: u32) {
    let (key, put, _) = &reqs[&id];
    let (kind, payload) = match put {
        Some(v) => (rkv::RKV_PUT, encode_put(id, *key, v)),
        None => (rkv::RKV_GET, encode_get(id, *key)),
    };
    d.inject(at, CLIENT, paxos(to), kind, payload);
}

/// Takes replies and follows redirects (an election during the loss is allowed).
fn absorb(d: &mut AppDriver, reqs: &mut BTreeMap<u64, Req>) {
    for (t, _, m) in d.take_outbound() {
        match m.kind {
            rkv::RKV_REPLY => {
                let r = decode_reply(&m.payload).unwrap();
                let q = reqs.get_mut(&r.req).expect("known request");
                q.2.get_or_insert((r.status, r.slot, r.value));
            }
            rkv::RKV_REDIRECT => {
                let mut dd = Dec::new(&m.payload);
                let (id, hint) = (dd.u64().unwrap(), dd.u32().unwrap());
                let to = if hint < REPLICAS { hint } else { 0 };
                send(d, reqs, id, t + SimDuration::from_us(20), to);
            }
            _ => {}
        }
    }
}

fn run_lossy(seed: u64) {
    let ctx = format!("seed {seed}");
    let end = SimTime::from_ms(8);
    let (loss_from, loss_until) = (SimTime::from_us(300), SimTime::from_ms(2));
    let policy = HybridWithForcedMigration::new("rkv_replica_0", SimTime::from_us(800));
    let mut d = AppDriver::new(Box::new(policy), 6, 2);
    for r in 0..REPLICAS {
        crate::rkv::register_server(&mut d, r, 10, SimDuration::from_us(50), end);
        // 1 in 2, 3, 4 messages to r0, r1, r2: some slots lose every ACCEPT or
        // every ACCEPTED, some followers miss COMMITs.
        d.lose(paxos(r), u64::from(r) + 2, loss_from, loss_until);
    }
    // and 1 in 7 APPLYs to the leader's memtable (it must ask for them again).
    d.lose(1, 7, loss_from, loss_until);
    d.tick_until(end);

    // Open-loop PUT/GET traffic on 32 keys to the leader through the loss window.
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let gap = Exp::new(0.2).expect("rate");
    let mut reqs: BTreeMap<u64, Req> = BTreeMap::new();
    let mut t_us = 0.0;
    while t_us < 2_500.0 {
        t_us += gap.sample(&mut rng);
        let id = reqs.len() as u64 + 1;
        let key = rng.gen_range(0..32);
        let put = rng.gen_bool(0.5).then(|| id.to_le_bytes().repeat(8));
        reqs.insert(id, (key, put, None));
        send(&mut d, &reqs, id, SimTime::from_ns((t_us * 1e3) as u64), 0);
    }
    let mut now = SimTime::ZERO;
    while now < SimTime::from_ms(5) {
        now += SimDuration::from_us(100);
        d.run_until(now);
        absorb(&mut d, &mut reqs);
    }
    // Then read every key once.
    let first_read = reqs.len() as u64 + 1;
    for key in 0..32 {
        let id = reqs.len() as u64 + 1;
        reqs.insert(id, (key, None, None));
        send(&mut d, &reqs, id, now, 0);
    }
    while now < end && reqs.values().any(|q| q.2.is_none()) {
        now += SimDuration::from_us(100);
        d.run_until(now);
        absorb(&mut d, &mut reqs);
    }

    assert!(d.failures.is_empty(), "{ctx}: {:?}", d.failures);
    assert_eq!(d.runtime_drops, 0, "{ctx}");
    assert!(d.loss_drops > 100, "{ctx}: only {} lost", d.loss_drops);
    let unanswered = reqs.values().filter(|q| q.2.is_none()).count();
    assert_eq!(
        unanswered,
        0,
        "{ctx}: {unanswered} of {} unanswered",
        reqs.len()
    );
    // Every write acknowledged; each read returns the last write decided before it.
    for (id, (key, put, reply)) in &reqs {
        let (status, slot, got) = reply.clone().unwrap();
        if put.is_some() {
            assert_eq!(status, rkv::ST_STORED, "{ctx}: put {id}");
            continue;
        }
        let last = reqs
            .values()
            .filter(|q| q.0 == *key && q.1.is_some())
            .filter_map(|q| q.2.as_ref().map(|r| (r.1, q.1.clone().unwrap())))
            .filter(|(s, _)| *s < slot)
            .max_by_key(|x| x.0);
        match last {
            Some((s, v)) => assert!(
                status == rkv::ST_FOUND && got == v,
                "{ctx}: read {id} (slot {slot}) of key {key}: status {status}, want the write of slot {s}"
            ),
            None => assert_eq!(status, rkv::ST_NOT_FOUND, "{ctx}: read {id}: phantom"),
        }
    }
    println!(
        "rkv loss {ctx}: {} requests ({} final reads) all answered, {} messages lost, migrations {:?}",
        reqs.len(),
        reqs.len() as u64 + 1 - first_read,
        d.loss_drops,
        d.migrated()
    );
}

#[test]
fn rkv_keeps_answering_after_lost_paxos_messages() {
    for s in seeds(33) {
        run_lossy(s);
    }
}
