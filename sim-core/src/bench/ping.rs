//! A toy partitioned model for the parallel engine: tokens hop between partitions at random, with tunable work per event.
//!
//! Each partition starts with some tokens at time 0. A token's handler does
//! `work_rounds` rounds of arithmetic (to give events a realistic cost), folds
//! the event into the partition's digest, and moves on: a quarter of the time
//! to a local event after 0..3 quanta (0 makes same-time ties on purpose),
//! otherwise to a random partition after one lookahead plus 0..3 quanta (so
//! arrivals from several partitions tie too). A quantum is a quarter of the
//! lookahead.

use crate::parallel::{Ctx, ParallelEngine, ParallelError, PartitionModel};
use crate::rng::{RngStreams, SimRng};
use crate::time::{SimDuration, SimTime};
use rand::Rng;

/// A token: where it started and how many hops it made.
#[derive(Clone, Copy, Debug)]
pub struct Token {
    /// Partition the token started on.
    pub origin: u32,
    /// Hops so far.
    pub hop: u64,
}

/// One partition of the ping model.
pub struct Ping {
    rng: SimRng,
    work_rounds: u32,
    acc: u64,
    digest: u64,
    handled: u64,
    trace: Option<String>,
}

impl Ping {
    /// FNV-1a style digest of every event this partition handled, in order.
    pub fn digest(&self) -> u64 {
        self.digest ^ self.acc.rotate_left(17)
    }
    /// Events handled by this partition.
    pub fn handled(&self) -> u64 {
        self.handled
    }
    /// The text trace (one line per event), if recording was asked for.
    pub fn trace(&self) -> Option<&str> {
        self.trace.as_deref()
    }
}

fn fold(d: u64, x: u64) -> u64 {
    (d ^ x).wrapping_mul(0x0100_0000_01b3)
}

impl PartitionModel for Ping {
    type Event = Token;
    fn handle(&mut self, now: SimTime, tok: Token, ctx: &mut Ctx<'_, Token>) {
        self.handled += 1;
        let mut x = self.acc ^ tok.hop ^ 0x9e37_79b9_7f4a_7c15;
        for _ in 0..self.work_rounds {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
        self.acc = x;
        self.digest = fold(
            fold(fold(self.digest, now.as_ps()), tok.origin.into()),
            tok.hop,
        );
        if let Some(t) = &mut self.trace {
            t.push_str(&format!(
                "{} p{} o{} h{}\n",
                now.as_ps(),
                ctx.partition(),
                tok.origin,
                tok.hop
            ));
        }
        let quantum = (ctx.lookahead().as_ps() / 4).max(1);
        let next = Token {
            origin: tok.origin,
            hop: tok.hop + 1,
        };
        let r: u32 = self.rng.gen_range(0..4);
        let q: u64 = self.rng.gen_range(0..4);
        if r == 0 || ctx.partitions() == 1 {
            ctx.schedule_in(SimDuration::from_ps(q * quantum), next);
        } else {
            let dest = self.rng.gen_range(0..ctx.partitions());
            ctx.send_in(
                dest,
                ctx.lookahead() + SimDuration::from_ps(q * quantum),
                next,
            );
        }
    }
}

/// Shape of a ping run.
#[derive(Clone, Copy, Debug)]
pub struct PingConfig {
    /// Number of partitions.
    pub partitions: usize,
    /// Tokens each partition starts with.
    pub tokens_per_partition: u32,
    /// Least cross-partition delay.
    pub lookahead: SimDuration,
    /// Arithmetic rounds per event (about 1 ns each).
    pub work_rounds: u32,
    /// Root seed (stream `ping/<partition>`).
    pub seed: u64,
    /// Keep a text trace of every event (tests only: it grows with the run).
    pub record_trace: bool,
}

/// An engine loaded with the ping model's partitions and initial tokens.
pub fn ping_engine(cfg: PingConfig) -> Result<ParallelEngine<Ping>, ParallelError> {
    let streams = RngStreams::new(cfg.seed);
    let models = (0..cfg.partitions)
        .map(|i| Ping {
            rng: streams.stream_indexed("ping", i as u64),
            work_rounds: cfg.work_rounds,
            acc: 0,
            digest: 0xcbf2_9ce4_8422_2325,
            handled: 0,
            trace: cfg.record_trace.then(String::new),
        })
        .collect();
    let mut e = ParallelEngine::new(models, cfg.lookahead, 1 << 20)?;
    for p in 0..cfg.partitions {
        for k in 0..cfg.tokens_per_partition {
            e.schedule_at(
                p,
                SimTime::ZERO,
                Token {
                    origin: p as u32,
                    hop: u64::from(k) << 32,
                },
            )?;
        }
    }
    Ok(e)
}

/// The digest of a whole run: every partition's digest, in partition order.
pub fn run_digest(e: &ParallelEngine<Ping>) -> u64 {
    e.models()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |d, m| fold(d, m.digest()))
}
