//! RKV replica actor: Multi-Paxos proposer/leader, acceptor and learner with the
//! replicated log; decided entries go, in slot order, to the local memtable.
//!
//! Ballots are `round * 16 + index` (unique per replica). Replica 0 starts as
//! leader of ballot 16 without a phase 1: every acceptor starts empty with
//! ballot 16 promised, so phase 1 for it could only return nothing. A follower
//! that hears nothing (no ACCEPT, COMMIT or HEARTBEAT) for
//! `election_timeout_ticks + 2 * index` ticks runs phase 1 with a higher ballot over the slots it has not
//! applied; with a majority of promises it re-proposes, for each such slot, the
//! value of the highest ballot reported (decided values win; gaps become no-ops).
//! The leader tells followers which slots are decided once per tick, in one
//! RKV_COMMIT batch (commit piggybacking), so an acknowledged write may be known
//! as decided only to the leader when it crashes: phase 1 must recover it.

use super::super::codec::{Dec, Enc};
use super::super::peer::{position, Peer};
use super::{
    encode_reply, RKV_PREPARE, RKV_PROMISE, RKV_PUT, RKV_REDIRECT, RKV_REPLY, RKV_TICK, ST_BUSY,
};
use super::{
    Op, RKV_ACCEPT, RKV_ACCEPTED, RKV_APPLY, RKV_CATCHUP, RKV_COMMIT, RKV_GET, RKV_HEARTBEAT,
};
use super::{ST_NO_STORE, ST_STORED};
use crate::actors::registry::{build_from, default_table, KindDescriptor};
use crate::actors::{ConfigError, Request};
use rand::Rng;
use scheduler::{Actor, ActorCtx, ActorError, DmoHandle, Endpoint, Message};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

mod election;
mod phase2;
mod retry;
mod state;

/// Compute per Paxos or client message. Assumption scaled from Table 3 of iPipe:
/// the replication task takes 1.9 us on a CN2350 core (configs/calibration/
/// ipipe-sigcomm19.toml `[task_exec_us.liquidio_cn2350] replication`), about
/// 2300 cycles at 1.2 GHz; a Paxos step does similar header work and bookkeeping.
pub const PAXOS_CYCLES_PER_MSG: u64 = 2_000;
/// Compute per log entry carried in a PROMISE or re-proposed. Assumption.
pub const PAXOS_CYCLES_PER_ENTRY: u64 = 200;
/// Bytes of the DMO ring where accepted entries are written (the log's working set).
/// Assumption: 1 MB, several thousand entries; not in the paper's data.
pub const LOG_RING_BYTES: u32 = 1 << 20;

/// Configuration of [`RkvReplica`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RkvReplicaConfig {
    /// Actor name (unique per runtime). Default `rkv_replica`.
    pub name: String,
    /// This replica's position in `replicas`. Default 0.
    pub index: u32,
    /// Replica actor ids of the group, by index (this one included). Default `[0]`.
    pub replicas: Vec<Peer>,
    /// This replica's memtable actor. Default none: the leader then answers each
    /// decided entry itself (PUT: ST_STORED, GET: ST_NO_STORE), and a default config
    /// never addresses unrelated actors.
    pub memtable: Option<Peer>,
    /// Ticks without hearing a leader before an election (plus 2 x index). Default 3 (assumption).
    pub election_timeout_ticks: u32,
    /// Most log entries kept; a full leader answers BUSY. Default 65536 (assumption).
    pub max_log_entries: u32,
}

impl Default for RkvReplicaConfig {
    fn default() -> Self {
        RkvReplicaConfig {
            name: "rkv_replica".into(),
            index: 0,
            replicas: vec![Peer::Local(0)],
            memtable: None,
            election_timeout_ticks: 3,
            max_log_entries: 65536,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    ballot: u64,
    op: Vec<u8>,
    decided: bool,
}

/// One Paxos replica.
#[derive(Debug)]
pub struct RkvReplica {
    cfg: RkvReplicaConfig,
    ring: Option<DmoHandle>,
    ring_head: u32,
    promised: u64,
    /// Our ballot while leader or candidate.
    ballot: u64,
    leader: bool,
    candidate: bool,
    leader_hint: Option<u32>,
    log: BTreeMap<u64, Entry>,
    /// Slots 1..=applied went to the memtable.
    applied: u64,
    next_slot: u64,
    acks: BTreeMap<u64, BTreeSet<u32>>,
    promises: BTreeSet<u32>,
    /// Candidate: best entry reported per slot.
    gathered: BTreeMap<u64, Entry>,
    quiet_ticks: u32,
    /// Leader: decided slots the followers have not been told about yet.
    unannounced: Vec<u64>,
    /// Ticks seen (the clock of ACCEPT re-sends).
    ticks: u64,
    /// Leader: undecided slot -> tick of its last ACCEPT (see `retry`).
    sent_at: BTreeMap<u64, u64>,
    /// Follower: `applied` at the previous heartbeat (no progress => catch up).
    applied_at_heartbeat: u64,
}

const FIRST_BALLOT: u64 = 16;

impl RkvReplica {
    /// A replica; `index < replicas.len()`.
    pub fn new(cfg: RkvReplicaConfig) -> Result<RkvReplica, ConfigError> {
        if cfg.replicas.is_empty() || cfg.replicas.len() > 15 {
            return Err(ConfigError::new(
                "replicas",
                "list 1 to 15 replica actor ids",
            ));
        }
        if cfg.index as usize >= cfg.replicas.len() {
            return Err(ConfigError::new(
                "index",
                "must be below the number of replicas",
            ));
        }
        if cfg.election_timeout_ticks == 0 || cfg.max_log_entries == 0 {
            return Err(ConfigError::new(
                "election_timeout_ticks",
                "timeouts and max_log_entries must be >= 1",
            ));
        }
        let leader = cfg.index == 0;
        Ok(RkvReplica {
            cfg,
            ring: None,
            ring_head: 0,
            promised: FIRST_BALLOT,
            ballot: FIRST_BALLOT,
            leader,
            candidate: false,
            leader_hint: Some(0),
            log: BTreeMap::new(),
            applied: 0,
            next_slot: 1,
            acks: BTreeMap::new(),
            promises: BTreeSet::new(),
            gathered: BTreeMap::new(),
            quiet_ticks: 0,
            unannounced: Vec::new(),
            ticks: 0,
            sent_at: BTreeMap::new(),
            applied_at_heartbeat: 0,
        })
    }

    fn majority(&self) -> usize {
        self.cfg.replicas.len() / 2 + 1
    }

    fn others(&self) -> Vec<Peer> {
        let me = self.cfg.index as usize;
        self.cfg
            .replicas
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != me)
            .map(|(_, a)| a.clone())
            .collect()
    }

    fn index_of(&self, src: Endpoint) -> Option<u32> {
        position(&self.cfg.replicas, src).map(|i| i as u32)
    }

    fn broadcast(
        &self,
        ctx: &mut ActorCtx<'_>,
        kind: u16,
        payload: &[u8],
    ) -> Result<(), ActorError> {
        for a in self.others() {
            ctx.send(a.endpoint()?, kind, payload.to_vec())?;
        }
        Ok(())
    }

    /// Writes the entry's bytes into the log ring DMO (the log's memory traffic).
    fn persist(&mut self, ctx: &mut ActorCtx<'_>, op: &[u8]) -> Result<(), ActorError> {
        let ring = self
            .ring
            .ok_or_else(|| ActorError::Invalid("rkv replica not initialised".into()))?;
        let len = (op.len() as u32).min(LOG_RING_BYTES);
        if self.ring_head + len > LOG_RING_BYTES {
            self.ring_head = 0;
        }
        ctx.dmo_write(ring, self.ring_head, &op[..len as usize])?;
        self.ring_head += len;
        Ok(())
    }

    /// A message of `ballot` from a (would-be) leader: promise it if it is the highest.
    fn hear_from(&mut self, ballot: u64) {
        if ballot >= self.promised {
            self.promised = ballot;
            self.leader_hint = Some((ballot % 16) as u32);
            self.quiet_ticks = 0;
            if ballot != self.ballot {
                self.leader = false;
                self.candidate = false;
            }
        }
    }
}

impl Actor for RkvReplica {
    fn name(&self) -> &str {
        &self.cfg.name
    }

    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        self.ring = Some(ctx.dmo_alloc(LOG_RING_BYTES)?);
        Ok(())
    }

    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        ctx.compute(PAXOS_CYCLES_PER_MSG)?;
        match msg.kind {
            RKV_PUT | RKV_GET => self.on_client(msg, ctx),
            RKV_ACCEPT => self.on_accept(msg, ctx),
            RKV_ACCEPTED => self.on_accepted(msg, ctx),
            RKV_COMMIT => self.on_commit(msg, ctx),
            RKV_PREPARE => self.on_prepare(msg, ctx),
            RKV_PROMISE => self.on_promise(msg, ctx),
            RKV_HEARTBEAT => {
                let mut d = Dec::new(&msg.payload);
                let (b, leader_applied) = (d.u64()?, d.u64()?);
                self.hear_from(b);
                if b == self.promised {
                    self.maybe_catch_up(msg, leader_applied, ctx)?;
                }
                Ok(())
            }
            RKV_CATCHUP => self.on_catchup(msg, ctx),
            RKV_TICK => self.on_tick(ctx),
            k => Err(ActorError::Invalid(format!(
                "rkv replica: unknown kind {k:#x}"
            ))),
        }
    }

    fn migrate_out(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<Vec<u8>, ActorError> {
        Ok(state::encode(self))
    }

    fn migrate_in(&mut self, state: &[u8], _ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        state::restore(self, state)
    }
}

/// A client PUT (half the time) or GET on one of 4096 keys, 64-byte values.
pub fn gen_request<R: Rng + ?Sized>(rng: &mut R) -> Request {
    let (req, key) = (rng.gen::<u32>().into(), rng.gen_range(0..4096));
    if rng.gen_bool(0.5) {
        let value: Vec<u8> = (0..64).map(|_| rng.gen()).collect();
        Request {
            kind: RKV_PUT,
            payload: super::encode_put(req, key, &value),
        }
    } else {
        Request {
            kind: RKV_GET,
            payload: super::encode_get(req, key),
        }
    }
}

/// This kind's entry in the actor registry.
pub static KIND: KindDescriptor = KindDescriptor {
    name: "rkv_replica",
    doc: "RKV_PUT `[req u64][key u32][value]` / RKV_GET `[req u64][key u32]` from clients (leader: through the Paxos log, else RKV_REDIRECT `[req][leader u32]`); Paxos PREPARE/PROMISE/ACCEPT/ACCEPTED/COMMIT/HEARTBEAT between replicas; RKV_TICK from a timer; decided entries to the memtable as RKV_APPLY",
    build: |table| build_from(table, RkvReplica::new),
    default_config: default_table::<RkvReplicaConfig>,
    gen_request: |rng, _spare| gen_request(rng),
    source: file!(),
};
