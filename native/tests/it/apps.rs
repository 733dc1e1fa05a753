//! The actors' functional results on real threads: RTA's top N equals a brute-force top N, and the KV cache returns what was stored (the same checks as workloads/tests/apps, through the native driver).

use crate::conservation::send_windowed;
use crate::support::{pair, runtime_of, settings};
use native::{register, Epoch, Planned};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use scheduler::{PolicyKind, Runtime};
use std::time::Duration;
use workloads::actors::kinds;
use workloads::actors::kv_cache::encode_request;
use workloads::actors::registry::ActorKind;
use workloads::apps::peer::Peer;
use workloads::apps::rta::counter::{RtaCounter, RtaCounterConfig};
use workloads::apps::rta::filter::{RtaFilter, RtaFilterConfig};
use workloads::apps::rta::ranker::{RtaRanker, RtaRankerConfig};
use workloads::apps::rta::{self, brute_force_top, decode_top, encode_tuples, gen_tuples};
use workloads::apps::workload::AppWorkload;

/// The RTA pipeline of workloads/tests/apps/rta.rs: filter 0, counters 1-2,
/// partition rankers 3-4, aggregator 5.
fn rta_runtime(epoch: Epoch, n: u32, min_value: u32, keys: u32) -> Runtime {
    let mut rt = Runtime::new(settings(PolicyKind::Hybrid), 2, 1).expect("runtime");
    let filter = RtaFilterConfig {
        name: "rta_filter".into(),
        counters: vec![Peer::from(1), Peer::from(2)],
        min_value,
    };
    let f = RtaFilter::new(filter).expect("filter");
    assert_eq!(register(&mut rt, Box::new(f), None, epoch).unwrap(), 0);
    for i in 0..2 {
        let c = RtaCounterConfig {
            name: format!("rta_counter_{i}"),
            rankers: vec![Peer::from(3), Peer::from(4)],
            key_count: keys,
        };
        let c = RtaCounter::new(c).expect("counter");
        register(&mut rt, Box::new(c), None, epoch).unwrap();
    }
    for i in 0..2 {
        let r = RtaRankerConfig {
            name: format!("rta_ranker_{i}"),
            n,
            key_count: keys,
            upstream: Some(Peer::from(5)),
            sources: vec![],
        };
        register(&mut rt, Box::new(RtaRanker::new(r).unwrap()), None, epoch).unwrap();
    }
    let agg = RtaRankerConfig {
        name: "rta_top".into(),
        n,
        key_count: keys,
        upstream: None,
        sources: vec![Peer::from(3), Peer::from(4)],
    };
    assert_eq!(
        register(&mut rt, Box::new(RtaRanker::new(agg).unwrap()), None, epoch).unwrap(),
        5
    );
    rt
}

#[test]
fn rta_top_n_natively_matches_brute_force() {
    for seed in [11, 12] {
        let epoch = Epoch::start();
        let workload = AppWorkload::default();
        let (n, min_value) = (10, 10);
        let rt = rta_runtime(epoch, n, min_value, workload.key_count);
        let (server, client) = pair(rt, epoch);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let sampler = workload.keys();
        let mut stream = Vec::new();
        let mut plan = Vec::new();
        for b in 0..300u64 {
            let tuples = gen_tuples(&mut rng, &sampler, workload.tuples_per_batch, b * 1_000);
            plan.push(Planned {
                at_ns: 0,
                dst: 0,
                kind: rta::RTA_TUPLES,
                payload: encode_tuples(&tuples),
            });
            stream.extend(tuples);
        }
        let batches = plan.len() as u64;
        send_windowed(&client, plan);
        // the pipeline goes on after the filter answered: wait until it is idle
        assert!(server.quiesce(batches, Duration::from_secs(60)));
        let q = client.send(5, rta::RTA_QUERY, Vec::new()).expect("query");
        assert!(client.wait_all_answered(Duration::from_secs(60)));
        let report = server.shutdown().expect("shutdown");
        let seen = client.finish(0).expect("client");
        assert_eq!((seen.answered(), seen.outstanding()), (batches + 1, 0));
        let rc = report.runtime.counters();
        assert_eq!(rc.dropped(), 0);
        assert_eq!(rc.failed, 0);
        let top: Vec<_> = seen
            .messages
            .iter()
            .filter(|m| m.in_reply_to == Some(q) && m.kind == rta::RTA_TOP)
            .collect();
        assert_eq!(top.len(), 1, "seed {seed}");
        let got = decode_top(&top[0].payload).unwrap();
        let want = brute_force_top(&stream, min_value, n as usize);
        assert_eq!(want.len(), n as usize, "stream too small to rank");
        assert_eq!(
            got, want,
            "seed {seed}: native top {n} differs from brute force"
        );
    }
}

#[test]
fn kv_cache_natively_returns_what_was_stored() {
    let epoch = Epoch::start();
    let rt = runtime_of(
        settings(PolicyKind::Hybrid),
        2,
        &[(ActorKind::KvCache, None)],
        epoch,
    );
    let (server, client) = pair(rt, epoch);
    let keys: Vec<String> = (0..200).map(|i| format!("key-{i}")).collect();
    let value = |i: usize| format!("value-{i}-{}", i * 7919).into_bytes();
    let sets = keys.iter().enumerate().map(|(i, k)| {
        let r = encode_request(k.as_bytes(), Some(&value(i)));
        Planned {
            at_ns: 0,
            dst: 0,
            kind: r.kind,
            payload: r.payload,
        }
    });
    send_windowed(&client, sets.collect());
    let absent = "absent".to_string();
    let gets = keys.iter().chain(std::iter::once(&absent)).map(|k| {
        let r = encode_request(k.as_bytes(), None);
        Planned {
            at_ns: 0,
            dst: 0,
            kind: r.kind,
            payload: r.payload,
        }
    });
    send_windowed(&client, gets.collect());
    server.shutdown().expect("shutdown");
    let seen = client.finish(0).expect("client");
    assert_eq!(seen.answered(), 401);
    let reply = |id: u64| {
        seen.messages
            .iter()
            .find(|m| m.in_reply_to == Some(id))
            .map(|m| (m.kind, m.payload.clone()))
    };
    for i in 0..200u64 {
        assert_eq!(reply(i), Some((kinds::KV_STORED, vec![])));
        assert_eq!(
            reply(200 + i),
            Some((kinds::KV_HIT, value(i as usize))),
            "key-{i}"
        );
    }
    assert_eq!(reply(400), Some((kinds::KV_MISS, vec![])));
}
