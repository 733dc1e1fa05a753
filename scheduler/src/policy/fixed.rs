//! Fixed policies: placement decided once at registration and never changed
//! (FCFS-only, DRR-only, NIC-only, host-only, and a static split by actor name).

use super::{Placement, PolicyAction, PolicyView, SchedulingPolicy};

/// A policy that never moves anything.
#[derive(Clone, Debug)]
pub struct FixedPolicy {
    name: &'static str,
    default_placement: Placement,
    host_actors: Vec<String>,
    drr_actors: Vec<String>,
    drr_cores: DrrCores,
}

#[derive(Clone, Copy, Debug)]
enum DrrCores {
    None,
    All,
    /// This many, but at least one if any actor is on DRR.
    Count(u32),
}

impl FixedPolicy {
    /// Every actor on the NIC FCFS group, all NIC cores FCFS.
    pub fn fcfs_only() -> FixedPolicy {
        FixedPolicy::simple("fcfs", Placement::NicFcfs, DrrCores::None)
    }

    /// Same placement as `fcfs_only`, reported as `nic_only`.
    pub fn nic_only() -> FixedPolicy {
        FixedPolicy::simple("nic_only", Placement::NicFcfs, DrrCores::None)
    }

    /// Every actor on the NIC DRR group, all NIC cores DRR.
    pub fn drr_only() -> FixedPolicy {
        FixedPolicy::simple("drr", Placement::NicDrr, DrrCores::All)
    }

    /// Every actor on the host.
    pub fn host_only() -> FixedPolicy {
        FixedPolicy::simple("host_only", Placement::Host, DrrCores::None)
    }

    /// Named actors on the host or on NIC DRR; every other actor on NIC FCFS.
    pub fn static_split(
        host_actors: Vec<String>,
        drr_actors: Vec<String>,
        drr_cores: u32,
    ) -> FixedPolicy {
        FixedPolicy {
            name: "static",
            default_placement: Placement::NicFcfs,
            host_actors,
            drr_actors,
            drr_cores: DrrCores::Count(drr_cores),
        }
    }

    fn simple(name: &'static str, placement: Placement, drr_cores: DrrCores) -> FixedPolicy {
        FixedPolicy {
            name,
            default_placement: placement,
            host_actors: Vec::new(),
            drr_actors: Vec::new(),
            drr_cores,
        }
    }
}

impl SchedulingPolicy for FixedPolicy {
    fn name(&self) -> &str {
        self.name
    }

    fn initial_placement(&self, actor_name: &str) -> Placement {
        if self.host_actors.iter().any(|n| n == actor_name) {
            Placement::Host
        } else if self.drr_actors.iter().any(|n| n == actor_name) {
            Placement::NicDrr
        } else {
            self.default_placement
        }
    }

    fn initial_drr_cores(&self, nic_cores: u32) -> u32 {
        match self.drr_cores {
            DrrCores::None => 0,
            DrrCores::All => nic_cores,
            DrrCores::Count(n) => {
                let wanted = if self.drr_actors.is_empty() {
                    n
                } else {
                    n.max(1)
                };
                wanted.min(nic_cores)
            }
        }
    }

    fn evaluate(&mut self, _view: &PolicyView<'_>) -> Vec<PolicyAction> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_split_places_by_name() {
        let p = FixedPolicy::static_split(vec!["kv".into()], vec!["rank".into()], 0);
        assert_eq!(p.initial_placement("kv"), Placement::Host);
        assert_eq!(p.initial_placement("rank"), Placement::NicDrr);
        assert_eq!(p.initial_placement("lb"), Placement::NicFcfs);
        // a DRR actor gets at least one DRR core
        assert_eq!(p.initial_drr_cores(12), 1);
    }

    #[test]
    fn drr_only_takes_every_core() {
        let p = FixedPolicy::drr_only();
        assert_eq!(p.initial_drr_cores(12), 12);
        assert_eq!(p.initial_placement("x"), Placement::NicDrr);
        assert_eq!(
            FixedPolicy::host_only().initial_placement("x"),
            Placement::Host
        );
    }
}
