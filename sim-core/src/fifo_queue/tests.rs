//! Tests of the engine's event list (`FifoQueue`) against a reference queue.

use super::*;
use crate::queue::EventQueue;
use crate::rng::RngStreams;
use rand::Rng;

#[test]
fn pops_in_time_order_and_fifo_among_ties() {
    let mut q = FifoQueue::with_capacity_limit(16);
    q.push(SimTime::from_ns(5), "late").unwrap();
    q.push(SimTime::from_ns(1), "first-at-1").unwrap();
    q.push(SimTime::from_ns(1), "second-at-1").unwrap();
    q.push(SimTime::from_ns(1), "third-at-1").unwrap();
    let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
    assert_eq!(order, ["first-at-1", "second-at-1", "third-at-1", "late"]);
}

#[test]
fn refuses_pushes_beyond_capacity() {
    let mut q = FifoQueue::with_capacity_limit(2);
    q.push(SimTime::ZERO, 1).unwrap();
    q.push(SimTime::ZERO, 2).unwrap();
    let QueueFull(back) = q.push(SimTime::ZERO, 3).unwrap_err();
    assert_eq!(back, 3);
    let QueueFull(back) = q.push_lane(SimTime::ZERO, 4).unwrap_err();
    assert_eq!(back, 4);
    assert_eq!(q.len(), 2);
}

/// Same pops as the reference `EventQueue` under a random mix of pushes
/// (some into the lane; many equal times) and pops, including with a tiny sequence space
/// that forces renumbering every few pushes.
#[test]
fn matches_the_reference_queue_even_across_renumbering() {
    // seq_limit 300 (just above the capacity, as in real queues): a
    // renumbering every few hundred pushes
    for seq_limit in [None, Some(300)] {
        let capacity = 256;
        let mut rng = RngStreams::new(5).stream("fifo");
        let mut a = FifoQueue::with_capacity_limit(capacity);
        if let Some(l) = seq_limit {
            a.seq_limit = l;
        }
        let mut b = EventQueue::with_capacity_limit(capacity);
        let mut now = 0u64;
        for i in 0..20_000u32 {
            // phases that grow past the small mode and shrink back
            let grow = (i / 2_000) % 2 == 0;
            if rng.gen_bool(if grow { 0.6 } else { 0.4 }) && a.len() < 200 {
                let t = SimTime::from_ns(now + rng.gen_range(0..4));
                // the lane (one entry beside the others) keeps the order
                if rng.gen_bool(0.3) {
                    a.push_lane(t, i).unwrap();
                } else {
                    a.push(t, i).unwrap();
                }
                b.push(t, i).unwrap();
            } else if i % 3 == 0 {
                // pop_until: the earliest only if it is due
                let until = SimTime::from_ns(now + rng.gen_range(0..3));
                let due = b.peek_time().is_some_and(|t| t <= until);
                let y = if due { b.pop() } else { None };
                let x = a.pop_until(until);
                assert_eq!(x, y, "seq_limit {seq_limit:?}, step {i}");
            } else {
                let (x, y) = (a.pop(), b.pop());
                assert_eq!(x, y, "seq_limit {seq_limit:?}, step {i}");
                if let Some((t, _)) = x {
                    now = t.as_ns();
                }
            }
            assert_eq!(a.peek_time(), b.peek_time());
        }
    }
}

#[test]
fn max_time_sorts_last() {
    let mut q = FifoQueue::with_capacity_limit(4);
    q.push(SimTime::MAX, 'z').unwrap();
    q.push(SimTime::from_ps(u64::MAX - 1), 'y').unwrap();
    assert_eq!(q.pop().unwrap().1, 'y');
    assert_eq!(q.peek_time(), Some(SimTime::MAX));
}
