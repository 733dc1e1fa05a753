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
    /// with the most load (execution time summed over its window).
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
            .max_by_key(|a| (a.exec.sum_ns, std::cmp::Reverse(a.id)))
            .filter(|a| a.exec.sum_ns > 0)
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

    /// Rules 2 and 5: the DRR group gets a core when it has actors and none, takes one
    /// when saturated and FCFS can spare one, gives one back when it idles, and returns
    /// all when it has no actors.
    fn core_move(view: &PolicyView<'_>, actions: &[PolicyAction]) -> Option<PolicyAction> {
        let s = view.settings;
        let downgrading = actions.iter().any(|a| {
            matches!(
                a,
                PolicyAction::SetGroup {
                    group: NicGroup::Drr,
                    ..
                }
            )
        });
        let drr_actors = view.drr.actors + u32::from(downgrading);
        let (fc, dc) = (view.fcfs.cores, view.drr.cores);
        let fcfs_min = if view.fcfs.actors > 0 {
            s.min_fcfs_cores
        } else {
            0
        };
        if drr_actors == 0 {
            return (dc > 0).then_some(PolicyAction::MoveCoreToFcfs);
        }
        if dc == 0 {
            return (fc > fcfs_min).then_some(PolicyAction::MoveCoreToDrr);
        }
        if view.drr.utilization > s.core_move_high_util && fc > fcfs_min {
            let fcfs_after = if fc > 1 {
                view.fcfs.utilization * fc as f64 / (fc - 1) as f64
            } else {
                0.0
            };
            if view.fcfs.actors == 0 || fcfs_after < s.core_move_high_util {
                return Some(PolicyAction::MoveCoreToDrr);
            }
        }
        if dc > 1 {
            let drr_after = view.drr.utilization * dc as f64 / (dc - 1) as f64;
            if drr_after < s.core_move_low_util {
                return Some(PolicyAction::MoveCoreToFcfs);
            }
        }
        None
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
