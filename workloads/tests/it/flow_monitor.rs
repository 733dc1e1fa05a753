//! The count-min flow monitor never undercounts, is exact without collisions, and stays within its error bound.

use crate::common::harness;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use workloads::actors::kinds;
use workloads::actors::wire::{le_u64, FlowKey, FlowKeyWire, PacketDesc};

fn query(h: &mut crate::common::Harness, flow: u32) -> u64 {
    let mut p = Vec::new();
    FlowKey::synthetic(flow).encode_into(&mut p);
    let out = h.exec(kinds::MONITOR_QUERY, p);
    le_u64(&out[0].1.payload, 0)
}

#[test]
fn estimates_bound_true_counts() {
    let mut h = harness("flow_monitor", "rows = 4\nwidth = 256\ncount = \"bytes\"");
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    let flows = 400u32;
    let mut truth = vec![0u64; flows as usize];
    let mut total = 0u64;
    for _ in 0..4_000 {
        let f = rng.gen_range(0..flows);
        let len = rng.gen_range(64..=1500u16);
        truth[f as usize] += u64::from(len);
        total += u64::from(len);
        assert!(h
            .exec(
                kinds::REQUEST,
                PacketDesc {
                    key: FlowKey::synthetic(f),
                    len_bytes: len
                }
                .encode()
            )
            .is_empty());
    }
    let bound = (std::f64::consts::E / 256.0 * total as f64) as u64;
    let mut within = 0;
    for f in 0..flows {
        let est = query(&mut h, f);
        assert!(est >= truth[f as usize], "flow {f} undercounted");
        within += u32::from(est - truth[f as usize] <= bound);
    }
    // Each estimate is within e/width x total with probability >= 1 - e^-4 (98%).
    assert!(within >= flows * 95 / 100, "{within}/{flows} within bound");
}

#[test]
fn few_flows_are_counted_exactly() {
    let mut h = harness("flow_monitor", "");
    for f in 0..5u32 {
        for _ in 0..=f {
            h.exec(
                kinds::REQUEST,
                PacketDesc {
                    key: FlowKey::synthetic(f),
                    len_bytes: 500,
                }
                .encode(),
            );
        }
    }
    for f in 0..5u32 {
        assert_eq!(query(&mut h, f), u64::from(f + 1));
    }
    assert_eq!(query(&mut h, 99), 0);
}
