//! Policy evaluation (`tick`): build a `PolicyView`, ask the policy for actions and
//! apply the ones that make sense now (others are counted in `policy_actions_rejected`).
//! Group changes and core moves are applied here; migrations in `migration.rs`.

use super::{CoreMoveEvent, Runtime, MAX_RECORDED_EVENTS};
use crate::message::ActorId;
use crate::policy::SchedulingPolicy;
use crate::policy::{
    ActorStatus, ActorView, GroupView, NicGroup, Placement, PolicyAction, PolicyView,
};
use vocab::{SimDuration, SimTime};

/// Stands in for the policy while it evaluates a view of the runtime.
struct Parked;

impl SchedulingPolicy for Parked {
    fn name(&self) -> &str {
        "parked"
    }
    fn initial_placement(&self, _actor_name: &str) -> Placement {
        Placement::NicFcfs
    }
    fn initial_drr_cores(&self, _nic_cores: u32) -> u32 {
        0
    }
    fn evaluate(&mut self, _view: &PolicyView<'_>) -> Vec<PolicyAction> {
        Vec::new()
    }
}

impl Runtime {
    /// When the driver must next call `tick`.
    pub fn next_tick_at(&self) -> SimTime {
        self.next_tick_at
    }

    /// Evaluate the policy if its interval has come (`now >= next_tick_at()`), apply
    /// its actions, and schedule the next evaluation. Returns the actions applied.
    pub fn tick(&mut self, now: SimTime) -> Vec<PolicyAction> {
        if now < self.next_tick_at {
            return Vec::new();
        }
        self.expire_windows(now);
        self.update_offered_load(now);
        // The view borrows the runtime; park the policy meanwhile (a zero-sized
        // placeholder: no allocation).
        let mut policy = std::mem::replace(&mut self.policy, Box::new(Parked));
        let view_actions = policy.evaluate(&self.policy_view(now));
        self.policy = policy;
        let mut applied = Vec::new();
        for action in view_actions {
            if self.apply(action, now) {
                applied.push(action);
            } else {
                self.counters.policy_actions_rejected += 1;
            }
        }
        self.fcfs.busy_in_interval_ns = 0;
        self.drr.busy_in_interval_ns = 0;
        self.host.busy_in_interval_ns = 0;
        self.last_tick_at = now;
        self.next_tick_at = now + SimDuration::from_ns(self.settings.policy_interval_ns);
        applied
    }

    /// Offered load per actor in cores: arrivals since the last evaluation x mean core
    /// time per request (including scheduler overhead and anything the driver charged
    /// before the handler, e.g. the NIC's forwarding cost in `Platform::on_request`) / interval, smoothed with weight
    /// `load_smoothing` on the new value.
    fn update_offered_load(&mut self, now: SimTime) {
        let interval = now.saturating_since(self.last_tick_at).as_ns().max(1) as f64;
        let initial = self.settings.drr_initial_cost_ns as f64;
        let weight = self.settings.load_smoothing;
        for a in &mut self.actors {
            let mean = if a.core_time_ewma_ns > 0.0 {
                a.core_time_ewma_ns
            } else {
                a.windows.a_mean_ns().unwrap_or(initial)
            };
            let sample = a.arrivals_in_interval as f64 * mean / interval;
            a.offered_load_cores += weight * (sample - a.offered_load_cores);
            a.arrivals_in_interval = 0;
        }
    }

    fn expire_windows(&mut self, now: SimTime) {
        for a in &mut self.actors {
            a.windows.expire(now);
        }
        self.fcfs.window.expire(now);
        self.drr.window.expire(now);
        self.host.window.expire(now);
    }

    /// The read-only view a policy evaluates (also useful to drivers for tracing).
    pub fn policy_view(&self, now: SimTime) -> PolicyView<'_> {
        let actors: Vec<ActorView<'_>> = self
            .actors
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let id = i as ActorId;
                let queued = match (a.status, a.placement) {
                    (ActorStatus::Migrating, _) => a.migration_buffer.len(),
                    (_, Placement::NicFcfs) => {
                        self.fcfs_queue.iter().filter(|q| q.msg.dst == id).count()
                    }
                    (_, Placement::NicDrr) => a.mailbox.len(),
                    (_, Placement::Host) => {
                        self.host_queue.iter().filter(|q| q.msg.dst == id).count()
                    }
                };
                ActorView {
                    id,
                    name: &a.name,
                    placement: a.placement,
                    status: a.status,
                    exec: a.windows.a_summary(),
                    sojourn: a.windows.b_summary(),
                    since_placement_change: a
                        .placed_at
                        .map_or(SimDuration::MAX, |t| now.saturating_since(t)),
                    queued: queued as u32,
                    offered_load_cores: a.offered_load_cores,
                }
            })
            .collect();
        let interval = now.saturating_since(self.last_tick_at).as_ns().max(1) as f64;
        let group_view = |cores: u32, busy: u32, busy_ns: u64, placement: Placement| GroupView {
            cores,
            busy_cores: busy,
            utilization: if cores == 0 {
                0.0
            } else {
                busy_ns as f64 / (cores as f64 * interval)
            },
            latency: Default::default(),
            actors: actors
                .iter()
                .filter(|a| a.placement == placement && a.status == ActorStatus::Active)
                .count() as u32,
            offered_load_cores: actors
                .iter()
                .filter(|a| a.placement == placement && a.status == ActorStatus::Active)
                .map(|a| a.offered_load_cores)
                .sum(),
        };
        let nic_busy = |g: NicGroup| {
            self.nic_cores
                .iter()
                .filter(|c| c.group == g && c.busy.is_some())
                .count() as u32
        };
        let mut fcfs = group_view(
            self.cores_in(NicGroup::Fcfs),
            nic_busy(NicGroup::Fcfs),
            self.fcfs.busy_in_interval_ns,
            Placement::NicFcfs,
        );
        fcfs.latency = self.fcfs.window.summary();
        let mut drr = group_view(
            self.cores_in(NicGroup::Drr),
            nic_busy(NicGroup::Drr),
            self.drr.busy_in_interval_ns,
            Placement::NicDrr,
        );
        drr.latency = self.drr.window.summary();
        let mut host = group_view(
            self.host_cores.len() as u32,
            self.host_cores.iter().filter(|c| c.busy.is_some()).count() as u32,
            self.host.busy_in_interval_ns,
            Placement::Host,
        );
        host.latency = self.host.window.summary();
        PolicyView {
            now,
            settings: &self.settings,
            actors,
            fcfs,
            drr,
            host,
            migration_in_progress: self.actors.iter().any(|a| a.phase.is_some()),
            since_last_migration: self.last_migration_end.map(|t| now.saturating_since(t)),
        }
    }

    /// Apply one action; false if it does not apply now.
    fn apply(&mut self, action: PolicyAction, now: SimTime) -> bool {
        match action {
            PolicyAction::SetGroup { actor, group } => self.set_group(actor, group, now),
            PolicyAction::MoveCoreToDrr => self.move_core(NicGroup::Fcfs, NicGroup::Drr, now),
            PolicyAction::MoveCoreToFcfs => self.move_core(NicGroup::Drr, NicGroup::Fcfs, now),
            PolicyAction::MigrateToHost { actor } => self.start_migration(actor, now),
        }
    }

    /// Move one core between NIC groups, preferring an idle core, then the highest index.
    /// A busy core finishes its current work and serves its new group afterwards.
    fn move_core(&mut self, from: NicGroup, to: NicGroup, now: SimTime) -> bool {
        let pick = self
            .nic_cores
            .iter()
            .enumerate()
            .filter(|(_, c)| c.group == from)
            .max_by_key(|(i, c)| (c.busy.is_none(), *i))
            .map(|(i, _)| i);
        match pick {
            Some(i) => {
                self.nic_cores[i].group = to;
                if self.core_moves.len() < MAX_RECORDED_EVENTS {
                    self.core_moves.push(CoreMoveEvent {
                        time: now,
                        core: self.nic_cores[i].id,
                        from,
                        to,
                    });
                } else {
                    self.counters.events_not_recorded += 1;
                }
                true
            }
            None => false,
        }
    }

    /// Downgrade (FCFS -> DRR) or upgrade (DRR -> FCFS) a NIC actor. Its queued
    /// requests follow it in order.
    fn set_group(&mut self, a: ActorId, group: NicGroup, now: SimTime) -> bool {
        let Some(slot) = self.actors.get(a as usize) else {
            return false;
        };
        let to = match group {
            NicGroup::Fcfs => Placement::NicFcfs,
            NicGroup::Drr => Placement::NicDrr,
        };
        if slot.status != ActorStatus::Active || !slot.placement.is_nic() || slot.placement == to {
            return false;
        }
        let from = slot.placement;
        match group {
            NicGroup::Drr => {
                let (mine, rest): (Vec<_>, Vec<_>) =
                    self.fcfs_queue.drain(..).partition(|q| q.msg.dst == a);
                self.fcfs_queue = rest.into();
                let cap = self.settings.mailbox_capacity as usize;
                let slot = &mut self.actors[a as usize];
                for q in mine {
                    if slot.mailbox.len() < cap {
                        slot.mailbox.push_back(q);
                        self.drr_queued += 1;
                    } else {
                        slot.dropped += 1;
                        self.counters.dropped_mailbox_full += 1;
                        self.drops_and_aborts += 1;
                    }
                }
                slot.deficit_ns = 0;
                self.drr_ring.push(a);
            }
            NicGroup::Fcfs => {
                self.remove_from_drr_ring(a);
                let cap = self.settings.fcfs_queue_capacity as usize;
                let slot = &mut self.actors[a as usize];
                self.drr_queued -= slot.mailbox.len();
                for q in slot.mailbox.drain(..) {
                    if self.fcfs_queue.len() < cap {
                        self.fcfs_queue.push_back(q);
                    } else {
                        slot.dropped += 1;
                        self.counters.dropped_fcfs_queue_full += 1;
                        self.drops_and_aborts += 1;
                    }
                }
            }
        }
        let slot = &mut self.actors[a as usize];
        slot.placement = to;
        slot.placed_at = Some(now);
        slot.windows.clear_b();
        // group latencies describe the old membership: start afresh
        self.fcfs.window.clear();
        self.drr.window.clear();
        self.record_placement(now, a, Some(from), to);
        true
    }
}
