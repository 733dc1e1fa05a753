//! State-machine robustness: a policy that takes random (often senseless) actions
//! every interval, on random traffic. Whatever it does, no request is lost,
//! duplicated or reordered: each actor executes its requests in arrival order and
//! every delivered request is accounted for (completed, dropped with a reason,
//! aborted by the watchdog, or still queued if the policy starved a group).

use crate::actors::Worker;
use crate::harness::{poisson_mix, Driver, Rng};
use scheduler::{
    NicGroup, Placement, PolicyAction, PolicyView, Runtime, SchedulerSettings, SchedulingPolicy,
    SimTime,
};

struct Chaos {
    rng: Rng,
}

impl SchedulingPolicy for Chaos {
    fn name(&self) -> &str {
        "chaos"
    }
    fn initial_placement(&self, actor_name: &str) -> Placement {
        match actor_name.len() % 3 {
            0 => Placement::NicFcfs,
            1 => Placement::NicDrr,
            _ => Placement::Host,
        }
    }
    fn initial_drr_cores(&self, nic_cores: u32) -> u32 {
        nic_cores / 2
    }
    fn evaluate(&mut self, view: &PolicyView<'_>) -> Vec<PolicyAction> {
        let n = view.actors.len() as u64;
        let mut actions = Vec::new();
        for _ in 0..self.rng.range(0, 3) {
            let actor = self.rng.range(0, n - 1) as u32;
            // migrations are rare so the NIC groups stay busy for most of the run
            actions.push(match self.rng.range(0, 60) {
                0..=14 => PolicyAction::SetGroup {
                    actor,
                    group: NicGroup::Drr,
                },
                15..=29 => PolicyAction::SetGroup {
                    actor,
                    group: NicGroup::Fcfs,
                },
                30..=44 => PolicyAction::MoveCoreToDrr,
                45..=59 => PolicyAction::MoveCoreToFcfs,
                _ => PolicyAction::MigrateToHost { actor },
            });
        }
        actions
    }
}

fn chaos_run(seed: u64) {
    let settings = SchedulerSettings {
        mailbox_capacity: 64,
        fcfs_queue_capacity: 256,
        migration_buffer_capacity: 128,
        policy_interval_ns: 20_000,
        ..SchedulerSettings::default()
    };
    let rt = Runtime::with_policy(
        settings,
        Box::new(Chaos {
            rng: Rng::new(seed),
        }),
        4,
        2,
    )
    .unwrap();
    let mut d = Driver::with_runtime(rt);
    let names = ["a", "bb", "ccc", "dddd", "eeeee", "ffffff"];
    let mut logs = Vec::new();
    let mut targets = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let w = Worker::new(name, 500, 20_000, seed * 10 + i as u64);
        logs.push(w.log());
        let id = d.register(Box::new(w));
        targets.push((id, 1.0));
    }
    let arrivals = poisson_mix(seed, 0.5, SimTime::from_ms(5), &targets);
    let mut sent: Vec<Vec<u64>> = vec![Vec::new(); names.len()];
    for (_, m) in &arrivals {
        sent[m.dst as usize].push(m.id);
    }
    d.add_arrivals(arrivals);
    d.run(SimTime::from_ms(6));

    let rt = &d.rt;
    let c = rt.counters();
    assert_eq!(
        c.delivered,
        c.accounted() + rt.queued_messages() as u64,
        "seed {seed}: {c:?}"
    );
    assert!(rt.idle_cores().len() == 6, "nothing left in flight");
    for (i, log) in logs.iter().enumerate() {
        let seen: Vec<u64> = log.lock().unwrap().iter().map(|&(id, _)| id).collect();
        assert!(
            seen.windows(2).all(|w| w[0] < w[1]),
            "seed {seed}: actor {i} executed out of order"
        );
        // what it executed is a subsequence of what it was sent
        let mut it = sent[i].iter();
        assert!(seen.iter().all(|id| it.any(|s| s == id)));
    }
    assert!(
        c.policy_actions_rejected > 0,
        "chaos tried senseless actions"
    );
    assert!(c.migrations > 0, "seed {seed}: some migration ran");
    assert!(
        rt.placement_events().len() > 20 && rt.core_move_events().len() > 20,
        "seed {seed}: the policy really moved actors and cores around"
    );
}

#[test]
fn random_policy_actions_never_lose_or_reorder_requests() {
    for seed in 1..=12 {
        chaos_run(seed);
    }
}
