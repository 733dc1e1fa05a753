//! The actor registry: one table of kind descriptors (name, docs, constructor, default config, request generator).
//!
//! Adding an actor kind is one file and one table entry: write the actor's
//! file with a `pub static KIND: KindDescriptor` (see any actor), then add
//! one `Variant => module,` line to the `actor_kinds!` table below. The
//! `ActorKind` enum, `ActorKind::ALL`, name lookup, construction, default
//! configs and request generation all come from that table; nothing else
//! matches on kinds.

use super::{ConfigError, Request};

/// The random stream request generators draw from: every scenario stream
/// (`sim_core::SimRng`) is this type.
pub type RequestRng = rand_xoshiro::Xoshiro256PlusPlus;
use scheduler::Actor;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// Everything the registry knows about one actor kind.
pub struct KindDescriptor {
    /// The kind's name in config files (`kind = "..."`).
    pub name: &'static str,
    /// One line: the requests it accepts and what it sends.
    pub doc: &'static str,
    /// Builds an actor from its `config` table (empty = the documented defaults).
    pub build: fn(&toml::Table) -> Result<Box<dyn Actor>, BuildError>,
    /// The documented default config, as a TOML table.
    pub default_config: fn() -> toml::Table,
    /// One request for an actor with the default config (deterministic for a seeded RNG).
    /// The RNG is the concrete stream type, so each generator is compiled for
    /// it and its draws inline (a `dyn RngCore` cost one indirect call per
    /// draw on the request path). The `Vec` is a spare allocation the
    /// generator may build the payload in (contents unspecified; generators
    /// that build theirs another way drop it): the one-server source passes
    /// the buffers of finished requests, so a request allocates nothing.
    pub gen_request: fn(&mut RequestRng, Vec<u8>) -> Request,
    /// The kind's source file, relative to the workspace root (`file!()`), for
    /// texts that point at its constants (e.g. the basis of a Table 3 claim).
    pub source: &'static str,
}

/// Why a descriptor's constructor refused a config table (the registry adds the kind).
#[derive(Debug)]
pub enum BuildError {
    /// The table did not deserialize (unknown key, wrong type).
    BadConfig(String),
    /// It deserialized but a value is out of range.
    Invalid(ConfigError),
}

/// A `KindDescriptor::build` for an actor whose config type is `C`:
/// deserializes the table into `C` and calls `new`.
pub fn build_from<C: DeserializeOwned, A: Actor + 'static>(
    table: &toml::Table,
    new: fn(C) -> Result<A, ConfigError>,
) -> Result<Box<dyn Actor>, BuildError> {
    let cfg: C = toml::Value::Table(table.clone())
        .try_into()
        .map_err(|e: toml::de::Error| BuildError::BadConfig(e.message().to_string()))?;
    new(cfg)
        .map(|a| Box::new(a) as Box<dyn Actor>)
        .map_err(BuildError::Invalid)
}

/// A `KindDescriptor::default_config`: the config type's `Default` as a TOML table.
pub fn default_table<C: Serialize + Default>() -> toml::Table {
    toml::Table::try_from(C::default()).unwrap_or_default()
}

/// Generates `ActorKind` and its table lookups from one list of
/// `Variant => module` entries, each module holding a `KIND` descriptor.
macro_rules! actor_kinds {
    ($($variant:ident => $module:ident,)*) => {
        /// Every actor kind the registry knows, in table order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ActorKind {
            $(
                #[doc = concat!("`", stringify!($module), "`: see `", stringify!($module), "::KIND`.")]
                $variant,
            )*
        }

        impl ActorKind {
            /// All kinds, in table order.
            pub const ALL: [ActorKind; [$(stringify!($variant)),*].len()] =
                [$(ActorKind::$variant),*];

            /// The kind's descriptor.
            pub fn descriptor(self) -> &'static KindDescriptor {
                match self {
                    $(ActorKind::$variant => &super::$module::KIND,)*
                }
            }
        }
    };
}

// The one table of actor kinds.
actor_kinds! {
    Replication => replication,
    LoadBalancer => load_balancer,
    TopRanker => top_ranker,
    FlowClassifier => flow_classifier,
    FlowMonitor => flow_monitor,
    Firewall => firewall,
    RateLimiter => rate_limiter,
    KvCache => kv_cache,
    FixedCost => fixed_cost,
    VariableCost => variable_cost,
    RtaFilter => rta_filter,
    RtaCounter => rta_counter,
    RtaRanker => rta_ranker,
    DtCoordinator => dt_coordinator,
    DtParticipant => dt_participant,
    DtLog => dt_log,
    RkvReplica => rkv_replica,
    RkvMemtable => rkv_memtable,
    RkvSstable => rkv_sstable,
}

impl ActorKind {
    /// The kind's name in config files.
    pub fn name(self) -> &'static str {
        self.descriptor().name
    }

    /// One line: the requests it accepts and what it sends.
    pub fn doc(self) -> &'static str {
        self.descriptor().doc
    }

    /// The kind's source file, relative to the workspace root.
    pub fn source(self) -> &'static str {
        self.descriptor().source
    }

    /// The documented default config of this kind, as a TOML table (for `list`-style output).
    pub fn default_config(self) -> toml::Table {
        (self.descriptor().default_config)()
    }

    /// The valid names, comma separated (for error messages).
    pub fn valid_names() -> String {
        Self::ALL.map(ActorKind::name).join(", ")
    }
}

impl fmt::Display for ActorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ActorKind {
    type Err = RegistryError;
    fn from_str(s: &str) -> Result<ActorKind, RegistryError> {
        ActorKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| RegistryError::UnknownKind {
                kind: s.to_string(),
                valid: ActorKind::valid_names(),
            })
    }
}

/// Why an actor could not be built.
#[derive(Debug, Error)]
pub enum RegistryError {
    /// The kind name is not one of the registry's.
    #[error("unknown actor kind `{kind}`; valid kinds are: {valid}")]
    UnknownKind { kind: String, valid: String },
    /// The config table did not deserialize (unknown key, wrong type).
    #[error("config of actor kind `{kind}`: {message}")]
    BadConfig { kind: ActorKind, message: String },
    /// The config deserialized but a value is out of range.
    #[error("config of actor kind `{kind}`: {source}")]
    Invalid {
        kind: ActorKind,
        #[source]
        source: ConfigError,
    },
}

/// Builds an actor of `kind` (a name such as `"top_ranker"`) from its config table
/// (an empty table gives the documented defaults).
pub fn build_actor(kind: &str, table: &toml::Table) -> Result<Box<dyn Actor>, RegistryError> {
    build_actor_of(kind.parse()?, table)
}

/// [`build_actor`] with a typed kind.
pub fn build_actor_of(kind: ActorKind, t: &toml::Table) -> Result<Box<dyn Actor>, RegistryError> {
    (kind.descriptor().build)(t).map_err(|e| match e {
        BuildError::BadConfig(message) => RegistryError::BadConfig { kind, message },
        BuildError::Invalid(source) => RegistryError::Invalid { kind, source },
    })
}

/// One request for an actor of `kind` with default config, drawn from `rng` (deterministic for a seeded RNG).
pub fn gen_request(kind: ActorKind, rng: &mut RequestRng) -> Request {
    (kind.descriptor().gen_request)(rng, Vec::new())
}

/// [`gen_request`] building the payload in `spare` where the kind's
/// generator can (its contents are overwritten): the same request, drawn
/// the same way, without an allocation per request.
#[inline]
pub fn gen_request_into(kind: ActorKind, rng: &mut RequestRng, spare: Vec<u8>) -> Request {
    (kind.descriptor().gen_request)(rng, spare)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_table_is_consistent() {
        let mut names: Vec<&str> = ActorKind::ALL.iter().map(|k| k.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ActorKind::ALL.len(), "kind names are unique");
        for kind in ActorKind::ALL {
            assert_eq!(kind.name().parse::<ActorKind>().unwrap(), kind);
            assert!(!kind.doc().is_empty(), "{kind}: document its requests");
            // The documented default config builds an actor.
            build_actor_of(kind, &kind.default_config())
                .unwrap_or_else(|e| panic!("{kind}: default config: {e}"));
        }
        assert!("nobody".parse::<ActorKind>().is_err());
    }

    #[test]
    fn every_kind_names_its_own_source_file() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for kind in ActorKind::ALL {
            let src = kind.descriptor().source;
            let text = std::fs::read_to_string(root.join(src))
                .unwrap_or_else(|e| panic!("{kind}: {src}: {e}"));
            assert!(
                text.contains(&format!("name: \"{}\",", kind.name())),
                "{kind}: {src} does not hold its descriptor"
            );
        }
    }

    #[test]
    fn generating_through_the_table_draws_what_the_actor_file_draws() {
        let mut a = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        let mut b = a.clone();
        for _ in 0..16 {
            assert_eq!(
                gen_request(ActorKind::TopRanker, &mut a),
                super::super::top_ranker::gen_request(&mut b)
            );
        }
    }

    #[test]
    fn generating_into_a_spare_buffer_gives_the_same_requests_and_draws() {
        use rand::RngCore;
        for kind in ActorKind::ALL {
            let mut a = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
            let mut b = a.clone();
            for i in 0..8 {
                // a used buffer, longer than any payload, with stale bytes
                let spare = vec![0xA5u8; 100 + i];
                assert_eq!(
                    gen_request_into(kind, &mut a, spare),
                    gen_request(kind, &mut b),
                    "{kind}"
                );
            }
            assert_eq!(a.next_u64(), b.next_u64(), "{kind}: streams stay in step");
        }
    }

    #[test]
    fn random_bytes_take_one_u64_draw_per_eight_bytes() {
        use rand::RngCore;
        let mut a = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let mut b = a.clone();
        for len in [0, 8, 64, 200] {
            let bulk = super::super::fixed_cost::random_bytes(&mut a, len);
            let words: Vec<u8> = (0..len / 8)
                .flat_map(|_| b.next_u64().to_le_bytes())
                .collect();
            assert_eq!(bulk, words, "len {len}");
        }
        assert_eq!(a.next_u64(), b.next_u64(), "streams stay in step");
        // a short remainder takes one more draw, not one per byte
        let (mut c, mut d) = (a.clone(), a.clone());
        let odd = super::super::fixed_cost::random_bytes(&mut c, 3);
        assert_eq!(odd[..], d.next_u32().to_le_bytes()[..3]);
        assert_eq!(c.next_u64(), d.next_u64());
    }
}
