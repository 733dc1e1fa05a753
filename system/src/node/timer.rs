//! The node's timer service: per-actor periodic messages (`timer_us` + `timer_kind` in `[[workload.actors]]`).
//!
//! Each timer delivers an empty message of its kind to its actor every
//! period, through the runtime's normal delivery (the actor's queue wherever
//! it is placed; a migrating actor's buffer), so it is counted like any other
//! message (`Accounting::timer`, part of what the node conserves). Timer
//! events are the node's own events: in a cluster the node lives in one
//! partition, so runs stay byte-identical at any thread count. The first
//! message comes one period after [`Node::start`]; a server that crashes
//! loses its node (its pending timer events belong to the dead life and are
//! ignored), and a restart starts the fresh node's timers again.

use super::{Node, NodeEvent};
use crate::world::WorldEvent;
use scheduler::{ActorId, Endpoint, Message};
use sim_core::{Scheduler, SimDuration, SimTime};

/// Ids of timer messages start here (above the runtime's own ids, which
/// start at `RUNTIME_MSG_ID_BASE` = 2^48, and the sources' counters).
pub const TIMER_MSG_ID_BASE: u64 = 1 << 56;

/// One actor's timer on this node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeTimer {
    /// The actor (this node's id).
    pub actor: ActorId,
    /// Message kind.
    pub kind: u16,
    /// Period (validated positive: at least 1 us).
    pub period: SimDuration,
}

impl Node {
    /// Schedules each timer's first message one period after `now`.
    pub(super) fn start_timers(&mut self, now: SimTime, sched: &mut Scheduler<WorldEvent>) {
        for i in 0..self.timers.len() {
            self.schedule_timer(i, now, sched);
        }
    }

    fn schedule_timer(&mut self, i: usize, after: SimTime, sched: &mut Scheduler<WorldEvent>) {
        let Some(t) = self.timers.get(i) else {
            return;
        };
        // a zero period cannot pass validation; never schedule one anyway
        if t.period == SimDuration::ZERO {
            return;
        }
        match after.checked_add(t.period) {
            Some(at) if at < self.stop_at => sched.schedule_at(at, self.ev(NodeEvent::Timer(i))),
            _ => {}
        }
    }

    /// Timer `i` fires at `now`: its message is delivered, the next one scheduled.
    pub(super) fn on_timer(&mut self, i: usize, now: SimTime, sched: &mut Scheduler<WorldEvent>) {
        let Some(t) = self.timers.get(i).copied() else {
            return;
        };
        self.acct.timer += 1;
        let msg = Message {
            id: TIMER_MSG_ID_BASE + self.acct.timer,
            src: Endpoint::Host,
            dst: t.actor,
            kind: t.kind,
            payload: Vec::new(),
            created_at: now,
        };
        self.deliver(msg, now);
        self.schedule_timer(i, now, sched);
    }

    /// Timer messages delivered so far.
    pub fn timer_messages(&self) -> u64 {
        self.acct.timer
    }
}
