//! The paper's offloaded tasks as real `scheduler::Actor`s, plus two synthetic actors for scheduling studies.
//!
//! One file per actor. Every actor computes its real result from the request
//! bytes, keeps its hot state in DMOs (so migration moves it and the cache
//! model sees the working set) and charges its simulated cost through
//! `ActorCtx`: compute cycles for the work it actually did, DMO accesses, and
//! accelerator calls. The per-unit cycle constants are calibrated on the
//! LiquidIO CN2350 cost model against Table 3 of iPipe (measured by the repro crate, `repro/src/figures/table3_tasks.rs`).
//!
//! `registry` maps a kind name and a TOML config table to a boxed actor and
//! generates deterministic request payloads for each kind.
//!
//! | kind | request (`kinds::*`, payload) | what it sends |
//! |---|---|---|
//! | replication | REQUEST, any 1..64 KiB | `[seq u64][crc32 u32][request]` to each replica node (FORWARD) |
//! | load_balancer | REQUEST, `PacketDesc` (16 B) | the packet to its Maglev-chosen backend (FORWARD) |
//! | top_ranker | REQUEST, n x `[item u32][score u32]` | top N `[item u32][total u64]` to the sender (REPLY) |
//! | flow_classifier | REQUEST, `PacketDesc` | the flow's class (1 B) to the sender (REPLY) |
//! | flow_monitor | REQUEST `PacketDesc` / MONITOR_QUERY `FlowKey` | nothing / the estimate u64 (REPLY) |
//! | firewall | REQUEST, `PacketDesc` | allowed packets to `forward_node` (FORWARD) |
//! | rate_limiter | REQUEST, `PacketDesc` | admitted packets to `forward_node` (FORWARD) |
//! | kv_cache | KV_GET / KV_SET, `[klen u8][vlen u8][key][value]` | KV_HIT value / KV_MISS / KV_STORED |
//! | fixed_cost | REQUEST, any | request id u64 to the sender (REPLY), if `reply` |
//! | variable_cost | REQUEST, `[cost_ns u32]` | request id u64 to the sender (REPLY), if `reply` |
//!
//! Actors charge their own computation; the cost of moving a sent message
//! (packet output, PCIe) is the driver's and the messaging model's to charge.

pub mod firewall;
pub mod fixed_cost;
pub mod flow_classifier;
pub mod flow_monitor;
pub mod forest;
pub mod kv_cache;
pub mod load_balancer;
pub mod rate_limiter;
pub mod registry;
pub mod replication;
pub mod synthetic;
pub mod top_ranker;
pub mod variable_cost;
pub mod wire;

pub use registry::{build_actor, build_actor_of, gen_request, ActorKind, RegistryError};

use thiserror::Error;

/// A request an actor accepts: the message kind and its payload bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// `Message::kind` for the request.
    pub kind: u16,
    /// `Message::payload`.
    pub payload: Vec<u8>,
}

/// A config value that deserialized but makes no sense (e.g. zero replicas).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("config key `{key}`: {reason}")]
pub struct ConfigError {
    /// The offending key.
    pub key: String,
    /// What is wrong and how to fix it.
    pub reason: String,
}

impl ConfigError {
    /// A config error for `key`.
    pub fn new(key: impl Into<String>, reason: impl Into<String>) -> ConfigError {
        ConfigError {
            key: key.into(),
            reason: reason.into(),
        }
    }
}

/// Message kinds of requests (what generators emit and actors accept).
pub mod kinds {
    /// A plain request (the only kind for most actors).
    pub const REQUEST: u16 = 1;
    /// Key-value cache GET.
    pub const KV_GET: u16 = 10;
    /// Key-value cache SET.
    pub const KV_SET: u16 = 11;
    /// Flow monitor: query the estimate of one flow.
    pub const MONITOR_QUERY: u16 = 20;
    /// Reply kinds (actor to requester) start here.
    pub const REPLY: u16 = 0x100;
    /// KV GET found the key; payload is the value.
    pub const KV_HIT: u16 = 0x110;
    /// KV GET missed; empty payload.
    pub const KV_MISS: u16 = 0x111;
    /// KV SET stored.
    pub const KV_STORED: u16 = 0x112;
    /// A forwarded packet or request (replication, load balancer, firewall, rate limiter).
    pub const FORWARD: u16 = 0x200;
}
