//! RKV replica, migration state: everything not in the log ring DMO (ballots, the
//! log map, acks, election progress, re-send clocks), serialized by `migrate_out` and restored by
//! `migrate_in` on the other side.

use super::super::super::codec::{Dec, Enc};
use super::{Entry, RkvReplica};
use scheduler::{ActorError, DmoHandle};
use std::collections::{BTreeMap, BTreeSet};

/// The replica's state as bytes.
pub(super) fn encode(r: &RkvReplica) -> Vec<u8> {
    let mut e = Enc::new()
        .u32(r.ring.map_or(u32::MAX, |h| h.0))
        .u32(r.ring_head)
        .u64(r.promised)
        .u64(r.ballot)
        .u8(u8::from(r.leader))
        .u8(u8::from(r.candidate))
        .u32(r.leader_hint.unwrap_or(u32::MAX))
        .u64(r.applied)
        .u64(r.next_slot)
        .u32(r.quiet_ticks);
    let entries = |e: Enc, m: &BTreeMap<u64, Entry>| {
        let mut e = e.u32(m.len() as u32);
        for (&s, en) in m {
            e = e
                .u64(s)
                .u64(en.ballot)
                .u8(u8::from(en.decided))
                .bytes(&en.op);
        }
        e
    };
    e = entries(e, &r.log);
    e = entries(e, &r.gathered);
    e = e.u32(r.acks.len() as u32);
    for (&s, a) in &r.acks {
        e = e.u64(s).u32(a.len() as u32);
        for &i in a {
            e = e.u32(i);
        }
    }
    e = e.u32(r.unannounced.len() as u32);
    for &s in &r.unannounced {
        e = e.u64(s);
    }
    e = e.u32(r.promises.len() as u32);
    for &i in &r.promises {
        e = e.u32(i);
    }
    e = e.u64(r.ticks).u64(r.applied_at_heartbeat);
    e = e.u32(r.sent_at.len() as u32);
    for (&s, &t) in &r.sent_at {
        e = e.u64(s).u64(t);
    }
    e.done()
}

fn decode_entries(d: &mut Dec<'_>) -> Result<BTreeMap<u64, Entry>, ActorError> {
    let n = d.count(21)?;
    (0..n)
        .map(|_| {
            Ok((
                d.u64()?,
                Entry {
                    ballot: d.u64()?,
                    decided: d.u8()? == 1,
                    op: d.bytes()?,
                },
            ))
        })
        .collect()
}

fn decode_set(d: &mut Dec<'_>) -> Result<BTreeSet<u32>, ActorError> {
    let n = d.count(4)?;
    (0..n).map(|_| d.u32()).collect()
}

/// Restores `r` from [`encode`]'s bytes (empty: nothing to restore).
pub(super) fn restore(r: &mut RkvReplica, state: &[u8]) -> Result<(), ActorError> {
    if state.is_empty() {
        return Ok(());
    }
    let mut d = Dec::new(state);
    let ring = d.u32()?;
    r.ring = (ring != u32::MAX).then_some(DmoHandle(ring));
    r.ring_head = d.u32()?;
    r.promised = d.u64()?;
    r.ballot = d.u64()?;
    r.leader = d.u8()? == 1;
    r.candidate = d.u8()? == 1;
    let hint = d.u32()?;
    r.leader_hint = (hint != u32::MAX).then_some(hint);
    r.applied = d.u64()?;
    r.next_slot = d.u64()?;
    r.quiet_ticks = d.u32()?;
    r.log = decode_entries(&mut d)?;
    r.gathered = decode_entries(&mut d)?;
    let n = d.count(8)?;
    let mut acks = BTreeMap::new();
    for _ in 0..n {
        let s = d.u64()?;
        acks.insert(s, decode_set(&mut d)?);
    }
    r.acks = acks;
    let n = d.count(8)?;
    r.unannounced = (0..n).map(|_| d.u64()).collect::<Result<_, _>>()?;
    r.promises = decode_set(&mut d)?;
    r.ticks = d.u64()?;
    r.applied_at_heartbeat = d.u64()?;
    let n = d.count(16)?;
    r.sent_at = (0..n)
        .map(|_| Ok((d.u64()?, d.u64()?)))
        .collect::<Result<_, ActorError>>()?;
    Ok(())
}
