//! RKV replica, loss recovery on ticks: the leader re-sends ACCEPT for slots left
//! undecided (a lost ACCEPT or ACCEPTED), and a follower behind the leader's
//! applied prefix asks for the decided values it missed (a lost COMMIT); the
//! memtable asks for APPLYs it missed the same way (RKV_CATCHUP from it).
//!
//! Without this a single dropped message (mailbox_full, a full migration buffer,
//! a lossy link) leaves a slot undecided forever and every later slot waits
//! behind it in `apply_ready`: the store stops answering. Both repairs only
//! re-send what the leader already sent (same ballot, same value, or values it
//! knows are decided), so the Paxos safety argument is unchanged.

use super::super::super::codec::{Dec, Enc};
use super::super::{RKV_ACCEPT, RKV_APPLY, RKV_CATCHUP, RKV_COMMIT};
use super::{RkvReplica, PAXOS_CYCLES_PER_ENTRY};
use scheduler::{ActorCtx, ActorError, Message};

/// Ticks after an ACCEPT is sent before the leader re-sends it while the slot is
/// undecided. Assumption: 20 ticks (1 ms at the configs' 50 us tick, the client
/// timeout) is above the queueing delay of a loaded but working leader
/// (configs/cluster_rkv.toml: p99 about 0.8 ms), so re-sends do not add load
/// unless a message was really lost; 4 ticks did (a re-send storm).
pub const RETRY_AFTER_TICKS: u64 = 20;
/// Most ACCEPTs re-sent per tick, the oldest first: the oldest undecided slot is
/// the one every later slot waits for. Assumption.
pub const RETRY_PER_TICK: usize = 8;
/// Most entries in one catch-up answer (COMMIT to a follower, APPLYs to the
/// memtable). Assumption: bounds the extra load right after an overload.
pub const CATCHUP_BATCH: usize = 64;

impl RkvReplica {
    /// Leader, on a tick: re-send ACCEPT for the oldest undecided slots whose last
    /// ACCEPT is at least [`RETRY_AFTER_TICKS`] old.
    pub(super) fn retry_accepts(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let now = self.ticks;
        let due: Vec<u64> = self
            .sent_at
            .iter()
            .filter(|(_, &t)| now >= t + RETRY_AFTER_TICKS)
            .map(|(&s, _)| s)
            .take(RETRY_PER_TICK)
            .collect();
        for slot in due {
            let Some(e) = self.log.get(&slot).filter(|e| !e.decided) else {
                self.sent_at.remove(&slot);
                continue;
            };
            ctx.compute(PAXOS_CYCLES_PER_ENTRY)?;
            let mut payload = Enc::new().u64(self.ballot).u64(slot).done();
            payload.extend_from_slice(&e.op);
            self.broadcast(ctx, RKV_ACCEPT, &payload)?;
            self.sent_at.insert(slot, now);
        }
        Ok(())
    }

    /// Follower, on a heartbeat announcing the leader's applied prefix: if we are
    /// behind it and did not advance since the previous heartbeat, ask the leader.
    pub(super) fn maybe_catch_up(
        &mut self,
        msg: &Message,
        leader_applied: u64,
        ctx: &mut ActorCtx<'_>,
    ) -> Result<(), ActorError> {
        let stalled = self.applied < leader_applied && self.applied == self.applied_at_heartbeat;
        self.applied_at_heartbeat = self.applied;
        if !stalled || self.leader {
            return Ok(());
        }
        ctx.send(
            msg.src,
            RKV_CATCHUP,
            Enc::new().u64(self.applied + 1).done(),
        )
    }

    /// Leader: the decided slots from `from_slot` on (at most [`CATCHUP_BATCH`]),
    /// as one RKV_COMMIT to the asking follower.
    pub(super) fn on_catchup(
        &mut self,
        msg: &Message,
        ctx: &mut ActorCtx<'_>,
    ) -> Result<(), ActorError> {
        let from = Dec::new(&msg.payload).u64()?;
        if self.index_of(msg.src).is_none() {
            return self.resend_applies(msg, from, ctx);
        }
        if !self.leader {
            return Ok(());
        }
        let slots: Vec<(u64, &[u8])> = self
            .log
            .range(from..)
            .filter(|(_, e)| e.decided)
            .take(CATCHUP_BATCH)
            .map(|(&s, e)| (s, e.op.as_slice()))
            .collect();
        if slots.is_empty() {
            return Ok(());
        }
        ctx.compute(PAXOS_CYCLES_PER_ENTRY * slots.len() as u64)?;
        let mut e = Enc::new().u32(slots.len() as u32);
        for (s, op) in slots {
            e = e.u64(s).bytes(op);
        }
        ctx.send(msg.src, RKV_COMMIT, e.done())
    }

    /// Our memtable lost an RKV_APPLY: re-send the applied slots from `from_slot`
    /// (at most [`CATCHUP_BATCH`]); it ignores those it already has.
    fn resend_applies(
        &mut self,
        msg: &Message,
        from: u64,
        ctx: &mut ActorCtx<'_>,
    ) -> Result<(), ActorError> {
        let Some(m) = &self.cfg.memtable else {
            return Ok(());
        };
        if m.endpoint()? != msg.src {
            return Ok(());
        }
        let last = self
            .applied
            .min(from.saturating_add(CATCHUP_BATCH as u64 - 1));
        for (&slot, e) in self.log.range(from..=last) {
            ctx.compute(PAXOS_CYCLES_PER_ENTRY)?;
            let mut payload = Enc::new().u64(slot).u8(u8::from(self.leader)).done();
            payload.extend_from_slice(&e.op);
            ctx.send(msg.src, RKV_APPLY, payload)?;
        }
        Ok(())
    }
}
