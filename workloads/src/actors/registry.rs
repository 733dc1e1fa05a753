//! The actor registry: kind names to constructors (with their TOML config tables) and to request generators.

use super::{
    firewall, fixed_cost, flow_classifier, flow_monitor, kv_cache, load_balancer, rate_limiter,
    replication, top_ranker, variable_cost, ConfigError, Request,
};
use rand::Rng;
use scheduler::Actor;
use serde::de::DeserializeOwned;
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// Every actor kind the registry knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActorKind {
    Replication,
    LoadBalancer,
    TopRanker,
    FlowClassifier,
    FlowMonitor,
    Firewall,
    RateLimiter,
    KvCache,
    FixedCost,
    VariableCost,
}

impl ActorKind {
    /// All kinds, in a fixed order.
    pub const ALL: [ActorKind; 10] = [
        ActorKind::Replication,
        ActorKind::LoadBalancer,
        ActorKind::TopRanker,
        ActorKind::FlowClassifier,
        ActorKind::FlowMonitor,
        ActorKind::Firewall,
        ActorKind::RateLimiter,
        ActorKind::KvCache,
        ActorKind::FixedCost,
        ActorKind::VariableCost,
    ];

    /// The kind's name in config files.
    pub fn name(self) -> &'static str {
        match self {
            ActorKind::Replication => "replication",
            ActorKind::LoadBalancer => "load_balancer",
            ActorKind::TopRanker => "top_ranker",
            ActorKind::FlowClassifier => "flow_classifier",
            ActorKind::FlowMonitor => "flow_monitor",
            ActorKind::Firewall => "firewall",
            ActorKind::RateLimiter => "rate_limiter",
            ActorKind::KvCache => "kv_cache",
            ActorKind::FixedCost => "fixed_cost",
            ActorKind::VariableCost => "variable_cost",
        }
    }

    /// The documented default config of this kind, as a TOML table (for `list`-style output).
    pub fn default_config(self) -> toml::Table {
        fn table<T: serde::Serialize + Default>() -> toml::Table {
            toml::Table::try_from(T::default()).unwrap_or_default()
        }
        use ActorKind as K;
        match self {
            K::Replication => table::<replication::ReplicationConfig>(),
            K::LoadBalancer => table::<load_balancer::LoadBalancerConfig>(),
            K::TopRanker => table::<top_ranker::TopRankerConfig>(),
            K::FlowClassifier => table::<flow_classifier::FlowClassifierConfig>(),
            K::FlowMonitor => table::<flow_monitor::FlowMonitorConfig>(),
            K::Firewall => table::<firewall::FirewallConfig>(),
            K::RateLimiter => table::<rate_limiter::RateLimiterConfig>(),
            K::KvCache => table::<kv_cache::KvCacheConfig>(),
            K::FixedCost => table::<fixed_cost::FixedCostConfig>(),
            K::VariableCost => table::<variable_cost::VariableCostConfig>(),
        }
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

fn config<T: DeserializeOwned>(kind: ActorKind, table: &toml::Table) -> Result<T, RegistryError> {
    toml::Value::Table(table.clone())
        .try_into()
        .map_err(|e: toml::de::Error| RegistryError::BadConfig {
            kind,
            message: e.message().to_string(),
        })
}

fn boxed<A: Actor + 'static>(
    kind: ActorKind,
    r: Result<A, ConfigError>,
) -> Result<Box<dyn Actor>, RegistryError> {
    r.map(|a| Box::new(a) as Box<dyn Actor>)
        .map_err(|source| RegistryError::Invalid { kind, source })
}

/// Builds an actor of `kind` (a name such as `"top_ranker"`) from its config table
/// (an empty table gives the documented defaults).
pub fn build_actor(kind: &str, table: &toml::Table) -> Result<Box<dyn Actor>, RegistryError> {
    build_actor_of(kind.parse()?, table)
}

/// [`build_actor`] with a typed kind.
pub fn build_actor_of(kind: ActorKind, t: &toml::Table) -> Result<Box<dyn Actor>, RegistryError> {
    use ActorKind as K;
    match kind {
        K::Replication => boxed(kind, replication::Replication::new(config(kind, t)?)),
        K::LoadBalancer => boxed(kind, load_balancer::LoadBalancer::new(config(kind, t)?)),
        K::TopRanker => boxed(kind, top_ranker::TopRanker::new(config(kind, t)?)),
        K::FlowClassifier => boxed(kind, flow_classifier::FlowClassifier::new(config(kind, t)?)),
        K::FlowMonitor => boxed(kind, flow_monitor::FlowMonitor::new(config(kind, t)?)),
        K::Firewall => boxed(kind, firewall::Firewall::new(config(kind, t)?)),
        K::RateLimiter => boxed(kind, rate_limiter::RateLimiter::new(config(kind, t)?)),
        K::KvCache => boxed(kind, kv_cache::KvCache::new(config(kind, t)?)),
        K::FixedCost => boxed(kind, fixed_cost::FixedCost::new(config(kind, t)?)),
        K::VariableCost => boxed(kind, variable_cost::VariableCost::new(config(kind, t)?)),
    }
}

/// One request for an actor of `kind` with default config, drawn from `rng` (deterministic for a seeded RNG).
pub fn gen_request<R: Rng + ?Sized>(kind: ActorKind, rng: &mut R) -> Request {
    use ActorKind as K;
    match kind {
        K::Replication => replication::gen_request(rng),
        K::LoadBalancer => load_balancer::gen_request(rng),
        K::TopRanker => top_ranker::gen_request(rng),
        K::FlowClassifier => flow_classifier::gen_request(rng),
        K::FlowMonitor => flow_monitor::gen_request(rng),
        K::Firewall => firewall::gen_request(rng),
        K::RateLimiter => rate_limiter::gen_request(rng),
        K::KvCache => kv_cache::gen_request(rng),
        K::FixedCost => fixed_cost::gen_request(rng),
        K::VariableCost => variable_cost::gen_request(rng),
    }
}
