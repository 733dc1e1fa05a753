//! RTA filter actor: drops tuples below a value threshold and partitions the rest
//! by key hash across the configured counters.

use super::super::codec::{partition_of, Enc};
use super::super::peer::Peer;
use super::super::workload::{KeyDistribution, KeySampler};
use super::{decode_tuples, encode_tuples, gen_tuples, RTA_FILTERED, RTA_TUPLES};
use crate::actors::registry::{build_from, default_table, KindDescriptor};
use crate::actors::wire::{dmo_get_u64, dmo_put_u64};
use crate::actors::{ConfigError, Request};
use rand::Rng;
use scheduler::{Actor, ActorCtx, ActorError, DmoHandle, Message};
use serde::{Deserialize, Serialize};

/// Compute per tuple (decode 16 B, compare, hash the key, append to a batch).
/// Assumption: ~60 instructions at the CN2350's ~1 IPC; not measured by the paper.
pub const FILTER_CYCLES_PER_TUPLE: u64 = 60;

/// Configuration of [`RtaFilter`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RtaFilterConfig {
    /// Actor name (unique per runtime). Default `rta_filter`.
    pub name: String,
    /// Counter actor ids, one per key partition. Default none: the filter then only
    /// counts (a standalone stage; a default config never addresses unrelated actors).
    pub counters: Vec<Peer>,
    /// Tuples with `value < min_value` are dropped. Default 10 (assumption).
    pub min_value: u32,
}

impl Default for RtaFilterConfig {
    fn default() -> Self {
        RtaFilterConfig {
            name: "rta_filter".into(),
            counters: Vec::new(),
            min_value: 10,
        }
    }
}

/// The filter stage.
#[derive(Debug)]
pub struct RtaFilter {
    cfg: RtaFilterConfig,
    /// `[passed u64][dropped u64]`: counted in a DMO so they survive migration.
    stats: Option<DmoHandle>,
}

impl RtaFilter {
    /// A filter; needs at least one counter.
    pub fn new(cfg: RtaFilterConfig) -> Result<RtaFilter, ConfigError> {
        if cfg.counters.len() > 1024 {
            return Err(ConfigError::new(
                "counters",
                "list at most 1024 counter actor ids",
            ));
        }
        Ok(RtaFilter { cfg, stats: None })
    }
}

impl Actor for RtaFilter {
    fn name(&self) -> &str {
        &self.cfg.name
    }

    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        self.stats = Some(ctx.dmo_alloc(16)?);
        Ok(())
    }

    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let stats = self
            .stats
            .ok_or_else(|| ActorError::Invalid("rta filter not initialised".into()))?;
        if msg.kind != RTA_TUPLES {
            return Err(ActorError::Invalid(format!(
                "rta filter: unknown kind {:#x}",
                msg.kind
            )));
        }
        let tuples = decode_tuples(&msg.payload)?;
        ctx.compute(FILTER_CYCLES_PER_TUPLE * tuples.len() as u64 + 1)?;
        let parts = self.cfg.counters.len();
        // each partition's batch sized for the whole batch: never regrown
        let mut out: Vec<Vec<(u32, u32)>> = (0..parts)
            .map(|_| Vec::with_capacity(tuples.len()))
            .collect();
        let mut dropped = 0u64;
        for t in &tuples {
            if t.value < self.cfg.min_value {
                dropped += 1;
            } else if parts > 0 {
                out[partition_of(t.key, parts)].push((t.key, t.value));
            }
        }
        let passed = tuples.len() as u64 - dropped;
        let p0 = dmo_get_u64(ctx, stats, 0)?;
        let d0 = dmo_get_u64(ctx, stats, 8)?;
        dmo_put_u64(ctx, stats, 0, p0 + passed)?;
        dmo_put_u64(ctx, stats, 8, d0 + dropped)?;
        for (i, batch) in out.into_iter().enumerate() {
            if batch.is_empty() {
                continue;
            }
            let mut e = Enc::with_capacity(4 + 8 * batch.len()).u32(batch.len() as u32);
            for (k, v) in batch {
                e = e.u32(k).u32(v);
            }
            ctx.send(self.cfg.counters[i].endpoint()?, RTA_FILTERED, e.done())?;
        }
        Ok(())
    }

    fn migrate_out(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<Vec<u8>, ActorError> {
        // The only state is the stats DMO, which the runtime moves; its handle is stable.
        Ok(Vec::new())
    }
}

/// A batch of 16 tuples with Zipf(0.99) keys over 4096 keys (the default workload).
pub fn gen_request<R: Rng + ?Sized>(rng: &mut R) -> Request {
    let keys = KeySampler::new(4096, KeyDistribution::Zipf, 0.99);
    let ts = rng.gen_range(0..1_000_000_000);
    Request {
        kind: RTA_TUPLES,
        payload: encode_tuples(&gen_tuples(rng, &keys, 16, ts)),
    }
}

/// This kind's entry in the actor registry.
pub static KIND: KindDescriptor = KindDescriptor {
    name: "rta_filter",
    doc: "RTA_TUPLES `[n u32]` n x `[key u32][value u32][ts u64]`; sends RTA_FILTERED `[n u32]` n x `[key u32][value u32]` to counter partition_of(key)",
    build: |table| build_from(table, RtaFilter::new),
    default_config: default_table::<RtaFilterConfig>,
    gen_request: |rng, _spare| gen_request(rng),
    source: file!(),
};
