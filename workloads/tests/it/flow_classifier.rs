//! The flow classifier labels flows that look like each class prototype with that class, as its forest says.

use crate::common::harness;
use workloads::actors::flow_classifier::{slot_features, FlowClassifier, FlowClassifierConfig};
use workloads::actors::forest::{CLASSES, CLASS_NAMES, PROTOTYPES_RAW};
use workloads::actors::wire::{FlowKey, FlowKeyWire, PacketDesc};

#[test]
fn flows_shaped_like_a_class_are_labelled_with_it() {
    let mut h = harness("flow_classifier", "trees = 32\ndepth = 8");
    let forest = FlowClassifier::forest(&FlowClassifierConfig {
        trees: 32,
        depth: 8,
        ..Default::default()
    });
    for class in 0..CLASSES {
        let [mean, std, iat_us] = PROTOTYPES_RAW[class];
        let key = FlowKey::synthetic(1000 + class as u32);
        let (mut t_ns, mut last) = (1_000_000_000u64 * class as u64, 0u8);
        let (mut pkts, mut bytes, mut sumsq) = (0u64, 0u64, 0u64);
        for i in 0..40u64 {
            // Alternate mean - std and mean + std: exactly the prototype's mean and std dev.
            let len = if i % 2 == 0 { mean - std } else { mean + std } as u16;
            let out = h
                .exec_at(
                    1,
                    PacketDesc {
                        key,
                        len_bytes: len,
                    }
                    .encode(),
                    t_ns,
                )
                .2;
            (pkts, bytes, sumsq) = (
                pkts + 1,
                bytes + u64::from(len),
                sumsq + u64::from(len).pow(2),
            );
            let iat_sum = (iat_us as u64 * 1_000) * (pkts - 1);
            let want = forest.classify(slot_features(pkts, bytes, sumsq, iat_sum));
            assert_eq!(out.len(), 1);
            last = out[0].1.payload[0];
            assert_eq!(
                usize::from(last),
                want,
                "class {} packet {i}",
                CLASS_NAMES[class]
            );
            t_ns += iat_us as u64 * 1_000;
        }
        assert_eq!(usize::from(last), class, "a {} flow", CLASS_NAMES[class]);
    }
}

#[test]
fn short_payload_is_refused() {
    let mut h = harness("flow_classifier", "trees = 2\ndepth = 2");
    assert!(h.exec_at(1, vec![1, 2, 3], 0).0.is_err());
}
