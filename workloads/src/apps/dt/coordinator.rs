//! DT coordinator actor: runs each client transaction through the OCC read phase
//! and two-phase commit over the configured participants and log.

use super::super::codec::{Dec, Enc};
use super::super::peer::{position, Peer};
use super::txn::{decode_txn_state, encode_txn_state, Txn, LOGGING, PREPARING, READING};
use super::{encode_txn, CommitRecord, LockSet};
use super::{DT_ABORT, DT_COMMIT, DT_LOG, DT_LOGGED, DT_PREPARE, DT_READ, DT_READ_REPLY};
use super::{DT_RESULT, DT_TXN, DT_VOTE};
use crate::actors::registry::{build_from, default_table, KindDescriptor};
use crate::actors::{ConfigError, Request};
use rand::Rng;
use scheduler::{Actor, ActorCtx, ActorError, Endpoint, Message};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Compute per message handled (decode, look up the transaction, bookkeeping).
/// Assumption: ~400 instructions at ~1 IPC on the CN2350; not in the paper's data.
pub const COORD_CYCLES_PER_MSG: u64 = 400;
/// Compute per key per phase (group by partition, encode). Assumption.
pub const COORD_CYCLES_PER_KEY: u64 = 60;
/// Most transactions in flight; more are aborted at once (a bounded table).
pub const MAX_ACTIVE_TXNS: usize = 4096;

/// Configuration of [`DtCoordinator`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DtCoordinatorConfig {
    /// Actor name (unique per runtime). Default `dt_coordinator`.
    pub name: String,
    /// Participant peers (actor ids or `{ server, actor }`, see `apps::peer`);
    /// key k belongs to `participants[k % len]`. Default none:
    /// every transaction is then answered aborted (a default config never addresses
    /// unrelated actors).
    pub participants: Vec<Peer>,
    /// Log actor (a peer); required with participants. Default none.
    pub log: Option<Peer>,
}

impl Default for DtCoordinatorConfig {
    fn default() -> Self {
        DtCoordinatorConfig {
            name: "dt_coordinator".into(),
            participants: Vec::new(),
            log: None,
        }
    }
}

/// The transaction coordinator.
#[derive(Debug)]
pub struct DtCoordinator {
    cfg: DtCoordinatorConfig,
    active: BTreeMap<u64, Txn>,
}

impl DtCoordinator {
    /// A coordinator; needs at least one participant.
    pub fn new(cfg: DtCoordinatorConfig) -> Result<DtCoordinator, ConfigError> {
        if !cfg.participants.is_empty() && cfg.log.is_none() {
            return Err(ConfigError::new(
                "log",
                "name the log actor id when participants are set",
            ));
        }
        if cfg.participants.len() > 1024 {
            return Err(ConfigError::new(
                "participants",
                "list at most 1024 participant actor ids",
            ));
        }
        Ok(DtCoordinator {
            cfg,
            active: BTreeMap::new(),
        })
    }

    fn part(&self, key: u32) -> u32 {
        key % self.cfg.participants.len() as u32
    }

    fn involved(&self, t: &Txn) -> Vec<u32> {
        let mut p: Vec<u32> = t.keys.iter().map(|&k| self.part(k)).collect();
        p.sort_unstable();
        p.dedup();
        p
    }

    /// New values: every written key gets (sum of the values read) + its delta.
    fn writes(t: &Txn) -> Vec<(u32, u64, u64)> {
        let sum = t.read.values().fold(0u64, |s, v| s.wrapping_add(v.0));
        t.deltas
            .iter()
            .map(|&(k, d)| (k, t.read.get(&k).map_or(0, |v| v.1), sum.wrapping_add(d)))
            .collect()
    }

    fn lock_set(&self, t: &Txn, part: u32) -> LockSet {
        let writes: Vec<_> = Self::writes(t)
            .into_iter()
            .filter(|w| self.part(w.0) == part)
            .collect();
        let reads = t
            .read
            .iter()
            .filter(|(k, _)| self.part(**k) == part && !writes.iter().any(|w| w.0 == **k))
            .map(|(&k, &(_, ver))| (k, ver))
            .collect();
        LockSet { reads, writes }
    }

    fn reply(ctx: &mut ActorCtx<'_>, txn: u64, t: &Txn, committed: bool) -> Result<(), ActorError> {
        let mut e = Enc::new()
            .u64(txn)
            .u8(u8::from(committed))
            .u32(t.read.len() as u32);
        for (&k, &(v, _)) in &t.read {
            e = e.u32(k).u64(v);
        }
        ctx.send(t.client, DT_RESULT, e.done())
    }

    fn start(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let mut d = Dec::new(&msg.payload);
        let txn = d.u64()?;
        let keys: Vec<u32> = d.items(4, |d| d.u32())?;
        let deltas: Vec<(u32, u64)> = d.items(12, |d| Ok((d.u32()?, d.u64()?)))?;
        ctx.compute(COORD_CYCLES_PER_KEY * (keys.len() + deltas.len()) as u64)?;
        let mut t = Txn {
            client: msg.src,
            keys,
            deltas,
            read: BTreeMap::new(),
            phase: READING,
            pending: 0,
            yes: Vec::new(),
            any_no: false,
        };
        let bad = self.cfg.participants.is_empty()
            || t.keys.is_empty()
            || t.deltas.iter().any(|w| !t.keys.contains(&w.0))
            || self.active.contains_key(&txn)
            || self.active.len() >= MAX_ACTIVE_TXNS;
        if bad {
            return Self::reply(ctx, txn, &t, false);
        }
        let parts = self.involved(&t);
        t.pending = parts.len() as u32;
        for p in parts {
            let keys: Vec<u32> = t
                .keys
                .iter()
                .copied()
                .filter(|&k| self.part(k) == p)
                .collect();
            let mut e = Enc::new().u64(txn).u32(keys.len() as u32);
            for k in keys {
                e = e.u32(k);
            }
            ctx.send(
                self.cfg.participants[p as usize].endpoint()?,
                DT_READ,
                e.done(),
            )?;
        }
        self.active.insert(txn, t);
        Ok(())
    }

    fn on_read_reply(
        &mut self,
        txn: u64,
        d: &mut Dec<'_>,
        ctx: &mut ActorCtx<'_>,
    ) -> Result<(), ActorError> {
        let Some(mut t) = self.active.remove(&txn) else {
            return Ok(());
        };
        let n = d.count(20)?;
        for _ in 0..n {
            let (k, v, ver) = (d.u32()?, d.u64()?, d.u64()?);
            t.read.insert(k, (v, ver));
        }
        t.pending = t.pending.saturating_sub(1);
        if t.pending == 0 && t.phase == READING {
            let parts = self.involved(&t);
            ctx.compute(COORD_CYCLES_PER_KEY * t.keys.len() as u64)?;
            t.phase = PREPARING;
            t.pending = parts.len() as u32;
            for p in parts {
                let payload = self.lock_set(&t, p).encode(Enc::new().u64(txn)).done();
                ctx.send(
                    self.cfg.participants[p as usize].endpoint()?,
                    DT_PREPARE,
                    payload,
                )?;
            }
        }
        self.active.insert(txn, t);
        Ok(())
    }

    fn on_vote(
        &mut self,
        txn: u64,
        yes: bool,
        src: Endpoint,
        ctx: &mut ActorCtx<'_>,
    ) -> Result<(), ActorError> {
        let Some(mut t) = self.active.remove(&txn) else {
            return Ok(());
        };
        let Some(p) = position(&self.cfg.participants, src) else {
            self.active.insert(txn, t);
            return Err(ActorError::Invalid(format!(
                "dt vote from {src:?}, not a participant"
            )));
        };
        if yes {
            t.yes.push(p as u32);
        } else {
            t.any_no = true;
        }
        t.pending = t.pending.saturating_sub(1);
        if t.pending > 0 || t.phase != PREPARING {
            self.active.insert(txn, t);
            return Ok(());
        }
        if t.any_no {
            for &p in &t.yes {
                let payload = self.lock_set(&t, p).encode(Enc::new().u64(txn)).done();
                ctx.send(
                    self.cfg.participants[p as usize].endpoint()?,
                    DT_ABORT,
                    payload,
                )?;
            }
            return Self::reply(ctx, txn, &t, false);
        }
        let rec = CommitRecord {
            txn,
            reads: t.read.iter().map(|(&k, &(v, ver))| (k, ver, v)).collect(),
            writes: Self::writes(&t)
                .into_iter()
                .map(|(k, ver, v)| (k, ver + 1, v))
                .collect(),
        };
        let Some(log) = &self.cfg.log else {
            return Err(ActorError::Invalid("dt coordinator: no log actor".into()));
        };
        ctx.send(log.endpoint()?, DT_LOG, rec.encode())?;
        t.phase = LOGGING;
        self.active.insert(txn, t);
        Ok(())
    }

    fn on_logged(&mut self, txn: u64, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let Some(t) = self.active.remove(&txn) else {
            return Ok(());
        };
        for p in self.involved(&t) {
            let payload = self.lock_set(&t, p).encode(Enc::new().u64(txn)).done();
            ctx.send(
                self.cfg.participants[p as usize].endpoint()?,
                DT_COMMIT,
                payload,
            )?;
        }
        Self::reply(ctx, txn, &t, true)
    }
}

impl Actor for DtCoordinator {
    fn name(&self) -> &str {
        &self.cfg.name
    }

    fn init(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        Ok(())
    }

    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        ctx.compute(COORD_CYCLES_PER_MSG)?;
        if msg.kind == DT_TXN {
            return self.start(msg, ctx);
        }
        let mut d = Dec::new(&msg.payload);
        let txn = d.u64()?;
        match msg.kind {
            DT_READ_REPLY => self.on_read_reply(txn, &mut d, ctx),
            DT_VOTE => {
                let yes = d.u8()? == 1;
                self.on_vote(txn, yes, msg.src, ctx)
            }
            DT_LOGGED => self.on_logged(txn, ctx),
            k => Err(ActorError::Invalid(format!(
                "dt coordinator: unknown kind {k:#x}"
            ))),
        }
    }

    fn migrate_out(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<Vec<u8>, ActorError> {
        let mut e = Enc::new().u32(self.active.len() as u32);
        for (&id, t) in &self.active {
            e = encode_txn_state(e, id, t);
        }
        Ok(e.done())
    }

    fn migrate_in(&mut self, state: &[u8], _ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        if state.is_empty() {
            return Ok(());
        }
        let mut d = Dec::new(state);
        let n = d.u32()?;
        let mut active = BTreeMap::new();
        for _ in 0..n {
            let (id, t) = decode_txn_state(&mut d)?;
            active.insert(id, t);
        }
        self.active = active;
        Ok(())
    }
}

/// A transaction reading 3 uniform keys of 4096 and writing the first 2 of them.
pub fn gen_request<R: Rng + ?Sized>(rng: &mut R) -> Request {
    let keys: Vec<u32> = (0..3).map(|i| rng.gen_range(0..1365) * 3 + i).collect();
    let writes = [
        (keys[0], rng.gen_range(1..100)),
        (keys[1], rng.gen_range(1..100)),
    ];
    Request {
        kind: DT_TXN,
        payload: encode_txn(rng.gen(), &keys, &writes),
    }
}

/// This kind's entry in the actor registry.
pub static KIND: KindDescriptor = KindDescriptor {
    name: "dt_coordinator",
    doc: "DT_TXN `[txn u64][n u32] keys [m u32] (key, delta u64)`: OCC reads, 2PC over the participants, commit record to the log; replies DT_RESULT `[txn][committed u8][n] (key, value)`",
    build: |table| build_from(table, DtCoordinator::new),
    default_config: default_table::<DtCoordinatorConfig>,
    gen_request: |rng, _spare| gen_request(rng),
    source: file!(),
};
