//! The actor system's cores: offering idle cores to the runtime, running what it dispatches, and finishing it.
//!
//! A dispatch runs at once on a `SimPlatform` over the NIC's or the host's
//! cost model; the time it charged becomes a `CoreDone` event. Busy time is
//! counted inside the run only, so service still going at the end counts up
//! to the end. Every refusal of a driver call is counted (`driver_errors`),
//! as are sends a full outbox refused and failed cost-model calls.

use super::{runtime_now, ActorEvent, ActorSystem, Running};
use crate::systems::actor_parts::col;
use scheduler::runtime::{CoreId, OutcomeKind, Work, RUNTIME_MSG_ID_BASE};
use scheduler::{Endpoint, Side};
use sim_core::{Scheduler, SimTime};
use workloads::sim_platform::SimPlatform;

impl ActorSystem {
    /// Offers every idle core to the runtime until none takes work.
    pub(super) fn dispatch_idle(&mut self, now: SimTime, sched: &mut Scheduler<ActorEvent>) {
        for core in self.rt.idle_cores() {
            let model = match core.side {
                Side::Nic => &mut self.nic_model,
                Side::Host => &mut self.host_model,
            };
            // The platform first: a dispatch taken from the runtime must run.
            let mut platform = match SimPlatform::new(model, core.index as usize, core.side) {
                Ok(p) => p.with_dma_model(self.dma_model.clone()),
                Err(_) => {
                    self.acct.driver_errors += 1;
                    continue;
                }
            };
            let d = match self.rt.next_dispatch(core, runtime_now(now)) {
                Ok(Some(d)) => d,
                Ok(None) => continue,
                Err(_) => {
                    self.acct.driver_errors += 1;
                    continue;
                }
            };
            let (created_at, class, is_message) = match &d.work {
                Work::Request { msg, .. } => {
                    if self.order.started(msg) {
                        self.acct.reorders += 1;
                    }
                    (
                        (msg.id < RUNTIME_MSG_ID_BASE).then_some(msg.created_at),
                        self.class_of_actor
                            .get(msg.dst as usize)
                            .copied()
                            .unwrap_or(0),
                        true,
                    )
                }
                _ => (None, 0, false),
            };
            platform.advance_to(now);
            platform.begin_exec();
            let outcome = self.rt.execute(d, &mut platform);
            let outbox = platform.take_outbox();
            self.acct.sends_dropped += platform.dropped_sends();
            self.acct.model_errors += platform.model_errors();
            let done_at = outcome.completes_at().max(now);
            if core.side == Side::Nic {
                // busy time inside the run only: service still going at the
                // end counts up to the end, never beyond
                let busy_end = done_at.min(self.stop_at);
                if busy_end > now {
                    self.nic_busy += busy_end - now;
                    self.series.add_interval_us(now, busy_end, col::NIC_BUSY_US);
                }
            }
            let slot = Running {
                outcome,
                is_message,
                created_at,
                class,
                outbox,
            };
            match core.side {
                Side::Nic => self.running_nic[core.index as usize] = Some(slot),
                Side::Host => self.running_host[core.index as usize] = Some(slot),
            }
            sched.schedule_at(done_at, ActorEvent::CoreDone(core));
        }
    }

    pub(super) fn on_core_done(
        &mut self,
        core: CoreId,
        now: SimTime,
        sched: &mut Scheduler<ActorEvent>,
    ) {
        let slot = match core.side {
            Side::Nic => self.running_nic[core.index as usize].take(),
            Side::Host => self.running_host[core.index as usize].take(),
        };
        let Some(mut r) = slot else {
            self.acct.driver_errors += 1;
            return;
        };
        for (dst, m) in std::mem::take(&mut r.outbox) {
            match dst {
                Endpoint::Actor(_) => {
                    self.acct.generated += 1;
                    self.route(m, core.side, now, sched);
                }
                _ => self.acct.egress += 1,
            }
        }
        // Killed and skipped executions are drops the runtime counts
        // (`aborted_by_watchdog`, `dropped_actor_killed`); served ones are delivered.
        let served =
            r.is_message && matches!(r.outcome.kind, OutcomeKind::Done | OutcomeKind::Failed(_));
        if served {
            self.acct.delivered += 1;
            if matches!(r.outcome.kind, OutcomeKind::Failed(_)) {
                self.acct.failed += 1;
            }
        }
        if self.rt.complete(r.outcome, runtime_now(now)).is_err() {
            self.acct.driver_errors += 1;
        }
        let Some(created) = r.created_at.filter(|_| served) else {
            return;
        };
        self.completed += 1;
        let latency = now - created;
        let us = latency.as_us_f64();
        self.series.add(now, col::COMPLETED, 1.0);
        self.series.add(now, col::LATENCY_SUM_US, us);
        let (c, l) = match core.side {
            Side::Nic => (col::NIC_COMPLETED, col::NIC_LATENCY_SUM_US),
            Side::Host => (col::HOST_COMPLETED, col::HOST_LATENCY_SUM_US),
        };
        self.series.add(now, c, 1.0);
        self.series.add(now, l, us);
        if created >= self.warmup_end {
            let cs = &mut self.classes[r.class];
            cs.completed += 1;
            cs.latency.record(latency);
        }
    }
}
