//! The hybrid policy's rules one at a time: downgrade on Tail_thresh, upgrade with
//! hysteresis once the actor's tail is low, DRR cores returned when DRR is empty,
//! and the mean + 3 sigma tail estimate as an alternative to the measured p99.

use crate::actors::{Phased, Worker};
use crate::harness::{poisson_mix, Driver};
use scheduler::{NicGroup, Placement, SchedulerSettings, SimTime, TailMode};

fn phased_run(settings: SchedulerSettings) -> (Driver, u32) {
    let mut d = Driver::new(settings, 8, 2);
    let mut targets = Vec::new();
    for i in 0..3 {
        let a = d.register(Box::new(Worker::new(&format!("light{i}"), 2_000, 2_000, i)));
        targets.push((a, 1.0));
    }
    let phased = d.register(Box::new(Phased {
        inner: Worker::new("phased", 2_000, 71_000, 9),
        calm_from: SimTime::from_ms(4),
    }));
    targets.push((phased, 0.1));
    // 1.6 req/us: light 3 cores + phased 1.9 cores, about 60% of 8 cores while it is costly
    d.add_arrivals(poisson_mix(3, 1.6, SimTime::from_ms(12), &targets));
    d.run(SimTime::from_ms(12));
    (d, phased)
}

fn check_down_then_up(d: &Driver, phased: u32) {
    let rt = &d.rt;
    let moves: Vec<_> = rt
        .placement_events()
        .iter()
        .filter(|e| e.actor == phased && e.from.is_some())
        .collect();
    assert_eq!(moves.len(), 2, "{moves:?}");
    assert_eq!(
        (moves[0].from, moves[0].to),
        (Some(Placement::NicFcfs), Placement::NicDrr)
    );
    assert!(moves[0].time < SimTime::from_ms(4));
    assert_eq!(
        (moves[1].from, moves[1].to),
        (Some(Placement::NicDrr), Placement::NicFcfs)
    );
    assert!(moves[1].time > SimTime::from_ms(4));
    // the low-dispersion actors never moved, and the empty DRR group gave its cores back
    assert_eq!(rt.placement_events().len(), 4 + 2);
    assert_eq!(rt.cores_in(NicGroup::Drr), 0);
    assert_eq!(rt.counters().migrations, 0);
    assert_eq!(rt.counters().delivered, rt.counters().accounted());
}

#[test]
fn downgrade_on_tail_then_upgrade_with_hysteresis() {
    let (d, phased) = phased_run(SchedulerSettings::default());
    check_down_then_up(&d, phased);
}

#[test]
fn mean_plus_3_sigma_tail_estimate_drives_the_same_decisions() {
    // mean + 3 sigma under-rates the tail of this skewed mix (about 26 us against a
    // measured p99 above 60 us), so the threshold is set lower to trigger the same rules
    let settings = SchedulerSettings {
        tail_mode: TailMode::MeanPlus3Sigma,
        tail_thresh_ns: 20_000,
        ..SchedulerSettings::default()
    };
    let (d, phased) = phased_run(settings);
    check_down_then_up(&d, phased);
}
