//! The rate limiter admits exactly what a token bucket per flow admits.

use crate::common::harness;
use workloads::actors::wire::{FlowKey, FlowKeyWire, PacketDesc};

/// Reference token bucket in exact rational arithmetic (tokens x 1e9).
fn reference_admits(arrivals_ns: &[u64], rate_pps: u64, burst: u64) -> u64 {
    let cap = burst * 1_000_000_000;
    let (mut tokens, mut last, mut admitted) = (cap, arrivals_ns[0], 0);
    for &t in arrivals_ns {
        tokens = (tokens + (t - last) * rate_pps).min(cap);
        last = t;
        if tokens >= 1_000_000_000 {
            tokens -= 1_000_000_000;
            admitted += 1;
        }
    }
    admitted
}

#[test]
fn admitted_count_matches_token_bucket_per_flow() {
    let mut h = harness("rate_limiter", "rate_pps = 1000\nburst_packets = 10");
    // Flow A at 2500 pps for 0.2 s, flow B at 500 pps (under its rate), interleaved.
    let a: Vec<u64> = (0..500).map(|i| 1_000 + i * 400_000).collect();
    let b: Vec<u64> = (0..100).map(|i| 2_000 + i * 2_000_000).collect();
    let mut events: Vec<(u64, u32)> = a
        .iter()
        .map(|&t| (t, 1))
        .chain(b.iter().map(|&t| (t, 2)))
        .collect();
    events.sort();
    let mut admitted = [0u64; 3];
    for (t, f) in events {
        let p = PacketDesc {
            key: FlowKey::synthetic(f),
            len_bytes: 100,
        }
        .encode();
        admitted[f as usize] += h.exec_at(1, p, t).2.len() as u64;
    }
    assert_eq!(admitted[1], reference_admits(&a, 1000, 10));
    // 10 burst + about 1000 pps x 0.2 s.
    assert!(
        (205..=212).contains(&admitted[1]),
        "flow A admitted {}",
        admitted[1]
    );
    assert_eq!(admitted[2], 100, "a flow under its rate loses nothing");
}
