//! Load balancer actor: Maglev consistent hashing of the flow 5-tuple to a backend, table in a DMO.
//!
//! The lookup table (Eisenbud et al., NSDI'16) has a prime number of entries
//! `M`; each backend fills entries in its own permutation order, round robin,
//! so every backend owns about M/N entries (even spread) and removing one
//! backend moves few flows (consistency). Per request: hash the 5-tuple, read
//! one 2-byte table entry, bump the backend's packet counter, forward the
//! request to the backend.

use super::registry::{build_from, default_table, KindDescriptor};
use super::wire::{dmo_get_u64, dmo_put_u64, handles_in, handles_out, mix64, FlowKey, FlowKeyWire};
use super::{kinds, ConfigError, Request};
use rand::Rng;
use scheduler::{Actor, ActorCtx, ActorError, DmoHandle, Endpoint, Message};
use serde::Deserialize;

/// Fixed compute per request: parse the 5-tuple, hash it, pick and forward.
/// Chosen so that exec time on the CN2350 model = 2.0 us (Table 3 of iPipe, via
/// configs/calibration/ipipe-sigcomm19.toml): the 3 DMO line accesses per request
/// (table entry, usually an L1 miss served by L2 since the 128 KB table exceeds
/// the 32 KB L1; counter read and write) take 0.060 us, leaving 1.94 us = 2328
/// cycles at 1.2 GHz (measured 2.001 us by `repro::figures::table3_tasks`).
pub const BASE_CYCLES: u64 = 2_330;
/// Compute per table entry written while populating (init only): one permutation
/// step and a store; derived (about 10 instructions), not from the paper.
pub const POPULATE_CYCLES_PER_ENTRY: u64 = 6;

/// Configuration of [`LoadBalancer`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoadBalancerConfig {
    /// Network nodes of the backends. Default `[100, 101, ..., 107]` (8 backends).
    pub backend_nodes: Vec<u32>,
    /// Entries of the Maglev table; must be prime and at least 10x the backends. Default 65537 (Maglev's).
    pub table_size: u32,
    /// Destination port on the backends. Default 80.
    pub port: u16,
}

impl Default for LoadBalancerConfig {
    fn default() -> Self {
        LoadBalancerConfig {
            backend_nodes: (100..108).collect(),
            table_size: 65_537,
            port: 80,
        }
    }
}

fn is_prime(n: u32) -> bool {
    n >= 2 && (2..).take_while(|d: &u32| d * d <= n).all(|d| n % d != 0)
}

/// Builds the Maglev lookup table: entry -> backend index.
pub fn maglev_table(backend_nodes: &[u32], table_size: u32) -> Vec<u16> {
    let m = u64::from(table_size);
    let n = backend_nodes.len();
    let perm: Vec<(u64, u64)> = backend_nodes
        .iter()
        .map(|&node| {
            let offset = mix64(u64::from(node)) % m;
            let skip = mix64(u64::from(node) ^ 0x5bd1_e995) % (m - 1) + 1;
            (offset, skip)
        })
        .collect();
    let mut next = vec![0u64; n];
    let mut table = vec![u16::MAX; table_size as usize];
    let mut filled = 0u64;
    'outer: loop {
        for i in 0..n {
            let (offset, skip) = perm[i];
            let mut c = (offset + next[i] * skip) % m;
            while table[c as usize] != u16::MAX {
                next[i] += 1;
                c = (offset + next[i] * skip) % m;
            }
            table[c as usize] = i as u16;
            next[i] += 1;
            filled += 1;
            if filled == m {
                break 'outer;
            }
        }
    }
    table
}

/// Picks a backend per flow with a Maglev table and forwards the request to it.
#[derive(Debug)]
pub struct LoadBalancer {
    cfg: LoadBalancerConfig,
    table: Option<DmoHandle>,
    counters: Option<DmoHandle>,
}

impl LoadBalancer {
    /// A load balancer; errors on no backends or a non-prime / too small table.
    pub fn new(cfg: LoadBalancerConfig) -> Result<LoadBalancer, ConfigError> {
        let n = cfg.backend_nodes.len();
        if n == 0 || n >= usize::from(u16::MAX) {
            return Err(ConfigError::new(
                "backend_nodes",
                "needs 1..65535 backend nodes, e.g. [100, 101, 102]",
            ));
        }
        if !is_prime(cfg.table_size) || (cfg.table_size as usize) < 10 * n {
            return Err(ConfigError::new(
                "table_size",
                format!(
                    "{} must be a prime >= 10 x backends (e.g. 65537)",
                    cfg.table_size
                ),
            ));
        }
        Ok(LoadBalancer {
            cfg,
            table: None,
            counters: None,
        })
    }

    fn handles(&self) -> Result<(DmoHandle, DmoHandle), ActorError> {
        match (self.table, self.counters) {
            (Some(t), Some(c)) => Ok((t, c)),
            _ => Err(ActorError::Invalid("load balancer not initialised".into())),
        }
    }

    /// Packets forwarded to each backend so far (reads the counters DMO, charging the reads).
    pub fn backend_counts(&self, ctx: &mut ActorCtx<'_>) -> Result<Vec<u64>, ActorError> {
        let (_, c) = self.handles()?;
        (0..self.cfg.backend_nodes.len() as u32)
            .map(|i| dmo_get_u64(ctx, c, 8 * i))
            .collect()
    }
}

impl Actor for LoadBalancer {
    fn name(&self) -> &str {
        "load_balancer"
    }

    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let table = maglev_table(&self.cfg.backend_nodes, self.cfg.table_size);
        let bytes: Vec<u8> = table.iter().flat_map(|e| e.to_le_bytes()).collect();
        let t = ctx.dmo_alloc(bytes.len() as u32)?;
        ctx.compute(POPULATE_CYCLES_PER_ENTRY * u64::from(self.cfg.table_size))?;
        ctx.dmo_write(t, 0, &bytes)?;
        let c = ctx.dmo_alloc(8 * self.cfg.backend_nodes.len() as u32)?;
        self.table = Some(t);
        self.counters = Some(c);
        Ok(())
    }

    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let (t, c) = self.handles()?;
        let key = FlowKey::decode(&msg.payload)?;
        ctx.compute(BASE_CYCLES)?;
        let slot = (key.hash64() % u64::from(self.cfg.table_size)) as u32;
        let mut e = [0u8; 2];
        ctx.dmo_read(t, 2 * slot, &mut e)?;
        let backend = u16::from_le_bytes(e) as u32;
        let count = dmo_get_u64(ctx, c, 8 * backend)?;
        dmo_put_u64(ctx, c, 8 * backend, count + 1)?;
        let dst = Endpoint::Network {
            node: self.cfg.backend_nodes[backend as usize],
            port: self.cfg.port,
        };
        ctx.send(dst, kinds::FORWARD, msg.payload.clone())
    }

    fn migrate_out(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<Vec<u8>, ActorError> {
        Ok(handles_out(&[self.table, self.counters]))
    }

    fn migrate_in(&mut self, state: &[u8], _ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        handles_in(state, &mut [&mut self.table, &mut self.counters])
    }
}

/// Flows the generator draws from (uniformly).
pub use super::wire::GEN_FLOWS;

/// A packet (64..1500 B) of one of [`GEN_FLOWS`] synthetic flows.
pub fn gen_request<R: Rng + ?Sized>(rng: &mut R) -> Request {
    super::wire::gen_flow_packet(rng)
}

/// This kind's entry in the actor registry (`registry::actor_kinds!`).
pub static KIND: KindDescriptor = KindDescriptor {
    name: "load_balancer",
    doc: "REQUEST, a `PacketDesc` (16 B); sends the packet to its Maglev-chosen backend (FORWARD)",
    build: |table| build_from(table, LoadBalancer::new),
    default_config: default_table::<LoadBalancerConfig>,
    gen_request: |rng, _spare| gen_request(rng),
    source: file!(),
};
