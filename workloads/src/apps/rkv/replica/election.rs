//! RKV replica, leader election: timeouts on ticks, phase 1 (PREPARE/PROMISE) with a
//! higher ballot, and taking over by re-proposing every unapplied slot.

use super::super::super::codec::{Dec, Enc};
use super::super::{Op, RKV_HEARTBEAT, RKV_PREPARE, RKV_PROMISE};
use super::{Entry, RkvReplica, PAXOS_CYCLES_PER_ENTRY};
use scheduler::{ActorCtx, ActorError, Message};
use std::collections::BTreeSet;

impl RkvReplica {
    pub(super) fn on_tick(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        self.ticks += 1;
        if self.leader {
            self.announce(ctx)?;
            self.retry_accepts(ctx)?;
            let beat = Enc::new().u64(self.ballot).u64(self.applied).done();
            return self.broadcast(ctx, RKV_HEARTBEAT, &beat);
        }
        self.quiet_ticks += 1;
        if self.quiet_ticks <= self.cfg.election_timeout_ticks + 2 * self.cfg.index {
            return Ok(());
        }
        // Phase 1 with a ballot above anything promised.
        self.quiet_ticks = 0;
        self.ballot = (self.promised / 16 + 1) * 16 + u64::from(self.cfg.index);
        self.promised = self.ballot;
        self.candidate = true;
        self.leader_hint = None;
        self.promises = BTreeSet::from([self.cfg.index]);
        self.gathered = self
            .log
            .range(self.applied + 1..)
            .map(|(&s, e)| (s, e.clone()))
            .collect();
        let payload = Enc::new().u64(self.ballot).u64(self.applied + 1).done();
        self.broadcast(ctx, RKV_PREPARE, &payload)?;
        self.maybe_lead(ctx)
    }

    pub(super) fn on_prepare(
        &mut self,
        msg: &Message,
        ctx: &mut ActorCtx<'_>,
    ) -> Result<(), ActorError> {
        let mut d = Dec::new(&msg.payload);
        let (ballot, from) = (d.u64()?, d.u64()?);
        let ok = ballot > self.promised;
        let mut e = Enc::new().u64(ballot).u8(u8::from(ok));
        if ok {
            self.hear_from(ballot);
            let entries: Vec<_> = self.log.range(from..).collect();
            ctx.compute(PAXOS_CYCLES_PER_ENTRY * entries.len() as u64)?;
            e = e.u64(self.promised).u32(entries.len() as u32);
            for (&s, en) in entries {
                e = e
                    .u64(s)
                    .u64(en.ballot)
                    .u8(u8::from(en.decided))
                    .bytes(&en.op);
            }
        } else {
            e = e.u64(self.promised).u32(0);
        }
        ctx.send(msg.src, RKV_PROMISE, e.done())
    }

    pub(super) fn on_promise(
        &mut self,
        msg: &Message,
        ctx: &mut ActorCtx<'_>,
    ) -> Result<(), ActorError> {
        let mut d = Dec::new(&msg.payload);
        let (ballot, ok, promised) = (d.u64()?, d.u8()? == 1, d.u64()?);
        let n = d.count(21)?;
        if !self.candidate || ballot != self.ballot {
            return Ok(());
        }
        if !ok {
            self.hear_from(promised);
            return Ok(());
        }
        ctx.compute(PAXOS_CYCLES_PER_ENTRY * n as u64)?;
        for _ in 0..n {
            let (slot, b, decided, op) = (d.u64()?, d.u64()?, d.u8()? == 1, d.bytes()?);
            let better = match self.gathered.get(&slot) {
                None => true,
                Some(cur) => !cur.decided && (decided || b > cur.ballot),
            };
            if better && slot > self.applied {
                self.gathered.insert(
                    slot,
                    Entry {
                        ballot: b,
                        op,
                        decided,
                    },
                );
            }
        }
        if let Some(from) = self.index_of(msg.src) {
            self.promises.insert(from);
        }
        self.maybe_lead(ctx)
    }

    pub(super) fn maybe_lead(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        if !self.candidate || self.promises.len() < self.majority() {
            return Ok(());
        }
        self.candidate = false;
        self.leader = true;
        self.leader_hint = Some(self.cfg.index);
        let last = self
            .gathered
            .keys()
            .next_back()
            .copied()
            .unwrap_or(self.applied);
        let gathered = std::mem::take(&mut self.gathered);
        self.acks.clear();
        self.sent_at.clear();
        self.unannounced.clear();
        for slot in self.applied + 1..=last {
            let op = gathered
                .get(&slot)
                .map_or_else(|| Op::Noop.to_bytes(), |e| e.op.clone());
            ctx.compute(PAXOS_CYCLES_PER_ENTRY)?;
            self.propose(ctx, slot, op)?;
        }
        self.next_slot = last + 1;
        Ok(())
    }
}
