//! RTA counter actor: per-key running totals (in a DMO) of the filtered stream;
//! after each batch it sends the new totals of the touched keys to their rankers.

use super::super::codec::{partition_of, Dec, Enc};
use super::super::peer::Peer;
use super::super::workload::{KeyDistribution, KeySampler};
use super::{encode_pairs, RTA_FILTERED, RTA_TOTALS};
use crate::actors::registry::{build_from, default_table, KindDescriptor};
use crate::actors::wire::{dmo_get_u64, dmo_put_u64};
use crate::actors::{ConfigError, Request};
use rand::Rng;
use scheduler::{Actor, ActorCtx, ActorError, DmoHandle, Message};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Compute per counted tuple (decode, bounds check, add, track the touched key).
/// Assumption: ~80 instructions at ~1 IPC on the CN2350; not measured by the paper.
pub const COUNTER_CYCLES_PER_TUPLE: u64 = 80;

/// Configuration of [`RtaCounter`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RtaCounterConfig {
    /// Actor name (unique per runtime). Default `rta_counter`.
    pub name: String,
    /// Ranker actor ids, one per key partition. Default none: the counter then only
    /// counts (a standalone stage; a default config never addresses unrelated actors).
    pub rankers: Vec<Peer>,
    /// Keys are `0..key_count` (one u64 total each in a DMO). Default 4096.
    pub key_count: u32,
}

impl Default for RtaCounterConfig {
    fn default() -> Self {
        RtaCounterConfig {
            name: "rta_counter".into(),
            rankers: Vec::new(),
            key_count: 4096,
        }
    }
}

/// The counter stage.
#[derive(Debug)]
pub struct RtaCounter {
    cfg: RtaCounterConfig,
    totals: Option<DmoHandle>,
}

impl RtaCounter {
    /// A counter; needs at least one ranker and a key space that fits one DMO.
    pub fn new(cfg: RtaCounterConfig) -> Result<RtaCounter, ConfigError> {
        if cfg.rankers.len() > 1024 {
            return Err(ConfigError::new(
                "rankers",
                "list at most 1024 ranker actor ids",
            ));
        }
        if cfg.key_count == 0 || cfg.key_count > 1 << 24 {
            return Err(ConfigError::new(
                "key_count",
                "must be in 1..=16777216 (default 4096)",
            ));
        }
        Ok(RtaCounter { cfg, totals: None })
    }
}

impl Actor for RtaCounter {
    fn name(&self) -> &str {
        &self.cfg.name
    }

    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        self.totals = Some(ctx.dmo_alloc(8 * self.cfg.key_count)?);
        Ok(())
    }

    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let totals = self
            .totals
            .ok_or_else(|| ActorError::Invalid("rta counter not initialised".into()))?;
        if msg.kind != RTA_FILTERED {
            return Err(ActorError::Invalid(format!(
                "rta counter: unknown kind {:#x}",
                msg.kind
            )));
        }
        let mut d = Dec::new(&msg.payload);
        let n = d.count(8)?;
        ctx.compute(COUNTER_CYCLES_PER_TUPLE * n as u64 + 1)?;
        // Touched keys in key order: deterministic message contents.
        let mut touched: BTreeMap<u32, u64> = BTreeMap::new();
        for _ in 0..n {
            let key = d.u32()?;
            let value = d.u32()?;
            if key >= self.cfg.key_count {
                return Err(ActorError::Invalid(format!(
                    "rta counter: key {key} outside 0..{}",
                    self.cfg.key_count
                )));
            }
            let t = dmo_get_u64(ctx, totals, 8 * key)? + u64::from(value);
            dmo_put_u64(ctx, totals, 8 * key, t)?;
            touched.insert(key, t);
        }
        let parts = self.cfg.rankers.len();
        let mut out: Vec<Vec<(u32, u64)>> = vec![Vec::new(); parts];
        for (k, t) in touched.into_iter().filter(|_| parts > 0) {
            out[partition_of(k, parts)].push((k, t));
        }
        for (i, pairs) in out.into_iter().enumerate() {
            if !pairs.is_empty() {
                let payload = encode_pairs(Enc::new(), &pairs).done();
                ctx.send(self.cfg.rankers[i].endpoint()?, RTA_TOTALS, payload)?;
            }
        }
        Ok(())
    }

    fn migrate_out(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<Vec<u8>, ActorError> {
        // All state is in the totals DMO (moved by the runtime, handle stable).
        Ok(Vec::new())
    }
}

/// A filtered batch of 16 (key, value) pairs, Zipf(0.99) keys over 4096.
pub fn gen_request<R: Rng + ?Sized>(rng: &mut R) -> Request {
    let keys = KeySampler::new(4096, KeyDistribution::Zipf, 0.99);
    let mut e = Enc::new().u32(16);
    for _ in 0..16 {
        e = e.u32(keys.sample(rng)).u32(rng.gen_range(10..=100));
    }
    Request {
        kind: RTA_FILTERED,
        payload: e.done(),
    }
}

/// This kind's entry in the actor registry.
pub static KIND: KindDescriptor = KindDescriptor {
    name: "rta_counter",
    doc: "RTA_FILTERED `[n u32]` n x `[key u32][value u32]`; sends RTA_TOTALS `[n u32]` n x `[key u32][total u64]` to ranker partition_of(key)",
    build: |table| build_from(table, RtaCounter::new),
    default_config: default_table::<RtaCounterConfig>,
    gen_request: |rng, _spare| gen_request(rng),
    source: file!(),
};
