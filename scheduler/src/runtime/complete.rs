//! Finishing an execution (`complete`): the core is freed, a request's statistics recorded (its actor's windows and run record, its group's window, the DRR deficit), and migrations advanced.

use super::{ExecOutcome, GroupKind, MigrationPhase, OutcomeKind, Runtime, RuntimeError};
use vocab::SimTime;

/// Weight of the newest request in an actor's mean core time (about 32 requests of memory).
const CORE_TIME_EWMA: f64 = 1.0 / 32.0;

impl Runtime {
    /// The core finished the work `outcome` describes, at `now` (normally
    /// `outcome.completes_at()`). Records statistics and advances migrations.
    // only `run_next` / `finish` call it: inlined, the outcome is built in
    // place instead of copied out (a memcpy call per request)
    #[inline(always)]
    pub(crate) fn complete(
        &mut self,
        outcome: &ExecOutcome,
        now: SimTime,
    ) -> Result<(), RuntimeError> {
        let core = self.core_mut(outcome.core)?;
        let Some((busy_actor, stats_group)) = core.busy else {
            return Err(RuntimeError::CoreNotBusy(outcome.core));
        };
        if busy_actor != outcome.actor {
            return Err(RuntimeError::CoreNotBusy(outcome.core));
        }
        core.busy = None;
        let charged = outcome.charged.as_ns();
        self.counters.work_ns += outcome.exec_time.as_ns();
        self.counters.overhead_ns += charged.saturating_sub(outcome.exec_time.as_ns());
        match stats_group {
            GroupKind::Fcfs => self.fcfs.busy_in_interval_ns += charged,
            GroupKind::Drr => self.drr.busy_in_interval_ns += charged,
            GroupKind::Host => self.host.busy_in_interval_ns += charged,
        }
        let a = outcome.actor;
        match &outcome.kind {
            OutcomeKind::Done
            | OutcomeKind::Failed(_)
            | OutcomeKind::WatchdogKilled
            | OutcomeKind::Skipped => {
                self.complete_request(outcome, now);
            }
            OutcomeKind::MigratedOut {
                dmo_bytes,
                state_bytes,
                mailbox_bytes,
                dma_time,
            } => {
                let (dmo_bytes, state_bytes, mailbox_bytes, dma_time) =
                    (*dmo_bytes, *state_bytes, *mailbox_bytes, *dma_time);
                if let Some(rec) = self.migrations.iter_mut().rev().find(|r| r.actor == a) {
                    rec.dmo_bytes = dmo_bytes;
                    rec.state_bytes = state_bytes;
                    rec.mailbox_bytes = mailbox_bytes;
                    rec.bytes_moved = dmo_bytes + state_bytes + mailbox_bytes;
                    rec.dma_time = dma_time;
                }
                self.actors[a as usize].phase = Some(MigrationPhase::AwaitingMoveIn);
                self.move_in_queue.push_back(a);
            }
            OutcomeKind::MigratedIn => self.finish_migration(a, now),
            OutcomeKind::MigrationAborted(reason) => {
                // rare (a failed migration step): the reason is copied
                self.abort_migration(a, now, reason.clone())
            }
            OutcomeKind::Forwarded => self.counters.forwarded += 1,
        }
        Ok(())
    }

    #[inline]
    fn complete_request(&mut self, outcome: &ExecOutcome, now: SimTime) {
        let a = outcome.actor;
        let quantum = self.settings.drr_quantum_ns as i64;
        let slot = &mut self.actors[a as usize];
        slot.in_flight = slot.in_flight.saturating_sub(1);
        let served = matches!(outcome.kind, OutcomeKind::Done | OutcomeKind::Failed(_));
        match outcome.kind {
            OutcomeKind::WatchdogKilled => {
                self.counters.aborted_by_watchdog += 1;
                self.drops_and_aborts += 1;
            }
            OutcomeKind::Skipped => {
                slot.dropped += 1;
                self.counters.dropped_actor_killed += 1;
                self.drops_and_aborts += 1;
            }
            _ => {}
        }
        if let (true, Some(arrived), Some(group)) = (served, outcome.arrived_at, outcome.group) {
            if matches!(outcome.kind, OutcomeKind::Failed(_)) {
                slot.failed += 1;
                self.counters.failed += 1;
            }
            self.counters.completed += 1;
            let exec = outcome.exec_time.as_ns();
            let sojourn = now.saturating_since(arrived).as_ns();
            let core_time = outcome.charged.as_ns() as f64;
            slot.core_time_ewma_ns = if slot.core_time_ewma_ns == 0.0 {
                core_time
            } else {
                slot.core_time_ewma_ns + CORE_TIME_EWMA * (core_time - slot.core_time_ewma_ns)
            };
            slot.windows.push(now, exec, sojourn);
            slot.run.record(sojourn);
            if group == GroupKind::Drr {
                // replace the reservation by the actual cost; bound the debt so one
                // overrun cannot starve the actor for long (8 quanta at most)
                slot.deficit_ns += outcome.drr_reserved_ns - exec as i64;
                slot.deficit_ns = slot.deficit_ns.max(-8 * quantum);
            }
            let g = match group {
                GroupKind::Fcfs => &mut self.fcfs,
                GroupKind::Drr => &mut self.drr,
                GroupKind::Host => &mut self.host,
            };
            // read only at policy ticks, right after their expiry (`tick`)
            // or a clear: the age test is left to those
            g.window.push_deferred(now, sojourn);
        }
        // the same slot (fields of `self` borrowed apart): indexed once
        if slot.phase == Some(MigrationPhase::Draining) && slot.in_flight == 0 {
            slot.phase = Some(MigrationPhase::AwaitingMoveOut);
            self.move_out_queue.push_back(a);
        }
    }
}
