//! The firewall forwards exactly what its first matching rule allows and drops the rest.

use crate::common::harness;
use scheduler::Endpoint;
use workloads::actors::wire::{FlowKey, PacketDesc, PROTO_TCP, PROTO_UDP};

fn pkt(src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16, proto: u8) -> Vec<u8> {
    let key = FlowKey {
        src_ip: src.into(),
        dst_ip: dst.into(),
        src_port: sport,
        dst_port: dport,
        protocol: proto,
    };
    PacketDesc {
        key,
        len_bytes: 200,
    }
    .encode()
}

#[test]
fn default_rules_allow_and_deny_as_written() {
    let mut h = harness("firewall", "forward_node = 77");
    let cases = [
        (pkt([1, 2, 3, 4], [5, 6, 7, 8], 5000, 23, PROTO_TCP), false), // rule 0: telnet
        (
            pkt([10, 66, 1, 1], [5, 6, 7, 8], 5000, 80, PROTO_TCP),
            false,
        ), // rule 1 beats rule 2
        (pkt([1, 2, 3, 4], [5, 6, 7, 8], 5000, 80, PROTO_TCP), true),  // rule 2
        (pkt([1, 2, 3, 4], [5, 6, 7, 8], 5000, 443, PROTO_TCP), true), // rule 3
        (pkt([1, 2, 3, 4], [5, 6, 7, 8], 5000, 53, PROTO_UDP), true),  // rule 4
        (pkt([1, 2, 3, 4], [5, 6, 7, 8], 5000, 53, PROTO_TCP), false), // default
        (
            pkt([10, 1, 1, 1], [192, 168, 0, 9], 5000, 3000, PROTO_TCP),
            true,
        ), // rule 5
        (
            pkt([10, 1, 1, 1], [192, 168, 1, 9], 5000, 3000, PROTO_TCP),
            false,
        ), // dst outside /24
        (
            pkt([10, 1, 1, 1], [192, 168, 0, 9], 5000, 1000, PROTO_TCP),
            false,
        ), // port below range
    ];
    for (i, (p, allowed)) in cases.iter().enumerate() {
        let out = h.exec(1, p.clone());
        assert_eq!(out.len(), usize::from(*allowed), "case {i}");
        if *allowed {
            assert_eq!(out[0].0, Endpoint::Network { node: 77, port: 0 });
            assert_eq!(&out[0].1.payload, p);
        }
    }
}

#[test]
fn custom_rules_first_match_wins_and_bad_rules_are_named() {
    let cfg = r#"
default_action = "allow"
rules = [
  { src = "172.16.0.0/12", dport = "1000-2000", proto = "udp", action = "allow" },
  { src = "172.16.0.0/12", action = "deny" },
]
"#;
    let mut h = harness("firewall", cfg);
    assert_eq!(
        h.exec(1, pkt([172, 20, 0, 1], [1, 1, 1, 1], 9, 1500, PROTO_UDP))
            .len(),
        1
    );
    assert_eq!(
        h.exec(1, pkt([172, 20, 0, 1], [1, 1, 1, 1], 9, 2001, PROTO_UDP))
            .len(),
        0
    );
    assert_eq!(
        h.exec(1, pkt([172, 32, 0, 1], [1, 1, 1, 1], 9, 2001, PROTO_UDP))
            .len(),
        1
    );
    let bad: toml::Table =
        toml::from_str("rules = [ { src = \"10.0.0.0/40\", action = \"deny\" } ]").unwrap();
    let err = workloads::actors::build_actor("firewall", &bad)
        .err()
        .expect("rejected")
        .to_string();
    assert!(err.contains("rules[0].src"), "{err}");
}
