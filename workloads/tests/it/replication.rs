//! Replication forwards every request to each replica with consecutive sequence numbers and the right CRC.

use crate::common::harness;
use scheduler::Endpoint;
use workloads::actors::replication::decode_replica_message;
use workloads::actors::wire::crc32;

#[test]
fn every_replica_gets_each_request_in_order_with_its_crc() {
    let mut h = harness("replication", "replica_nodes = [4, 5, 6]\nport = 7100");
    for i in 0..20u8 {
        let req: Vec<u8> = (0..(10 + i)).map(|b| b.wrapping_mul(i)).collect();
        let out = h.exec(1, req.clone());
        assert_eq!(out.len(), 3);
        for (k, node) in [4u32, 5, 6].iter().enumerate() {
            assert_eq!(
                out[k].0,
                Endpoint::Network {
                    node: *node,
                    port: 7100
                }
            );
            let (seq, crc, body) = decode_replica_message(&out[k].1.payload).unwrap();
            assert_eq!(seq, u64::from(i));
            assert_eq!(body, &req[..]);
            assert_eq!(crc, crc32(&req));
        }
    }
}

#[test]
fn empty_request_is_refused_and_sends_nothing() {
    let mut h = harness("replication", "");
    let (r, _, out) = h.exec_at(1, Vec::new(), 1_000);
    assert!(r.is_err());
    assert!(out.is_empty());
}
