//! Tests of the planner: rack groups kept on one thread, oversized groups spread.
use super::*;

fn planner(weights: &[u64], groups: &[Option<u32>]) -> Planner {
    let mut w: Windows<()> = Windows::new(weights.len());
    w.planner.weight = weights.to_vec();
    w.planner.group = groups.to_vec();
    w.planner
}

/// Two racks of equal work go to two threads whole; the spines (no
/// group) fill in by weight.
#[test]
fn a_group_within_a_threads_share_stays_on_one_thread() {
    let rack = |r| Some(r);
    let groups = [
        rack(0),
        rack(1),
        None,
        None,
        rack(0),
        rack(0),
        rack(1),
        rack(1),
    ];
    let mut p = planner(&[40, 40, 5, 5, 30, 30, 30, 30], &groups);
    p.rerank(2);
    assert_eq!(p.home[0], p.home[4]);
    assert_eq!(p.home[0], p.home[5]);
    assert_eq!(p.home[1], p.home[6]);
    assert_eq!(p.home[1], p.home[7]);
    assert_ne!(p.home[0], p.home[1], "the racks share the threads");
    assert_ne!(p.home[2], p.home[3], "so do the spines");
    // by home, then heaviest first
    let homes: Vec<usize> = p.order.iter().map(|&q| p.home[q]).collect();
    assert!(homes.windows(2).all(|h| h[0] <= h[1]), "{homes:?}");
}

/// One group holding more than a thread's share (a single switch and
/// everything on it) is spread partition by partition.
#[test]
fn a_group_larger_than_a_threads_share_is_split() {
    let mut p = planner(&[50, 20, 20, 20, 20], &[Some(0); 5]);
    p.rerank(2);
    let on = |t| (0..5).filter(|&q| p.home[q] == t).count();
    assert!(on(0) > 0 && on(1) > 0, "homes {:?}", p.home);
    let load = |t| {
        (0..5)
            .filter(|&q| p.home[q] == t)
            .map(|q| p.weight[q])
            .sum::<u64>()
    };
    assert_eq!(
        (load(0), load(1)),
        (70, 60),
        "heaviest first, least loaded thread"
    );
}
