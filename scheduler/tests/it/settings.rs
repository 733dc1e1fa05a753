//! The `[scheduler]` table of a scenario: defaults, overrides, unknown keys and bad
//! values rejected with the key named, and the runtime refusing invalid settings.

use scheduler::{PolicyKind, Runtime, RuntimeError, SchedulerSettings, SettingsError, TailMode};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    #[serde(default)]
    scheduler: SchedulerSettings,
}

#[test]
fn scenario_table_overrides_defaults() {
    let s: Scenario = toml::from_str(
        r#"
        [scheduler]
        policy = "static"
        static_host_actors = ["kv"]
        tail_mode = "mean_plus_3sigma"
        tail_thresh_ns = 40000
        "#,
    )
    .unwrap();
    let s = s.scheduler;
    assert_eq!(s.policy, PolicyKind::Static);
    assert_eq!(s.static_host_actors, vec!["kv".to_string()]);
    assert_eq!(s.tail_mode, TailMode::MeanPlus3Sigma);
    assert_eq!(s.tail_thresh_ns, 40_000);
    assert_eq!(
        s.mean_thresh_ns,
        SchedulerSettings::default().mean_thresh_ns
    );
    s.validate().unwrap();
    let missing: Scenario = toml::from_str("").unwrap();
    assert_eq!(missing.scheduler, SchedulerSettings::default());
}

#[test]
fn unknown_key_and_unknown_policy_are_errors_naming_them() {
    let err = toml::from_str::<Scenario>("[scheduler]\nquantum_ns = 5").unwrap_err();
    assert!(err.to_string().contains("quantum_ns"), "{err}");
    let err = toml::from_str::<Scenario>("[scheduler]\npolicy = \"lottery\"").unwrap_err();
    assert!(err.to_string().contains("lottery"), "{err}");
}

#[test]
fn runtime_refuses_invalid_settings() {
    let bad = SchedulerSettings {
        watchdog_ns: 0,
        ..SchedulerSettings::default()
    };
    match Runtime::new(bad, 4, 2) {
        Err(RuntimeError::Settings(SettingsError::MustBePositive { key, .. })) => {
            assert_eq!(key, "watchdog_ns")
        }
        other => panic!("expected a settings error, got {:?}", other.err()),
    }
    assert!(matches!(
        Runtime::new(SchedulerSettings::default(), 0, 2),
        Err(RuntimeError::NoCores { .. })
    ));
}
