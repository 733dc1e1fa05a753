//! iPipe's hybrid policy: an FCFS group and a DRR group on the NIC, actors moving
//! between them on tail latency, cores moving with load, and push-to-host when the
//! NIC's mean latency shows overload (rules 1-6 of the runtime brief).
//!
//! At most one actor decision per evaluation (migrate, else downgrade, else upgrade),
//! plus at most one core move, so every change is observed for at least one policy
//! interval before the next; `placement_cooldown_ns` and `migration_cooldown_ns`
//! add hysteresis in time on top of the `upgrade_alpha` hysteresis in value.

use super::{
    ActorStatus, ActorView, NicGroup, Placement, PolicyAction, PolicyView, SchedulingPolicy,
};
use crate::time::Nanos;

/// iPipe's hybrid FCFS + DRR policy with push-to-host.
#[derive(Clone, Debug, Default)]
pub struct HybridPolicy {}

impl HybridPolicy {
    /// The policy; its thresholds come from the settings in each `PolicyView`.
    pub fn new() -> HybridPolicy {
        HybridPolicy {}
    }

    /// Rule 6: the NIC-wide mean latency exceeds Mean_thresh -> migrate the NIC actor
    /// with the most load (offered load: arrival rate x mean execution time; served
    /// work would under-rate an actor that is already starved).
    fn push_to_host(view: &PolicyView<'_>) -> Option<PolicyAction> {
        let s = view.settings;
        if view.migration_in_progress {
            return None;
        }
        if let Some(since) = view.since_last_migration {
            if since < Nanos(s.migration_cooldown_ns) {
                return None;
            }
        }
        if view.nic.count < u64::from(s.min_samples) || view.nic.mean_ns <= s.mean_thresh_ns as f64
        {
            return None;
        }
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

    fn settled(a: &ActorView, view: &PolicyView<'_>) -> bool {
        a.status == ActorStatus::Active
            && a.since_placement_change >= Nanos(view.settings.placement_cooldown_ns)
    }

    /// Rule 2: FCFS group tail above Tail_thresh -> the FCFS actor with the highest
    /// dispersion (exec stddev, at least `min_dispersion_ns`) goes to DRR.
    fn downgrade(view: &PolicyView<'_>) -> Option<PolicyAction> {
        let s = view.settings;
        let g = &view.fcfs.latency;
        if g.count < u64::from(s.min_samples) || g.tail_ns(s.tail_mode) <= s.tail_thresh_ns as f64 {
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

    /// Rules 2 and 5: cores move between the groups with load. The DRR group's fair
    /// share of the NIC cores is its actors' share of the offered load (arrival rate x
    /// mean cost, so a starved group still shows its demand); a core moves when the
    /// share differs from the current count by more than half a core plus
    /// `core_move_hysteresis`. The DRR group keeps at least one core while it has
    /// actors and returns every core when it has none; FCFS keeps `min_fcfs_cores`
    /// while it has actors. At most one core moves per evaluation.
    fn core_move(view: &PolicyView<'_>, actions: &[PolicyAction]) -> Option<PolicyAction> {
        let s = view.settings;
        let downgraded = actions.iter().find_map(|a| match a {
            PolicyAction::SetGroup {
                actor,
                group: NicGroup::Drr,
            } => Some(*actor),
            _ => None,
        });
        let in_drr = |a: &ActorView| a.placement == Placement::NicDrr || Some(a.id) == downgraded;
        let active_nic = view
            .actors
            .iter()
            .filter(|a| a.status == ActorStatus::Active && a.placement.is_nic());
        let (mut drr_load, mut fcfs_load, mut drr_actors, mut fcfs_actors) = (0.0, 0.0, 0, 0);
        for a in active_nic {
            if in_drr(a) {
                drr_load += a.offered_load_cores;
                drr_actors += 1;
            } else {
                fcfs_load += a.offered_load_cores;
                fcfs_actors += 1;
            }
        }
        let (fc, dc) = (view.fcfs.cores, view.drr.cores);
        let nic = fc + dc;
        if drr_actors == 0 {
            return (dc > 0).then_some(PolicyAction::MoveCoreToFcfs);
        }
        let fcfs_min = if fcfs_actors > 0 { s.min_fcfs_cores } else { 0 };
        let max_drr = nic.saturating_sub(fcfs_min).max(1);
        if dc == 0 {
            return (fc > fcfs_min).then_some(PolicyAction::MoveCoreToDrr);
        }
        let total = drr_load + fcfs_load;
        if total <= 0.0 {
            return None;
        }
        let share = f64::from(nic) * drr_load / total;
        let margin = 0.5 + s.core_move_hysteresis;
        if share > f64::from(dc) + margin && dc < max_drr {
            Some(PolicyAction::MoveCoreToDrr)
        } else if share < f64::from(dc) - margin && dc > 1 {
            Some(PolicyAction::MoveCoreToFcfs)
        } else {
            None
        }
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
        if let Some(a) = Self::push_to_host(view)
            .or_else(|| Self::downgrade(view))
            .or_else(|| Self::upgrade(view))
        {
            actions.push(a);
        }
        if let Some(m) = Self::core_move(view, &actions) {
            actions.push(m);
        }
        actions
    }
}
