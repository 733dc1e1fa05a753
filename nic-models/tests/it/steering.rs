//! Off-path steering: the embedded switch sends some flows to the host and others to the NIC cores, by rule.

use std::net::Ipv4Addr;

use nic_models::switch::SwitchConfig;
use nic_models::{EmbeddedSwitch, FlowKey, NicProfile, Steering};

/// A UDP flow to 10.0.0.1 and the switch port its packets enter on.
fn flow(src: [u8; 4], src_port: u16, dst_port: u16, ingress_port: u8) -> (FlowKey, u8) {
    let key = FlowKey {
        src_ip: Ipv4Addr::from(src),
        dst_ip: Ipv4Addr::new(10, 0, 0, 1),
        src_port,
        dst_port,
        protocol: 17,
    };
    (key, ingress_port)
}

fn steer(sw: &mut EmbeddedSwitch, (key, ingress_port): (FlowKey, u8)) -> Steering {
    sw.steer(&key, ingress_port)
}

const RULES: &str = r#"
default = "host"

[[rules]]
name = "admin-to-host"
src_ip = "10.0.0.9"
to = "host"

[[rules]]
name = "kv-to-nic"
dst_port = 11211
to = "nic_cores"
cores = [0, 1, 2, 3]

[[rules]]
name = "port1-drop"
ingress_port = 1
to = "drop"
"#;

#[test]
fn rules_send_some_flows_to_the_host_and_others_to_nic_cores() {
    let cfg: SwitchConfig = toml::from_str(RULES).unwrap();
    let mut sw = EmbeddedSwitch::new(cfg, 8).unwrap();
    let mut cores_seen = std::collections::BTreeSet::new();
    for client in 0..64u16 {
        let kv = flow([10, 0, 1, (client % 250) as u8], 40_000 + client, 11211, 0);
        match steer(&mut sw, kv) {
            Steering::NicCore(c) => {
                assert!(c < 4, "rule limits kv flows to cores 0..3, got {c}");
                cores_seen.insert(c);
                // The same flow always lands on the same core.
                assert_eq!(steer(&mut sw, kv), Steering::NicCore(c));
            }
            other => panic!("kv flow went to {other:?}"),
        }
        let web = flow([10, 0, 1, 7], 40_000 + client, 80, 0);
        assert_eq!(
            steer(&mut sw, web),
            Steering::Host,
            "unmatched flows take the default"
        );
    }
    assert!(
        cores_seen.len() >= 3,
        "flows spread over the rule's cores: {cores_seen:?}"
    );
    // First match wins: the admin host's kv traffic goes to the host.
    assert_eq!(
        steer(&mut sw, flow([10, 0, 0, 9], 5, 11211, 0)),
        Steering::Host
    );
    assert_eq!(
        steer(&mut sw, flow([10, 0, 1, 1], 5, 80, 1)),
        Steering::Drop
    );
    assert_eq!(sw.rule_hits(), &[1, 128, 1]);
    assert_eq!(sw.default_hits(), 64);
}

#[test]
fn rules_naming_missing_cores_are_rejected() {
    let mut cfg: SwitchConfig = toml::from_str(RULES).unwrap();
    cfg.rules[1].cores = vec![0, 9];
    let err = EmbeddedSwitch::new(cfg, 8).unwrap_err().to_string();
    assert!(
        err.contains("switch.rules[1].cores") && err.contains("core 9"),
        "{err}"
    );
}

#[test]
fn off_path_profiles_default_to_nic_cores_and_on_path_profiles_refuse_a_switch() {
    let p = NicProfile::builtin("stingray_ps225").unwrap();
    let mut sw = EmbeddedSwitch::new(p.switch.clone().unwrap(), p.cores).unwrap();
    assert!(matches!(steer(&mut sw, flow([1, 2, 3, 4], 1, 2, 0)), Steering::NicCore(c) if c < 8));

    let text = include_str!("../../../configs/nics/liquidio_cn2350.toml").to_string()
        + "\n[switch]\ndefault = \"host\"\n";
    let err = NicProfile::from_toml_str(&text, "cn.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("switch") && err.contains("on-path"), "{err}");
}
