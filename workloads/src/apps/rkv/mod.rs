//! RKV, a replicated key-value store (iPipe section 5): Multi-Paxos across
//! replicas, an LSM memtable on the NIC side and SSTables with compaction on the
//! host side. Per replica, three actor kinds:
//!
//! - [`replica::RkvReplica`]: Multi-Paxos proposer (when leader), acceptor and
//!   learner, with the replicated log. Client PUT and GET both go through the log
//!   (reads are linearizable without leases). Leader election by timeouts on
//!   timer ticks (`RKV_TICK`, from a timer service: the test driver's `add_timer`, or a server node's `timer_us` + `timer_kind`) and higher ballots;
//!   timeouts are staggered by replica index instead of randomized.
//! - [`memtable::RkvMemtable`]: applies decided log entries in slot order (a
//!   reorder buffer), answers the client on the leader, flushes full memtables as
//!   sorted runs to the SSTable actor and sends it the reads it misses.
//! - [`sstable::RkvSstable`]: sorted runs and their compaction; a separate actor
//!   that prefers the host (register it at `Placement::Host`).
//!
//! Peers are named by actor id in each config (the replica group, the local
//! memtable and SSTable actors), never hard-wired.

pub mod memtable;
pub mod replica;
pub mod sstable;

use super::codec::{get_endpoint, put_endpoint, Dec, Enc};
use scheduler::{ActorError, Endpoint};

/// Client -> replica: `[req u64][key u32][value bytes]`.
pub const RKV_PUT: u16 = 0x5000;
/// Client -> replica: `[req u64][key u32]`.
pub const RKV_GET: u16 = 0x5001;
/// Timer -> replica (empty): drives heartbeats and election timeouts.
pub const RKV_TICK: u16 = 0x5002;
/// Candidate -> replicas: `[ballot u64][from_slot u64]`.
pub const RKV_PREPARE: u16 = 0x5010;
/// Acceptor -> candidate: `[ballot u64][ok u8][promised u64][n u32]` n x `[slot u64][ballot u64][decided u8][op]`.
pub const RKV_PROMISE: u16 = 0x5011;
/// Leader -> replicas: `[ballot u64][slot u64][op]`.
pub const RKV_ACCEPT: u16 = 0x5012;
/// Acceptor -> leader: `[ballot u64][slot u64][ok u8][promised u64]`.
pub const RKV_ACCEPTED: u16 = 0x5013;
/// Leader -> replicas, once per tick: `[n u32]` n x `[slot u64][op bytes]` (decided values).
pub const RKV_COMMIT: u16 = 0x5014;
/// Leader -> replicas, once per tick: `[ballot u64][applied u64]` (the leader's
/// applied prefix: a follower behind it that makes no progress asks with RKV_CATCHUP).
pub const RKV_HEARTBEAT: u16 = 0x5015;
/// Follower -> leader: `[from_slot u64]`; the leader answers with an RKV_COMMIT of
/// the decided slots from there (a bounded batch): recovers lost COMMITs.
/// Memtable -> its replica: the same, answered with the RKV_APPLYs from there.
pub const RKV_CATCHUP: u16 = 0x5016;
/// Replica -> its memtable: `[slot u64][reply u8][op]`.
pub const RKV_APPLY: u16 = 0x5020;
/// Memtable -> SSTable: `[seq u64][n u32]` n x `[key u32][value bytes]`, sorted by key.
/// `seq` numbers every memtable -> SSTable message; the SSTable handles them in
/// that order (a FIFO channel), so a read never sees a run flushed after it.
pub const RKV_FLUSH: u16 = 0x5021;
/// Memtable -> SSTable: `[seq u64][slot u64][op]` (a read the memtable missed; answer the client).
pub const RKV_SST_GET: u16 = 0x5022;
/// -> client: `[req u64][status u8][slot u64][value bytes]`.
pub const RKV_REPLY: u16 = 0x5100;
/// Replica -> client: `[req u64][leader u32]` (`u32::MAX`: unknown).
pub const RKV_REDIRECT: u16 = 0x5101;

/// `RKV_REPLY` status: PUT applied.
pub const ST_STORED: u8 = 0;
/// `RKV_REPLY` status: GET found the key.
pub const ST_FOUND: u8 = 1;
/// `RKV_REPLY` status: GET found nothing.
pub const ST_NOT_FOUND: u8 = 2;
/// `RKV_REPLY` status: refused, a bounded structure is full (the leader's log, or a
/// memtable without an SSTable actor); retry later.
pub const ST_BUSY: u8 = 3;
/// `RKV_REPLY` status: committed to the replicated log, but the replica has no
/// memtable configured to serve it (a GET cannot be answered).
pub const ST_NO_STORE: u8 = 4;

/// A log entry's operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Put {
        client: Endpoint,
        req: u64,
        key: u32,
        value: Vec<u8>,
    },
    Get {
        client: Endpoint,
        req: u64,
        key: u32,
    },
    /// Fills a log gap found during a leader change.
    Noop,
}

impl Op {
    /// Appends the encoding to `e`.
    pub fn encode(&self, e: Enc) -> Enc {
        match self {
            Op::Put {
                client,
                req,
                key,
                value,
            } => put_endpoint(e.u8(0), *client)
                .u64(*req)
                .u32(*key)
                .bytes(value),
            Op::Get { client, req, key } => put_endpoint(e.u8(1), *client).u64(*req).u32(*key),
            Op::Noop => e.u8(2),
        }
    }
    /// Reads one back.
    pub fn decode(d: &mut Dec<'_>) -> Result<Op, ActorError> {
        match d.u8()? {
            0 => Ok(Op::Put {
                client: get_endpoint(d)?,
                req: d.u64()?,
                key: d.u32()?,
                value: d.bytes()?,
            }),
            1 => Ok(Op::Get {
                client: get_endpoint(d)?,
                req: d.u64()?,
                key: d.u32()?,
            }),
            2 => Ok(Op::Noop),
            t => Err(ActorError::Invalid(format!("rkv: unknown op tag {t}"))),
        }
    }
    /// Encoded alone.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.encode(Enc::new()).done()
    }
}

/// A decoded `RKV_REPLY`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub req: u64,
    pub status: u8,
    /// Log slot the operation was applied at (orders writes to one key).
    pub slot: u64,
    pub value: Vec<u8>,
}

/// Encodes an `RKV_REPLY`.
pub fn encode_reply(req: u64, status: u8, slot: u64, value: &[u8]) -> Vec<u8> {
    Enc::new().u64(req).u8(status).u64(slot).bytes(value).done()
}

/// Parses an `RKV_REPLY`.
pub fn decode_reply(p: &[u8]) -> Result<Reply, ActorError> {
    let mut d = Dec::new(p);
    Ok(Reply {
        req: d.u64()?,
        status: d.u8()?,
        slot: d.u64()?,
        value: d.bytes()?,
    })
}

/// Encodes a client PUT.
pub fn encode_put(req: u64, key: u32, value: &[u8]) -> Vec<u8> {
    Enc::new().u64(req).u32(key).bytes(value).done()
}

/// Encodes a client GET.
pub fn encode_get(req: u64, key: u32) -> Vec<u8> {
    Enc::new().u64(req).u32(key).done()
}
