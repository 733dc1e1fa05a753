//! What a free core runs next (`next_dispatch`) and running it (`execute`);
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

/// Work handed to a core.
#[derive(Clone, Debug)]
pub enum Work {
    /// Run the actor's `exec` on one message.
    Request {
        msg: Message,
        /// When the message reached the runtime (for queueing latency).
        arrived_at: SimTime,
        group: GroupKind,
        /// DRR: expected cost reserved from the deficit at dispatch, nanoseconds.
        drr_reserved_ns: i64,
    },
    /// Migration step 3 on a NIC core: `migrate_out`, DMOs and buffered requests over DMA.
    MigrateOut,
    /// Migration step 4 on a host core: `migrate_in`; buffered requests are forwarded at completion.
    MigrateIn,
    /// Pass a message for a host actor through this NIC core (the packet path
    /// only, no handler); it comes back in [`ExecOutcome::forwarded`].
    /// Its fields are a request's (in the same order, so both variants lay
    /// out alike and a pick builds either without shuffling registers);
    /// `drr_reserved_ns` is always 0.
    Forward {
        msg: Message,
        arrived_at: SimTime,
        group: GroupKind,
        drr_reserved_ns: i64,
    },
}

/// What `next_dispatch` returns: pass it to `execute` right away.
#[derive(Clone, Debug)]
pub struct Dispatch {
    pub core: CoreId,
    pub actor: ActorId,
    pub dispatched_at: SimTime,
    /// Scheduler overhead charged before the work (DRR switch, FCFS dispatch cost).
    pub overhead_cycles: u64,
    pub work: Work,
}

impl Runtime {
    /// What the free `core` runs next at `now`, or `None` if it has nothing to do
    /// (or is already busy). The core is busy from here until `complete`.
    // only `run_next` / `finish` call it: inlined, the outcome is built in
    // place instead of copied out (a memcpy call per request)
    #[inline(always)]
    pub(crate) fn next_dispatch(
        &mut self,
        core: CoreId,
        now: SimTime,
    ) -> Result<Option<Dispatch>, RuntimeError> {
        let slot = self.core_mut(core)?;
        if slot.busy.is_some() {
            return Ok(None);
        }
        let (group, last_actor) = (slot.group, slot.last_actor);
        let picked = match (core.side, group) {
            (Side::Nic, _) if !self.move_out_queue.is_empty() => {
                self.pick_migration_step(Side::Nic)
            }
            (Side::Nic, NicGroup::Fcfs) => self.pick_fcfs(),
            (Side::Nic, NicGroup::Drr) => match self.pick_drr(last_actor) {
                Some(p) => Some(p),
                // work-conserving: a DRR core with no DRR work serves the FCFS shared
                // queue (low-dispersion requests by construction)
                None if self.settings.drr_cores_serve_fcfs_when_idle => self.pick_fcfs(),
                None => None,
            },
            (Side::Host, _) if !self.move_in_queue.is_empty() => {
                self.pick_migration_step(Side::Host)
            }
            (Side::Host, _) => self
                .host_queue
                .pop_front()
                .map(|q| Picked::request(q, GroupKind::Host, 0, 0)),
        };
        let Some(p) = picked else {
            return Ok(None);
        };
        if matches!(p.work, Work::Request { .. }) {
            self.actors[p.actor as usize].in_flight += 1;
        }
        let slot = self.core_mut(core)?;
        slot.busy = Some((p.actor, p.group));
        slot.last_actor = Some(p.actor);
        Ok(Some(Dispatch {
            core,
            actor: p.actor,
            dispatched_at: now,
            overhead_cycles: p.overhead_cycles,
            work: p.work,
        }))
    }

    /// Head of the FCFS shared queue.
    #[inline]
    fn pick_fcfs(&mut self) -> Option<Picked> {
        let cost = self.settings.fcfs_dispatch_cost_cycles;
        self.fcfs_queue
            .pop_front()
            .map(|q| Picked::request(q, GroupKind::Fcfs, 0, cost))
    }

    /// The DRR decision, with the switch cost if the core last ran another actor.
    fn pick_drr(&mut self, last_actor: Option<ActorId>) -> Option<Picked> {
        let (a, q, reserved) = self.drr_pick()?;
        let cost = if last_actor == Some(a) {
            0
        } else {
            self.counters.drr_switches += 1;
            self.settings.drr_switch_cost_cycles
        };
        Some(Picked::request(q, GroupKind::Drr, reserved, cost))
    }

    /// Migration step 3 (NIC core) or 4 (host core).
    fn pick_migration_step(&mut self, side: Side) -> Option<Picked> {
        let (queue, phase, work, group) = match side {
            Side::Nic => (
                &mut self.move_out_queue,
                MigrationPhase::MovingOut,
                Work::MigrateOut,
                GroupKind::Fcfs,
            ),
            Side::Host => (
                &mut self.move_in_queue,
                MigrationPhase::MovingIn,
                Work::MigrateIn,
                GroupKind::Host,
            ),
        };
        let actor = queue.pop_front()?;
        self.actors[actor as usize].phase = Some(phase);
        Some(Picked {
            actor,
            work,
            group,
            overhead_cycles: 0,
        })
    }

    /// Run a dispatch on `platform` (the driver's view of `dispatch.core`, whose
    /// per-execution charge counter the driver reset to zero, with `now()` equal to
    /// `dispatch.dispatched_at`). Never blocks; the time it took is in the outcome.
    // only `run_next` / `finish` call it: inlined, the outcome is built in
    // place instead of copied out (a memcpy call per request)
    #[inline(always)]
    pub(crate) fn execute<P: Platform + AsDynPlatform + ?Sized>(
        &mut self,
        dispatch: Dispatch,
        platform: &mut P,
    ) -> ExecOutcome {
        let mut out = ExecOutcome::placeholder(dispatch.core);
        self.execute_into(dispatch, platform, &mut out);
        out
    }

    /// [`Self::execute`] writing the outcome into `out` (whatever it held
    /// is replaced): a driver that keeps an outcome per core has it built
    /// where it stays, not moved there.
    #[inline(always)]
    pub(crate) fn execute_into<P: Platform + AsDynPlatform + ?Sized>(
        &mut self,
        dispatch: Dispatch,
        platform: &mut P,
        out: &mut ExecOutcome,
    ) {
        if let Work::Request { msg, .. } | Work::Forward { msg, .. } = &dispatch.work {
            platform.on_request(msg);
        }
        if dispatch.overhead_cycles > 0 {
            platform.charge_cycles(dispatch.overhead_cycles);
        }
        let base = platform.charged_in_exec();
        let a = dispatch.actor;
        // what the work tells of itself, then the outcome built once (no
        // placeholder kind to drop and overwrite)
        let mut arrived_at = None;
        let mut msg_id = None;
        let mut group = None;
        let mut drr_reserved_ns = 0;
        let mut forwarded = None;
        // `total`: the time charged once the work is done (a request's
        // handler run reads it already, for the watchdog)
        let (kind, total) = match dispatch.work {
            Work::Request {
                msg,
                arrived_at: at,
                group: g,
                drr_reserved_ns: reserved,
            } => {
                arrived_at = Some(at);
                msg_id = Some(msg.id);
                group = Some(g);
                drr_reserved_ns = reserved;
                let done = self.execute_request(a, &msg, base, platform);
                // the request is done with: its allocation may serve a later
                // payload (recycling charges nothing)
                platform.recycle_payload(msg.payload);
                done
            }
            Work::Forward {
                msg,
                arrived_at: at,
                ..
            } => {
                arrived_at = Some(at);
                msg_id = Some(msg.id);
                forwarded = Some(Box::new(msg));
                (OutcomeKind::Forwarded, platform.charged_in_exec())
            }
            Work::MigrateOut => {
                let kind = self.execute_migrate_out(a, platform.as_dyn());
                (kind, platform.charged_in_exec())
            }
            Work::MigrateIn => {
                let kind = self.execute_migrate_in(a, platform.as_dyn());
                (kind, platform.charged_in_exec())
            }
        };
        if kind == OutcomeKind::WatchdogKilled {
            self.kill_actor(a, dispatch.dispatched_at + total);
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
        out.core = dispatch.core;
        out.actor = a;
        out.dispatched_at = dispatch.dispatched_at;
        out.charged = total;
        out.exec_time = total.saturating_sub(base);
        out.arrived_at = arrived_at;
        out.msg_id = msg_id;
        out.group = group;
        out.drr_reserved_ns = drr_reserved_ns;
        out.forwarded = forwarded;
    }

    /// Runs `msg`'s handler; returns how it ended and the time charged in
    /// this execution by then.
    #[inline]
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

/// What `next_dispatch` chose for a core.
struct Picked {
    actor: ActorId,
    work: Work,
    /// Statistics (and busy-time) group.
    group: GroupKind,
    overhead_cycles: u64,
}

impl Picked {
    fn request(q: Queued, group: GroupKind, reserved: i64, overhead_cycles: u64) -> Picked {
        if q.forward && group != GroupKind::Host {
            return Picked {
                actor: q.msg.dst,
                work: Work::Forward {
                    msg: q.msg,
                    arrived_at: q.arrived_at,
                    group,
                    drr_reserved_ns: 0,
                },
                group,
                overhead_cycles,
            };
        }
        Picked {
            actor: q.msg.dst,
            work: Work::Request {
                msg: q.msg,
                arrived_at: q.arrived_at,
                group,
                drr_reserved_ns: reserved,
            },
            group,
            overhead_cycles,
        }
    }
}
