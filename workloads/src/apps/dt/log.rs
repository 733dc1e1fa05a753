//! DT log actor: appends each commit record to a ring in its DMO, persists it to
//! host memory with a DMA write (`ActorCtx::dma`) and acknowledges the
//! coordinator with DT_LOGGED.
//!
//! The persistent log is an append-only region of host memory starting at
//! [`HOST_LOG_BASE`]; each record is written there by DMA (costed by the
//! platform as a PCIe write from a NIC core, a store from a host core), with no
//! host core involved. The append offset lives in the DMO, so it survives
//! migration.

use super::super::codec::Enc;
use super::{CommitRecord, DT_LOG, DT_LOGGED};
use crate::actors::registry::{build_from, default_table, KindDescriptor};
use crate::actors::wire::{dmo_get_u64, dmo_put_u64};
use crate::actors::{ConfigError, Request};
use rand::Rng;
use scheduler::{Actor, ActorCtx, ActorError, DmoHandle, Message};
use serde::{Deserialize, Serialize};

/// Compute per record (validate, append header, build the DMA descriptor).
/// Assumption: ~300 instructions at ~1 IPC on the CN2350.
pub const LOG_CYCLES_PER_RECORD: u64 = 300;
/// Compute per 64 record bytes copied into the ring. Assumption.
pub const LOG_CYCLES_PER_64B: u64 = 16;
/// Host address of the persistent log region (assumption: any pinned host
/// buffer; only the append order and the bytes matter).
pub const HOST_LOG_BASE: u64 = 1 << 40;
/// DMO header: `[head u64][records u64][persisted bytes u64]`.
const HEADER_BYTES: u32 = 24;

/// Configuration of [`DtLog`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DtLogConfig {
    /// Actor name (unique per runtime). Default `dt_log`.
    pub name: String,
    /// Bytes of the NIC-side ring of recent records. Default 65536 (assumption).
    pub ring_bytes: u32,
}

impl Default for DtLogConfig {
    fn default() -> Self {
        DtLogConfig {
            name: "dt_log".into(),
            ring_bytes: 65536,
        }
    }
}

/// The commit log.
#[derive(Debug)]
pub struct DtLog {
    cfg: DtLogConfig,
    /// `[head u64][records u64][persisted bytes u64]` then the ring bytes.
    ring: Option<DmoHandle>,
}

impl DtLog {
    /// A log; the ring holds at least 4 KiB.
    pub fn new(cfg: DtLogConfig) -> Result<DtLog, ConfigError> {
        if cfg.ring_bytes < 4096 || cfg.ring_bytes > 1 << 28 {
            return Err(ConfigError::new(
                "ring_bytes",
                "must be in 4096..=268435456 (default 65536)",
            ));
        }
        Ok(DtLog { cfg, ring: None })
    }
}

impl Actor for DtLog {
    fn name(&self) -> &str {
        &self.cfg.name
    }

    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        self.ring = Some(ctx.dmo_alloc(HEADER_BYTES + self.cfg.ring_bytes)?);
        Ok(())
    }

    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let ring = self
            .ring
            .ok_or_else(|| ActorError::Invalid("dt log not initialised".into()))?;
        if msg.kind != DT_LOG {
            return Err(ActorError::Invalid(format!(
                "dt log: unknown kind {:#x}",
                msg.kind
            )));
        }
        let rec = CommitRecord::decode(&msg.payload)?;
        let bytes = msg.payload.len() as u32;
        if bytes + 4 > self.cfg.ring_bytes {
            return Err(ActorError::Invalid(format!(
                "dt log: record of {bytes} B exceeds the ring"
            )));
        }
        ctx.compute(LOG_CYCLES_PER_RECORD + LOG_CYCLES_PER_64B * u64::from(bytes.div_ceil(64)))?;
        // Append `[len u32][record]`, wrapping to the ring start when it does not fit.
        let mut head = dmo_get_u64(ctx, ring, 0)? as u32;
        if head + 4 + bytes > self.cfg.ring_bytes {
            head = 0;
        }
        ctx.dmo_write(ring, HEADER_BYTES + head, &bytes.to_le_bytes())?;
        ctx.dmo_write(ring, HEADER_BYTES + head + 4, &msg.payload)?;
        dmo_put_u64(ctx, ring, 0, u64::from(head + 4 + bytes))?;
        let count = dmo_get_u64(ctx, ring, 8)?;
        dmo_put_u64(ctx, ring, 8, count + 1)?;
        // Persist: DMA the record to the end of the host log.
        let persisted = dmo_get_u64(ctx, ring, 16)?;
        ctx.dma(HOST_LOG_BASE + persisted, &msg.payload)?;
        dmo_put_u64(ctx, ring, 16, persisted + u64::from(bytes))?;
        ctx.send(msg.src, DT_LOGGED, Enc::new().u64(rec.txn).done())
    }

    fn migrate_out(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<Vec<u8>, ActorError> {
        Ok(Vec::new()) // the ring DMO is all the state; the runtime moves it
    }
}

/// A commit record of 3 reads and 2 writes on random keys.
pub fn gen_request<R: Rng + ?Sized>(rng: &mut R) -> Request {
    let mut r = || {
        (
            rng.gen_range(0..4096),
            rng.gen_range(0..100),
            rng.gen::<u32>().into(),
        )
    };
    let reads = vec![r(), r(), r()];
    let writes = reads[..2].iter().map(|&(k, v, x)| (k, v + 1, x)).collect();
    let rec = CommitRecord {
        txn: reads[2].2,
        reads,
        writes,
    };
    Request {
        kind: DT_LOG,
        payload: rec.encode(),
    }
}

/// This kind's entry in the actor registry.
pub static KIND: KindDescriptor = KindDescriptor {
    name: "dt_log",
    doc: "DT_LOG a commit record `[txn u64][n] (key, version, value) [m] (key, version, value)`: appended to the DMO ring, persisted to host memory by DMA (ActorCtx::dma), DT_LOGGED `[txn]` to the sender",
    build: |table| build_from(table, DtLog::new),
    default_config: default_table::<DtLogConfig>,
    gen_request: |rng, _spare| gen_request(rng),
    source: file!(),
};
