//! Migration NIC -> host, in the four steps of the runtime brief:
//! 1. `start_migration`: mark the actor migrating, move its queued requests (shared
//!    queue entries or mailbox) into its migration buffer in order; new requests
//!    go there too (`deliver`).
//! 2. Wait until its in-flight executions complete (`complete` counts them down and
//!    queues step 3 when the count reaches zero).
//! 3. A free NIC core runs `MigrateOut`: `migrate_out`, DMOs moved to host memory,
//!    and one blocking DMA of DMO bytes + serialized state + buffered payloads.
//! 4. A free host core runs `MigrateIn`; at its completion (`finish_migration`) the
//!    actor is placed on the host and its buffered requests are appended to the host
//!    queue in order. One migration runs at a time. Only NIC -> host exists: the
//!    brief has only the NIC initiate migration, and nothing brings an actor back.

use super::{MigrationPhase, MigrationRecord, OutcomeKind, Runtime, MAX_RECORDED_EVENTS};
use crate::actor::ActorCtx;
use crate::message::ActorId;
use crate::platform::{Direction, Platform, Side};
use crate::policy::{ActorStatus, Placement};
use vocab::{SimDuration, SimTime};

impl Runtime {
    /// Migration step 1 (and 2 if nothing is in flight).
    pub(crate) fn start_migration(&mut self, a: ActorId, now: SimTime) -> bool {
        if self.actors.iter().any(|s| s.phase.is_some()) {
            return false; // one migration at a time
        }
        let Some(slot) = self.actors.get(a as usize) else {
            return false;
        };
        if slot.status != ActorStatus::Active || !slot.placement.is_nic() {
            return false;
        }
        let from = slot.placement;
        let mut buffer = match from {
            Placement::NicFcfs => {
                let (mine, rest): (Vec<_>, Vec<_>) =
                    self.fcfs_queue.drain(..).partition(|q| q.msg.dst == a);
                self.fcfs_queue = rest.into();
                mine.into()
            }
            _ => {
                let mailbox = std::mem::take(&mut self.actors[a as usize].mailbox);
                self.drr_queued -= mailbox.len();
                mailbox
            }
        };
        if from == Placement::NicDrr {
            self.remove_from_drr_ring(a);
        }
        let slot = &mut self.actors[a as usize];
        slot.migration_buffer.append(&mut buffer);
        slot.status = ActorStatus::Migrating;
        slot.phase = Some(MigrationPhase::Draining);
        if slot.in_flight == 0 {
            slot.phase = Some(MigrationPhase::AwaitingMoveOut);
            self.move_out_queue.push_back(a);
        }
        if self.migrations.len() < MAX_RECORDED_EVENTS {
            self.migrations.push(MigrationRecord {
                actor: a,
                name: self.actors[a as usize].name.clone(),
                from,
                start: now,
                end: None,
                dmo_bytes: 0,
                state_bytes: 0,
                mailbox_bytes: 0,
                bytes_moved: 0,
                dma_time: SimDuration::ZERO,
                aborted: None,
            });
        } else {
            self.counters.events_not_recorded += 1;
        }
        true
    }

    pub(crate) fn execute_migrate_out(
        &mut self,
        a: ActorId,
        platform: &mut dyn Platform,
    ) -> OutcomeKind {
        let slot = &mut self.actors[a as usize];
        let state = {
            let mut ctx = ActorCtx::new(platform, &mut self.dmos, a, &mut self.next_msg_id);
            slot.actor.migrate_out(&mut ctx)
        };
        let state = match state {
            Ok(s) => s,
            Err(e) => return OutcomeKind::MigrationAborted(format!("migrate_out: {e}")),
        };
        let dmo_bytes = match self.dmos.move_actor(a, Side::Host) {
            Ok(b) => b,
            Err(e) => return OutcomeKind::MigrationAborted(format!("moving DMOs: {e}")),
        };
        let mailbox_bytes: u64 = slot
            .migration_buffer
            .iter()
            .map(|q| q.msg.payload_bytes())
            .sum();
        let state_bytes = state.len() as u64;
        slot.migrated_state = state;
        let total = dmo_bytes + state_bytes + mailbox_bytes;
        let dma_time = if total > 0 {
            platform.dma(Direction::NicToHost, total)
        } else {
            SimDuration::ZERO
        };
        OutcomeKind::MigratedOut {
            dmo_bytes,
            state_bytes,
            mailbox_bytes,
            dma_time,
        }
    }

    pub(crate) fn execute_migrate_in(
        &mut self,
        a: ActorId,
        platform: &mut dyn Platform,
    ) -> OutcomeKind {
        let slot = &mut self.actors[a as usize];
        let state = std::mem::take(&mut slot.migrated_state);
        let result = {
            let mut ctx = ActorCtx::new(platform, &mut self.dmos, a, &mut self.next_msg_id);
            slot.actor.migrate_in(&state, &mut ctx)
        };
        match result {
            Ok(()) => OutcomeKind::MigratedIn,
            Err(e) => {
                // Bring the DMOs back (bookkeeping only: not charged) so the actor can go on on the NIC.
                let back = self.dmos.move_actor(a, Side::Nic);
                OutcomeKind::MigrationAborted(format!("migrate_in: {e}; DMOs back: {back:?}"))
            }
        }
    }

    /// Migration step 4 completed: place on host, forward buffered requests in order.
    pub(crate) fn finish_migration(&mut self, a: ActorId, now: SimTime) {
        let cap = self.settings.host_queue_capacity as usize;
        let slot = &mut self.actors[a as usize];
        let from = slot.placement;
        slot.placement = Placement::Host;
        slot.status = ActorStatus::Active;
        slot.phase = None;
        slot.migrations += 1;
        slot.placed_at = Some(now);
        slot.windows.clear();
        slot.core_time_ewma_ns = 0.0;
        for q in slot.migration_buffer.drain(..) {
            if self.host_queue.len() < cap {
                self.host_queue.push_back(q);
            } else {
                slot.dropped += 1;
                self.counters.dropped_host_queue_full += 1;
                self.drops_and_aborts += 1;
            }
        }
        if let Some(rec) = self.migrations.iter_mut().rev().find(|r| r.actor == a) {
            rec.end = Some(now);
        }
        self.counters.migrations += 1;
        self.last_migration_end = Some(now);
        // NIC latencies described a NIC that still had this actor
        self.fcfs.window.clear();
        self.drr.window.clear();
        self.record_placement(now, a, Some(from), Placement::Host);
    }

    /// A migration step failed: the actor stays where it was on the NIC, buffered
    /// requests go back to its queue in order (ahead of nothing: it had no other queue).
    pub(crate) fn abort_migration(&mut self, a: ActorId, now: SimTime, reason: String) {
        let slot = &mut self.actors[a as usize];
        slot.status = ActorStatus::Active;
        slot.phase = None;
        let buffered: Vec<_> = slot.migration_buffer.drain(..).collect();
        let placement = slot.placement;
        match placement {
            Placement::NicDrr => {
                self.drr_queued += buffered.len();
                self.actors[a as usize].mailbox.extend(buffered);
                self.drr_ring.push(a);
            }
            _ => self.fcfs_queue.extend(buffered),
        }
        debug_assert!(self
            .dmos
            .owned_by(a)
            .iter()
            .all(|h| self.dmos.location(*h).is_some_and(|(s, _)| s == Side::Nic)));
        if let Some(rec) = self.migrations.iter_mut().rev().find(|r| r.actor == a) {
            rec.end = Some(now);
            rec.aborted = Some(reason);
        }
        self.counters.migrations_aborted += 1;
        self.last_migration_end = Some(now);
    }
}
