//! The hybrid policy with one forced migration, for the application tests: the iPipe hybrid policy, plus one `MigrateToHost` of a named actor at its first evaluation after a time (so a short test has a migration for sure).

use scheduler::{HybridPolicy, Placement, PolicyAction, PolicyView, SchedulingPolicy, SimTime};

/// The iPipe hybrid policy, plus one forced `MigrateToHost` of a named actor at
/// the first evaluation after `at` (so a short test has a migration for sure).
pub struct HybridWithForcedMigration {
    inner: HybridPolicy,
    victim: String,
    at: SimTime,
    done: bool,
}

impl HybridWithForcedMigration {
    pub fn new(victim: &str, at: SimTime) -> Self {
        HybridWithForcedMigration {
            inner: HybridPolicy::new(),
            victim: victim.to_string(),
            at,
            done: false,
        }
    }
}

impl SchedulingPolicy for HybridWithForcedMigration {
    fn name(&self) -> &str {
        "hybrid+forced_migration"
    }
    fn initial_placement(&self, actor_name: &str) -> Placement {
        self.inner.initial_placement(actor_name)
    }
    fn initial_drr_cores(&self, nic_cores: u32) -> u32 {
        self.inner.initial_drr_cores(nic_cores)
    }
    fn evaluate(&mut self, view: &PolicyView<'_>) -> Vec<PolicyAction> {
        let mut actions = self.inner.evaluate(view);
        if !self.done && view.now >= self.at && !view.migration_in_progress {
            if let Some(a) = view.actors.iter().find(|a| a.name == self.victim) {
                if a.placement.is_nic() {
                    self.done = true;
                    actions.push(PolicyAction::MigrateToHost { actor: a.id });
                }
            }
        }
        actions
    }
}
