//! iPipe's hybrid policy: an FCFS group and a DRR group on the NIC, actors moving
//! between them on tail latency, cores moving with load, and push-to-host when the
//! NIC is overloaded (rules 1-6 of the runtime brief).
//!
//! Where the brief leaves details open, our choices (each a setting):
//! - "Tail" and "mean" latency are queueing + execution inside the runtime, over the
//!   sliding windows (`window_samples`, `window_ns`; tail per `tail_mode`).
//! - Dispersion is the standard deviation of an actor's execution time; actors below
//!   `min_dispersion_ns` are never downgraded (DRR cannot help them).
//! - Core moves size the FCFS group first, for its offered load at `fcfs_target_util`,
//!   and give DRR the rest (see `core_moves`). Sizing the two groups for equal
//!   utilization instead left the low-dispersion class on a nearly saturated FCFS
//!   group whenever the costly actors brought most of the work.
//! - "The NIC is overloaded" = a group's mean latency over Mean_thresh while its
//!   load (actors' offered load, or the cores' busy time if larger) reaches
//!   `overload_util` of its cores, for `overload_evaluations` evaluations in a row
//!   outside migrations; it keeps pushing actors while that holds. "The actor with the
//!   most load" = the highest offered load (arrival rate x core time per request).
//!
//! At most one actor decision per evaluation (migrate, else downgrade, else upgrade),
//! plus the core moves it implies, so every actor change is observed for at least one policy
//! interval before the next; `placement_cooldown_ns` and `migration_cooldown_ns`
//! add hysteresis in time on top of the `upgrade_alpha` hysteresis in value.

use super::{
    ActorStatus, ActorView, GroupView, NicGroup, Placement, PolicyAction, PolicyView,
    SchedulingPolicy,
};
use vocab::SimDuration;

/// iPipe's hybrid FCFS + DRR policy with push-to-host.
#[derive(Clone, Debug, Default)]
pub struct HybridPolicy {
    /// Consecutive evaluations that found a NIC group overloaded.
    overloaded_for: u32,
}

impl HybridPolicy {
    /// The policy; its thresholds come from the settings in each `PolicyView`.
    pub fn new() -> HybridPolicy {
        HybridPolicy { overloaded_for: 0 }
    }

    /// Rule 6: a NIC group is overloaded (mean latency over Mean_thresh with its
    /// load at `overload_util` of its cores or more) for `overload_evaluations`
    /// consecutive evaluations -> migrate the NIC actor
    /// with the most load (offered load: arrival rate x mean execution time; served
    /// work would under-rate an actor that is already starved).
    fn push_to_host(&mut self, view: &PolicyView<'_>) -> Option<PolicyAction> {
        let s = view.settings;
        // A group is overloaded when its mean latency exceeds Mean_thresh *and* its offered
        // load reaches `overload_util` of its cores: the mean alone is noisy for groups of
        // costly tasks, and a high mean with spare cores is for core moves to fix.
        //
        // The load is the larger of the actors' offered load and the cores' measured busy
        // time: on an on-path NIC the cores also forward every frame of the host actors
        // (`Runtime::deliver_via_nic`), work no NIC actor's offered load contains. Without
        // it, once the busiest actor is on the host the group's actor load (7 of 10-12
        // cores in the RKV eval at 8 Gb/s) never reached `overload_util` again while the
        // cores stayed 100% busy forwarding its frames: one migration, then a collapse.
        let overloaded = |g: &GroupView| {
            let l = &g.latency;
            let load_cores = g.offered_load_cores.max(g.utilization * f64::from(g.cores));
            l.count >= u64::from(s.min_samples)
                && l.mean_ns > s.mean_thresh_ns as f64
                && load_cores >= s.overload_util * f64::from(g.cores)
        };
        // Evaluations during a migration do not count: the next decision must see the
        // NIC after the move, not the overload that caused it.
        if view.migration_in_progress {
            self.overloaded_for = 0;
            return None;
        }
        if overloaded(&view.fcfs) || overloaded(&view.drr) {
            self.overloaded_for += 1;
        } else {
            self.overloaded_for = 0;
            return None;
        }
        if self.overloaded_for < s.overload_evaluations {
            return None;
        }
        if let Some(since) = view.since_last_migration {
            if since < SimDuration::from_ns(s.migration_cooldown_ns) {
                return None;
            }
        }
        self.overloaded_for = 0;
        view.actors
            .iter()
            .filter(|a| a.status == ActorStatus::Active && a.placement.is_nic())
            .filter(|a| a.offered_load_cores > 0.0)
            .max_by(|a, b| {
                a.offered_load_cores
                    .total_cmp(&b.offered_load_cores)
                    .then(b.id.cmp(&a.id))
            })
            .map(|a| PolicyAction::MigrateToHost { actor: a.id })
    }

    fn settled(a: &ActorView<'_>, view: &PolicyView<'_>) -> bool {
        a.status == ActorStatus::Active
            && a.since_placement_change >= SimDuration::from_ns(view.settings.placement_cooldown_ns)
    }

    /// Rule 2: FCFS group tail above Tail_thresh -> the FCFS actor with the highest
    /// dispersion (exec stddev, at least `min_dispersion_ns`) goes to DRR.
    fn downgrade(view: &PolicyView<'_>) -> Option<PolicyAction> {
        let s = view.settings;
        let g = &view.fcfs.latency;
        if g.count < u64::from(s.min_samples) || g.tail_ns(s.tail_mode) <= s.tail_thresh_ns as f64 {
            return None;
        }
        // A DRR actor needs a core of its own: with FCFS actors left behind,
        // FCFS keeps `min_fcfs_cores`, so a NIC with no core beyond that floor
        // would leave the downgraded actor waiting forever.
        let nic_cores = view.fcfs.cores + view.drr.cores;
        let fcfs_actors = view
            .actors
            .iter()
            .filter(|a| a.placement == Placement::NicFcfs && a.status == ActorStatus::Active)
            .count();
        if nic_cores <= s.min_fcfs_cores && fcfs_actors > 1 {
            return None;
        }
        view.actors
            .iter()
            .filter(|a| a.placement == Placement::NicFcfs && Self::settled(a, view))
            .filter(|a| a.exec.count >= u64::from(s.min_samples))
            .filter(|a| a.exec.stddev_ns >= s.min_dispersion_ns as f64)
            .max_by(|a, b| {
                a.exec
                    .stddev_ns
                    .total_cmp(&b.exec.stddev_ns)
                    .then(b.id.cmp(&a.id))
            })
            .map(|a| PolicyAction::SetGroup {
                actor: a.id,
                group: NicGroup::Drr,
            })
    }

    /// Rule 4: a DRR actor whose tail is below (1 - alpha) x Tail_thresh returns to FCFS.
    fn upgrade(view: &PolicyView<'_>) -> Option<PolicyAction> {
        let s = view.settings;
        let limit = (1.0 - s.upgrade_alpha) * s.tail_thresh_ns as f64;
        view.actors
            .iter()
            .filter(|a| a.placement == Placement::NicDrr && Self::settled(a, view))
            .filter(|a| a.sojourn.count >= u64::from(s.min_samples))
            .filter(|a| a.sojourn.tail_ns(s.tail_mode) < limit)
            .min_by(|a, b| {
                a.sojourn
                    .tail_ns(s.tail_mode)
                    .total_cmp(&b.sojourn.tail_ns(s.tail_mode))
                    .then(a.id.cmp(&b.id))
            })
            .map(|a| PolicyAction::SetGroup {
                actor: a.id,
                group: NicGroup::Fcfs,
            })
    }

    /// Rules 2 and 5: cores move between the groups with load (as many per evaluation as
    /// needed, so a freshly downgraded actor gets its cores at once). Loads are the
    /// actors' offered loads in cores (arrival rate x core time per request, so a starved
    /// group still shows its demand). The FCFS group, which holds the latency-critical
    /// low-dispersion actors, is sized first: it wants `fcfs_load / fcfs_target_util`
    /// cores (at least `min_fcfs_cores` while it has actors). The DRR group takes every
    /// other core while it has actors ("FCFS has idle capacity"; idle DRR cores serve the
    /// FCFS queue anyway) and keeps at least one. A core returns to FCFS when FCFS has
    /// fewer than `fcfs_want - core_move_hysteresis`; all return when DRR has no actor.
    ///
    /// When FCFS's want leaves DRR fewer cores than its load, the DRR group overloads:
    /// its latency crosses Mean_thresh and push-to-host (rule 6) makes room.
    fn core_moves(view: &PolicyView<'_>, actions: &[PolicyAction]) -> Vec<PolicyAction> {
        let s = view.settings;
        let downgraded = actions.iter().find_map(|a| match a {
            PolicyAction::SetGroup {
                actor,
                group: NicGroup::Drr,
            } => Some(*actor),
            _ => None,
        });
        let migrating = actions.iter().find_map(|a| match a {
            PolicyAction::MigrateToHost { actor } => Some(*actor),
            _ => None,
        });
        let in_drr =
            |a: &ActorView<'_>| a.placement == Placement::NicDrr || Some(a.id) == downgraded;
        let active_nic = view.actors.iter().filter(|a| {
            a.status == ActorStatus::Active && a.placement.is_nic() && Some(a.id) != migrating
        });
        let (mut fcfs_load, mut drr_actors, mut fcfs_actors) = (0.0, 0, 0);
        for a in active_nic {
            if in_drr(a) {
                drr_actors += 1;
            } else {
                fcfs_load += a.offered_load_cores;
                fcfs_actors += 1;
            }
        }
        let (mut fc, mut dc) = (view.fcfs.cores, view.drr.cores);
        let mut moves = Vec::new();
        if drr_actors == 0 {
            moves.extend((0..dc).map(|_| PolicyAction::MoveCoreToFcfs));
            return moves;
        }
        let fcfs_min = if fcfs_actors > 0 { s.min_fcfs_cores } else { 0 };
        let fcfs_want = if fcfs_actors > 0 {
            (fcfs_load / s.fcfs_target_util).max(f64::from(fcfs_min))
        } else {
            0.0
        };
        let h = s.core_move_hysteresis;
        // Each step moves one core towards the target; the two conditions exclude each
        // other (a gap of 1 + h cores), so this ends within fc + dc steps.
        for _ in 0..(fc + dc) {
            let f = f64::from(fc);
            let step = if (dc == 0 || f - 1.0 >= fcfs_want) && fc > fcfs_min && fc > 0 {
                (fc, dc) = (fc - 1, dc + 1);
                PolicyAction::MoveCoreToDrr
            } else if f < fcfs_want - h && dc > 1 {
                (fc, dc) = (fc + 1, dc - 1);
                PolicyAction::MoveCoreToFcfs
            } else {
                break;
            };
            moves.push(step);
        }
        moves
    }
}

impl SchedulingPolicy for HybridPolicy {
    fn name(&self) -> &str {
        "hybrid"
    }

    /// Rule 1: every actor starts on the NIC FCFS group.
    fn initial_placement(&self, _actor_name: &str) -> Placement {
        Placement::NicFcfs
    }

    /// Rule 1: every NIC core starts in the FCFS group.
    fn initial_drr_cores(&self, _nic_cores: u32) -> u32 {
        0
    }

    fn evaluate(&mut self, view: &PolicyView<'_>) -> Vec<PolicyAction> {
        let mut actions = Vec::new();
        if let Some(a) = self
            .push_to_host(view)
            .or_else(|| Self::downgrade(view))
            .or_else(|| Self::upgrade(view))
        {
            actions.push(a);
        }
        let moves = Self::core_moves(view, &actions);
        actions.extend(moves);
        actions
    }
}

#[cfg(test)]
#[path = "hybrid_tests.rs"]
mod tests;
