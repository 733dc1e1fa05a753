//! RKV memtable actor (NIC side): applies decided log entries in slot order,
//! answers clients when its replica leads, flushes itself to the SSTable actor
//! as a sorted run when full, and forwards the reads it misses.

use super::super::codec::{Dec, Enc};
use super::super::peer::Peer;
use super::{
    encode_reply, Op, RKV_APPLY, RKV_CATCHUP, RKV_FLUSH, RKV_REPLY, RKV_SST_GET, ST_BUSY, ST_FOUND,
    ST_NOT_FOUND, ST_STORED,
};
use crate::actors::registry::{build_from, default_table, KindDescriptor};
use crate::actors::{ConfigError, Request};
use rand::Rng;
use scheduler::{Actor, ActorCtx, ActorError, DmoHandle, Endpoint, Message};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Compute per applied entry (decode, tree lookup/insert). Assumption: ~500
/// instructions at ~1 IPC on the CN2350 (a skip-list/tree step per level).
pub const MEMTABLE_CYCLES_PER_OP: u64 = 500;
/// Compute per entry serialized into a flushed run. Assumption.
pub const FLUSH_CYCLES_PER_ENTRY: u64 = 100;
/// Bytes of the DMO arena the values are written to (the memtable's working set).
/// Assumption: sized to hold a full memtable of 64-byte values; not in the paper's data.
pub const ARENA_BYTES: u32 = 256 * 1024;
/// Most out-of-order entries buffered before the gap fills.
pub const MAX_PENDING: usize = 4096;
/// Out-of-order entries queued per re-send request (RKV_CATCHUP to the replica);
/// the first request goes at half of it. Assumption: well above normal reordering.
pub const RESEND_EVERY: usize = 32;
/// Most buffered entries applied per message. Assumption: 64 entries, about
/// 64 x MEMTABLE_CYCLES_PER_OP, far below the runtime's watchdog limit.
pub const DRAIN_PER_MSG: usize = 64;

/// Configuration of [`RkvMemtable`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RkvMemtableConfig {
    /// Actor name (unique per runtime). Default `rkv_memtable`.
    pub name: String,
    /// This replica's SSTable actor. Default none: the memtable then never flushes and
    /// refuses (ST_BUSY) a PUT of a new key once it holds `flush_entries` keys.
    pub sstable: Option<Peer>,
    /// Keys held before a flush. Default 1024 (assumption).
    pub flush_entries: u32,
}

impl Default for RkvMemtableConfig {
    fn default() -> Self {
        RkvMemtableConfig {
            name: "rkv_memtable".into(),
            sstable: None,
            flush_entries: 1024,
        }
    }
}

/// The memtable.
#[derive(Debug)]
pub struct RkvMemtable {
    cfg: RkvMemtableConfig,
    arena: Option<DmoHandle>,
    /// Next slot to apply.
    next: u64,
    pending: BTreeMap<u64, (bool, Vec<u8>)>,
    /// APPLYs refused with a full reorder buffer (paces the re-send requests).
    refused: u64,
    table: BTreeMap<u32, Vec<u8>>,
    /// Sequence of the next memtable -> SSTable message.
    chan_seq: u64,
}

impl RkvMemtable {
    /// A memtable; `flush_entries` in 1..=1048576.
    pub fn new(cfg: RkvMemtableConfig) -> Result<RkvMemtable, ConfigError> {
        if cfg.flush_entries == 0 || cfg.flush_entries > 1 << 20 {
            return Err(ConfigError::new(
                "flush_entries",
                "must be in 1..=1048576 (default 1024)",
            ));
        }
        Ok(RkvMemtable {
            cfg,
            arena: None,
            next: 1,
            pending: BTreeMap::new(),
            refused: 0,
            table: BTreeMap::new(),
            chan_seq: 0,
        })
    }

    fn send_to_sstable(
        &mut self,
        ctx: &mut ActorCtx<'_>,
        kind: u16,
        body: Vec<u8>,
    ) -> Result<(), ActorError> {
        let Some(sst) = &self.cfg.sstable else {
            return Err(ActorError::Invalid("rkv memtable: no SSTable actor".into()));
        };
        self.chan_seq += 1;
        let mut p = Enc::new().u64(self.chan_seq).done();
        p.extend_from_slice(&body);
        ctx.send(sst.endpoint()?, kind, p)
    }

    fn apply(
        &mut self,
        ctx: &mut ActorCtx<'_>,
        slot: u64,
        reply: bool,
        op_bytes: &[u8],
    ) -> Result<(), ActorError> {
        ctx.compute(MEMTABLE_CYCLES_PER_OP)?;
        match Op::decode(&mut Dec::new(op_bytes))? {
            Op::Put {
                client,
                req,
                key,
                value,
            } => {
                let arena = self
                    .arena
                    .ok_or_else(|| ActorError::Invalid("rkv memtable not initialised".into()))?;
                let len = value.len().min(ARENA_BYTES as usize) as u32;
                let off = (key.wrapping_mul(2_654_435_761) % (ARENA_BYTES - len + 1)) & !7;
                let full = self.table.len() >= self.cfg.flush_entries as usize;
                if self.cfg.sstable.is_none() && full && !self.table.contains_key(&key) {
                    // Nowhere to flush: refuse rather than drop data silently.
                    if reply {
                        ctx.send(client, RKV_REPLY, encode_reply(req, ST_BUSY, slot, &[]))?;
                    }
                    return Ok(());
                }
                ctx.dmo_write(arena, off, &value[..len as usize])?;
                self.table.insert(key, value);
                if reply {
                    ctx.send(client, RKV_REPLY, encode_reply(req, ST_STORED, slot, &[]))?;
                }
                if self.cfg.sstable.is_some() && self.table.len() >= self.cfg.flush_entries as usize
                {
                    let table = std::mem::take(&mut self.table);
                    ctx.compute(FLUSH_CYCLES_PER_ENTRY * table.len() as u64)?;
                    let mut e = Enc::new().u32(table.len() as u32);
                    for (k, v) in &table {
                        e = e.u32(*k).bytes(v);
                    }
                    self.send_to_sstable(ctx, RKV_FLUSH, e.done())?;
                }
            }
            Op::Get { client, req, key } if reply => match self.table.get(&key) {
                Some(v) => ctx.send(client, RKV_REPLY, encode_reply(req, ST_FOUND, slot, v))?,
                None if self.chan_seq == 0 => ctx.send(
                    client,
                    RKV_REPLY,
                    encode_reply(req, ST_NOT_FOUND, slot, &[]),
                )?,
                None => {
                    let mut body = Enc::new().u64(slot).done();
                    body.extend_from_slice(op_bytes);
                    self.send_to_sstable(ctx, RKV_SST_GET, body)?;
                }
            },
            // A follower's reads have nobody to answer; no-ops change nothing.
            Op::Get { .. } | Op::Noop => {}
        }
        Ok(())
    }
}

impl Actor for RkvMemtable {
    fn name(&self) -> &str {
        &self.cfg.name
    }

    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        self.arena = Some(ctx.dmo_alloc(ARENA_BYTES)?);
        Ok(())
    }

    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        if msg.kind != RKV_APPLY {
            return Err(ActorError::Invalid(format!(
                "rkv memtable: unknown kind {:#x}",
                msg.kind
            )));
        }
        let mut d = Dec::new(&msg.payload);
        let (slot, reply) = (d.u64()?, d.u8()? == 1);
        ctx.compute(MEMTABLE_CYCLES_PER_OP / 4)?;
        if slot < self.next || self.pending.contains_key(&slot) {
            return Ok(()); // already applied or queued (a re-sent entry)
        }
        if self.pending.len() >= MAX_PENDING && slot != self.next {
            // Still ask for the gap (the first missing slot), or a lost APPLY would
            // block the buffer for good; one request per RESEND_EVERY refusals.
            self.refused += 1;
            if self.refused % RESEND_EVERY as u64 == 1 {
                ctx.send(msg.src, RKV_CATCHUP, Enc::new().u64(self.next).done())?;
            }
            return Err(ActorError::Invalid(
                "rkv memtable: reorder buffer full".into(),
            ));
        }
        self.pending
            .insert(slot, (reply, msg.payload[9..].to_vec()));
        // At most DRAIN_PER_MSG entries per message: after a long gap the buffer
        // holds thousands, and applying them in one handler would outlast the
        // watchdog; later APPLYs drain the rest.
        for _ in 0..DRAIN_PER_MSG {
            let Some((reply, op)) = self.pending.remove(&self.next) else {
                break;
            };
            let slot = self.next;
            self.next += 1;
            self.apply(ctx, slot, reply, &op)?;
        }
        // A gap that later slots keep queueing behind: the APPLY was lost (e.g. a
        // full mailbox). Ask the replica to re-send from `next`, once per
        // RESEND_EVERY entries queued, so the request rate stays bounded.
        if self.pending.len() % RESEND_EVERY == RESEND_EVERY / 2 {
            ctx.send(msg.src, RKV_CATCHUP, Enc::new().u64(self.next).done())?;
        }
        Ok(())
    }

    fn migrate_out(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<Vec<u8>, ActorError> {
        let mut e = Enc::new()
            .u32(self.arena.map_or(u32::MAX, |h| h.0))
            .u64(self.next)
            .u64(self.chan_seq);
        e = e.u32(self.pending.len() as u32);
        for (s, (r, op)) in &self.pending {
            e = e.u64(*s).u8(u8::from(*r)).bytes(op);
        }
        e = e.u32(self.table.len() as u32);
        for (k, v) in &self.table {
            e = e.u32(*k).bytes(v);
        }
        Ok(e.done())
    }

    fn migrate_in(&mut self, state: &[u8], _ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        if state.is_empty() {
            return Ok(());
        }
        let mut d = Dec::new(state);
        let arena = d.u32()?;
        self.arena = (arena != u32::MAX).then_some(DmoHandle(arena));
        self.next = d.u64()?;
        self.chan_seq = d.u64()?;
        let n = d.count(13)?;
        self.pending = (0..n)
            .map(|_| Ok((d.u64()?, (d.u8()? == 1, d.bytes()?))))
            .collect::<Result<_, ActorError>>()?;
        let n = d.count(8)?;
        self.table = (0..n)
            .map(|_| Ok((d.u32()?, d.bytes()?)))
            .collect::<Result<_, ActorError>>()?;
        Ok(())
    }
}

/// An APPLY of the next slot (slots count up per generated request): a PUT half the time.
pub fn gen_request<R: Rng + ?Sized>(rng: &mut R) -> Request {
    // Slot 1 applies at once; later slots wait in the bounded reorder buffer (a
    // generated stream has no log order, so this exercises that path too).
    let slot = rng.gen_range(1..=4);
    let client = Endpoint::Network { node: 9, port: 9 };
    let (req, key) = (rng.gen::<u32>().into(), rng.gen_range(0..4096));
    let op = if rng.gen_bool(0.5) {
        Op::Put {
            client,
            req,
            key,
            value: (0..64).map(|_| rng.gen()).collect(),
        }
    } else {
        Op::Get { client, req, key }
    };
    let mut payload = Enc::new().u64(slot).u8(1).done();
    payload.extend_from_slice(&op.to_bytes());
    Request {
        kind: RKV_APPLY,
        payload,
    }
}

/// This kind's entry in the actor registry.
pub static KIND: KindDescriptor = KindDescriptor {
    name: "rkv_memtable",
    doc: "RKV_APPLY `[slot u64][reply u8][op]` from its replica, applied in slot order (a gap that persists: RKV_CATCHUP `[from u64]` to the replica, which re-sends); replies RKV_REPLY to the op's client when `reply`; sends RKV_FLUSH runs and missed reads (RKV_SST_GET) to its SSTable actor",
    build: |table| build_from(table, RkvMemtable::new),
    default_config: default_table::<RkvMemtableConfig>,
    gen_request: |rng, _spare| gen_request(rng),
    source: file!(),
};
