//! The top-N ranker reports exactly the N items with the highest totals over the last W updates.

use crate::common::{harness, CLIENT};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::collections::BTreeMap;
use workloads::actors::top_ranker::decode_reply;

/// Brute force over the window: totals per item, best first (ties: lower id), at most n.
fn reference(window: &[(u32, u32)], n: usize) -> Vec<(u32, u64)> {
    let mut totals: BTreeMap<u32, u64> = BTreeMap::new();
    for &(i, s) in window {
        *totals.entry(i).or_default() += u64::from(s);
    }
    let mut v: Vec<(u32, u64)> = totals.into_iter().filter(|e| e.1 > 0).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

#[test]
fn top_n_matches_brute_force_over_sliding_window() {
    let mut h = harness("top_ranker", "n = 5\nwindow = 40\nid_space = 30");
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
    let mut stream: Vec<(u32, u32)> = Vec::new();
    for _ in 0..60 {
        let k = rng.gen_range(1..=7);
        let mut payload = Vec::new();
        for _ in 0..k {
            let (item, score) = (rng.gen_range(0..30u32), rng.gen_range(1..=20u32));
            stream.push((item, score));
            payload.extend_from_slice(&item.to_le_bytes());
            payload.extend_from_slice(&score.to_le_bytes());
        }
        let out = h.exec(1, payload);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].0, CLIENT, "reply goes to the requester");
        let window = &stream[stream.len().saturating_sub(40)..];
        assert_eq!(decode_reply(&out[0].1.payload), reference(window, 5));
    }
}

#[test]
fn out_of_range_item_is_refused() {
    let mut h = harness("top_ranker", "id_space = 10");
    let mut p = 10u32.to_le_bytes().to_vec();
    p.extend_from_slice(&1u32.to_le_bytes());
    assert!(h.exec_at(1, p, 5).0.is_err());
}
