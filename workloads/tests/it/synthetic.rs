//! The fixed-cost actor charges ~2 us with low dispersion; the variable-cost actor charges what the payload asks, clamped.

use crate::common::{harness, payloads_to, CLIENT};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use workloads::actors::variable_cost::{encode_request, gen_request};

#[test]
fn fixed_cost_stays_within_its_jitter() {
    let mut h = harness("fixed_cost", "cost_ns = 2000\njitter_pct = 5");
    let mut all = Vec::new();
    for i in 0..200u64 {
        let (r, took, out) = h.exec_at(1, i.to_le_bytes().repeat(8), 10_000 * (i + 1));
        r.unwrap();
        assert_eq!(payloads_to(&out, CLIENT).len(), 1, "one reply");
        all.push(took.as_ns_f64());
    }
    let (min, max) = all
        .iter()
        .fold((f64::MAX, 0f64), |(a, b), &x| (a.min(x), b.max(x)));
    // 1900..2100 ns of compute plus one state-line access (8.3 ns L1 or 115 ns first time).
    assert!(min >= 1_900.0 && max <= 2_100.0 + 120.0, "{min}..{max}");
    assert!(max - min > 50.0, "jitter present");
}

#[test]
fn variable_cost_charges_the_requested_time_clamped() {
    let mut h = harness("variable_cost", "reply = false");
    for (i, (want, expect)) in [
        (5_000u32, 5_000f64),
        (500, 2_000.0),
        (100_000, 71_000.0),
        (40_000, 40_000.0),
    ]
    .into_iter()
    .enumerate()
    {
        let r = encode_request(want);
        let (res, took, out) = h.exec_at(r.kind, r.payload, 1_000_000 * (i as u64 + 1));
        res.unwrap();
        assert!(out.is_empty());
        let ns = took.as_ns_f64();
        assert!(
            ns >= expect && ns <= expect + 120.0,
            "asked {want}, charged {ns}"
        );
    }
}

#[test]
fn variable_cost_generator_is_bounded_and_dispersed() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
    let costs: Vec<u32> = (0..2_000)
        .map(|_| u32::from_le_bytes(gen_request(&mut rng).payload[..4].try_into().unwrap()))
        .collect();
    assert!(costs.iter().all(|c| (2_000..=71_000).contains(c)));
    let mean = costs.iter().map(|&c| f64::from(c)).sum::<f64>() / costs.len() as f64;
    let var = costs
        .iter()
        .map(|&c| (f64::from(c) - mean).powi(2))
        .sum::<f64>()
        / costs.len() as f64;
    assert!(
        var.sqrt() / mean > 0.6,
        "coefficient of variation {}",
        var.sqrt() / mean
    );
}
