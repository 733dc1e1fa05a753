//! Tests of the crew (the multi-threaded window loop): windows that swing between one-thread and shared runs give the sequential reference's results, and a panicking partition ends the run instead of hanging it.

use super::test_util::within_a_minute;
use super::*;

/// A token: its id and the time it dies (token 0 never does).
#[derive(Clone, Copy, Debug)]
struct Token {
    id: u32,
    dies_at: SimTime,
}

/// Token 0 circles the partitions alone for long stretches (windows of one
/// event: run by the planning thread alone, the other threads park); on
/// some of its visits to partition 0 it spawns a burst of short-lived
/// tokens (windows of tens of events: shared by the crew).
struct Tide {
    visits: u64,
    digest: u64,
    panic_at_event: Option<u64>,
    events: u64,
}

/// Bursts start on these visits of token 0 to partition 0.
const BURST_VISITS: [u64; 3] = [2_000, 6_000, 6_300];
const BURST_TOKENS: u32 = 80;

impl PartitionModel for Tide {
    type Event = Token;
    fn handle(&mut self, now: SimTime, t: Token, ctx: &mut Ctx<'_, Token>) {
        self.events += 1;
        if Some(self.events) == self.panic_at_event {
            panic!("partition {} fails on purpose", ctx.partition());
        }
        for v in [now.as_ps(), u64::from(t.id)] {
            self.digest = (self.digest ^ v).wrapping_mul(0x100_0000_01b3);
        }
        let n = ctx.partitions();
        let la = ctx.lookahead();
        if t.id == 0 && ctx.partition() == 0 {
            self.visits += 1;
            if BURST_VISITS.contains(&self.visits) {
                let dies_at = now + SimDuration::from_ns(30 * la.as_ps() / 1_000);
                for id in 1..=BURST_TOKENS {
                    let token = Token { id, dies_at };
                    ctx.send_in(
                        id as usize % n,
                        la + SimDuration::from_ps(u64::from(id)),
                        token,
                    );
                }
            }
        }
        if t.id == 0 || now < t.dies_at {
            let extra = SimDuration::from_ps(u64::from(t.id % 3));
            ctx.send_in((ctx.partition() + 1) % n, la + extra, t);
        }
    }
}

fn tide(partitions: usize, panic_at: Option<(usize, u64)>) -> ParallelEngine<Tide> {
    let models = (0..partitions)
        .map(|p| Tide {
            visits: 0,
            digest: 0xcbf2_9ce4_8422_2325,
            panic_at_event: panic_at.filter(|(q, _)| *q == p).map(|(_, e)| e),
            events: 0,
        })
        .collect();
    let mut e = ParallelEngine::new(models, SimDuration::from_ns(1), 4_096).unwrap();
    let token = Token {
        id: 0,
        dies_at: SimTime::MAX,
    };
    e.schedule_at(0, SimTime::ZERO, token).unwrap();
    e
}

fn digests(e: &ParallelEngine<Tide>) -> Vec<(u64, u64)> {
    e.models().iter().map(|m| (m.events, m.digest)).collect()
}

#[test]
fn windows_that_swing_between_one_thread_and_the_crew_match_the_reference() {
    let end = SimTime::from_ns(4 * 7_000);
    let mut reference = tide(4, None);
    reference.run_reference_until(end).unwrap();
    let want = digests(&reference);
    let burst_events: u64 = want.iter().map(|d| d.0).sum::<u64>() - 7_000 * 4;
    assert!(
        burst_events > 3 * 30 * u64::from(BURST_TOKENS) / 2,
        "the bursts did not happen: {want:?}"
    );
    for threads in [1, 2, 4] {
        let mut e = tide(4, None);
        e.run_until(end, threads).unwrap();
        assert_eq!(digests(&e), want, "{threads} threads");
    }
}

#[test]
fn a_panicking_partition_ends_the_run_on_every_thread_count() {
    // partition 1 or 3 panics during a burst window (shared by the crew)
    // or a quiet one (the planning thread alone)
    for (threads, partition, at_event) in [(2, 1, 1_900), (2, 3, 2_200), (4, 1, 2_250), (3, 2, 10)]
    {
        let outcome = within_a_minute(move || {
            std::panic::catch_unwind(move || {
                let mut e = tide(4, Some((partition, at_event)));
                e.run_until(SimTime::from_ns(4 * 7_000), threads)
            })
            .is_err()
        });
        assert!(
            outcome,
            "{threads} threads: partition {partition}'s panic at event {at_event} was lost"
        );
    }
}
