//! Fixed-cost synthetic actor: charges about `cost_ns` of compute per request with a small, payload-driven jitter.
//!
//! For scheduling studies with low service-time dispersion (FCFS territory in
//! iPipe's hybrid scheduler). The jitter is a deterministic function of the
//! payload bytes, so the same traffic always costs the same. The cost is
//! charged as cycles at `core_freq_mhz`, so it holds on the core it was sized
//! for; a faster core runs it proportionally faster.

use super::registry::{build_from, default_table, KindDescriptor};
use super::synthetic::SyntheticBody;
use super::wire::fnv1a64;
use super::{kinds, ConfigError, Request};
use rand::Rng;
use serde::Deserialize;

/// Configuration of [`FixedCost`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FixedCostConfig {
    /// Mean cost per request, ns. Default 2000 (the ~2 us of replication and load balancing, Table 3 of iPipe).
    pub cost_ns: u64,
    /// Uniform jitter, +- percent of `cost_ns`. Default 5.
    pub jitter_pct: u32,
    /// Clock the cost is converted to cycles at, MHz. Default 1200 (LiquidIO CN2350 core clock, iPipe section 2).
    pub core_freq_mhz: u64,
    /// Whether to reply (8-byte request id echo) to the sender. Default true.
    pub reply: bool,
}

impl Default for FixedCostConfig {
    fn default() -> Self {
        FixedCostConfig {
            cost_ns: 2_000,
            jitter_pct: 5,
            core_freq_mhz: 1_200,
            reply: true,
        }
    }
}

/// Charges a near-constant cost per request.
#[derive(Debug)]
pub struct FixedCost {
    cfg: FixedCostConfig,
    /// State line and handler shared with the other synthetic actor.
    body: SyntheticBody,
}

impl FixedCost {
    /// A fixed-cost actor; errors on zero clock or jitter of 100% or more.
    pub fn new(cfg: FixedCostConfig) -> Result<FixedCost, ConfigError> {
        if cfg.jitter_pct >= 100 {
            return Err(ConfigError::new(
                "jitter_pct",
                "must be below 100 (default 5)",
            ));
        }
        if cfg.core_freq_mhz == 0 || cfg.cost_ns > 1_000_000_000 {
            return Err(ConfigError::new(
                "core_freq_mhz",
                "clock must be non-zero and cost_ns at most 1 s",
            ));
        }
        Ok(FixedCost {
            cfg,
            body: SyntheticBody::default(),
        })
    }

    /// Cost in ns this actor charges for a payload: the jitter is a hash of
    /// its first [`JITTER_SEED_BYTES`] bytes.
    ///
    /// Deliberate model change (issue 13): the hash covered the whole
    /// payload (64 bytes from the source, ~190 instructions a request,
    /// 3.5% of an actors_mix run); now only its first 8 bytes, which are
    /// as random (one `next_u64` draw of the source's). The jitter stays a
    /// deterministic, uniform function of the payload, but each request's
    /// value changed, so actors_mix, cluster_star and cluster_leaf_spine
    /// give other numbers for the same seed, within their seed-to-seed
    /// spread.
    #[inline]
    pub fn cost_ns_for(&self, payload: &[u8]) -> u64 {
        let span = 2 * u64::from(self.cfg.jitter_pct) * self.cfg.cost_ns / 100;
        let low = self.cfg.cost_ns - span / 2;
        let seed = &payload[..payload.len().min(JITTER_SEED_BYTES)];
        low + if span == 0 {
            0
        } else {
            fnv1a64(seed) % (span + 1)
        }
    }
}

/// Payload bytes the jitter of [`FixedCost::cost_ns_for`] is a hash of.
pub const JITTER_SEED_BYTES: usize = 8;

/// Cycles for `ns` at `mhz`, rounded to nearest.
pub fn ns_to_cycles(ns: u64, mhz: u64) -> u64 {
    (ns * mhz + 500) / 1_000
}

super::synthetic::synthetic_actor!(FixedCost, "fixed_cost");

/// Payload bytes of a generated request (what its frame carries).
pub const REQUEST_BYTES: usize = 64;

/// A 64-byte request whose first [`JITTER_SEED_BYTES`] bytes are random
/// (the seed of the actor's jitter) and the rest zero.
///
/// Deliberate draw change (issue 13): all 64 bytes were random (eight
/// `next_u64` draws a request, about 2.5% of an actors_mix run), although
/// the actor reads only the first 8 since its jitter hashes those; now one
/// draw. The request's size on the wire is unchanged, but every later
/// draw of the source's stream differs, so actors_mix, cluster_star and
/// cluster_leaf_spine give other numbers for the same seed, within their
/// seed-to-seed spread.
pub fn gen_request<R: Rng + ?Sized>(rng: &mut R) -> Request {
    gen_request_into(rng, Vec::new())
}

/// [`gen_request`] with the payload built in `spare` (contents overwritten).
pub fn gen_request_into<R: Rng + ?Sized>(rng: &mut R, spare: Vec<u8>) -> Request {
    let mut payload = spare;
    payload.clear();
    payload.resize(REQUEST_BYTES, 0);
    payload[..JITTER_SEED_BYTES].copy_from_slice(&rng.next_u64().to_le_bytes());
    Request {
        kind: kinds::REQUEST,
        payload,
    }
}

/// `len` random bytes in bulk: `RngCore::fill_bytes`, which for the
/// scenario streams (xoshiro256++) takes one `next_u64` per 8 bytes,
/// little-endian (a 4-byte or shorter remainder takes one `next_u32`).
///
/// Deliberate draw change (issue 13): these bytes used to be drawn one
/// `next_u32` per byte (rand's `gen::<u8>()`), 64 draws for fixed_cost's
/// 64-byte payload, about 10% of an actors_mix run's CPU; now 8. The bytes
/// are still uniform and independent, and what they feed (fixed_cost's
/// jitter, replication's record bytes) is unchanged as a model, but every
/// draw after the first payload differs, so the outputs of scenarios with
/// fixed_cost or replication actors (actors_mix, cluster_star,
/// cluster_leaf_spine) changed once, within their run-to-run noise.
pub fn random_bytes<R: Rng + ?Sized>(rng: &mut R, len: usize) -> Vec<u8> {
    random_bytes_into(rng, len, Vec::new())
}

/// [`random_bytes`] written into `buf` (its contents replaced), keeping its allocation.
pub fn random_bytes_into<R: Rng + ?Sized>(rng: &mut R, len: usize, mut buf: Vec<u8>) -> Vec<u8> {
    buf.clear();
    buf.resize(len, 0);
    rng.fill_bytes(&mut buf);
    buf
}

/// This kind's entry in the actor registry (`registry::actor_kinds!`).
pub static KIND: KindDescriptor = KindDescriptor {
    name: "fixed_cost",
    doc: "REQUEST, any payload; replies the request id u64 to the sender (REPLY) if `reply`",
    build: |table| build_from(table, FixedCost::new),
    default_config: default_table::<FixedCostConfig>,
    gen_request: |rng, spare| gen_request_into(rng, spare),
    source: file!(),
};
