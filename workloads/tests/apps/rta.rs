//! RTA: the aggregated top N after the whole stream equals a brute-force top N of the same stream.

use crate::driver::{digest, seeds, AppDriver, HybridWithForcedMigration};
use rand::SeedableRng;
use rand_distr::{Distribution, Exp};
use rand_xoshiro::Xoshiro256PlusPlus;
use scheduler::{Endpoint, SimTime};
use workloads::apps::peer::Peer;
use workloads::apps::rta::counter::{RtaCounter, RtaCounterConfig};
use workloads::apps::rta::filter::{RtaFilter, RtaFilterConfig};
use workloads::apps::rta::ranker::{RtaRanker, RtaRankerConfig};
use workloads::apps::rta::{self, brute_force_top, decode_top, encode_tuples, gen_tuples};
use workloads::apps::workload::AppWorkload;

const CLIENT: Endpoint = Endpoint::Network { node: 100, port: 1 };

/// Runs the pipeline on one seed, checks it, and returns the digest of what it sent.
fn run_rta(seed: u64, workload: &AppWorkload) -> Vec<(SimTime, Endpoint, u16, Vec<u8>)> {
    workload.validate().expect("workload");
    let policy = HybridWithForcedMigration::new("rta_counter_1", SimTime::from_us(500));
    let mut d = AppDriver::new(Box::new(policy), 4, 2);
    // ids in registration order: filter 0, counters 1-2, partition rankers 3-4, aggregator 5
    let (n, min_value, keys) = (10, 10, workload.key_count);
    let filter = RtaFilterConfig {
        name: "rta_filter".into(),
        counters: vec![Peer::from(1), Peer::from(2)],
        min_value,
    };
    assert_eq!(
        d.register(Box::new(RtaFilter::new(filter).unwrap()), None),
        0
    );
    for i in 0..2 {
        let c = RtaCounterConfig {
            name: format!("rta_counter_{i}"),
            rankers: vec![Peer::from(3), Peer::from(4)],
            key_count: keys,
        };
        d.register(Box::new(RtaCounter::new(c).unwrap()), None);
    }
    for i in 0..2 {
        let r = RtaRankerConfig {
            name: format!("rta_ranker_{i}"),
            n,
            key_count: keys,
            upstream: Some(Peer::from(5)),
            sources: vec![],
        };
        d.register(Box::new(RtaRanker::new(r).unwrap()), None);
    }
    let agg = RtaRankerConfig {
        name: "rta_top".into(),
        n,
        key_count: keys,
        upstream: None,
        sources: vec![Peer::from(3), Peer::from(4)],
    };
    assert_eq!(d.register(Box::new(RtaRanker::new(agg).unwrap()), None), 5);

    // Poisson batches at the workload's tuple rate for 3 ms.
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let sampler = workload.keys();
    let batch = workload.tuples_per_batch;
    let gap = Exp::new(workload.tuple_rate_per_us / f64::from(batch)).expect("rate");
    let mut stream = Vec::new();
    let mut t_us = 0.0;
    loop {
        t_us += gap.sample(&mut rng);
        if t_us >= 3_000.0 {
            break;
        }
        let at = SimTime::from_ns((t_us * 1_000.0) as u64);
        let tuples = gen_tuples(&mut rng, &sampler, batch, at.as_ns());
        d.inject(at, CLIENT, 0, rta::RTA_TUPLES, encode_tuples(&tuples));
        stream.extend(tuples);
    }
    d.tick_until(SimTime::from_ms(4));
    d.run_until(SimTime::MAX);
    d.inject(d.now, CLIENT, 5, rta::RTA_QUERY, Vec::new());
    d.run_until(SimTime::MAX);

    let ctx = format!("seed {seed} ({} tuples)", stream.len());
    assert!(d.failures.is_empty(), "{ctx}: {:?}", d.failures);
    assert_eq!(d.runtime_drops, 0, "{ctx}");
    assert!(
        d.migrated().contains(&"rta_counter_1".to_string()),
        "{ctx}: no migration: {:?}",
        d.rt.migrations()
    );
    let out = d.take_outbound();
    let replies: Vec<_> = out
        .iter()
        .filter(|(_, _, m)| m.kind == rta::RTA_TOP)
        .collect();
    assert_eq!(replies.len(), 1, "{ctx}");
    let got = decode_top(&replies[0].2.payload).unwrap();
    let want = brute_force_top(&stream, min_value, n as usize);
    assert_eq!(want.len(), n as usize, "{ctx}: stream too small to rank");
    assert_eq!(got, want, "{ctx}: top {n} differs from brute force");
    let c = d.rt.counters();
    println!(
        "rta {ctx}: top1 {:?}; delivered {} completed {}; migrations {:?}",
        got[0],
        c.delivered,
        c.completed,
        d.migrated()
    );
    digest(&out)
}

#[test]
fn rta_top_n_matches_brute_force_zipf() {
    for s in seeds(11) {
        run_rta(s, &AppWorkload::default());
    }
}

#[test]
fn rta_top_n_matches_brute_force_uniform_small_keys() {
    let w = AppWorkload {
        key_count: 64,
        key_distribution: workloads::apps::workload::KeyDistribution::Uniform,
        tuple_rate_per_us: 2.0,
        ..AppWorkload::default()
    };
    for s in seeds(12) {
        run_rta(s, &w);
    }
}

#[test]
fn rta_same_seed_same_outputs() {
    let w = AppWorkload::default();
    assert_eq!(run_rta(5, &w), run_rta(5, &w), "seed 5");
}
