//! Ending an actor: the watchdog's kill (state kept for inspection) and an explicit
//! delete (the actor's `delete` handler runs and its DMOs are freed). Either way its
//! queued requests are dropped and counted, and its id is never reused.

use super::{Runtime, RuntimeError};
use crate::actor::ActorCtx;
use crate::message::ActorId;
use crate::platform::Platform;
use crate::policy::ActorStatus;
use vocab::SimTime;

impl Runtime {
    /// Remove every queued request for `a` (shared queues, mailbox, migration buffer)
    /// and take it out of the DRR ring. Returns how many requests were removed.
    fn purge_queued(&mut self, a: ActorId) -> u64 {
        let slot = &mut self.actors[a as usize];
        let mut removed = slot.mailbox.len() + slot.migration_buffer.len();
        self.drr_queued -= slot.mailbox.len();
        slot.mailbox.clear();
        slot.migration_buffer.clear();
        let before = self.fcfs_queue.len() + self.host_queue.len();
        self.fcfs_queue.retain(|q| q.msg.dst != a);
        self.host_queue.retain(|q| q.msg.dst != a);
        removed += before - self.fcfs_queue.len() - self.host_queue.len();
        self.remove_from_drr_ring(a);
        self.move_out_queue.retain(|&x| x != a);
        self.actors[a as usize].dropped += removed as u64;
        removed as u64
    }

    /// Watchdog: stop the actor, keep its state and DMOs, drop its queued requests
    /// (counted). A migration still draining is abandoned (recorded as aborted).
    pub(crate) fn kill_actor(&mut self, a: ActorId, now: SimTime) {
        let slot = &mut self.actors[a as usize];
        if slot.status == ActorStatus::Killed {
            return;
        }
        slot.watchdog_kills += 1;
        self.counters.watchdog_kills += 1;
        // requests of a migrating actor run only while it drains (step 2)
        let was_migrating = slot.phase.take().is_some();
        slot.status = ActorStatus::Killed;
        let dropped = self.purge_queued(a);
        self.counters.dropped_actor_killed += dropped;
        self.drops_and_aborts += dropped;
        if was_migrating {
            if let Some(rec) = self.migrations.iter_mut().rev().find(|r| r.actor == a) {
                rec.end = Some(now);
                rec.aborted = Some("actor killed by the watchdog".to_string());
            }
            self.last_migration_end = Some(now);
        }
    }

    /// Delete an actor: drop its queued requests (counted as `dropped_actor_deleted`),
    /// run its `delete` handler on `platform`, and free its DMOs. Refused while it has
    /// executions in flight or is migrating (retry after they complete). Later requests
    /// for it are dropped and counted; its report row stays.
    pub fn delete_actor(
        &mut self,
        a: ActorId,
        platform: &mut dyn Platform,
    ) -> Result<(), RuntimeError> {
        let slot = self
            .actors
            .get_mut(a as usize)
            .ok_or(RuntimeError::UnknownActor(a))?;
        if slot.status == ActorStatus::Deleted {
            return Ok(());
        }
        if slot.in_flight > 0 || slot.phase.is_some() {
            return Err(RuntimeError::ActorBusy(a));
        }
        slot.status = ActorStatus::Deleted;
        let dropped = self.purge_queued(a);
        self.counters.dropped_actor_deleted += dropped;
        self.drops_and_aborts += dropped;
        let slot = &mut self.actors[a as usize];
        {
            let mut ctx = ActorCtx::new(platform, &mut self.dmos, a, &mut self.next_msg_id);
            slot.actor.delete(&mut ctx);
        }
        self.dmos.free_actor(a);
        Ok(())
    }
}
