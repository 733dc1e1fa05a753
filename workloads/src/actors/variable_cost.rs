//! Variable-cost synthetic actor: the request payload says how long it costs, clamped to a bounded range (2..71 us).
//!
//! For scheduling studies with high service-time dispersion (DRR territory in
//! iPipe's hybrid scheduler). The first 4 payload bytes are the requested cost
//! in ns (little-endian); the actor clamps it to `[min_ns, max_ns]`. A payload
//! shorter than 4 bytes costs a value derived from its hash, so any traffic
//! is deterministic. The default range spans the offloaded tasks of Table 3
//! of iPipe: 2 us (load balancer) to 71 us (flow classifier).

use super::registry::{build_from, default_table, KindDescriptor};
use super::synthetic::SyntheticBody;
use super::wire::{fnv1a64, get_u32};
use super::{kinds, ConfigError, Request};
use rand::Rng;
use serde::Deserialize;

/// Configuration of [`VariableCost`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VariableCostConfig {
    /// Lowest cost, ns. Default 2000 (Table 3 of iPipe: ~2 us tasks).
    pub min_ns: u64,
    /// Highest cost, ns. Default 71000 (Table 3 of iPipe: flow classifier).
    pub max_ns: u64,
    /// Clock the cost is converted to cycles at, MHz. Default 1200 (LiquidIO CN2350).
    pub core_freq_mhz: u64,
    /// Whether to reply (8-byte request id echo) to the sender. Default true.
    pub reply: bool,
}

impl Default for VariableCostConfig {
    fn default() -> Self {
        VariableCostConfig {
            min_ns: 2_000,
            max_ns: 71_000,
            core_freq_mhz: 1_200,
            reply: true,
        }
    }
}

/// Charges the payload-requested cost, clamped to a range.
#[derive(Debug)]
pub struct VariableCost {
    cfg: VariableCostConfig,
    /// State line and handler shared with the other synthetic actor.
    body: SyntheticBody,
}

impl VariableCost {
    /// A variable-cost actor; errors unless `0 < min_ns <= max_ns <= 1 s` and the clock is non-zero.
    pub fn new(cfg: VariableCostConfig) -> Result<VariableCost, ConfigError> {
        if cfg.min_ns == 0 || cfg.min_ns > cfg.max_ns || cfg.max_ns > 1_000_000_000 {
            return Err(ConfigError::new(
                "min_ns",
                "need 0 < min_ns <= max_ns <= 1e9 (defaults 2000 and 71000)",
            ));
        }
        if cfg.core_freq_mhz == 0 {
            return Err(ConfigError::new(
                "core_freq_mhz",
                "must be non-zero (default 1200)",
            ));
        }
        Ok(VariableCost {
            cfg,
            body: SyntheticBody::default(),
        })
    }

    /// Cost in ns this actor charges for a payload.
    #[inline]
    pub fn cost_ns_for(&self, payload: &[u8]) -> u64 {
        let wanted = match get_u32(payload, 0) {
            Ok(ns) => u64::from(ns),
            Err(_) => self.cfg.min_ns + fnv1a64(payload) % (self.cfg.max_ns - self.cfg.min_ns + 1),
        };
        wanted.clamp(self.cfg.min_ns, self.cfg.max_ns)
    }
}

super::synthetic::synthetic_actor!(VariableCost, "variable_cost");

/// Encodes a request asking for `cost_ns`.
pub fn encode_request(cost_ns: u32) -> Request {
    encode_request_into(cost_ns, Vec::new())
}

/// [`encode_request`] with the payload written into `spare` (contents replaced).
pub fn encode_request_into(cost_ns: u32, mut spare: Vec<u8>) -> Request {
    spare.clear();
    spare.extend_from_slice(&cost_ns.to_le_bytes());
    Request {
        kind: kinds::REQUEST,
        payload: spare,
    }
}

/// A request whose cost is log-uniform over 2..71 us (high dispersion: the median is
/// ~12 us, the mean ~19 us, the max 35x the min).
pub fn gen_request<R: Rng + ?Sized>(rng: &mut R) -> Request {
    gen_request_into(rng, Vec::new())
}

/// [`gen_request`] with the payload built in `spare` (contents overwritten).
pub fn gen_request_into<R: Rng + ?Sized>(rng: &mut R, spare: Vec<u8>) -> Request {
    let (lo, hi) = (2_000f64.ln(), 71_000f64.ln());
    // `round_to_u64` is `round` without the libm call (exact: see there)
    let ns = nic_models::compute::round_to_u64(rng.gen_range(lo..=hi).exp()) as u32;
    encode_request_into(ns.clamp(2_000, 71_000), spare)
}

/// This kind's entry in the actor registry (`registry::actor_kinds!`).
pub static KIND: KindDescriptor = KindDescriptor {
    name: "variable_cost",
    doc: "REQUEST, `[cost_ns u32]`; replies the request id u64 to the sender (REPLY) if `reply`",
    build: |table| build_from(table, VariableCost::new),
    default_config: default_table::<VariableCostConfig>,
    gen_request: |rng, spare| gen_request_into(rng, spare),
    source: file!(),
};
