//! RKV replica, phase 2 and learning: the leader proposes a client's write in the next slot, acceptors accept it, a majority decides it, and decided slots are applied in order; followers learn decided slots from the leader's COMMIT batches.

use super::*;

impl RkvReplica {
    pub(super) fn propose(
        &mut self,
        ctx: &mut ActorCtx<'_>,
        slot: u64,
        op: Vec<u8>,
    ) -> Result<(), ActorError> {
        self.persist(ctx, &op)?;
        self.log.insert(
            slot,
            Entry {
                ballot: self.ballot,
                op: op.clone(),
                decided: false,
            },
        );
        self.acks.insert(slot, BTreeSet::from([self.cfg.index]));
        self.sent_at.insert(slot, self.ticks);
        let mut payload = Enc::new().u64(self.ballot).u64(slot).done();
        payload.extend_from_slice(&op);
        self.broadcast(ctx, RKV_ACCEPT, &payload)?;
        self.maybe_decide(ctx, slot)
    }

    pub(super) fn maybe_decide(
        &mut self,
        ctx: &mut ActorCtx<'_>,
        slot: u64,
    ) -> Result<(), ActorError> {
        let enough = self
            .acks
            .get(&slot)
            .is_some_and(|a| a.len() >= self.majority());
        let Some(e) = self.log.get_mut(&slot) else {
            return Ok(());
        };
        if !enough || e.decided {
            return Ok(());
        }
        e.decided = true;
        self.acks.remove(&slot);
        self.sent_at.remove(&slot);
        // Followers learn it with the next tick's batch (commit piggybacking): the
        // client may be answered before any follower knows the slot is decided, so
        // a new leader must recover it from the acceptors (phase 1).
        self.unannounced.push(slot);
        self.apply_ready(ctx)
    }

    pub(super) fn apply_ready(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        while let Some(e) = self.log.get(&(self.applied + 1)).filter(|e| e.decided) {
            let slot = self.applied + 1;
            match &self.cfg.memtable {
                Some(m) => {
                    let mut payload = Enc::new().u64(slot).u8(u8::from(self.leader)).done();
                    payload.extend_from_slice(&e.op);
                    ctx.send(m.endpoint()?, RKV_APPLY, payload)?;
                }
                None if self.leader => {
                    let answer = match Op::decode(&mut Dec::new(&e.op))? {
                        Op::Put { client, req, .. } => Some((client, req, ST_STORED)),
                        Op::Get { client, req, .. } => Some((client, req, ST_NO_STORE)),
                        Op::Noop => None,
                    };
                    if let Some((client, req, st)) = answer {
                        ctx.send(client, RKV_REPLY, encode_reply(req, st, slot, &[]))?;
                    }
                }
                None => {}
            }
            self.applied += 1;
        }
        Ok(())
    }

    pub(super) fn on_client(
        &mut self,
        msg: &Message,
        ctx: &mut ActorCtx<'_>,
    ) -> Result<(), ActorError> {
        let mut d = Dec::new(&msg.payload);
        let req = d.u64()?;
        let key = d.u32()?;
        if !self.leader || self.promised > self.ballot {
            self.leader = false;
            let hint = self
                .leader_hint
                .filter(|&h| h != self.cfg.index)
                .unwrap_or(u32::MAX);
            return ctx.send(msg.src, RKV_REDIRECT, Enc::new().u64(req).u32(hint).done());
        }
        if self.log.len() >= self.cfg.max_log_entries as usize {
            return ctx.send(msg.src, RKV_REPLY, encode_reply(req, ST_BUSY, 0, &[]));
        }
        let op = if msg.kind == RKV_PUT {
            Op::Put {
                client: msg.src,
                req,
                key,
                value: d.bytes()?,
            }
        } else {
            Op::Get {
                client: msg.src,
                req,
                key,
            }
        };
        let slot = self.next_slot;
        self.next_slot += 1;
        self.propose(ctx, slot, op.to_bytes())
    }

    pub(super) fn on_accept(
        &mut self,
        msg: &Message,
        ctx: &mut ActorCtx<'_>,
    ) -> Result<(), ActorError> {
        let mut d = Dec::new(&msg.payload);
        let (ballot, slot) = (d.u64()?, d.u64()?);
        let op = msg.payload[16..].to_vec();
        let ok = ballot >= self.promised;
        if ok {
            self.hear_from(ballot);
            if !self.log.get(&slot).is_some_and(|e| e.decided) {
                self.persist(ctx, &op)?;
                self.log.insert(
                    slot,
                    Entry {
                        ballot,
                        op,
                        decided: false,
                    },
                );
            }
        }
        let reply = Enc::new()
            .u64(ballot)
            .u64(slot)
            .u8(u8::from(ok))
            .u64(self.promised)
            .done();
        ctx.send(msg.src, RKV_ACCEPTED, reply)
    }

    pub(super) fn on_accepted(
        &mut self,
        msg: &Message,
        ctx: &mut ActorCtx<'_>,
    ) -> Result<(), ActorError> {
        let mut d = Dec::new(&msg.payload);
        let (ballot, slot, ok, promised) = (d.u64()?, d.u64()?, d.u8()? == 1, d.u64()?);
        let Some(from) = self.index_of(msg.src) else {
            return Ok(());
        };
        if !ok {
            if promised > self.ballot {
                self.hear_from(promised);
            }
            return Ok(());
        }
        if self.leader && ballot == self.ballot {
            if let Some(a) = self.acks.get_mut(&slot) {
                a.insert(from);
            }
            self.maybe_decide(ctx, slot)?;
        }
        Ok(())
    }

    /// The decided slots not yet announced, as one RKV_COMMIT batch.
    pub(super) fn announce(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        if self.unannounced.is_empty() {
            return Ok(());
        }
        let slots = std::mem::take(&mut self.unannounced);
        let mut e = Enc::new().u32(slots.len() as u32);
        for s in slots {
            let op = self
                .log
                .get(&s)
                .map(|en| en.op.as_slice())
                .unwrap_or_default();
            e = e.u64(s).bytes(op);
        }
        self.broadcast(ctx, RKV_COMMIT, &e.done())
    }

    pub(super) fn on_commit(
        &mut self,
        msg: &Message,
        ctx: &mut ActorCtx<'_>,
    ) -> Result<(), ActorError> {
        let mut d = Dec::new(&msg.payload);
        let n = d.count(12)?;
        ctx.compute(PAXOS_CYCLES_PER_ENTRY * n as u64)?;
        self.quiet_ticks = 0;
        for _ in 0..n {
            let (slot, op) = (d.u64()?, d.bytes()?);
            if slot > self.applied {
                let ballot = self.promised;
                self.log.insert(
                    slot,
                    Entry {
                        ballot,
                        op,
                        decided: true,
                    },
                );
            }
        }
        self.apply_ready(ctx)
    }
}
