//! Tests of the cluster client: open-loop rates, bursts, closed-loop slots, warm-up, timeouts and the outstanding bound.

use super::*;
use rand::SeedableRng;

fn rng(seed: u64) -> SimRng {
    SimRng::seed_from_u64(seed)
}

fn at(us: u64) -> SimTime {
    SimTime::ZERO + SimDuration::from_us(us)
}

/// Sends every due request up to `end`, answering none.
fn sends_until(c: &mut Client, end: SimTime) -> Vec<SimTime> {
    let mut out = Vec::new();
    while let Some(t) = c.next_send_at().filter(|&t| t < end) {
        c.send(t);
        out.push(t);
    }
    out
}

#[test]
fn constant_and_poisson_send_at_their_rate() {
    let timeout = SimDuration::from_ms(100);
    let mut c = Client::new(
        LoadModel::Constant { rate_rps: 1e6 },
        timeout,
        SimTime::ZERO,
        rng(1),
    );
    let times = sends_until(&mut c, at(1000));
    assert_eq!(times.len(), 1000);
    assert_eq!(times[1].saturating_since(times[0]), SimDuration::from_us(1));
    let mut p = Client::new(
        LoadModel::Poisson { rate_rps: 1e6 },
        timeout,
        SimTime::ZERO,
        rng(1),
    );
    let n = sends_until(&mut p, at(10_000)).len();
    assert!(
        (9_600..10_400).contains(&n),
        "{n} Poisson sends in 10 ms at 1 Mrps"
    );
    let mut again = Client::new(
        LoadModel::Poisson { rate_rps: 1e6 },
        timeout,
        SimTime::ZERO,
        rng(1),
    );
    assert_eq!(
        sends_until(&mut again, at(10_000)).len(),
        n,
        "same seed, same sends"
    );
}

#[test]
fn bursty_sends_in_bursts_at_the_mean_rate() {
    let on = SimDuration::from_us(10);
    let off = SimDuration::from_us(30);
    let load = LoadModel::Bursty {
        rate_rps: 1e7,
        on,
        off,
    };
    let mut c = Client::new(load, SimDuration::from_ms(100), SimTime::ZERO, rng(2));
    let times = sends_until(&mut c, at(40_000));
    // A quarter of the time on at 10 Mrps: about 100000 sends in 40 ms
    // (about 1000 bursts: the count varies by a few percent).
    assert!((90_000..110_000).contains(&times.len()), "{}", times.len());
    // Silences: gaps far longer than a burst's mean gap (0.1 us), and about one per burst.
    let silences = times
        .windows(2)
        .filter(|w| w[1].saturating_since(w[0]) > SimDuration::from_us(3))
        .count();
    assert!((800..1200).contains(&silences), "{silences}");
    // Poisson at 10 Mrps has (almost) no 3 us gaps without silences.
    let mut p = Client::new(
        LoadModel::Poisson { rate_rps: 1e7 },
        SimDuration::from_ms(100),
        SimTime::ZERO,
        rng(2),
    );
    let pt = sends_until(&mut p, at(4_000));
    assert!(pt
        .windows(2)
        .all(|w| w[1].saturating_since(w[0]) < SimDuration::from_us(3)));
}

#[test]
fn latency_counts_only_requests_sent_after_the_warmup() {
    let load = LoadModel::Closed {
        outstanding: 2,
        think: SimDuration::ZERO,
    };
    let mut c =
        Client::new(load, SimDuration::from_ms(1), SimTime::ZERO, rng(6)).with_warmup(at(10));
    let early = c.send(at(0)).expect("room");
    let late = c.send(at(10)).expect("room");
    c.on_response(at(15), early);
    c.on_response(at(16), late);
    assert_eq!(c.stats.responses, 2, "both answered");
    assert_eq!(c.latency.count(), 1, "only the post-warm-up one measured");
    assert!(
        (c.latency.mean_us() - 6.0).abs() < 0.1,
        "{}",
        c.latency.mean_us()
    );
}

#[test]
fn closed_loop_keeps_k_outstanding_and_thinks() {
    let load = LoadModel::Closed {
        outstanding: 4,
        think: SimDuration::from_us(5),
    };
    let mut c = Client::new(load, SimDuration::from_ms(1), SimTime::ZERO, rng(3));
    let ids: Vec<u64> = (0..4)
        .map(|_| c.send(SimTime::ZERO).expect("room"))
        .collect();
    assert_eq!(c.next_send_at(), None, "all four slots busy");
    assert_eq!(c.in_flight(), 4);
    assert_eq!(
        c.on_response(at(20), ids[2]),
        Some(SimDuration::from_us(20))
    );
    assert_eq!(
        c.next_send_at(),
        Some(at(25)),
        "sends again after the think time"
    );
    assert_eq!(
        c.on_response(at(21), ids[2]),
        None,
        "a duplicate is unmatched"
    );
    assert_eq!(c.stats.unmatched, 1);
    assert_eq!(c.latency.count(), 1);
}

#[test]
fn timeouts_are_counted_and_free_closed_loop_slots() {
    let load = LoadModel::Closed {
        outstanding: 2,
        think: SimDuration::ZERO,
    };
    let timeout = SimDuration::from_us(100);
    let mut c = Client::new(load, timeout, SimTime::ZERO, rng(4));
    let a = c.send(SimTime::ZERO).expect("room");
    let _b = c.send(at(10)).expect("room");
    assert_eq!(c.next_timeout_at(), Some(at(100)));
    assert_eq!(c.expire(at(99)), 0);
    assert_eq!(c.expire(at(100)), 1);
    assert_eq!(c.stats.timeouts, 1);
    assert_eq!(
        c.next_send_at(),
        Some(at(100)),
        "the timed-out slot is free"
    );
    assert_eq!(
        c.on_response(at(150), a),
        None,
        "a late response is unmatched"
    );
    // Conservation: sent = responses + timeouts + in flight.
    let s = c.stats;
    assert_eq!(s.sent, s.responses + s.timeouts + c.in_flight());
}

#[test]
fn a_full_outstanding_table_refuses_and_counts() {
    let load = LoadModel::Constant { rate_rps: 1e6 };
    let mut c =
        Client::new(load, SimDuration::from_secs(1), SimTime::ZERO, rng(5)).with_max_outstanding(3);
    let sent = sends_until(&mut c, at(10));
    assert_eq!(sent.len(), 10, "the schedule moves on");
    assert_eq!((c.stats.sent, c.stats.refused_full), (3, 7));
}
