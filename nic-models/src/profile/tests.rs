//! Tests of NIC profiles: built-ins parse, unknown keys and names are reported, PCIe tables default by kind, line rates.

use super::*;

#[test]
fn every_builtin_parses() {
    for name in builtin_names() {
        let p = NicProfile::builtin(name).unwrap_or_else(|| panic!("built-in {name} must parse"));
        assert_eq!(p.name, name);
    }
}

#[test]
fn unknown_key_is_reported_with_its_line() {
    let text = include_str!("../../../configs/nics/liquidio_cn2350.toml")
        .replace("cores = 12", "cores = 12\ncorez = 3");
    let err = NicProfile::from_toml_str(&text, "x.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("corez"), "{err}");
    assert!(err.starts_with("x.toml:"), "{err}");
}

#[test]
fn pcie_tables_default_by_kind_and_can_be_overridden() {
    let base = include_str!("../../../configs/nics/liquidio_cn2350.toml");
    let p = NicProfile::from_toml_str(base, "x").unwrap();
    assert!(
        p.pcie_profiles().rdma.is_none(),
        "on-path NICs have no RDMA path"
    );
    let custom = base.replace("[pcie]\n", "[pcie]\none_way_latency_ns = 1500.0\n");
    let p = NicProfile::from_toml_str(&custom, "x").unwrap();
    assert_eq!(p.pcie_profiles().pcie.one_way_latency_ns, 1500.0);
    let bad = base.replace("[pcie]\n", "[pcie]\nmax_payload_bytes = 200\n");
    let err = NicProfile::from_toml_str(&bad, "x")
        .unwrap_err()
        .to_string();
    assert!(err.contains("max_payload_bytes"), "{err}");
}

#[test]
fn line_rate_counts_preamble_and_gap() {
    let p = NicProfile::builtin("liquidio_cn2350").unwrap();
    // 10 Gb/s, 256 B frames + 20 B on the wire: 4.529 Mpps.
    assert!((p.line_rate_pps(256) - 4_528_985.5).abs() < 1.0);
    assert!((p.line_rate_gbps(256) - 9.2754).abs() < 1e-3);
}

#[test]
fn unknown_name_lists_the_builtins() {
    let err = NicProfile::resolve("bluefeld", Path::new("."))
        .unwrap_err()
        .to_string();
    assert!(err.contains("liquidio_cn2350"), "{err}");
}
