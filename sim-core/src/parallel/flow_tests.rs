//! Tests of the neighbour-synchronized run: the sequential reference's results on rings and hubs for any thread count, idle stretches skipped, epochs that grow while the run is busy, undeclared sends refused, and faults and panics reported the same way on every thread count.

use super::test_util::within_a_minute;
use super::*;
use crate::bench::ping::{ping_engine, run_digest, PingConfig};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// A token on a graph of partitions.
#[derive(Clone, Copy, Debug)]
struct Token {
    id: u32,
    hops: u32,
}

/// Sends each token on to a random neighbour (or keeps it), at least one
/// lookahead later; folds every event into a digest.
struct Walker {
    rng: Xoshiro256PlusPlus,
    talks_to: Vec<usize>,
    digest: u64,
    events: u64,
    /// A token stops after this many hops.
    max_hops: u32,
    /// Panic at this event (tests of a dying partition).
    panic_at: Option<u64>,
}

impl PartitionModel for Walker {
    type Event = Token;
    fn handle(&mut self, now: SimTime, t: Token, ctx: &mut Ctx<'_, Token>) {
        self.events += 1;
        if Some(self.events) == self.panic_at {
            panic!("partition {} fails on purpose", ctx.partition());
        }
        for v in [now.as_ps(), u64::from(t.id), u64::from(t.hops)] {
            self.digest = (self.digest ^ v).wrapping_mul(0x100_0000_01b3);
        }
        if t.hops >= self.max_hops {
            return;
        }
        let next = Token {
            id: t.id,
            hops: t.hops + 1,
        };
        let la = ctx.lookahead().as_ps();
        let extra = SimDuration::from_ps(self.rng.gen_range(0..=la));
        match self.rng.gen_range(0..=self.talks_to.len()) {
            0 => ctx.schedule_in(extra, next),
            k => ctx.send_in(self.talks_to[k - 1], ctx.lookahead() + extra, next),
        }
    }
}

/// The partitions `p` talks to in a ring of `n` (both ways) or, when
/// `hub`, a star around partition 0.
fn graph(n: usize, hub: bool) -> Vec<Vec<usize>> {
    (0..n)
        .map(|p| {
            let mut v = match (hub, p) {
                (true, 0) => (1..n).collect(),
                (true, _) => vec![0],
                (false, _) => vec![(p + 1) % n, (p + n - 1) % n],
            };
            v.retain(|&q| q != p);
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect()
}

fn walkers(seed: u64, n: usize, hub: bool, lookahead_ps: u64) -> ParallelEngine<Walker> {
    let g = graph(n, hub);
    let models = g
        .iter()
        .enumerate()
        .map(|(p, talks_to)| Walker {
            rng: Xoshiro256PlusPlus::seed_from_u64(seed ^ ((p as u64) << 32)),
            talks_to: talks_to.clone(),
            digest: 0xcbf2_9ce4_8422_2325,
            events: 0,
            max_hops: u32::MAX,
            panic_at: None,
        })
        .collect();
    let mut e = ParallelEngine::new(models, SimDuration::from_ps(lookahead_ps), 1 << 16).unwrap();
    for p in 0..n {
        for id in 0..3 {
            let token = Token {
                id: (p * 3 + id) as u32,
                hops: 0,
            };
            e.schedule_at(p, SimTime::from_ps(id as u64 * 7), token)
                .unwrap();
        }
    }
    e
}

fn digests(e: &ParallelEngine<Walker>) -> Vec<(u64, u64)> {
    e.models().iter().map(|m| (m.events, m.digest)).collect()
}

/// The same run with declared neighbours on `threads` threads.
fn flowing(
    seed: u64,
    n: usize,
    hub: bool,
    la: u64,
    end: SimTime,
    threads: usize,
) -> Vec<(u64, u64)> {
    let mut e = walkers(seed, n, hub, la);
    e.set_neighbors(&graph(n, hub)).unwrap();
    e.run_until(end, threads).unwrap();
    digests(&e)
}

fn reference(seed: u64, n: usize, hub: bool, la: u64, end: SimTime) -> Vec<(u64, u64)> {
    let mut e = walkers(seed, n, hub, la);
    e.run_reference_until(end).unwrap();
    digests(&e)
}

#[test]
fn rings_and_hubs_match_the_reference_on_any_thread_count() {
    for hub in [false, true] {
        let end = SimTime::from_ns(200);
        let want = reference(11, 7, hub, 1_000, end);
        let events: u64 = want.iter().map(|d| d.0).sum();
        assert!(events > 2_000, "too few events to mean anything: {events}");
        for threads in [1, 2, 3, 4] {
            assert_eq!(
                flowing(11, 7, hub, 1_000, end, threads),
                want,
                "hub={hub}, {threads} threads"
            );
        }
    }
}

#[test]
fn swarm_over_seeds_shapes_and_lookaheads() {
    for seed in 0..40u64 {
        let n = 1 + (seed % 9) as usize;
        let hub = seed % 3 == 0;
        let la = 1 + seed * 7_919 % 20_000;
        // ends inside and across epochs
        let end = SimTime::from_ps(la * (5 + seed * 13 % 300));
        let want = reference(seed, n, hub, la, end);
        for threads in [1, 3] {
            assert_eq!(
                flowing(seed, n, hub, la, end, threads),
                want,
                "seed {seed}: {n} partitions, hub={hub}, lookahead {la} ps, {threads} threads"
            );
        }
    }
}

#[test]
fn runs_in_steps_and_a_drain_to_the_end_equal_one_run() {
    let (n, la) = (6, 1_000);
    let end = SimTime::from_ns(150);
    let mut e = walkers(5, n, false, la);
    e.set_neighbors(&graph(n, false)).unwrap();
    e.run_until(SimTime::from_ps(33_333), 2).unwrap();
    e.run_until(SimTime::from_ns(90), 1).unwrap();
    e.run_until(end, 3).unwrap();
    assert_eq!(digests(&e), reference(5, n, false, la, end));
    // an endless run goes back to the barrier windows, which finish the tokens
    let mut e = walkers(5, n, false, la);
    e.set_neighbors(&graph(n, false)).unwrap();
    for m in e.models_mut() {
        m.max_hops = 40;
    }
    e.run_until(end, 2).unwrap();
    e.run_until(SimTime::MAX, 2).unwrap();
    let mut r = walkers(5, n, false, la);
    for m in r.models_mut() {
        m.max_hops = 40;
    }
    r.run_reference_until(SimTime::MAX).unwrap();
    assert_eq!(digests(&e), digests(&r));
}

#[test]
fn an_idle_stretch_costs_one_epoch_not_a_window_per_lookahead() {
    let mut e = walkers(1, 4, false, 1_000);
    e.set_neighbors(&graph(4, false)).unwrap();
    for m in e.models_mut() {
        m.max_hops = 3;
    }
    // one token far in the future: 1 ms is a million lookaheads
    let token = Token { id: 99, hops: 0 };
    e.schedule_at(2, SimTime::from_ms(1), token).unwrap();
    e.run_until(SimTime::from_ms(2), 2).unwrap();
    assert!(e.windows() < 1_000, "{} windows", e.windows());
    let late: u64 = e.models().iter().map(|m| m.events).sum();
    assert!(
        late > 4 * 3 * 3,
        "the late token was not handled: {late} events"
    );
}

#[test]
fn a_send_to_an_undeclared_partition_is_refused() {
    // ping sends anywhere; declare a ring only
    let c = PingConfig {
        partitions: 5,
        tokens_per_partition: 2,
        lookahead: SimDuration::from_ns(100),
        work_rounds: 1,
        seed: 3,
        record_trace: false,
    };
    for threads in [1, 2] {
        let mut e = ping_engine(c).unwrap();
        e.set_neighbors(&graph(5, false)).unwrap();
        let err = e.run_until(SimTime::from_us(5), threads).unwrap_err();
        assert!(
            matches!(err, ParallelError::UndeclaredNeighbor { .. }),
            "{threads} threads: {err}"
        );
    }
    // declaring every pair changes nothing
    let mut all = ping_engine(c).unwrap();
    all.set_neighbors(&vec![(0..5).collect(); 5]).unwrap();
    all.run_until(SimTime::from_us(5), 2).unwrap();
    let mut plain = ping_engine(c).unwrap();
    plain.run_until(SimTime::from_us(5), 1).unwrap();
    assert_eq!(run_digest(&all), run_digest(&plain));
    assert!(ping_engine(c)
        .unwrap()
        .set_neighbors(&[vec![7], vec![], vec![], vec![], vec![]])
        .is_err());
}

#[test]
fn a_fault_is_the_same_error_on_any_thread_count() {
    let run = |threads: usize| {
        let mut e = walkers(9, 6, false, 1_000);
        e.set_neighbors(&graph(6, false)).unwrap();
        // partition 4 sends to partition 1, two hops away, sooner or later
        e.models_mut()[4].talks_to = vec![1];
        e.run_until(SimTime::from_ns(500), threads).unwrap_err()
    };
    let one = run(1);
    assert!(
        matches!(one, ParallelError::UndeclaredNeighbor { from: 4, dest: 1 }),
        "{one}"
    );
    for threads in [2, 3] {
        assert_eq!(run(threads), one, "{threads} threads");
    }
}

#[test]
fn a_panicking_partition_ends_the_run_on_every_thread_count() {
    for (threads, partition, at_event) in [(2, 1, 500), (2, 0, 20), (3, 4, 900), (4, 2, 1)] {
        let panicked = within_a_minute(move || {
            std::panic::catch_unwind(move || {
                let mut e = walkers(2, 6, false, 1_000);
                e.set_neighbors(&graph(6, false)).unwrap();
                e.models_mut()[partition].panic_at = Some(at_event);
                e.run_until(SimTime::from_ns(400), threads)
            })
            .is_err()
        });
        assert!(
            panicked,
            "{threads} threads: partition {partition}'s panic at event {at_event} was lost"
        );
    }
}

#[test]
fn epochs_double_while_busy_and_start_short_after_an_idle_stretch() {
    let la = 1_000;
    let mut last = None;
    let mut t0 = 0;
    let mut lengths = Vec::new();
    for _ in 0..7 {
        let windows = epoch::epoch_length(last.as_ref(), t0, la);
        lengths.push(windows);
        let e = epoch::Epoch {
            first: 0,
            windows,
            t0_ps: t0,
        };
        // the next event falls in the last window of the next epoch's first
        t0 = e.t0_ps + e.windows * la + la - 1;
        last = Some(e);
    }
    assert_eq!(lengths, [64, 128, 256, 512, 1024, 1024, 1024]);
    // an event one window further: an idle window was skipped
    let e = last.expect("seven epochs");
    assert_eq!(
        epoch::epoch_length(Some(&e), e.t0_ps + (e.windows + 1) * la, la),
        epoch::EPOCH_WINDOWS
    );
}
