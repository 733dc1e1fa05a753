//! DT coordinator, per-transaction state: where a transaction is in OCC + 2PC,
//! and its encoding for migration (`migrate_out` / `migrate_in`).

use super::super::codec::{get_endpoint, put_endpoint, Dec, Enc};
use scheduler::{ActorError, Endpoint};
use std::collections::BTreeMap;

/// Reading: waiting for READ_REPLYs.
pub(super) const READING: u8 = 0;
/// Preparing: waiting for votes.
pub(super) const PREPARING: u8 = 1;
/// Logging: waiting for the log's DT_LOGGED.
pub(super) const LOGGING: u8 = 2;

/// One transaction in flight.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Txn {
    pub(super) client: Endpoint,
    pub(super) keys: Vec<u32>,
    pub(super) deltas: Vec<(u32, u64)>,
    /// key -> (value, version) read.
    pub(super) read: BTreeMap<u32, (u64, u64)>,
    pub(super) phase: u8,
    pub(super) pending: u32,
    pub(super) yes: Vec<u32>,
    pub(super) any_no: bool,
}

/// Appends transaction `id` to `e`.
pub(super) fn encode_txn_state(e: Enc, id: u64, t: &Txn) -> Enc {
    let mut e = put_endpoint(e.u64(id), t.client).u32(t.keys.len() as u32);
    for &k in &t.keys {
        e = e.u32(k);
    }
    e = e.u32(t.deltas.len() as u32);
    for &(k, d) in &t.deltas {
        e = e.u32(k).u64(d);
    }
    e = e.u32(t.read.len() as u32);
    for (&k, &(v, ver)) in &t.read {
        e = e.u32(k).u64(v).u64(ver);
    }
    e = e
        .u8(t.phase)
        .u32(t.pending)
        .u8(u8::from(t.any_no))
        .u32(t.yes.len() as u32);
    for &p in &t.yes {
        e = e.u32(p);
    }
    e
}

/// Reads one transaction written by [`encode_txn_state`].
pub(super) fn decode_txn_state(d: &mut Dec<'_>) -> Result<(u64, Txn), ActorError> {
    let id = d.u64()?;
    let client = get_endpoint(d)?;
    let n = d.count(4)?;
    let keys = (0..n).map(|_| d.u32()).collect::<Result<_, _>>()?;
    let n = d.count(12)?;
    let deltas = (0..n)
        .map(|_| Ok((d.u32()?, d.u64()?)))
        .collect::<Result<_, ActorError>>()?;
    let n = d.count(20)?;
    let read = (0..n)
        .map(|_| Ok((d.u32()?, (d.u64()?, d.u64()?))))
        .collect::<Result<_, ActorError>>()?;
    let (phase, pending, any_no) = (d.u8()?, d.u32()?, d.u8()? == 1);
    let n = d.count(4)?;
    let yes = (0..n).map(|_| d.u32()).collect::<Result<_, _>>()?;
    Ok((
        id,
        Txn {
            client,
            keys,
            deltas,
            read,
            phase,
            pending,
            yes,
            any_no,
        },
    ))
}
