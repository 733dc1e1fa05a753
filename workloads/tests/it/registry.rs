//! The registry builds every kind from defaults, rejects unknown kinds and keys with clear errors, and its generators are deterministic.

use crate::common::Harness;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use workloads::actors::{build_actor, gen_request, ActorKind, RegistryError};

#[test]
fn every_kind_builds_and_serves_its_own_generated_traffic() {
    for kind in ActorKind::ALL {
        let actor = build_actor(kind.name(), &toml::Table::new()).expect("defaults build");
        assert_eq!(actor.name(), kind.name());
        let mut h = Harness::new(actor);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        for i in 0..50 {
            let r = gen_request(kind, &mut rng);
            let (res, took, _) = h.exec_at(r.kind, r.payload, 10_000 * (i + 1));
            res.unwrap_or_else(|e| panic!("{kind}: request {i} failed: {e}"));
            assert!(took.as_ps() > 0, "{kind} charged nothing");
        }
    }
}

#[test]
fn unknown_kind_names_the_valid_ones() {
    let err = build_actor("top_rankr", &toml::Table::new())
        .err()
        .expect("rejected");
    assert!(matches!(err, RegistryError::UnknownKind { .. }));
    let msg = err.to_string();
    for k in ActorKind::ALL {
        assert!(msg.contains(k.name()), "{msg}");
    }
}

#[test]
fn unknown_keys_and_bad_values_are_errors() {
    let t: toml::Table = toml::from_str("replicas = 3").unwrap();
    let msg = build_actor("replication", &t)
        .err()
        .expect("unknown key rejected")
        .to_string();
    assert!(
        msg.contains("replicas") && msg.contains("replication"),
        "{msg}"
    );
    let t: toml::Table = toml::from_str("table_size = 65536").unwrap();
    let msg = build_actor("load_balancer", &t)
        .err()
        .expect("non-prime rejected")
        .to_string();
    assert!(msg.contains("table_size"), "{msg}");
    let t: toml::Table = toml::from_str("n = \"ten\"").unwrap();
    assert!(matches!(
        build_actor("top_ranker", &t),
        Err(RegistryError::BadConfig { .. })
    ));
}

#[test]
fn generators_are_deterministic_per_seed() {
    for kind in ActorKind::ALL {
        let draw = |seed| {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
            (0..20)
                .map(|_| gen_request(kind, &mut rng))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(42), draw(42), "{kind}");
        assert_ne!(draw(42), draw(43), "{kind} ignores its seed");
    }
}

#[test]
fn default_configs_round_trip_through_the_registry() {
    for kind in ActorKind::ALL {
        let t = kind.default_config();
        assert!(!t.is_empty(), "{kind} has documented defaults");
        build_actor(kind.name(), &t).unwrap_or_else(|e| panic!("{kind}: {e}"));
    }
}
