//! The paper's offloaded tasks as real `scheduler::Actor`s, plus two synthetic actors for scheduling studies.
//!
//! One file per actor. Every actor computes its real result from the request
//! bytes, keeps its hot state in DMOs (so migration moves it and the cache
//! model sees the working set) and charges its simulated cost through
//! `ActorCtx`: compute cycles for the work it actually did, DMO accesses, and
//! accelerator calls. The per-unit cycle constants are calibrated on the
//! LiquidIO CN2350 cost model against Table 3 of iPipe (measured by the repro crate, `repro/src/figures/table3_tasks.rs`).
//!
//! `registry` holds the one table of actor kinds: each actor file's `KIND`
//! descriptor gives its name, the requests it accepts and what it sends
//! (`ActorKind::doc`), its constructor from a TOML config table, its default
//! config and its deterministic request generator. Adding a kind is one file
//! and one line in that table.
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

// The distributed applications' kinds, so the registry table can name them.
use crate::apps::kinds::*;

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

impl Request {
    /// The request with its payload zero-padded to at least `bytes` (a
    /// scenario's `request_bytes`: the wire grows, the actor's work does not).
    pub fn padded_to(mut self, bytes: usize) -> Request {
        if self.payload.len() < bytes {
            self.payload.resize(bytes, 0);
        }
        self
    }
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
