//! Flow monitor actor: per-flow packet and byte counts in a count-min sketch kept in a DMO.
//!
//! A REQUEST carries a packet descriptor and adds the packet (1) or its
//! length (bytes) to `rows` counters, one per row at an independent hash of
//! the 5-tuple. A MONITOR_QUERY carries a flow key and is answered with the
//! sketch's estimate: the minimum over the rows, which never undercounts and
//! overcounts by at most e/width of the total with probability 1 - e^-rows
//! (Cormode and Muthukrishnan, 2005).

use super::registry::{build_from, default_table, KindDescriptor};
use super::wire::{handles_in, handles_out, le_u64, mix64, FlowKey, FlowKeyWire, PacketDesc};
use super::{kinds, ConfigError, Request};
use rand::Rng;
use scheduler::{Actor, ActorCtx, ActorError, DmoHandle, Message};
use serde::Deserialize;

/// Fixed compute per request: parse the descriptor and dispatch. Derived (about 60
/// instructions); not from the paper, which gives no time for this task (prediction only).
pub const BASE_CYCLES: u64 = 150;
/// Compute per sketch row: one hash and one counter update. Derived, about 24 instructions.
pub const PER_ROW_CYCLES: u64 = 12;

/// What the sketch counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountUnit {
    /// One per packet.
    Packets,
    /// The packet's length in bytes.
    Bytes,
}

/// Configuration of [`FlowMonitor`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FlowMonitorConfig {
    /// Rows (independent hashes). Default 4.
    pub rows: u32,
    /// Counters per row (u64 each). Default 2048: 4 x 2048 x 8 B = 64 KB.
    pub width: u32,
    /// `packets` or `bytes`. Default `packets`.
    pub count: CountUnit,
}

impl Default for FlowMonitorConfig {
    fn default() -> Self {
        FlowMonitorConfig {
            rows: 4,
            width: 2048,
            count: CountUnit::Packets,
        }
    }
}

/// Count-min sketch of per-flow traffic.
#[derive(Debug)]
pub struct FlowMonitor {
    cfg: FlowMonitorConfig,
    sketch: Option<DmoHandle>,
}

impl FlowMonitor {
    /// A monitor; errors on a zero or oversized sketch.
    pub fn new(cfg: FlowMonitorConfig) -> Result<FlowMonitor, ConfigError> {
        if cfg.rows == 0 || cfg.rows > 16 {
            return Err(ConfigError::new("rows", "must be in 1..=16 (default 4)"));
        }
        if cfg.width == 0 || cfg.width > 1 << 20 {
            return Err(ConfigError::new(
                "width",
                "must be in 1..=1048576 (default 2048)",
            ));
        }
        Ok(FlowMonitor { cfg, sketch: None })
    }

    fn counter_offset(&self, key: &FlowKey, row: u32) -> u32 {
        let h = mix64(key.hash64() ^ mix64(u64::from(row) + 1));
        8 * (row * self.cfg.width + (h % u64::from(self.cfg.width)) as u32)
    }

    fn estimate(
        &self,
        ctx: &mut ActorCtx<'_>,
        h: DmoHandle,
        key: &FlowKey,
    ) -> Result<u64, ActorError> {
        let mut est = u64::MAX;
        for row in 0..self.cfg.rows {
            let mut b = [0u8; 8];
            ctx.dmo_read(h, self.counter_offset(key, row), &mut b)?;
            est = est.min(u64::from_le_bytes(b));
        }
        Ok(est)
    }
}

impl Actor for FlowMonitor {
    fn name(&self) -> &str {
        "flow_monitor"
    }

    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        self.sketch = Some(ctx.dmo_alloc(8 * self.cfg.rows * self.cfg.width)?);
        Ok(())
    }

    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let h = self
            .sketch
            .ok_or_else(|| ActorError::Invalid("flow monitor not initialised".into()))?;
        ctx.compute(BASE_CYCLES + PER_ROW_CYCLES * u64::from(self.cfg.rows))?;
        if msg.kind == kinds::MONITOR_QUERY {
            let key = FlowKey::decode(&msg.payload)?;
            let est = self.estimate(ctx, h, &key)?;
            return ctx.send(msg.src, kinds::REPLY, est.to_le_bytes().to_vec());
        }
        let pkt = PacketDesc::decode(&msg.payload)?;
        let add = match self.cfg.count {
            CountUnit::Packets => 1,
            CountUnit::Bytes => u64::from(pkt.len_bytes),
        };
        for row in 0..self.cfg.rows {
            let off = self.counter_offset(&pkt.key, row);
            let mut b = [0u8; 8];
            ctx.dmo_read(h, off, &mut b)?;
            let v = le_u64(&b, 0).saturating_add(add);
            ctx.dmo_write(h, off, &v.to_le_bytes())?;
        }
        Ok(())
    }

    fn migrate_out(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<Vec<u8>, ActorError> {
        Ok(handles_out(&[self.sketch]))
    }

    fn migrate_in(&mut self, state: &[u8], _ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        handles_in(state, &mut [&mut self.sketch])
    }
}

/// Flows the monitor generator draws from (uniformly).
pub const GEN_FLOWS: u32 = 10_000;

/// 99% packet updates of random flows (64..1500 B) and 1% queries of a random flow.
pub fn gen_request<R: Rng + ?Sized>(rng: &mut R) -> Request {
    let key = FlowKey::synthetic(rng.gen_range(0..GEN_FLOWS));
    if rng.gen_bool(0.01) {
        let mut payload = Vec::with_capacity(FlowKey::WIRE_BYTES);
        key.encode_into(&mut payload);
        return Request {
            kind: kinds::MONITOR_QUERY,
            payload,
        };
    }
    super::wire::packet_request(key, rng)
}

/// This kind's entry in the actor registry (`registry::actor_kinds!`).
pub static KIND: KindDescriptor = KindDescriptor {
    name: "flow_monitor",
    doc: "REQUEST `PacketDesc` (counted, no reply) or MONITOR_QUERY `FlowKey` (replies the estimate u64, REPLY)",
    build: |table| build_from(table, FlowMonitor::new),
    default_config: default_table::<FlowMonitorConfig>,
    gen_request: |rng, _spare| gen_request(rng),
    source: file!(),
};
