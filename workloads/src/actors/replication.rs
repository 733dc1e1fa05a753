//! Replication actor: stamps each request with a sequence number and a CRC and forwards a copy to N replicas.
//!
//! This is the primary's data path of a replicated store (iPipe's RKV): the
//! request is appended to a replication log kept in a DMO (sequence number,
//! length, CRC-32 computed on the NIC's CRC engine) and one message per
//! replica is sent over the network. The replica message is
//! `[seq u64][crc32 u32][request bytes]`.

use super::registry::{build_from, default_table, KindDescriptor};
use super::wire::{crc32, dmo_get_u64, dmo_put_u64, handles_in, handles_out};
use super::{kinds, ConfigError, Request};
use rand::Rng;
use scheduler::{AccelKind, Actor, ActorCtx, ActorError, DmoHandle, Endpoint, Message};
use serde::Deserialize;

/// Fixed compute per request: parse, log bookkeeping, message setup.
/// Chosen so that exec time on the CN2350 model = 1.9 us (Table 3 of iPipe, via
/// configs/calibration/ipipe-sigcomm19.toml) for the default 3 replicas and the
/// generator's 64..256 B requests (mean 160 B): of 1.9 us, the 3 header/log DMO
/// line accesses take 0.035 us, the CRC engine 0.046 us and the per-replica and
/// copy compute 3 x (60 + 172/8) cycles = 0.205 us, leaving 1.614 us = 1937 cycles
/// at 1.2 GHz (measured 1.898 us by `repro::figures::table3_tasks`).
pub const BASE_CYCLES: u64 = 1_935;
/// Compute per replica: build the header and hand the message to the packet output unit.
/// Derived, not from the paper: about 120 instructions of descriptor setup at the
/// core's 2-wide issue.
pub const PER_REPLICA_CYCLES: u64 = 60;
/// Copy cost: bytes copied per cycle (8-byte loads and stores, one pair per cycle).
pub const COPY_BYTES_PER_CYCLE: u64 = 8;

/// Bytes of one replication-log entry: seq u64, len u32, crc u32.
const LOG_ENTRY_BYTES: u32 = 16;
/// Bytes of the log header: next sequence number.
const HEADER_BYTES: u32 = 16;

/// Configuration of [`Replication`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReplicationConfig {
    /// Network nodes of the replicas. Default `[1, 2, 3]` (three-way replication).
    pub replica_nodes: Vec<u32>,
    /// Destination port on the replicas. Default 7000.
    pub port: u16,
    /// Entries in the replication-log ring kept in a DMO. Default 1024.
    pub log_entries: u32,
}

impl Default for ReplicationConfig {
    fn default() -> Self {
        ReplicationConfig {
            replica_nodes: vec![1, 2, 3],
            port: 7000,
            log_entries: 1024,
        }
    }
}

/// Forwards each request to every replica, with a sequence number and CRC.
#[derive(Debug)]
pub struct Replication {
    cfg: ReplicationConfig,
    log: Option<DmoHandle>,
}

impl Replication {
    /// A replication actor; errors if there is no replica or no log entry.
    pub fn new(cfg: ReplicationConfig) -> Result<Replication, ConfigError> {
        if cfg.replica_nodes.is_empty() {
            return Err(ConfigError::new(
                "replica_nodes",
                "needs at least one replica node, e.g. [1, 2, 3]",
            ));
        }
        if cfg.log_entries == 0 || cfg.log_entries > 1 << 20 {
            return Err(ConfigError::new(
                "log_entries",
                "must be in 1..=1048576 (default 1024)",
            ));
        }
        Ok(Replication { cfg, log: None })
    }

    fn log(&self) -> Result<DmoHandle, ActorError> {
        self.log
            .ok_or_else(|| ActorError::Invalid("replication actor not initialised".into()))
    }
}

/// Parses a replica message: (sequence number, CRC, request bytes).
pub fn decode_replica_message(p: &[u8]) -> Result<(u64, u32, &[u8]), ActorError> {
    let seq = super::wire::get_u64(p, 0)?;
    let crc = super::wire::get_u32(p, 8)?;
    Ok((seq, crc, &p[12..]))
}

impl Actor for Replication {
    fn name(&self) -> &str {
        "replication"
    }

    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let h = ctx.dmo_alloc(HEADER_BYTES + self.cfg.log_entries * LOG_ENTRY_BYTES)?;
        self.log = Some(h);
        Ok(())
    }

    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let h = self.log()?;
        let len = msg.payload.len();
        if len == 0 || len > 65_536 {
            return Err(ActorError::Invalid(format!(
                "replication request of {len} bytes, expected 1..=65536"
            )));
        }
        let replicas = self.cfg.replica_nodes.len() as u64;
        ctx.compute(BASE_CYCLES)?;
        let seq = dmo_get_u64(ctx, h, 0)?;
        // The CRC engine computes the checksum; the value is the real CRC-32.
        ctx.accel(AccelKind::Crc, len as u32)?;
        let crc = crc32(&msg.payload);
        let slot = (seq % u64::from(self.cfg.log_entries)) as u32;
        let mut entry = [0u8; LOG_ENTRY_BYTES as usize];
        entry[0..8].copy_from_slice(&seq.to_le_bytes());
        entry[8..12].copy_from_slice(&(len as u32).to_le_bytes());
        entry[12..16].copy_from_slice(&crc.to_le_bytes());
        ctx.dmo_write(h, HEADER_BYTES + slot * LOG_ENTRY_BYTES, &entry)?;
        dmo_put_u64(ctx, h, 0, seq + 1)?;
        let copy_cycles = (len as u64 + 12).div_ceil(COPY_BYTES_PER_CYCLE);
        ctx.compute(replicas * (PER_REPLICA_CYCLES + copy_cycles))?;
        for &node in &self.cfg.replica_nodes {
            let mut out = Vec::with_capacity(len + 12);
            out.extend_from_slice(&seq.to_le_bytes());
            out.extend_from_slice(&crc.to_le_bytes());
            out.extend_from_slice(&msg.payload);
            let dst = Endpoint::Network {
                node,
                port: self.cfg.port,
            };
            ctx.send(dst, kinds::FORWARD, out)?;
        }
        Ok(())
    }

    fn migrate_out(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<Vec<u8>, ActorError> {
        // All state (sequence number and log) is in the DMO; only the handle is kept.
        Ok(handles_out(&[self.log]))
    }

    fn migrate_in(&mut self, state: &[u8], _ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        handles_in(state, &mut [&mut self.log])
    }
}

/// A replicated write request: 64..256 bytes of key/value bytes drawn from `rng`.
pub fn gen_request<R: Rng + ?Sized>(rng: &mut R) -> Request {
    let len = rng.gen_range(64..=256);
    let payload = super::fixed_cost::random_bytes(rng, len);
    Request {
        kind: kinds::REQUEST,
        payload,
    }
}

/// This kind's entry in the actor registry (`registry::actor_kinds!`).
pub static KIND: KindDescriptor = KindDescriptor {
    name: "replication",
    doc: "REQUEST, any 1..64 KiB payload; sends `[seq u64][crc32 u32][request]` to each replica node (FORWARD)",
    build: |table| build_from(table, Replication::new),
    default_config: default_table::<ReplicationConfig>,
    gen_request: |rng, _spare| gen_request(rng),
    source: file!(),
};
