//! Tests of the runtime settings: defaults, bounds and the errors for bad values.

use super::*;

#[test]
fn defaults_are_valid() {
    SchedulerSettings::default().validate().unwrap();
}

#[test]
fn empty_table_gives_defaults_and_keys_override() {
    let s: SchedulerSettings = toml::from_str("").unwrap();
    assert_eq!(s, SchedulerSettings::default());
    let s: SchedulerSettings =
        toml::from_str("policy = \"drr\"\ntail_mode = \"mean_plus_3sigma\"\ndrr_quantum_ns = 7000")
            .unwrap();
    assert_eq!(s.policy, PolicyKind::Drr);
    assert_eq!(s.tail_mode, TailMode::MeanPlus3Sigma);
    assert_eq!(s.drr_quantum_ns, 7000);
}

#[test]
fn unknown_keys_are_rejected() {
    let err = toml::from_str::<SchedulerSettings>("tail_thresh = 5").unwrap_err();
    assert!(err.to_string().contains("tail_thresh"), "{err}");
}

#[test]
fn bad_values_name_the_key() {
    let s = SchedulerSettings {
        drr_quantum_ns: 0,
        ..Default::default()
    };
    let err = s.validate().unwrap_err();
    assert!(err.to_string().contains("drr_quantum_ns"));
    let s = SchedulerSettings {
        upgrade_alpha: 1.5,
        ..Default::default()
    };
    assert!(matches!(
        s.validate(),
        Err(SettingsError::OutOfRange {
            key: "upgrade_alpha",
            ..
        })
    ));
    let s = SchedulerSettings {
        static_host_actors: vec!["a".into()],
        static_drr_actors: vec!["a".into()],
        ..Default::default()
    };
    assert!(matches!(
        s.validate(),
        Err(SettingsError::StaticConflict { .. })
    ));
}

#[test]
fn core_counts_beyond_the_nic_and_unknown_static_names_are_refused() {
    let s = SchedulerSettings {
        static_drr_cores: 99,
        ..Default::default()
    };
    s.validate().unwrap();
    let err = s.validate_for(12, &[]).unwrap_err();
    assert_eq!(err.key(), "static_drr_cores");
    assert!(err.fix().contains("at most 12"), "{}", err.fix());
    let s = SchedulerSettings {
        min_fcfs_cores: 13,
        ..Default::default()
    };
    assert_eq!(s.validate_for(12, &[]).unwrap_err().key(), "min_fcfs_cores");
    s.validate_for(13, &[]).unwrap();
    let s = SchedulerSettings {
        static_host_actors: vec!["nobody".into()],
        ..Default::default()
    };
    let err = s.validate_for(12, &["a"]).unwrap_err();
    assert_eq!(err.key(), "static_host_actors");
    s.validate_for(12, &["nobody"]).unwrap();
}
