//! Top-N ranker actor: the N items with the highest total score over a sliding window of the last W updates.
//!
//! This is the ranker stage of iPipe's real-time analytics (RTA) application:
//! counters emit (item, count) updates and the ranker keeps the current top N.
//! A request carries a batch of `(item u32, score u32)` updates. The window (a
//! ring of the last W updates) and the per-item window totals live in DMOs;
//! each update adds to its item's total and the update falling out of the
//! window is subtracted. After the batch the actor scans all item totals and
//! replies with the top N as `(item u32, total u64)` pairs, best first (ties:
//! lower item id first).

use super::registry::{build_from, default_table, KindDescriptor};
use super::wire::{dmo_get_u32, dmo_put_u32, get_u32, handles_in, handles_out, le_u32, le_u64};
use super::{kinds, ConfigError, Request};
use rand::Rng;
use rand_distr::{Distribution, Zipf};
use scheduler::{Actor, ActorCtx, ActorError, DmoHandle, Message};
use serde::Deserialize;

/// Compute per 16 scanned item totals (load, compare against the current N-th best, loop).
/// Chosen so that exec time on the CN2350 model = 34 us (Table 3 of iPipe, via
/// configs/calibration/ipipe-sigcomm19.toml) with the defaults (4096 items scanned,
/// 16 updates per request): the 356 line accesses per request (the 32 KB totals
/// table read as one streamed access of 256 lines, plus ring and totals updates)
/// take 1.79 us, updates and top-N inserts about 0.46 us, leaving 31.75 us =
/// 38100 cycles for 256 groups of 16 items, i.e. 149 (measured 34.04 us by `repro::figures::table3_tasks`).
pub const SCAN_CYCLES_PER_16_ITEMS: u64 = 149;
/// Compute per update (parse, evict, add): derived, about 40 instructions at 2-wide issue.
pub const UPDATE_CYCLES: u64 = 20;
/// Compute per insertion into the sorted top-N array: derived, a shifted insert of ~N/2 elements.
pub const INSERT_CYCLES_PER_N: u64 = 2;

/// Configuration of [`TopRanker`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TopRankerConfig {
    /// How many items to report. Default 10.
    pub n: u32,
    /// Window length in updates. Default 1024.
    pub window: u32,
    /// Item ids are `0..id_space`. Default 4096.
    pub id_space: u32,
}

impl Default for TopRankerConfig {
    fn default() -> Self {
        TopRankerConfig {
            n: 10,
            window: 1024,
            id_space: 4096,
        }
    }
}

/// Keeps the top N items of a stream of scored updates over a sliding window.
#[derive(Debug)]
pub struct TopRanker {
    cfg: TopRankerConfig,
    /// Ring of the last `window` updates: 8 B each, after an 8 B header (head u32, len u32).
    ring: Option<DmoHandle>,
    /// Window total per item: u64 each.
    totals: Option<DmoHandle>,
}

impl TopRanker {
    /// A ranker; errors on zero sizes or an id space too large for one DMO.
    pub fn new(cfg: TopRankerConfig) -> Result<TopRanker, ConfigError> {
        if cfg.n == 0 || cfg.n > 1024 {
            return Err(ConfigError::new("n", "must be in 1..=1024 (default 10)"));
        }
        if cfg.window == 0 || cfg.window > 1 << 20 {
            return Err(ConfigError::new(
                "window",
                "must be in 1..=1048576 (default 1024)",
            ));
        }
        if cfg.id_space == 0 || cfg.id_space > 1 << 20 {
            return Err(ConfigError::new(
                "id_space",
                "must be in 1..=1048576 (default 4096)",
            ));
        }
        Ok(TopRanker {
            cfg,
            ring: None,
            totals: None,
        })
    }

    fn handles(&self) -> Result<(DmoHandle, DmoHandle), ActorError> {
        match (self.ring, self.totals) {
            (Some(r), Some(t)) => Ok((r, t)),
            _ => Err(ActorError::Invalid("top ranker not initialised".into())),
        }
    }

    fn add_total(
        ctx: &mut ActorCtx<'_>,
        totals: DmoHandle,
        item: u32,
        delta: i64,
    ) -> Result<(), ActorError> {
        let mut b = [0u8; 8];
        ctx.dmo_read(totals, 8 * item, &mut b)?;
        let v = (u64::from_le_bytes(b) as i64 + delta).max(0) as u64;
        ctx.dmo_write(totals, 8 * item, &v.to_le_bytes())
    }
}

/// Decodes a top-N reply into `(item, total)` pairs.
pub fn decode_reply(p: &[u8]) -> Vec<(u32, u64)> {
    p.chunks_exact(12)
        .map(|c| (le_u32(c, 0), le_u64(c, 4)))
        .collect()
}

/// Inserts into a best-first list of at most `n` entries (higher total first, then lower id).
fn insert_top(top: &mut Vec<(u32, u64)>, n: usize, item: u32, total: u64) -> bool {
    let better = |a: (u32, u64), b: (u32, u64)| a.1 > b.1 || (a.1 == b.1 && a.0 < b.0);
    if top.len() == n && !better((item, total), top[n - 1]) {
        return false;
    }
    let pos = top.partition_point(|&e| better(e, (item, total)));
    top.insert(pos, (item, total));
    top.truncate(n);
    true
}

impl Actor for TopRanker {
    fn name(&self) -> &str {
        "top_ranker"
    }

    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        self.ring = Some(ctx.dmo_alloc(8 + 8 * self.cfg.window)?);
        self.totals = Some(ctx.dmo_alloc(8 * self.cfg.id_space)?);
        Ok(())
    }

    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let (ring, totals) = self.handles()?;
        let p = &msg.payload;
        if p.is_empty() || p.len() % 8 != 0 {
            return Err(ActorError::Invalid(format!(
                "top ranker request of {} bytes, expected a non-empty multiple of 8",
                p.len()
            )));
        }
        let mut head = dmo_get_u32(ctx, ring, 0)?;
        let mut len = dmo_get_u32(ctx, ring, 4)?;
        for upd in 0..p.len() / 8 {
            let item = get_u32(p, 8 * upd)?;
            let score = get_u32(p, 8 * upd + 4)?;
            if item >= self.cfg.id_space {
                return Err(ActorError::Invalid(format!(
                    "item {item} outside id space 0..{}",
                    self.cfg.id_space
                )));
            }
            ctx.compute(UPDATE_CYCLES)?;
            let slot_off = 8 + 8 * head;
            if len == self.cfg.window {
                let mut old = [0u8; 8];
                ctx.dmo_read(ring, slot_off, &mut old)?;
                Self::add_total(ctx, totals, le_u32(&old, 0), -i64::from(le_u32(&old, 4)))?;
            } else {
                len += 1;
            }
            let mut entry = [0u8; 8];
            entry[..4].copy_from_slice(&item.to_le_bytes());
            entry[4..].copy_from_slice(&score.to_le_bytes());
            ctx.dmo_write(ring, slot_off, &entry)?;
            Self::add_total(ctx, totals, item, i64::from(score))?;
            head = (head + 1) % self.cfg.window;
        }
        dmo_put_u32(ctx, ring, 0, head)?;
        dmo_put_u32(ctx, ring, 4, len)?;
        // Scan every item total: one read of the whole table (charged line by line).
        let mut all = vec![0u8; 8 * self.cfg.id_space as usize];
        ctx.dmo_read(totals, 0, &mut all)?;
        let n = self.cfg.n as usize;
        let mut top: Vec<(u32, u64)> = Vec::with_capacity(n + 1);
        let mut inserts = 0u64;
        for item in 0..self.cfg.id_space {
            let total = le_u64(&all, 8 * item as usize);
            if total > 0 && insert_top(&mut top, n, item, total) {
                inserts += 1;
            }
        }
        ctx.compute(
            SCAN_CYCLES_PER_16_ITEMS * u64::from(self.cfg.id_space) / 16
                + INSERT_CYCLES_PER_N * inserts * n as u64,
        )?;
        let reply: Vec<u8> = top
            .iter()
            .flat_map(|&(i, t)| i.to_le_bytes().into_iter().chain(t.to_le_bytes()))
            .collect();
        ctx.send(msg.src, kinds::REPLY, reply)
    }

    fn migrate_out(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<Vec<u8>, ActorError> {
        Ok(handles_out(&[self.ring, self.totals]))
    }

    fn migrate_in(&mut self, state: &[u8], _ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        handles_in(state, &mut [&mut self.ring, &mut self.totals])
    }
}

/// Updates per generated request.
pub const GEN_UPDATES_PER_REQUEST: usize = 16;

/// A batch of 16 updates: item ids Zipf(1.1) over the default 4096-item space, scores 1..=100.
pub fn gen_request<R: Rng + ?Sized>(rng: &mut R) -> Request {
    // Zipf::new fails only for n = 0 or s < 0: these constants cannot
    let zipf = Zipf::new(4096, 1.1).expect("constant Zipf parameters are valid");
    let mut payload = Vec::with_capacity(8 * GEN_UPDATES_PER_REQUEST);
    for _ in 0..GEN_UPDATES_PER_REQUEST {
        let rank = zipf.sample(rng);
        let item = (rank as u32).saturating_sub(1).min(4095);
        payload.extend_from_slice(&item.to_le_bytes());
        payload.extend_from_slice(&rng.gen_range(1u32..=100).to_le_bytes());
    }
    Request {
        kind: kinds::REQUEST,
        payload,
    }
}

/// This kind's entry in the actor registry (`registry::actor_kinds!`).
pub static KIND: KindDescriptor = KindDescriptor {
    name: "top_ranker",
    doc: "REQUEST, n x `[item u32][score u32]`; replies the top N `[item u32][total u64]` to the sender (REPLY)",
    build: |table| build_from(table, TopRanker::new),
    default_config: default_table::<TopRankerConfig>,
    gen_request: |rng, _spare| gen_request(rng),
    source: file!(),
};
