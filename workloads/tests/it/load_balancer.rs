//! The Maglev load balancer spreads flows evenly, keeps a flow on one backend, and moves few flows when a backend goes.

use crate::common::harness;
use scheduler::Endpoint;
use std::collections::BTreeMap;
use workloads::actors::load_balancer::maglev_table;
use workloads::actors::wire::{FlowKey, FlowKeyWire, PacketDesc};

fn packet(flow: u32) -> Vec<u8> {
    PacketDesc {
        key: FlowKey::synthetic(flow),
        len_bytes: 100,
    }
    .encode()
}

#[test]
fn spreads_flows_evenly_and_consistently() {
    let mut h = harness("load_balancer", "table_size = 4099");
    let mut per_backend: BTreeMap<u32, u32> = BTreeMap::new();
    let mut chosen = Vec::new();
    let flows = 16_000;
    for f in 0..flows {
        let out = h.exec(1, packet(f));
        assert_eq!(out.len(), 1);
        let Endpoint::Network { node, port } = out[0].0 else {
            panic!("not forwarded to a backend")
        };
        assert_eq!(port, 80);
        assert_eq!(out[0].1.payload, packet(f), "payload forwarded unchanged");
        *per_backend.entry(node).or_default() += 1;
        chosen.push(node);
    }
    assert_eq!(per_backend.len(), 8, "all 8 default backends used");
    let mean = f64::from(flows) / 8.0;
    for (node, n) in &per_backend {
        assert!(
            (f64::from(*n) - mean).abs() < 0.1 * mean,
            "backend {node} got {n}, mean {mean}"
        );
    }
    // Same flow again: same backend.
    for f in (0..flows).step_by(97) {
        let out = h.exec(1, packet(f));
        assert_eq!(
            out[0].0,
            Endpoint::Network {
                node: chosen[f as usize],
                port: 80
            }
        );
    }
}

#[test]
fn removing_a_backend_moves_few_other_flows() {
    let all: Vec<u32> = (100..110).collect();
    let fewer: Vec<u32> = all.iter().copied().filter(|&n| n != 104).collect();
    let (a, b) = (maglev_table(&all, 65_537), maglev_table(&fewer, 65_537));
    let mut owned_by_others = 0u32;
    let mut moved = 0u32;
    for (x, y) in a.iter().zip(&b) {
        let (na, nb) = (all[*x as usize], fewer[*y as usize]);
        if na != 104 {
            owned_by_others += 1;
            moved += u32::from(na != nb);
        }
    }
    let frac = f64::from(moved) / f64::from(owned_by_others);
    assert!(
        frac < 0.05,
        "{frac:.3} of surviving backends' entries moved"
    );
    // Every entry of the removed backend now belongs to a survivor, spread about evenly.
    let per: Vec<usize> = (0..fewer.len())
        .map(|i| b.iter().filter(|&&e| e as usize == i).count())
        .collect();
    let (min, max) = (per.iter().min().unwrap(), per.iter().max().unwrap());
    assert!(max - min <= 1, "table entries per backend {per:?}");
}
