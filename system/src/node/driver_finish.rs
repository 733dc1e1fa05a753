//! The finish side of [`RuntimeDriver`]: completing a core's execution in the runtime, releasing forwards in dispatch order, and the core time of finished and running executions.
//!
//! A child module of `driver`, so it reaches the driver's private state; the
//! dispatch side (offering idle cores, running a handler on a platform) stays
//! in `driver.rs`.

use super::RuntimeDriver;
use crate::node::platform::PickedRequest;
use scheduler::runtime::{CoreId, ExecOutcome, OutcomeKind};
use scheduler::{Endpoint, Message, Side};
use sim_core::{SimDuration, SimTime};

/// A core's execution slot: its current execution while `busy`, else what
/// is left of its last one (the slot is written in place at each dispatch).
pub struct Running {
    /// Whether the core runs this execution now.
    pub busy: bool,
    /// What the runtime reported.
    pub outcome: ExecOutcome,
    /// When the core started it.
    pub started: SimTime,
    /// When the core becomes free.
    pub done_at: SimTime,
    /// The request it runs, if the work is a request.
    pub request: Option<PickedRequest>,
    /// Time the packet path charged before the handler.
    pub pipeline: SimDuration,
}

/// What a finished execution leaves for the node to do.
pub struct Finished {
    /// The actor that ran.
    pub actor: scheduler::ActorId,
    /// Whether it was a message whose handler ran and returned.
    pub served: bool,
    /// The request it ran, if any.
    pub request: Option<PickedRequest>,
    /// Messages the handler sent, in send order.
    pub outbox: Vec<(Endpoint, Message)>,
    /// How the execution ended (a handler's error is `Failed`).
    pub kind: OutcomeKind,
    /// Time the handler alone charged (not the packet path or the scheduler's overhead).
    pub exec_time: SimDuration,
    /// Messages NIC cores passed on towards their host actors, ready to
    /// cross PCIe, in the order they were dispatched (see `forwards`).
    pub forwarded: Vec<Message>,
}

/// What the node needs of a finished execution ([`RuntimeDriver::finish_into`]).
#[derive(Clone, Copy, Debug)]
pub struct Done {
    /// The actor that ran.
    pub actor: scheduler::ActorId,
    /// Whether it was a message whose handler ran and returned.
    pub served: bool,
    /// The request it ran, if any.
    pub request: Option<PickedRequest>,
}

impl Running {
    /// An idle slot of `core`.
    pub(super) fn idle(core: CoreId) -> Running {
        Running {
            busy: false,
            outcome: ExecOutcome::placeholder(core),
            started: SimTime::ZERO,
            done_at: SimTime::ZERO,
            request: None,
            pipeline: SimDuration::ZERO,
        }
    }

    /// Whether the work was a message whose handler ran and returned (Ok or
    /// an actor error). Killed and skipped executions are drops the runtime
    /// counts (`aborted_by_watchdog`, `dropped_actor_killed`).
    pub fn served(&self) -> bool {
        self.request.is_some()
            && matches!(
                self.outcome.kind,
                OutcomeKind::Done | OutcomeKind::Failed(_)
            )
    }
}

impl RuntimeDriver {
    /// The completion event of `core` fired at `now`: completes its execution in
    /// the runtime and hands back what ran (its outbox still to route).
    pub fn finish(&mut self, core: CoreId, now: SimTime) -> Option<Finished> {
        let mut outbox = Vec::new();
        let mut forwarded = Vec::new();
        // what only this (non-hot) path reports, read before the slot is freed
        let slots = match core.side {
            Side::Nic => &self.nic,
            Side::Host => &self.host,
        };
        let peek = slots
            .get(core.index as usize)
            .filter(|r| r.busy)
            .map(|r| (r.outcome.kind.clone(), r.outcome.exec_time));
        let done = self.finish_into(core, now, &mut outbox, &mut forwarded)?;
        let (kind, exec_time) = peek?;
        Some(Finished {
            actor: done.actor,
            served: done.served,
            request: done.request,
            outbox,
            kind,
            exec_time,
            forwarded: forwarded.into_iter().map(|m| *m).collect(),
        })
    }

    /// [`Self::finish`] for the node's hot path: what the handler sent is
    /// swapped into `outbox` (which must be empty; its allocation goes to the
    /// core for its next execution) and the released forwards are appended
    /// to `forwarded`, so nothing is allocated per completion. A forward
    /// stays in the box the runtime put it in, which the node's PCIe
    /// crossing event then carries (one allocation per forward, not two).
    #[inline(always)]
    pub fn finish_into(
        &mut self,
        core: CoreId,
        now: SimTime,
        outbox: &mut Vec<(Endpoint, Message)>,
        forwarded: &mut Vec<Box<Message>>,
    ) -> Option<Done> {
        // read what is needed and complete the outcome where it lies:
        // `Running` is a few hundred bytes, never moved
        let slot = match core.side {
            Side::Nic => self.nic.get_mut(core.index as usize),
            Side::Host => self.host.get_mut(core.index as usize),
        };
        let Some(slot) = slot else {
            // a core beyond the driver's is counted
            self.counters.platform_errors += 1;
            return None;
        };
        if !slot.busy {
            return None;
        }
        let r = slot;
        let busy = r.done_at.saturating_since(r.started);
        let done = Done {
            actor: r.outcome.actor,
            served: r.served(),
            request: r.request,
        };
        let forward = r.outcome.forwarded.take();
        // the slot keeps the finished outcome until the next dispatch overwrites it
        r.busy = false;
        // the error is dropped in its own branch: a `Result` dropped after
        // an `is_err` test cost a drop-glue call per completion
        if let Err(e) = self.rt.finish_in_place(&r.outcome, now) {
            self.counters.runtime_errors += 1;
            drop(e);
        }
        if core.side == Side::Nic && core.index < 64 {
            self.nic_busy &= !(1 << core.index);
        }
        match core.side {
            Side::Nic => self.nic_busy_done += busy,
            Side::Host => self.host_busy_done += busy,
        }
        if let Some(core_outbox) = match core.side {
            Side::Nic => self.nic_outbox.get_mut(core.index as usize),
            Side::Host => self.host_outbox.get_mut(core.index as usize),
        } {
            std::mem::swap(core_outbox, outbox);
        }
        // most executions are no forward, and then nothing waits at the
        // front (a release empties it up to a pending forward): no call
        if forward.is_some() || matches!(self.forwards.front(), Some((_, Some(_)))) {
            self.release_forward(forward, forwarded);
        }
        Some(done)
    }

    /// Files a finished forward and appends the ready ones, from the front, to `ready`.
    #[inline(never)]
    // boxed on purpose: the box goes on into the node's PCIe crossing event
    #[allow(clippy::vec_box)]
    fn release_forward(&mut self, done: Option<Box<Message>>, ready: &mut Vec<Box<Message>>) {
        if let Some(m) = done {
            if matches!(self.forwards.front(), Some(&(id, None)) if id == m.id) {
                // mostly the oldest forward finished: it goes at once
                self.forwards.pop_front();
                ready.push(m);
            } else {
                match self
                    .forwards
                    .iter_mut()
                    .find(|(id, slot)| *id == m.id && slot.is_none())
                {
                    Some((_, slot)) => *slot = Some(m),
                    // not dispatched through this driver: a bug, counted, passed on
                    None => {
                        self.counters.runtime_errors += 1;
                        ready.push(m);
                        return;
                    }
                }
            }
        }
        while let Some((_, Some(_))) = self.forwards.front() {
            if let Some((_, Some(m))) = self.forwards.pop_front() {
                ready.push(m);
            }
        }
    }

    /// Forwarded messages whose core finished, waiting for an earlier forward.
    pub fn forwards_waiting(&self) -> u64 {
        self.forwards.iter().filter(|(_, m)| m.is_some()).count() as u64
    }

    /// Hands back `core`'s outbox buffer after the caller routed its messages
    /// (cleared, its allocation kept for the next execution).
    pub fn recycle_outbox(&mut self, core: CoreId, mut outbox: Vec<(Endpoint, Message)>) {
        outbox.clear();
        let slot = match core.side {
            Side::Nic => self.nic_outbox.get_mut(core.index as usize),
            Side::Host => self.host_outbox.get_mut(core.index as usize),
        };
        if let Some(slot) = slot {
            *slot = outbox;
        }
    }

    /// Executions running now.
    pub fn running(&self) -> impl Iterator<Item = &Running> {
        self.nic.iter().chain(self.host.iter()).filter(|r| r.busy)
    }

    /// NIC core time up to `end`: finished executions plus the part of running ones before `end`.
    pub fn nic_busy(&self, end: SimTime) -> SimDuration {
        self.nic_busy_done + running_before(&self.nic, end)
    }

    /// Host core time up to `end`, as [`Self::nic_busy`] (cluster `servers.csv`).
    pub fn host_busy(&self, end: SimTime) -> SimDuration {
        self.host_busy_done + running_before(&self.host, end)
    }
}

/// The part before `end` of the executions running on `cores`.
fn running_before(cores: &[Running], end: SimTime) -> SimDuration {
    cores
        .iter()
        .filter(|r| r.busy)
        .map(|r| r.done_at.min(end).saturating_since(r.started))
        .fold(SimDuration::ZERO, |a, b| a + b)
}
