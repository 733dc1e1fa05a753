//! DT participant actor: owns one key partition in a DMO and serves READ,
//! PREPARE (validate and lock), COMMIT (install and unlock) and ABORT (unlock).

use super::super::codec::{Dec, Enc};
use super::{LockSet, DT_ABORT, DT_COMMIT, DT_PREPARE, DT_READ, DT_READ_REPLY, DT_VOTE};
use crate::actors::registry::{build_from, default_table, KindDescriptor};
use crate::actors::{ConfigError, Request};
use rand::Rng;
use scheduler::{Actor, ActorCtx, ActorError, DmoHandle, Message};
use serde::{Deserialize, Serialize};

/// Compute per key handled (locate the record, compare versions and lock words).
/// Assumption: ~150 instructions at ~1 IPC on the CN2350; not in the paper's data.
pub const PARTICIPANT_CYCLES_PER_KEY: u64 = 150;
/// Compute per message (decode the header, build the reply). Assumption.
pub const PARTICIPANT_CYCLES_PER_MSG: u64 = 300;
/// Bytes per key record: value u64, version u64, write owner u64 (txn + 1, 0 = free),
/// readers u32, pad u32.
pub const RECORD_BYTES: u32 = 32;

/// Configuration of [`DtParticipant`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DtParticipantConfig {
    /// Actor name (unique per runtime). Default `dt_participant`.
    pub name: String,
    /// This participant owns keys with `key % partitions == index`. Default 0.
    pub index: u32,
    /// Number of participants. Default 1.
    pub partitions: u32,
    /// Keys are `0..key_count`. Default 4096 (assumption).
    pub key_count: u32,
}

impl Default for DtParticipantConfig {
    fn default() -> Self {
        DtParticipantConfig {
            name: "dt_participant".into(),
            index: 0,
            partitions: 1,
            key_count: 4096,
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Rec {
    value: u64,
    version: u64,
    owner: u64,
    readers: u32,
}

/// One key partition.
#[derive(Debug)]
pub struct DtParticipant {
    cfg: DtParticipantConfig,
    table: Option<DmoHandle>,
}

impl DtParticipant {
    /// A participant; `index < partitions`.
    pub fn new(cfg: DtParticipantConfig) -> Result<DtParticipant, ConfigError> {
        if cfg.partitions == 0 || cfg.index >= cfg.partitions {
            return Err(ConfigError::new("index", "must be below partitions (>= 1)"));
        }
        if cfg.key_count == 0 || cfg.key_count > 1 << 24 {
            return Err(ConfigError::new(
                "key_count",
                "must be in 1..=16777216 (default 4096)",
            ));
        }
        Ok(DtParticipant { cfg, table: None })
    }

    fn slot(&self, key: u32) -> Result<u32, ActorError> {
        if key >= self.cfg.key_count || key % self.cfg.partitions != self.cfg.index {
            return Err(ActorError::Invalid(format!(
                "dt participant {}: key {key} is not mine",
                self.cfg.index
            )));
        }
        Ok(RECORD_BYTES * (key / self.cfg.partitions))
    }

    fn get(&self, ctx: &mut ActorCtx<'_>, key: u32) -> Result<Rec, ActorError> {
        let off = self.slot(key)?;
        let mut b = [0u8; RECORD_BYTES as usize];
        ctx.dmo_read(self.handle()?, off, &mut b)?;
        let mut d = Dec::new(&b);
        Ok(Rec {
            value: d.u64()?,
            version: d.u64()?,
            owner: d.u64()?,
            readers: d.u32()?,
        })
    }

    fn put(&self, ctx: &mut ActorCtx<'_>, key: u32, r: Rec) -> Result<(), ActorError> {
        let off = self.slot(key)?;
        let b = Enc::new()
            .u64(r.value)
            .u64(r.version)
            .u64(r.owner)
            .u32(r.readers)
            .u32(0)
            .done();
        ctx.dmo_write(self.handle()?, off, &b)
    }

    fn handle(&self) -> Result<DmoHandle, ActorError> {
        self.table
            .ok_or_else(|| ActorError::Invalid("dt participant not initialised".into()))
    }

    fn read(
        &self,
        txn: u64,
        d: &mut Dec<'_>,
        msg: &Message,
        ctx: &mut ActorCtx<'_>,
    ) -> Result<(), ActorError> {
        let n = d.count(4)?;
        ctx.compute(PARTICIPANT_CYCLES_PER_KEY * n as u64)?;
        let mut e = Enc::with_capacity(12 + 20 * n).u64(txn).u32(n as u32);
        for _ in 0..n {
            let k = d.u32()?;
            let r = self.get(ctx, k)?;
            e = e.u32(k).u64(r.value).u64(r.version);
        }
        ctx.send(msg.src, DT_READ_REPLY, e.done())
    }

    /// Validate everything first, then lock everything: all or nothing.
    fn prepare(&self, txn: u64, set: &LockSet, ctx: &mut ActorCtx<'_>) -> Result<bool, ActorError> {
        let mut ok = true;
        for &(k, ver) in &set.reads {
            let r = self.get(ctx, k)?;
            ok &= r.version == ver && r.owner == 0;
        }
        for &(k, ver, _) in &set.writes {
            let r = self.get(ctx, k)?;
            ok &= r.version == ver && r.owner == 0 && r.readers == 0;
        }
        if ok {
            for &(k, _) in &set.reads {
                let r = self.get(ctx, k)?;
                self.put(
                    ctx,
                    k,
                    Rec {
                        readers: r.readers + 1,
                        ..r
                    },
                )?;
            }
            for &(k, _, _) in &set.writes {
                let r = self.get(ctx, k)?;
                self.put(
                    ctx,
                    k,
                    Rec {
                        owner: txn + 1,
                        ..r
                    },
                )?;
            }
        }
        Ok(ok)
    }

    /// Release the locks `txn` holds; with `install`, write the new values first.
    fn release(
        &self,
        txn: u64,
        set: &LockSet,
        install: bool,
        ctx: &mut ActorCtx<'_>,
    ) -> Result<(), ActorError> {
        for &(k, _) in &set.reads {
            let r = self.get(ctx, k)?;
            self.put(
                ctx,
                k,
                Rec {
                    readers: r.readers.saturating_sub(1),
                    ..r
                },
            )?;
        }
        for &(k, ver, value) in &set.writes {
            let r = self.get(ctx, k)?;
            if r.owner != txn + 1 {
                continue; // not ours (a duplicate or a stray message): leave it alone
            }
            let r = if install {
                Rec {
                    value,
                    version: ver + 1,
                    owner: 0,
                    ..r
                }
            } else {
                Rec { owner: 0, ..r }
            };
            self.put(ctx, k, r)?;
        }
        Ok(())
    }
}

impl Actor for DtParticipant {
    fn name(&self) -> &str {
        &self.cfg.name
    }

    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let owned = self.cfg.key_count.div_ceil(self.cfg.partitions);
        self.table = Some(ctx.dmo_alloc(RECORD_BYTES * owned)?);
        Ok(())
    }

    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        ctx.compute(PARTICIPANT_CYCLES_PER_MSG)?;
        let mut d = Dec::new(&msg.payload);
        let txn = d.u64()?;
        match msg.kind {
            DT_READ => self.read(txn, &mut d, msg, ctx),
            DT_PREPARE | DT_COMMIT | DT_ABORT => {
                let set = LockSet::decode(&mut d)?;
                let keys = (set.reads.len() + set.writes.len()) as u64;
                ctx.compute(PARTICIPANT_CYCLES_PER_KEY * keys)?;
                match msg.kind {
                    DT_PREPARE => {
                        let yes = self.prepare(txn, &set, ctx)?;
                        ctx.send(
                            msg.src,
                            DT_VOTE,
                            Enc::new().u64(txn).u8(u8::from(yes)).done(),
                        )
                    }
                    kind => self.release(txn, &set, kind == DT_COMMIT, ctx),
                }
            }
            k => Err(ActorError::Invalid(format!(
                "dt participant: unknown kind {k:#x}"
            ))),
        }
    }

    fn migrate_out(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<Vec<u8>, ActorError> {
        // Every record and lock is in the table DMO (moved by the runtime, handle stable).
        Ok(Vec::new())
    }
}

/// A READ of 3 keys (default config: one partition of 4096 keys).
pub fn gen_request<R: Rng + ?Sized>(rng: &mut R) -> Request {
    let txn = rng.gen::<u32>().into();
    let mut e = Enc::new().u64(txn).u32(3);
    for _ in 0..3 {
        e = e.u32(rng.gen_range(0..4096));
    }
    Request {
        kind: DT_READ,
        payload: e.done(),
    }
}

/// This kind's entry in the actor registry.
pub static KIND: KindDescriptor = KindDescriptor {
    name: "dt_participant",
    doc: "DT_READ `[txn u64][n u32] keys` replies DT_READ_REPLY (key, value, version); DT_PREPARE `[txn]`+lock set replies DT_VOTE `[txn][yes u8]`; DT_COMMIT / DT_ABORT `[txn]`+lock set install/unlock",
    build: |table| build_from(table, DtParticipant::new),
    default_config: default_table::<DtParticipantConfig>,
    gen_request: |rng, _spare| gen_request(rng),
    source: file!(),
};
