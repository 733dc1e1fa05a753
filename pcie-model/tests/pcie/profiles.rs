//! Profiles: TOML tables parse, unknown keys and bad values are refused naming the key, defaults sit in the paper's ranges.

use pcie_model::{DmaProfile, PcieLinkProfile, PcieProfiles, ProfileError, RdmaProfile};

#[test]
fn defaults_are_valid_and_within_the_papers_ranges() {
    let p = PcieLinkProfile::default();
    p.validate().unwrap();
    DmaProfile::default().validate().unwrap();
    RdmaProfile::default().validate().unwrap();
    // Calibration [pcie]: 7.87 GB/s, 500..2000 ns (a DMA round trip), 20..28 B.
    assert!((p.raw_gbytes_per_s() - 7.877).abs() < 0.001);
    assert!((500.0..=2000.0).contains(&(2.0 * p.one_way_latency_ns)));
    assert!((20..=28).contains(&p.tlp_overhead_bytes));
    // Table 2: host DRAM 62.2 ns.
    assert_eq!(p.host_dram_ns, 62.2);
}

#[test]
fn a_nic_profile_fragment_parses() {
    let text = r#"
        [pcie]
        lanes = 16
        one_way_latency_ns = 800.0
        [dma]
        queue_depth = 32
        [rdma]
        post_overhead_ns = 250.0
    "#;
    let p: PcieProfiles = toml::from_str(text).unwrap();
    assert_eq!(p.pcie.lanes, 16);
    assert_eq!(p.pcie.max_payload_bytes, 256);
    assert_eq!(p.dma.queue_depth, 32);
    assert_eq!(p.rdma.as_ref().unwrap().post_overhead_ns, 250.0);
    p.validate().unwrap();
    // No [rdma] table: an on-path NIC.
    let p: PcieProfiles = toml::from_str("[dma]\nengines = 4\n").unwrap();
    assert!(p.rdma.is_none());
}

#[test]
fn defaults_round_trip_through_toml() {
    let p = PcieProfiles::bluefield_1m332a();
    let text = toml::to_string(&p).unwrap();
    let back: PcieProfiles = toml::from_str(&text).unwrap();
    assert_eq!(back, p);
}

#[test]
fn unknown_keys_are_refused_with_their_name() {
    let err = toml::from_str::<PcieProfiles>("[pcie]\nmax_payload = 256\n").unwrap_err();
    assert!(err.to_string().contains("max_payload"), "{err}");
    let err = toml::from_str::<PcieProfiles>("[dma]\nqueue_len = 3\n").unwrap_err();
    assert!(err.to_string().contains("queue_len"), "{err}");
}

#[test]
fn bad_values_name_the_table_and_key() {
    let mut p = PcieProfiles::liquidio_cn2350();
    p.pcie.max_payload_bytes = 200;
    let err = p.validate().unwrap_err();
    assert!(matches!(
        err,
        ProfileError::OutOfRange {
            table: "pcie",
            key: "max_payload_bytes",
            ..
        }
    ));
    assert!(
        err.to_string().contains("[pcie] max_payload_bytes = 200"),
        "{err}"
    );

    let mut p = PcieProfiles::liquidio_cn2350();
    p.dma.datapath_gbytes_per_s = 0.0;
    assert!(matches!(
        p.validate(),
        Err(ProfileError::OutOfRange {
            key: "datapath_gbytes_per_s",
            ..
        })
    ));

    let mut p = PcieProfiles::bluefield_1m332a();
    p.rdma.as_mut().unwrap().send_queue_depth = 0;
    assert!(matches!(
        p.validate(),
        Err(ProfileError::OutOfRange {
            table: "rdma",
            key: "send_queue_depth",
            ..
        })
    ));

    let mut p = PcieProfiles::liquidio_cn2350();
    p.pcie.one_way_latency_ns = f64::NAN;
    assert!(pcie_model::PcieSystem::new(&p).is_err());
}
