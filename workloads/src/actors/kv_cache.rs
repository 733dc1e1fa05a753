//! Key-value cache actor: GET/SET over a set-associative hash table with LRU replacement in a DMO.
//!
//! The table has `sets` x `ways` entries of 128 B (one LiquidIO cache line):
//! valid u8, key length u8, value length u8, pad u8, LRU stamp u32, key
//! (up to 16 B), value (up to 104 B). A request is
//! `[key_len u8][value_len u8][key][value]` (value empty for GET). GET replies
//! KV_HIT with the value or KV_MISS; SET stores (replacing the set's least
//! recently used entry when full) and replies KV_STORED.

use super::registry::{build_from, default_table, KindDescriptor};
use super::wire::{dmo_get_u64, dmo_put_u64, fnv1a64, handles_in, handles_out, le_u32};
use super::{kinds, ConfigError, Request};
use rand::Rng;
use scheduler::{Actor, ActorCtx, ActorError, DmoHandle, Message};
use serde::Deserialize;

/// Fixed compute per request: parse, hash the key, reply. Derived (about 300 instructions);
/// not from the paper, which gives no time for this task (prediction only).
pub const BASE_CYCLES: u64 = 200;
/// Compute per way examined (tag load and key compare). Derived, about 20 instructions.
pub const PER_WAY_CYCLES: u64 = 10;
/// Longest key, bytes.
pub const KEY_MAX: usize = 16;
/// Longest value, bytes.
pub const VALUE_MAX: usize = 104;

const ENTRY_BYTES: u32 = 128;
const HEAD_BYTES: u32 = 8;
/// Bytes before the first entry: the LRU clock (u64), padded to a line.
const TABLE_HEADER: u32 = 128;

/// Configuration of [`KvCache`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KvCacheConfig {
    /// Number of sets. Default 1024.
    pub sets: u32,
    /// Entries per set. Default 4 (so 4096 entries, 512 KB).
    pub ways: u32,
}

impl Default for KvCacheConfig {
    fn default() -> Self {
        KvCacheConfig {
            sets: 1024,
            ways: 4,
        }
    }
}

/// A GET/SET cache of short keys and values.
#[derive(Debug)]
pub struct KvCache {
    cfg: KvCacheConfig,
    table: Option<DmoHandle>,
}

impl KvCache {
    /// A cache; errors on zero or oversized geometry.
    pub fn new(cfg: KvCacheConfig) -> Result<KvCache, ConfigError> {
        if cfg.sets == 0 || cfg.sets > 1 << 18 {
            return Err(ConfigError::new(
                "sets",
                "must be in 1..=262144 (default 1024)",
            ));
        }
        if cfg.ways == 0 || cfg.ways > 16 {
            return Err(ConfigError::new("ways", "must be in 1..=16 (default 4)"));
        }
        Ok(KvCache { cfg, table: None })
    }
}

/// Encodes a request: GET when `value` is `None`.
pub fn encode_request(key: &[u8], value: Option<&[u8]>) -> Request {
    let v = value.unwrap_or(&[]);
    let mut payload = vec![key.len() as u8, v.len() as u8];
    payload.extend_from_slice(key);
    payload.extend_from_slice(v);
    Request {
        kind: if value.is_some() {
            kinds::KV_SET
        } else {
            kinds::KV_GET
        },
        payload,
    }
}

fn parse(p: &[u8]) -> Result<(&[u8], &[u8]), ActorError> {
    let (kl, vl) = match p {
        [k, v, ..] => (usize::from(*k), usize::from(*v)),
        _ => {
            return Err(ActorError::Invalid(
                "kv request shorter than 2 bytes".into(),
            ))
        }
    };
    if kl == 0 || kl > KEY_MAX || vl > VALUE_MAX || p.len() != 2 + kl + vl {
        return Err(ActorError::Invalid(format!(
            "kv request: key {kl} B (1..={KEY_MAX}), value {vl} B (<= {VALUE_MAX}), payload {} B",
            p.len()
        )));
    }
    Ok((&p[2..2 + kl], &p[2 + kl..]))
}

impl Actor for KvCache {
    fn name(&self) -> &str {
        "kv_cache"
    }

    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        self.table =
            Some(ctx.dmo_alloc(TABLE_HEADER + self.cfg.sets * self.cfg.ways * ENTRY_BYTES)?);
        Ok(())
    }

    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let h = self
            .table
            .ok_or_else(|| ActorError::Invalid("kv cache not initialised".into()))?;
        let is_set = match msg.kind {
            kinds::KV_GET => false,
            kinds::KV_SET => true,
            k => {
                return Err(ActorError::Invalid(format!(
                    "kv cache: unknown request kind {k}"
                )))
            }
        };
        let (key, value) = parse(&msg.payload)?;
        ctx.compute(BASE_CYCLES + PER_WAY_CYCLES * u64::from(self.cfg.ways))?;
        let clock = dmo_get_u64(ctx, h, 0)? + 1;
        dmo_put_u64(ctx, h, 0, clock)?;
        let set = (fnv1a64(key) % u64::from(self.cfg.sets)) as u32;
        let set_off = TABLE_HEADER + set * self.cfg.ways * ENTRY_BYTES;
        // Examine every way: header and key.
        let mut found = None;
        let mut victim = (u32::MAX, 0u32); // (stamp, way): invalid entries have stamp 0
        for way in 0..self.cfg.ways {
            let mut e = [0u8; (HEAD_BYTES as usize) + KEY_MAX];
            ctx.dmo_read(h, set_off + way * ENTRY_BYTES, &mut e)?;
            let (valid, kl) = (e[0] != 0, usize::from(e[1]));
            if valid && &e[8..8 + kl] == key {
                found = Some((way, usize::from(e[2])));
                break;
            }
            let stamp = if valid { le_u32(&e, 4) } else { 0 };
            if stamp < victim.0 {
                victim = (stamp, way);
            }
        }
        let stamp = (clock as u32).max(1);
        if is_set {
            let way = found.map_or(victim.1, |(w, _)| w);
            let mut e = vec![0u8; HEAD_BYTES as usize + KEY_MAX + value.len()];
            e[0] = 1;
            e[1] = key.len() as u8;
            e[2] = value.len() as u8;
            e[4..8].copy_from_slice(&stamp.to_le_bytes());
            e[8..8 + key.len()].copy_from_slice(key);
            e[8 + KEY_MAX..].copy_from_slice(value);
            ctx.dmo_write(h, set_off + way * ENTRY_BYTES, &e)?;
            return ctx.send(msg.src, kinds::KV_STORED, Vec::new());
        }
        match found {
            Some((way, vl)) => {
                let off = set_off + way * ENTRY_BYTES;
                ctx.dmo_write(h, off + 4, &stamp.to_le_bytes())?;
                let mut v = vec![0u8; vl];
                ctx.dmo_read(h, off + HEAD_BYTES + KEY_MAX as u32, &mut v)?;
                ctx.send(msg.src, kinds::KV_HIT, v)
            }
            None => ctx.send(msg.src, kinds::KV_MISS, Vec::new()),
        }
    }

    fn migrate_out(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<Vec<u8>, ActorError> {
        Ok(handles_out(&[self.table]))
    }

    fn migrate_in(&mut self, state: &[u8], _ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        handles_in(state, &mut [&mut self.table])
    }
}

/// Keys the generator draws from (uniformly): `key-<n>`.
pub const GEN_KEYS: u32 = 8_192;

/// 90% GET / 10% SET of `key-<n>`, SET values 16..=64 B of random bytes.
pub fn gen_request<R: Rng + ?Sized>(rng: &mut R) -> Request {
    let key = format!("key-{}", rng.gen_range(0..GEN_KEYS));
    if rng.gen_bool(0.9) {
        encode_request(key.as_bytes(), None)
    } else {
        let len = rng.gen_range(16..=64);
        let v: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        encode_request(key.as_bytes(), Some(&v))
    }
}

/// This kind's entry in the actor registry (`registry::actor_kinds!`).
pub static KIND: KindDescriptor = KindDescriptor {
    name: "kv_cache",
    doc: "KV_GET / KV_SET, `[klen u8][vlen u8][key][value]`; replies KV_HIT value / KV_MISS / KV_STORED",
    build: |table| build_from(table, KvCache::new),
    default_config: default_table::<KvCacheConfig>,
    gen_request: |rng, _spare| gen_request(rng),
    source: file!(),
};
