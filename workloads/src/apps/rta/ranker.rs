//! RTA ranker actor: the top N keys by total. A partition ranker ranks the totals
//! its counters send and forwards its list upstream; an aggregating ranker merges
//! the latest lists of its sources. Either answers RTA_QUERY with its top N.

use super::super::codec::{Dec, Enc};
use super::super::peer::{position, Peer};
use super::super::workload::{KeyDistribution, KeySampler};
use super::{better, decode_pairs, encode_pairs, top_n};
use super::{RTA_PARTIAL, RTA_QUERY, RTA_TOP, RTA_TOTALS};
use crate::actors::registry::{build_from, default_table, KindDescriptor};
use crate::actors::wire::{dmo_get_u64, dmo_put_u64, handles_in};
use crate::actors::{ConfigError, Request};
use rand::Rng;
use scheduler::{Actor, ActorCtx, ActorError, DmoHandle, Message};
use serde::{Deserialize, Serialize};

/// Compute per total update (decode, compare with the stored total, top-N check).
/// Assumption: ~60 instructions at ~1 IPC on the CN2350.
pub const RANK_CYCLES_PER_UPDATE: u64 = 60;
/// Compute per entry of a merged list (merge sort step). Assumption.
pub const MERGE_CYCLES_PER_ENTRY: u64 = 20;

/// Configuration of [`RtaRanker`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RtaRankerConfig {
    /// Actor name (unique per runtime). Default `rta_ranker`.
    pub name: String,
    /// How many keys to rank. Default 10 (assumption: a "top 10" dashboard).
    pub n: u32,
    /// Keys are `0..key_count`. Default 4096.
    pub key_count: u32,
    /// Aggregating ranker to send this ranker's top N to after every batch. Default none.
    pub upstream: Option<Peer>,
    /// Partition rankers this one merges (`RTA_PARTIAL` senders). Default none.
    pub sources: Vec<Peer>,
}

impl Default for RtaRankerConfig {
    fn default() -> Self {
        RtaRankerConfig {
            name: "rta_ranker".into(),
            n: 10,
            key_count: 4096,
            upstream: None,
            sources: Vec::new(),
        }
    }
}

/// The ranker stage.
#[derive(Debug)]
pub struct RtaRanker {
    cfg: RtaRankerConfig,
    /// Highest total seen per key (u64 each).
    totals: Option<DmoHandle>,
    /// Top N of `totals`, best first. Totals only grow, so a key can only enter the
    /// list through its own update: keeping the list incrementally is exact.
    top: Vec<(u32, u64)>,
    /// Per source: latest sequence number and list.
    partials: Vec<(u64, Vec<(u32, u64)>)>,
    /// Sequence number of the next partial sent upstream.
    seq: u64,
}

impl RtaRanker {
    /// A ranker; `n` in 1..=1024.
    pub fn new(cfg: RtaRankerConfig) -> Result<RtaRanker, ConfigError> {
        if cfg.n == 0 || cfg.n > 1024 {
            return Err(ConfigError::new("n", "must be in 1..=1024 (default 10)"));
        }
        if cfg.key_count == 0 || cfg.key_count > 1 << 24 {
            return Err(ConfigError::new(
                "key_count",
                "must be in 1..=16777216 (default 4096)",
            ));
        }
        let partials = vec![(0, Vec::new()); cfg.sources.len()];
        Ok(RtaRanker {
            cfg,
            totals: None,
            top: Vec::new(),
            partials,
            seq: 0,
        })
    }

    fn raise(&mut self, key: u32, total: u64) {
        let n = self.cfg.n as usize;
        self.top.retain(|e| e.0 != key);
        if self.top.len() == n && !better((key, total), self.top[n - 1]) {
            return;
        }
        let pos = self.top.partition_point(|&e| better(e, (key, total)));
        self.top.insert(pos, (key, total));
        self.top.truncate(n);
    }

    /// The answer: own top N merged with the sources' latest lists.
    fn current(&self) -> Vec<(u32, u64)> {
        if self.partials.is_empty() {
            return self.top.clone();
        }
        let mut all = self.top.clone();
        for (_, list) in &self.partials {
            all.extend_from_slice(list);
        }
        top_n(all, self.cfg.n as usize)
    }

    fn on_totals(&mut self, p: &[u8], ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let totals = self
            .totals
            .ok_or_else(|| ActorError::Invalid("rta ranker not initialised".into()))?;
        let pairs = decode_pairs(&mut Dec::new(p))?;
        ctx.compute(RANK_CYCLES_PER_UPDATE * pairs.len() as u64 + 1)?;
        for (key, total) in pairs {
            if key >= self.cfg.key_count {
                return Err(ActorError::Invalid(format!(
                    "rta ranker: key {key} out of range"
                )));
            }
            // Reordered updates: keep the highest total seen.
            if total > dmo_get_u64(ctx, totals, 8 * key)? {
                dmo_put_u64(ctx, totals, 8 * key, total)?;
                self.raise(key, total);
            }
        }
        if let Some(up) = &self.cfg.upstream {
            self.seq += 1;
            let payload = encode_pairs(Enc::new().u64(self.seq), &self.top).done();
            ctx.send(up.endpoint()?, RTA_PARTIAL, payload)?;
        }
        Ok(())
    }

    fn on_partial(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let Some(i) = position(&self.cfg.sources, msg.src) else {
            return Err(ActorError::Invalid(format!(
                "rta ranker: partial from {:?}, not a configured source",
                msg.src
            )));
        };
        let mut d = Dec::new(&msg.payload);
        let seq = d.u64()?;
        let list = decode_pairs(&mut d)?;
        ctx.compute(MERGE_CYCLES_PER_ENTRY * list.len() as u64 + 1)?;
        if seq > self.partials[i].0 {
            self.partials[i] = (seq, list);
        }
        Ok(())
    }
}

fn encode_state(r: &RtaRanker) -> Vec<u8> {
    let mut e = Enc::new()
        .u32(r.totals.map_or(u32::MAX, |h| h.0))
        .u64(r.seq);
    e = encode_pairs(e, &r.top);
    for (seq, list) in &r.partials {
        e = encode_pairs(e.u64(*seq), list);
    }
    e.done()
}

impl Actor for RtaRanker {
    fn name(&self) -> &str {
        &self.cfg.name
    }

    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        self.totals = Some(ctx.dmo_alloc(8 * self.cfg.key_count)?);
        Ok(())
    }

    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        match msg.kind {
            RTA_TOTALS => self.on_totals(&msg.payload, ctx),
            RTA_PARTIAL => self.on_partial(msg, ctx),
            RTA_QUERY => {
                let top = self.current();
                ctx.compute(MERGE_CYCLES_PER_ENTRY * top.len() as u64 + 1)?;
                ctx.send(msg.src, RTA_TOP, encode_pairs(Enc::new(), &top).done())
            }
            k => Err(ActorError::Invalid(format!(
                "rta ranker: unknown kind {k:#x}"
            ))),
        }
    }

    fn migrate_out(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<Vec<u8>, ActorError> {
        Ok(encode_state(self))
    }

    fn migrate_in(&mut self, state: &[u8], _ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        if state.is_empty() {
            return Ok(());
        }
        let mut d = Dec::new(state);
        handles_in(&d.u32()?.to_le_bytes(), &mut [&mut self.totals])?;
        self.seq = d.u64()?;
        self.top = decode_pairs(&mut d)?;
        for p in &mut self.partials {
            let seq = d.u64()?;
            *p = (seq, decode_pairs(&mut d)?);
        }
        Ok(())
    }
}

/// A totals batch of 8 (key, total) pairs, Zipf(0.99) keys over 4096.
pub fn gen_request<R: Rng + ?Sized>(rng: &mut R) -> Request {
    let keys = KeySampler::new(4096, KeyDistribution::Zipf, 0.99);
    let pairs: Vec<(u32, u64)> = (0..8)
        .map(|_| (keys.sample(rng), rng.gen_range(1..=100_000)))
        .collect();
    Request {
        kind: RTA_TOTALS,
        payload: encode_pairs(Enc::new(), &pairs).done(),
    }
}

/// This kind's entry in the actor registry.
pub static KIND: KindDescriptor = KindDescriptor {
    name: "rta_ranker",
    doc: "RTA_TOTALS `[n u32]` n x `[key u32][total u64]` (sends RTA_PARTIAL `[seq u64]`+list upstream if configured); RTA_PARTIAL from a source; RTA_QUERY replies RTA_TOP, the top N best first",
    build: |table| build_from(table, RtaRanker::new),
    default_config: default_table::<RtaRankerConfig>,
    gen_request: |rng, _spare| gen_request(rng),
    source: file!(),
};
