//! DT, distributed transactions (iPipe section 5): optimistic concurrency control
//! with two-phase commit, as three actor kinds.
//!
//! - [`coordinator::DtCoordinator`] runs a client's transaction: it reads every key
//!   from the participant owning it (execution phase, no locks), computes the writes
//!   (each written key gets the sum of the values read plus the client's delta, a
//!   real read-dependent update), then 2PC: PREPARE to every involved participant;
//!   if all vote yes the commit record goes to the log actor and, once logged,
//!   COMMIT goes out and the client gets the result; otherwise ABORT to the yes-voters.
//! - [`participant::DtParticipant`] owns the keys with `key % partitions == index`
//!   in a DMO (value, version, write lock owner, reader count per key). PREPARE
//!   validates and locks atomically (one handler): every read version must be
//!   current and the key not write-locked; every written key must be unlocked.
//!   Read-only keys take a shared lock, written keys an exclusive one, so a
//!   committed transaction held all its keys at once at its versions read:
//!   committed histories are serializable (checked by [`checker`]).
//! - [`log::DtLog`] appends commit records to a ring in its DMO and persists each
//!   one to host memory by sending it to `Endpoint::Host` (the platform carries it
//!   across PCIe by DMA), then acknowledges the coordinator.
//!
//! Peers are named by actor id in each config (participants, log), never hard-wired.

pub mod checker;
pub mod coordinator;
pub mod log;
pub mod participant;
mod txn;

use super::codec::{Dec, Enc};
use scheduler::ActorError;

/// Client -> coordinator: `[txn u64][n u32] n x [key u32] [m u32] m x [key u32][delta u64]`
/// (written keys must be among the keys read).
pub const DT_TXN: u16 = 0x4000;
/// Coordinator -> participant: `[txn u64][n u32] n x [key u32]`.
pub const DT_READ: u16 = 0x4001;
/// Participant -> coordinator: `[txn u64][n u32] n x [key u32][value u64][version u64]`.
pub const DT_READ_REPLY: u16 = 0x4002;
/// Coordinator -> participant: `[txn u64]` then a [`LockSet`].
pub const DT_PREPARE: u16 = 0x4003;
/// Participant -> coordinator: `[txn u64][yes u8]`.
pub const DT_VOTE: u16 = 0x4004;
/// Coordinator -> participant: `[txn u64]` then the PREPARE's [`LockSet`]; install and unlock.
pub const DT_COMMIT: u16 = 0x4005;
/// Coordinator -> participant that voted yes: `[txn u64]` then the [`LockSet`]; unlock.
pub const DT_ABORT: u16 = 0x4006;
/// Coordinator -> log: an encoded [`CommitRecord`].
pub const DT_LOG: u16 = 0x4007;
/// Log -> coordinator: `[txn u64]`.
pub const DT_LOGGED: u16 = 0x4008;
/// Coordinator -> client: `[txn u64][committed u8][n u32] n x [key u32][value u64]` (values read).
pub const DT_RESULT: u16 = 0x4100;

/// What a PREPARE validates and locks at one participant.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LockSet {
    /// Keys read (not written) with the version read: shared locks.
    pub reads: Vec<(u32, u64)>,
    /// Keys written: version read and new value; exclusive locks.
    pub writes: Vec<(u32, u64, u64)>,
}

impl LockSet {
    /// Appends the encoding to `e`.
    pub fn encode(&self, mut e: Enc) -> Enc {
        e = e
            .reserve(8 + 12 * self.reads.len() + 20 * self.writes.len())
            .u32(self.reads.len() as u32);
        for &(k, v) in &self.reads {
            e = e.u32(k).u64(v);
        }
        e = e.u32(self.writes.len() as u32);
        for &(k, v, x) in &self.writes {
            e = e.u32(k).u64(v).u64(x);
        }
        e
    }
    /// Reads one back.
    pub fn decode(d: &mut Dec<'_>) -> Result<LockSet, ActorError> {
        let n = d.count(12)?;
        let reads = (0..n)
            .map(|_| Ok((d.u32()?, d.u64()?)))
            .collect::<Result<_, ActorError>>()?;
        let m = d.count(20)?;
        let writes = (0..m)
            .map(|_| Ok((d.u32()?, d.u64()?, d.u64()?)))
            .collect::<Result<_, ActorError>>()?;
        Ok(LockSet { reads, writes })
    }
}

/// A committed transaction as logged: what it read and what it wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommitRecord {
    pub txn: u64,
    /// (key, version read, value read), every key the transaction read.
    pub reads: Vec<(u32, u64, u64)>,
    /// (key, version written = version read + 1, value written).
    pub writes: Vec<(u32, u64, u64)>,
}

impl CommitRecord {
    /// Wire and log form.
    pub fn encode(&self) -> Vec<u8> {
        let bytes = 16 + 20 * (self.reads.len() + self.writes.len());
        let mut e = Enc::with_capacity(bytes)
            .u64(self.txn)
            .u32(self.reads.len() as u32);
        for &(k, v, x) in &self.reads {
            e = e.u32(k).u64(v).u64(x);
        }
        e = e.u32(self.writes.len() as u32);
        for &(k, v, x) in &self.writes {
            e = e.u32(k).u64(v).u64(x);
        }
        e.done()
    }
    /// Parses the wire and log form.
    pub fn decode(p: &[u8]) -> Result<CommitRecord, ActorError> {
        let mut d = Dec::new(p);
        let txn = d.u64()?;
        let triples = |d: &mut Dec<'_>| -> Result<Vec<(u32, u64, u64)>, ActorError> {
            let n = d.count(20)?;
            (0..n).map(|_| Ok((d.u32()?, d.u64()?, d.u64()?))).collect()
        };
        let reads = triples(&mut d)?;
        let writes = triples(&mut d)?;
        Ok(CommitRecord { txn, reads, writes })
    }
}

/// Encodes a client transaction (`DT_TXN`).
pub fn encode_txn(txn: u64, reads: &[u32], writes: &[(u32, u64)]) -> Vec<u8> {
    let bytes = 16 + 4 * reads.len() + 12 * writes.len();
    let mut e = Enc::with_capacity(bytes).u64(txn).u32(reads.len() as u32);
    for &k in reads {
        e = e.u32(k);
    }
    e = e.u32(writes.len() as u32);
    for &(k, d) in writes {
        e = e.u32(k).u64(d);
    }
    e.done()
}

/// A decoded `DT_RESULT`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxnResult {
    pub txn: u64,
    pub committed: bool,
    /// Values read (meaningful when committed).
    pub values: Vec<(u32, u64)>,
}

/// Parses a `DT_RESULT`.
pub fn decode_result(p: &[u8]) -> Result<TxnResult, ActorError> {
    let mut d = Dec::new(p);
    let txn = d.u64()?;
    let committed = d.u8()? == 1;
    let n = d.count(12)?;
    let values = (0..n)
        .map(|_| Ok((d.u32()?, d.u64()?)))
        .collect::<Result<_, ActorError>>()?;
    Ok(TxnResult {
        txn,
        committed,
        values,
    })
}
