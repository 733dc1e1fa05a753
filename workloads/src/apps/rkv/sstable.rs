//! RKV SSTable actor (prefers the host): sorted runs flushed by the memtable,
//! merged by compaction when there are too many, and the reads the memtable
//! missed. Memtable messages carry a channel sequence and are handled in that
//! order, so a read sees exactly the runs flushed before it.

use super::super::codec::{Dec, Enc};
use super::{encode_reply, Op, RKV_FLUSH, RKV_REPLY, RKV_SST_GET, ST_FOUND, ST_NOT_FOUND};
use crate::actors::registry::{build_from, default_table, KindDescriptor};
use crate::actors::{ConfigError, Request};
use rand::Rng;
use scheduler::{Actor, ActorCtx, ActorError, DmoHandle, Endpoint, MemAccess, Message};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Compute per run searched by a read (binary search over a sorted run).
/// Assumption: ~300 instructions; the host runs them at its own IPC.
pub const SST_CYCLES_PER_RUN_PROBE: u64 = 300;
/// Compute per entry merged by compaction. Assumption.
pub const COMPACT_CYCLES_PER_ENTRY: u64 = 150;
/// Compute per entry of a flushed run ingested. Assumption.
pub const INGEST_CYCLES_PER_ENTRY: u64 = 50;
/// Most out-of-order memtable messages buffered.
pub const MAX_PENDING: usize = 4096;
/// Bytes of the DMO standing for the SSTable files' page cache (the working set).
/// Assumption: a few MB of hot runs; not in the paper's data.
pub const STORE_BYTES: u32 = 4 << 20;

/// Configuration of [`RkvSstable`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RkvSstableConfig {
    /// Actor name (unique per runtime). Default `rkv_sstable`.
    pub name: String,
    /// Compaction merges all runs once there are more than this many. Default 4 (assumption).
    pub max_runs: u32,
}

impl Default for RkvSstableConfig {
    fn default() -> Self {
        RkvSstableConfig {
            name: "rkv_sstable".into(),
            max_runs: 4,
        }
    }
}

type Run = Vec<(u32, Vec<u8>)>;

/// The SSTables of one replica.
#[derive(Debug)]
pub struct RkvSstable {
    cfg: RkvSstableConfig,
    store: Option<DmoHandle>,
    /// Oldest first; each sorted by key.
    runs: Vec<Run>,
    next_seq: u64,
    pending: BTreeMap<u64, (u16, Vec<u8>)>,
    compactions: u64,
}

impl RkvSstable {
    /// An SSTable actor; `max_runs >= 1`.
    pub fn new(cfg: RkvSstableConfig) -> Result<RkvSstable, ConfigError> {
        if cfg.max_runs == 0 || cfg.max_runs > 1024 {
            return Err(ConfigError::new(
                "max_runs",
                "must be in 1..=1024 (default 4)",
            ));
        }
        Ok(RkvSstable {
            cfg,
            store: None,
            runs: Vec::new(),
            next_seq: 1,
            pending: BTreeMap::new(),
            compactions: 0,
        })
    }

    /// Compactions run so far.
    pub fn compactions(&self) -> u64 {
        self.compactions
    }

    fn touch(
        &self,
        ctx: &mut ActorCtx<'_>,
        key: u32,
        bytes: u32,
        kind: MemAccess,
    ) -> Result<(), ActorError> {
        let store = self
            .store
            .ok_or_else(|| ActorError::Invalid("rkv sstable not initialised".into()))?;
        let bytes = bytes.clamp(1, STORE_BYTES);
        let off = key.wrapping_mul(2_654_435_761) % (STORE_BYTES - bytes + 1);
        ctx.dmo_touch(store, off, bytes, kind)
    }

    fn flush(&mut self, d: &mut Dec<'_>, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let run: Run = d.items(8, |d| Ok((d.u32()?, d.bytes()?)))?;
        let n = run.len();
        ctx.compute(INGEST_CYCLES_PER_ENTRY * n as u64 + 1)?;
        let bytes: usize = run.iter().map(|e| 8 + e.1.len()).sum();
        self.touch(
            ctx,
            run.first().map_or(0, |e| e.0),
            bytes as u32,
            MemAccess::Write,
        )?;
        self.runs.push(run);
        if self.runs.len() > self.cfg.max_runs as usize {
            // Merge every run; newer runs win (a BTreeMap insert in age order).
            let mut merged: BTreeMap<u32, Vec<u8>> = BTreeMap::new();
            let entries: usize = self.runs.iter().map(Vec::len).sum();
            ctx.compute(COMPACT_CYCLES_PER_ENTRY * entries as u64)?;
            for run in self.runs.drain(..) {
                merged.extend(run);
            }
            let bytes: usize = merged.values().map(|v| 8 + v.len()).sum();
            self.touch(ctx, 0, bytes as u32, MemAccess::Write)?;
            self.runs.push(merged.into_iter().collect());
            self.compactions += 1;
        }
        Ok(())
    }

    fn get(&mut self, d: &mut Dec<'_>, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let slot = d.u64()?;
        let Op::Get { client, req, key } = Op::decode(d)? else {
            return Err(ActorError::Invalid(
                "rkv sstable: SST_GET without a GET".into(),
            ));
        };
        let mut found = None;
        for run in self.runs.iter().rev() {
            ctx.compute(SST_CYCLES_PER_RUN_PROBE)?;
            if let Ok(i) = run.binary_search_by_key(&key, |e| e.0) {
                found = Some(run[i].1.clone());
                break;
            }
        }
        match found {
            Some(v) => {
                self.touch(ctx, key, v.len() as u32, MemAccess::Read)?;
                ctx.send(client, RKV_REPLY, encode_reply(req, ST_FOUND, slot, &v))
            }
            None => ctx.send(
                client,
                RKV_REPLY,
                encode_reply(req, ST_NOT_FOUND, slot, &[]),
            ),
        }
    }
}

impl Actor for RkvSstable {
    fn name(&self) -> &str {
        &self.cfg.name
    }

    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        self.store = Some(ctx.dmo_alloc(STORE_BYTES)?);
        Ok(())
    }

    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        if msg.kind != RKV_FLUSH && msg.kind != RKV_SST_GET {
            return Err(ActorError::Invalid(format!(
                "rkv sstable: unknown kind {:#x}",
                msg.kind
            )));
        }
        ctx.compute(SST_CYCLES_PER_RUN_PROBE)?;
        let seq = Dec::new(&msg.payload).u64()?;
        if seq < self.next_seq {
            return Ok(());
        }
        if self.pending.len() >= MAX_PENDING {
            return Err(ActorError::Invalid(
                "rkv sstable: reorder buffer full".into(),
            ));
        }
        self.pending
            .insert(seq, (msg.kind, msg.payload[8..].to_vec()));
        while let Some((kind, body)) = self.pending.remove(&self.next_seq) {
            self.next_seq += 1;
            let mut d = Dec::new(&body);
            if kind == RKV_FLUSH {
                self.flush(&mut d, ctx)?;
            } else {
                self.get(&mut d, ctx)?;
            }
        }
        Ok(())
    }

    fn migrate_out(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<Vec<u8>, ActorError> {
        let mut e = Enc::new()
            .u32(self.store.map_or(u32::MAX, |h| h.0))
            .u64(self.next_seq)
            .u64(self.compactions);
        e = e.u32(self.runs.len() as u32);
        for run in &self.runs {
            e = e.u32(run.len() as u32);
            for (k, v) in run {
                e = e.u32(*k).bytes(v);
            }
        }
        e = e.u32(self.pending.len() as u32);
        for (s, (k, b)) in &self.pending {
            e = e.u64(*s).u32(u32::from(*k)).bytes(b);
        }
        Ok(e.done())
    }

    fn migrate_in(&mut self, state: &[u8], _ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        if state.is_empty() {
            return Ok(());
        }
        let mut d = Dec::new(state);
        let store = d.u32()?;
        self.store = (store != u32::MAX).then_some(DmoHandle(store));
        self.next_seq = d.u64()?;
        self.compactions = d.u64()?;
        let n = d.count(4)?;
        let mut runs = Vec::with_capacity(n);
        for _ in 0..n {
            runs.push(d.items(8, |d| Ok((d.u32()?, d.bytes()?)))?);
        }
        self.runs = runs;
        let n = d.count(16)?;
        self.pending = (0..n)
            .map(|_| Ok((d.u64()?, (d.u32()? as u16, d.bytes()?))))
            .collect::<Result<_, ActorError>>()?;
        Ok(())
    }
}

/// Alternating flushes of 16 sorted keys and reads (channel sequence 1, 2, ... per generated stream
/// cannot be known here, so each request starts a fresh sequence at a random point and waits
/// in the bounded reorder buffer unless it is next).
pub fn gen_request<R: Rng + ?Sized>(rng: &mut R) -> Request {
    let seq = rng.gen_range(1..=4u64);
    if rng.gen_bool(0.5) {
        let mut keys: Vec<u32> = (0..16).map(|_| rng.gen_range(0..4096)).collect();
        keys.sort_unstable();
        keys.dedup();
        let mut e = Enc::new().u64(seq).u32(keys.len() as u32);
        for k in keys {
            e = e.u32(k).bytes(&[rng.gen(); 64]);
        }
        Request {
            kind: RKV_FLUSH,
            payload: e.done(),
        }
    } else {
        let op = Op::Get {
            client: Endpoint::Network { node: 9, port: 9 },
            req: rng.gen(),
            key: rng.gen_range(0..4096),
        };
        let mut payload = Enc::new().u64(seq).u64(rng.gen_range(1..1000)).done();
        payload.extend_from_slice(&op.to_bytes());
        Request {
            kind: RKV_SST_GET,
            payload,
        }
    }
}

/// This kind's entry in the actor registry (place it on the host: `placement = "host"`).
pub static KIND: KindDescriptor = KindDescriptor {
    name: "rkv_sstable",
    doc: "RKV_FLUSH `[seq u64][n] (key, value)` sorted runs (compacted past max_runs) and RKV_SST_GET `[seq u64][slot u64][op]` reads, handled in seq order; replies RKV_REPLY to the read's client; prefers the host",
    build: |table| build_from(table, RkvSstable::new),
    default_config: default_table::<RkvSstableConfig>,
    gen_request: |rng, _spare| gen_request(rng),
    source: file!(),
};
