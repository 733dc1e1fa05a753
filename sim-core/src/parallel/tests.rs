//! Tests of the parallel engine: identical traces for any thread count and against the sequential reference, and refused lookahead violations.

use super::*;
use crate::bench::ping::{ping_engine, run_digest, Ping, PingConfig};

fn cfg(seed: u64, partitions: usize) -> PingConfig {
    PingConfig {
        partitions,
        tokens_per_partition: 3,
        lookahead: SimDuration::from_ns(100),
        work_rounds: 4,
        seed,
        record_trace: true,
    }
}

/// Every partition's trace, concatenated in partition order, plus the totals.
fn transcript(e: &ParallelEngine<Ping>) -> String {
    let mut s = format!(
        "events={} digest={:x} now={}\n",
        e.events_handled(),
        run_digest(e),
        e.now().as_ps()
    );
    for m in e.models() {
        s.push_str(m.trace().unwrap_or("<no trace>"));
    }
    s
}

fn windowed(c: PingConfig, end: SimTime, threads: usize) -> String {
    let mut e = ping_engine(c).unwrap();
    e.run_until(end, threads).unwrap();
    transcript(&e)
}

fn reference(c: PingConfig, end: SimTime) -> String {
    let mut e = ping_engine(c).unwrap();
    e.run_reference_until(end).unwrap();
    transcript(&e)
}

#[test]
fn same_trace_with_1_2_4_threads_and_the_sequential_reference() {
    let c = cfg(7, 5);
    let end = SimTime::from_us(20);
    let one = windowed(c, end, 1);
    assert!(
        one.lines().count() > 1_000,
        "too few events to mean anything"
    );
    assert_eq!(one, windowed(c, end, 2));
    assert_eq!(one, windowed(c, end, 4));
    assert_eq!(one, reference(c, end));
}

#[test]
fn resumed_runs_equal_one_long_run() {
    let c = cfg(3, 4);
    let mut e = ping_engine(c).unwrap();
    e.run_until(SimTime::from_ns(3_333), 2).unwrap();
    e.run_until(SimTime::from_us(10), 1).unwrap();
    assert_eq!(transcript(&e), windowed(c, SimTime::from_us(10), 2));
}

#[test]
fn swarm_over_seeds_and_shapes() {
    for seed in 0..40u64 {
        let partitions = 1 + (seed % 6) as usize;
        let mut c = cfg(seed, partitions);
        c.tokens_per_partition = 1 + (seed % 4) as u32;
        c.lookahead = SimDuration::from_ps(1 + seed * 7_919 % 200_000);
        let end = SimTime::from_ps(c.lookahead.as_ps() * 60);
        let one = windowed(c, end, 1);
        assert_eq!(one, windowed(c, end, 3), "seed {seed}: 1 vs 3 threads");
        assert_eq!(one, reference(c, end), "seed {seed}: windowed vs reference");
    }
}

/// Sends to the next partition `delay` after now.
struct Shortcut {
    delay: SimDuration,
}
impl PartitionModel for Shortcut {
    type Event = ();
    fn handle(&mut self, _now: SimTime, _ev: (), ctx: &mut Ctx<'_, ()>) {
        let dest = (ctx.partition() + 1) % ctx.partitions();
        ctx.send_in(dest, self.delay, ());
    }
}

fn shortcut(delay_ns: u64, threads: usize) -> Result<u64, ParallelError> {
    let models = (0..3)
        .map(|_| Shortcut {
            delay: SimDuration::from_ns(delay_ns),
        })
        .collect();
    let mut e = ParallelEngine::new(models, SimDuration::from_ns(10), 64)?;
    e.schedule_at(1, SimTime::from_ns(5), ())?;
    e.run_until(SimTime::from_us(1), threads)?;
    Ok(e.events_handled())
}

#[test]
fn lookahead_violations_are_refused_with_a_typed_error() {
    // 10 ns is exactly the lookahead: allowed; 1 us / 10 ns hops plus the first.
    assert_eq!(shortcut(10, 2), Ok(100));
    for threads in [1, 2] {
        assert_eq!(
            shortcut(9, threads),
            Err(ParallelError::LookaheadViolation {
                from: 1,
                dest: 2,
                now: SimTime::from_ns(5),
                at: SimTime::from_ns(14),
                lookahead: SimDuration::from_ns(10),
            })
        );
    }
}

#[test]
fn bad_configurations_are_refused() {
    let zero = ParallelEngine::new(
        vec![Shortcut {
            delay: SimDuration::ZERO,
        }],
        SimDuration::ZERO,
        8,
    );
    assert!(matches!(zero, Err(ParallelError::Config(_))));
    let none: Result<ParallelEngine<Shortcut>, _> =
        ParallelEngine::new(vec![], SimDuration::from_ns(1), 8);
    assert!(matches!(none, Err(ParallelError::Config(_))));
    let mut e = ParallelEngine::new(
        vec![Shortcut {
            delay: SimDuration::from_ns(1),
        }],
        SimDuration::from_ns(1),
        8,
    )
    .unwrap();
    assert!(matches!(
        e.run_until(SimTime::from_ns(1), 0),
        Err(ParallelError::Config(_))
    ));
    assert!(e.schedule_at(1, SimTime::ZERO, ()).is_err());
}

/// Every event fans out to two remote events: the destination queue fills.
struct Fanout;
impl PartitionModel for Fanout {
    type Event = ();
    fn handle(&mut self, _now: SimTime, _ev: (), ctx: &mut Ctx<'_, ()>) {
        let d = ctx.lookahead();
        ctx.send_in(1 - ctx.partition(), d, ());
        ctx.send_in(1 - ctx.partition(), d, ());
    }
}

#[test]
fn queue_overflow_is_an_error_not_a_loss() {
    let mut e = ParallelEngine::new(vec![Fanout, Fanout], SimDuration::from_ns(1), 16).unwrap();
    e.schedule_at(0, SimTime::ZERO, ()).unwrap();
    let err = e.run_until(SimTime::from_us(1), 2).unwrap_err();
    assert!(
        matches!(
            err,
            ParallelError::QueueOverflow { capacity: 16, .. }
                | ParallelError::OutboxOverflow { capacity: 16, .. }
        ),
        "{err}"
    );
}

/// Like [`Fanout`], between the partitions of each pair (0-1, 2-3, ...).
struct PairFanout;
impl PartitionModel for PairFanout {
    type Event = ();
    fn handle(&mut self, _now: SimTime, _ev: (), ctx: &mut Ctx<'_, ()>) {
        let d = ctx.lookahead();
        ctx.send_in(ctx.partition() ^ 1, d, ());
        ctx.send_in(ctx.partition() ^ 1, d, ());
    }
}

#[test]
fn a_fault_is_the_same_error_after_the_same_events_at_any_thread_count() {
    // mail is taken a window after it was sent, by whichever thread runs
    // the destination: the overflow must still be found at the same point
    let run = |threads: usize| {
        let models = vec![PairFanout, PairFanout, PairFanout, PairFanout];
        let mut e = ParallelEngine::new(models, SimDuration::from_ns(1), 64).unwrap();
        e.schedule_at(0, SimTime::ZERO, ()).unwrap();
        e.schedule_at(2, SimTime::ZERO, ()).unwrap();
        let err = e.run_until(SimTime::from_us(1), threads).unwrap_err();
        (err, e.events_handled(), e.windows())
    };
    let one = run(1);
    assert!(
        one.1 > 10,
        "the fault came too early to mean anything: {one:?}"
    );
    assert_eq!(one, run(2));
    assert_eq!(one, run(4));
}
