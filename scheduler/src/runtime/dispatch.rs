//! What a free core runs next and running it, in one step (`dispatch_into`);
//! finishing it (`complete`) is `complete.rs`.
//!
//! - NIC FCFS cores pull the head of the shared queue and run it to completion.
//! - NIC DRR cores share one round-robin cursor over the DRR actors' mailboxes. Each
//!   visit adds `drr_quantum_ns` to the actor's deficit; a message is dispatched while
//!   the deficit covers the actor's expected cost (its window mean execution time),
//!   which is reserved at dispatch; at completion the reservation is replaced by the
//!   actual cost. An empty mailbox resets the deficit to zero (classic DRR). A DRR
//!   core that switches to another actor than the one it last ran pays
//!   `drr_switch_cost_cycles`, charged through the platform before the handler.
//! - A DRR core that finds no DRR work takes the head of the FCFS shared queue when
//!   `drr_cores_serve_fcfs_when_idle` is set (default): the groups stay isolated in
//!   the direction that matters (FCFS cores never run high-dispersion DRR actors)
//!   and no NIC core idles while FCFS requests wait. The reverse is never done.
//! - Pending migration steps come first: step 3 (migrate_out + DMA) on any free NIC
//!   core, step 4 (migrate_in) on any free host core.
//! - Host cores pull the head of the host shared queue (one shared FCFS queue for
//!   all host cores: host cores are few and fast, and one queue keeps per-actor order
//!   trivially; a per-core split would need steering and work stealing).

use super::{
    CoreId, ExecOutcome, GroupKind, MigrationPhase, OutcomeKind, Queued, Runtime, RuntimeError,
};
use crate::actor::{ActorCtx, ActorError};
use crate::message::{ActorId, Message};
use crate::platform::{AsDynPlatform, Platform, Side};
use crate::policy::{ActorStatus, NicGroup};
use vocab::{SimDuration, SimTime};

impl Runtime {
    /// Picks what the free `core` runs next at `now` and runs it on
    /// `platform`, writing the outcome into `out` (`Ok(true)`); `Ok(false)`:
    /// nothing to run (or the core is busy), no state changed and `out`
    /// untouched. The core is busy from here until `complete`.
    ///
    /// The pick and the run are one step: a request goes from its queue to
    /// its handler without being wrapped on the way (a pick, a work item and
    /// a dispatch record, each a copy of the message, cost about forty
    /// instructions a request; issue 13).
    #[inline(always)]
    pub(crate) fn dispatch_into<P: Platform + AsDynPlatform + ?Sized>(
        &mut self,
        core: CoreId,
        now: SimTime,
        platform: &mut P,
        out: &mut ExecOutcome,
    ) -> Result<bool, RuntimeError> {
        let slot = self.core_mut(core)?;
        if slot.busy.is_some() {
            return Ok(false);
        }
        let (group, last_actor) = (slot.group, slot.last_actor);
        let fcfs_cost = self.settings.fcfs_dispatch_cost_cycles;
        let (q, group, reserved, overhead) = match (core.side, group) {
            (Side::Nic, _) if !self.move_out_queue.is_empty() => {
                return Ok(self.run_migration_step(core, now, platform, out));
            }
            (Side::Nic, NicGroup::Fcfs) => match self.fcfs_queue.pop_front() {
                Some(q) => (q, GroupKind::Fcfs, 0, fcfs_cost),
                None => return Ok(false),
            },
            (Side::Nic, NicGroup::Drr) => match self.pick_drr(last_actor) {
                Some(p) => p,
                // work-conserving: a DRR core with no DRR work serves the FCFS shared
                // queue (low-dispersion requests by construction)
                None if self.settings.drr_cores_serve_fcfs_when_idle => {
                    match self.fcfs_queue.pop_front() {
                        Some(q) => (q, GroupKind::Fcfs, 0, fcfs_cost),
                        None => return Ok(false),
                    }
                }
                None => return Ok(false),
            },
            (Side::Host, _) if !self.move_in_queue.is_empty() => {
                return Ok(self.run_migration_step(core, now, platform, out));
            }
            (Side::Host, _) => match self.host_queue.pop_front() {
                Some(q) => (q, GroupKind::Host, 0, 0),
                None => return Ok(false),
            },
        };
        self.run_queued(core, now, q, (group, reserved, overhead), platform, out);
        Ok(true)
    }

    /// The DRR decision, with the switch cost if the core last ran another
    /// actor: the message, its group, the cost reserved and the overhead.
    fn pick_drr(&mut self, last_actor: Option<ActorId>) -> Option<(Queued, GroupKind, i64, u64)> {
        let (a, q, reserved) = self.drr_pick()?;
        let cost = if last_actor == Some(a) {
            0
        } else {
            self.counters.drr_switches += 1;
            self.settings.drr_switch_cost_cycles
        };
        Some((q, GroupKind::Drr, reserved, cost))
    }

    /// Runs the queued message `q` picked for `core` in `group` (with
    /// `reserved` DRR cost and `overhead` scheduler cycles): its handler, or
    /// for a forward (`Runtime::deliver_via_nic`) on a NIC core the packet
    /// path only, the message handed back in [`ExecOutcome::forwarded`].
    #[inline(always)]
    fn run_queued<P: Platform + AsDynPlatform + ?Sized>(
        &mut self,
        core: CoreId,
        now: SimTime,
        q: Queued,
        (group, reserved, overhead): (GroupKind, i64, u64),
        platform: &mut P,
        out: &mut ExecOutcome,
    ) {
        let a = q.msg.dst;
        let forward = q.forward && group != GroupKind::Host;
        if !forward {
            self.actors[a as usize].in_flight += 1;
        }
        self.mark_busy(core, a, group);
        platform.on_request(&q.msg);
        if overhead > 0 {
            platform.charge_cycles(overhead);
        }
        let base = platform.charged_in_exec();
        let (arrived_at, msg_id) = (q.arrived_at, q.msg.id);
        let (kind, total, group, reserved, forwarded) = if forward {
            let total = platform.charged_in_exec();
            (OutcomeKind::Forwarded, total, None, 0, Some(boxed(q.msg)))
        } else {
            let (kind, total) = self.execute_request(a, &q.msg, base, platform);
            // the request is done with: its allocation may serve a later
            // payload (recycling charges nothing)
            platform.recycle_payload(q.msg.payload);
            (kind, total, Some(group), reserved, None)
        };
        let rec = Record {
            core,
            actor: a,
            dispatched_at: now,
            base,
            total,
            arrived_at: Some(arrived_at),
            msg_id: Some(msg_id),
            group,
            drr_reserved_ns: reserved,
        };
        self.write_outcome(out, rec, kind, forwarded);
    }

    /// `core` runs `actor` for statistics group `group` until `complete`.
    #[inline(always)]
    fn mark_busy(&mut self, core: CoreId, actor: ActorId, group: GroupKind) {
        // the core was found free by the caller: it exists
        if let Ok(slot) = self.core_mut(core) {
            slot.busy = Some((actor, group));
            slot.last_actor = Some(actor);
        }
    }

    /// Pending migration step 3 (on a NIC core: `migrate_out`, DMOs and
    /// buffered requests over DMA) or 4 (on a host core: `migrate_in`;
    /// buffered requests are forwarded at completion), run on `core`.
    /// False when none is pending.
    #[inline(never)]
    fn run_migration_step<P: Platform + AsDynPlatform + ?Sized>(
        &mut self,
        core: CoreId,
        now: SimTime,
        platform: &mut P,
        out: &mut ExecOutcome,
    ) -> bool {
        let (queue, phase, group) = match core.side {
            Side::Nic => (
                &mut self.move_out_queue,
                MigrationPhase::MovingOut,
                GroupKind::Fcfs,
            ),
            Side::Host => (
                &mut self.move_in_queue,
                MigrationPhase::MovingIn,
                GroupKind::Host,
            ),
        };
        let Some(a) = queue.pop_front() else {
            return false;
        };
        self.actors[a as usize].phase = Some(phase);
        self.mark_busy(core, a, group);
        let base = platform.charged_in_exec();
        let kind = match core.side {
            Side::Nic => self.execute_migrate_out(a, platform.as_dyn()),
            Side::Host => self.execute_migrate_in(a, platform.as_dyn()),
        };
        let rec = Record {
            core,
            actor: a,
            dispatched_at: now,
            base,
            total: platform.charged_in_exec(),
            arrived_at: None,
            msg_id: None,
            group: None,
            drr_reserved_ns: 0,
        };
        self.write_outcome(out, rec, kind, None);
        true
    }

    /// Writes an execution's outcome into `out` (whatever it held is
    /// replaced), and kills the actor when the watchdog fired: a driver that
    /// keeps an outcome per core has it built where it stays, not moved there.
    #[inline(always)]
    fn write_outcome(
        &mut self,
        out: &mut ExecOutcome,
        rec: Record,
        kind: OutcomeKind,
        forwarded: Option<Box<Message>>,
    ) {
        if kind == OutcomeKind::WatchdogKilled {
            self.kill_actor(rec.actor, rec.dispatched_at + rec.total);
        }
        // the previous outcome's kind owns nothing but after a failure: only
        // then is it dropped (its drop glue was a call per execution); any
        // other kind is plain data, which `forget` leaves without leaking
        // (a new variant that owns data must be listed here)
        let previous = std::mem::replace(&mut out.kind, kind);
        if matches!(
            previous,
            OutcomeKind::Failed(_) | OutcomeKind::MigrationAborted(_)
        ) {
            drop(previous);
        } else {
            std::mem::forget(previous);
        }
        out.core = rec.core;
        out.actor = rec.actor;
        out.dispatched_at = rec.dispatched_at;
        out.charged = rec.total;
        out.exec_time = rec.total.saturating_sub(rec.base);
        out.arrived_at = rec.arrived_at;
        out.msg_id = rec.msg_id;
        out.group = rec.group;
        out.drr_reserved_ns = rec.drr_reserved_ns;
        // mostly none was left (the driver takes a forward at completion):
        // then nothing is dropped, without a call to the drop glue
        let left = std::mem::replace(&mut out.forwarded, forwarded);
        if left.is_some() {
            drop_cold(left);
        } else {
            std::mem::forget(left);
        }
    }

    /// Runs `msg`'s handler; returns how it ended and the time charged in
    /// this execution by then.
    // inlined into the dispatch (once per request; measured, issue 13)
    #[inline(always)]
    fn execute_request<P: Platform + AsDynPlatform + ?Sized>(
        &mut self,
        a: ActorId,
        msg: &Message,
        base: SimDuration,
        platform: &mut P,
    ) -> (OutcomeKind, SimDuration) {
        let watchdog = SimDuration::from_ns(self.settings.watchdog_ns);
        let slot = &mut self.actors[a as usize];
        if matches!(slot.status, ActorStatus::Killed | ActorStatus::Deleted) {
            return (OutcomeKind::Skipped, platform.charged_in_exec());
        }
        let (result, fired) = {
            let mut ctx =
                ActorCtx::new(platform.as_dyn(), &mut self.dmos, a, &mut self.next_msg_id)
                    .with_watchdog(base + watchdog);
            let result = slot.actor.exec(msg, &mut ctx);
            (result, ctx.watchdog_expired())
        };
        // Also catch an actor that swallowed WatchdogExpired or overran without asking.
        let total = platform.charged_in_exec();
        let overran = total.saturating_sub(base) > watchdog;
        let kind = match result {
            _ if fired || overran => OutcomeKind::WatchdogKilled,
            Err(ActorError::WatchdogExpired) => OutcomeKind::WatchdogKilled,
            Err(e) => OutcomeKind::Failed(e),
            Ok(()) => OutcomeKind::Done,
        };
        (kind, total)
    }
}

/// What an outcome records of an execution besides its kind.
struct Record {
    core: CoreId,
    actor: ActorId,
    dispatched_at: SimTime,
    /// Time charged before the handler (the packet path, the overhead).
    base: SimDuration,
    /// Time charged once the work was done.
    total: SimDuration,
    arrived_at: Option<SimTime>,
    msg_id: Option<u64>,
    group: Option<GroupKind>,
    drr_reserved_ns: i64,
}

/// `msg` boxed (a forward's, about one request in nine): out of line, so
/// the allocation stays off the request's path.
#[inline(never)]
fn boxed(msg: Message) -> Box<Message> {
    Box::new(msg)
}

/// Drops a forward an outcome still held (its driver did not take it).
#[cold]
#[inline(never)]
fn drop_cold(left: Option<Box<Message>>) {
    drop(left);
}
