//! Unit tests of the hybrid policy on hand-built `PolicyView`s.

use super::*;
use crate::settings::SchedulerSettings;
use crate::stats::LatencySummary;
use vocab::SimTime;

fn actor(id: u32, placement: Placement, load: f64, stddev_ns: f64) -> ActorView<'static> {
    ActorView {
        id,
        name: "actor",
        placement,
        status: ActorStatus::Active,
        exec: LatencySummary {
            count: 100,
            mean_ns: 10_000.0,
            stddev_ns,
            p99_ns: 20_000.0,
            sum_ns: 1_000_000,
        },
        sojourn: LatencySummary {
            count: 100,
            mean_ns: 10_000.0,
            stddev_ns,
            p99_ns: 60_000.0,
            sum_ns: 1_000_000,
        },
        since_placement_change: SimDuration::MAX,
        queued: 0,
        offered_load_cores: load,
    }
}

fn view<'a>(
    s: &'a SchedulerSettings,
    actors: Vec<ActorView<'a>>,
    fcfs_cores: u32,
    drr_cores: u32,
) -> PolicyView<'a> {
    let group = |cores: u32, placement: Placement| GroupView {
        cores,
        actors: actors.iter().filter(|a| a.placement == placement).count() as u32,
        offered_load_cores: actors
            .iter()
            .filter(|a| a.placement == placement)
            .map(|a| a.offered_load_cores)
            .sum(),
        ..GroupView::default()
    };
    PolicyView {
        now: SimTime::from_ms(10),
        settings: s,
        fcfs: group(fcfs_cores, Placement::NicFcfs),
        drr: group(drr_cores, Placement::NicDrr),
        host: GroupView::default(),
        actors,
        migration_in_progress: false,
        since_last_migration: None,
    }
}

#[test]
fn fcfs_is_sized_first_and_drr_takes_the_rest() {
    let s = SchedulerSettings::default();
    // FCFS load 1.5 cores -> wants 2 at 75%; DRR takes the other 10 of 12
    let v = view(
        &s,
        vec![
            actor(0, Placement::NicFcfs, 1.5, 0.0),
            actor(1, Placement::NicDrr, 5.0, 20_000.0),
        ],
        12,
        0,
    );
    let moves = HybridPolicy::core_moves(&v, &[]);
    assert_eq!(moves, vec![PolicyAction::MoveCoreToDrr; 10]);
    // FCFS short by more than the hysteresis: cores come back
    let v = view(
        &s,
        vec![
            actor(0, Placement::NicFcfs, 3.0, 0.0),
            actor(1, Placement::NicDrr, 5.0, 20_000.0),
        ],
        2,
        10,
    );
    assert_eq!(
        HybridPolicy::core_moves(&v, &[]),
        vec![PolicyAction::MoveCoreToFcfs; 2]
    );
    // within the hysteresis band: nothing moves
    let v = view(
        &s,
        vec![
            actor(0, Placement::NicFcfs, 3.1, 0.0),
            actor(1, Placement::NicDrr, 5.0, 20_000.0),
        ],
        4,
        8,
    );
    assert!(HybridPolicy::core_moves(&v, &[]).is_empty());
    // no DRR actor: every DRR core returns
    let v = view(&s, vec![actor(0, Placement::NicFcfs, 3.0, 0.0)], 9, 3);
    assert_eq!(
        HybridPolicy::core_moves(&v, &[]),
        vec![PolicyAction::MoveCoreToFcfs; 3]
    );
}

#[test]
fn downgrade_picks_the_most_dispersed_actor_above_the_floor() {
    let s = SchedulerSettings::default();
    let mut v = view(
        &s,
        vec![
            actor(0, Placement::NicFcfs, 1.0, 500.0), // below min_dispersion_ns
            actor(1, Placement::NicFcfs, 1.0, 15_000.0),
            actor(2, Placement::NicFcfs, 1.0, 20_000.0),
        ],
        12,
        0,
    );
    // group tail below Tail_thresh: nothing
    v.fcfs.latency = LatencySummary {
        count: 1_000,
        p99_ns: 20_000.0,
        ..LatencySummary::default()
    };
    assert_eq!(HybridPolicy::downgrade(&v), None);
    v.fcfs.latency.p99_ns = 40_000.0;
    assert_eq!(
        HybridPolicy::downgrade(&v),
        Some(PolicyAction::SetGroup {
            actor: 2,
            group: NicGroup::Drr
        })
    );
    // the first DRR actor brings its cores in the same evaluation
    let actions = HybridPolicy::new().evaluate(&v);
    assert_eq!(actions[0], HybridPolicy::downgrade(&v).unwrap());
    assert!(actions[1..]
        .iter()
        .all(|a| *a == PolicyAction::MoveCoreToDrr));
    assert!(!actions[1..].is_empty());
}

#[test]
fn no_downgrade_when_drr_could_get_no_core() {
    // One NIC core and two FCFS actors: FCFS keeps its floor of one core, so
    // a downgraded actor would never run; the policy must not downgrade.
    let s = SchedulerSettings::default();
    let actors = || {
        vec![
            actor(1, Placement::NicFcfs, 1.0, 15_000.0),
            actor(2, Placement::NicFcfs, 1.0, 20_000.0),
        ]
    };
    let loaded = |mut v: PolicyView<'_>| {
        v.fcfs.latency = LatencySummary {
            count: 1_000,
            p99_ns: 40_000.0,
            ..LatencySummary::default()
        };
        HybridPolicy::downgrade(&v)
    };
    assert_eq!(loaded(view(&s, actors(), 1, 0)), None);
    // two cores: DRR can take the second one
    assert!(loaded(view(&s, actors(), 2, 0)).is_some());
    // one core, one actor: downgrading it takes the core along (FCFS empties)
    let one = vec![actor(2, Placement::NicFcfs, 1.0, 20_000.0)];
    assert!(loaded(view(&s, one, 1, 0)).is_some());
}

#[test]
fn push_to_host_needs_a_persistently_overloaded_group() {
    let s = SchedulerSettings::default();
    let mut v = view(
        &s,
        vec![
            actor(0, Placement::NicFcfs, 1.0, 0.0),
            actor(1, Placement::NicDrr, 4.0, 20_000.0),
            actor(2, Placement::NicDrr, 6.0, 20_000.0),
        ],
        2,
        10,
    );
    v.drr.latency = LatencySummary {
        count: 1_000,
        mean_ns: 150_000.0,
        ..LatencySummary::default()
    };
    let mut p = HybridPolicy::new();
    for _ in 1..s.overload_evaluations {
        assert_eq!(p.push_to_host(&v), None);
    }
    // the actor with the most offered load goes
    assert_eq!(
        p.push_to_host(&v),
        Some(PolicyAction::MigrateToHost { actor: 2 })
    );
    // a high mean with spare cores is not overload
    v.drr.offered_load_cores = 5.0;
    let mut p = HybridPolicy::new();
    for _ in 0..2 * s.overload_evaluations {
        assert_eq!(p.push_to_host(&v), None);
    }
}

#[test]
fn upgrade_needs_the_tail_below_the_hysteresis_band() {
    let s = SchedulerSettings::default();
    let limit = (1.0 - s.upgrade_alpha) * s.tail_thresh_ns as f64;
    let mut a = actor(0, Placement::NicDrr, 1.0, 20_000.0);
    a.sojourn.p99_ns = limit + 1.0;
    let v = view(&s, vec![a.clone()], 10, 2);
    assert_eq!(HybridPolicy::upgrade(&v), None);
    a.sojourn.p99_ns = limit - 1.0;
    let v = view(&s, vec![a.clone()], 10, 2);
    assert_eq!(
        HybridPolicy::upgrade(&v),
        Some(PolicyAction::SetGroup {
            actor: 0,
            group: NicGroup::Fcfs
        })
    );
    // not within the placement cooldown
    a.since_placement_change = SimDuration::from_ns(s.placement_cooldown_ns - 1);
    let v = view(&s, vec![a], 10, 2);
    assert_eq!(HybridPolicy::upgrade(&v), None);
}

/// On an on-path NIC the cores also forward the frames of host actors: work in
/// no NIC actor's offered load. After the busiest actor moved, the RKV eval
/// (8 Gb/s, CN2350) showed the FCFS group at 7 cores of actor load, its cores
/// 100% busy and its mean latency at 300 us: that is still overload.
#[test]
fn busy_cores_count_as_load_when_forwarding_hides_it_from_the_actors() {
    let s = SchedulerSettings::default();
    let mut v = view(
        &s,
        vec![
            actor(0, Placement::Host, 6.0, 0.0),
            actor(1, Placement::NicFcfs, 3.5, 0.0),
            actor(2, Placement::NicFcfs, 3.5, 0.0),
        ],
        12,
        0,
    );
    v.fcfs.latency = LatencySummary {
        count: 4_096,
        mean_ns: 300_000.0,
        ..LatencySummary::default()
    };
    v.fcfs.utilization = 1.0;
    let mut p = HybridPolicy::new();
    for _ in 1..s.overload_evaluations {
        assert_eq!(p.push_to_host(&v), None);
    }
    // ties on load go to the lower id
    assert_eq!(
        p.push_to_host(&v),
        Some(PolicyAction::MigrateToHost { actor: 1 })
    );
    // with the cores at 60% it is a latency problem for core moves, not overload
    v.fcfs.utilization = 0.6;
    let mut p = HybridPolicy::new();
    for _ in 0..2 * s.overload_evaluations {
        assert_eq!(p.push_to_host(&v), None);
    }
}

/// Evaluations made while a migration runs do not count towards the next one:
/// the policy must see the NIC after the move before it moves another actor.
#[test]
fn overload_seen_during_a_migration_does_not_count() {
    let s = SchedulerSettings::default();
    let mut v = view(
        &s,
        vec![
            actor(0, Placement::NicFcfs, 8.0, 0.0),
            actor(1, Placement::NicFcfs, 6.0, 0.0),
        ],
        12,
        0,
    );
    v.fcfs.latency = LatencySummary {
        count: 4_096,
        mean_ns: 300_000.0,
        ..LatencySummary::default()
    };
    let mut p = HybridPolicy::new();
    v.migration_in_progress = true;
    for _ in 0..2 * s.overload_evaluations {
        assert_eq!(p.push_to_host(&v), None);
    }
    v.migration_in_progress = false;
    for _ in 1..s.overload_evaluations {
        assert_eq!(p.push_to_host(&v), None);
    }
    assert_eq!(
        p.push_to_host(&v),
        Some(PolicyAction::MigrateToHost { actor: 0 })
    );
}
