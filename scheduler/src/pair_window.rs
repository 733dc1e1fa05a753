//! `PairWindow`: two sliding windows over the same instants (an actor's execution times and sojourn times) kept in one ring.
//!
//! Every completed request gives an actor one execution time and one
//! sojourn time at the same instant, and both windows have the same count
//! and age bounds, so they hold the same instants: one ring of
//! `(time, a, b)` serves both, and the count bound and the age expiry are
//! checked once per request instead of twice. The `b` window alone may be
//! cleared (a placement change forgets the sojourns, not the execution
//! times): its samples are then the newest `b_len` of the ring, and an
//! expiry or eviction removes a sample from `b` only when it is among them.
//! Each window answers exactly as a [`SlidingWindow`] fed the same pushes,
//! expiries and clears (the test below checks it).

use crate::ring::{age_cutoff_ps, OldestSample, Ring};
use crate::stats::{LatencySummary, Moments};
use vocab::{SimDuration, SimTime};

/// Two windows of the same instants: `a` (execution times) and `b` (sojourns).
#[derive(Clone, Debug)]
pub struct PairWindow {
    samples: Ring<(SimTime, u64, u64)>,
    /// `b` holds the newest `b_len` samples of the ring.
    b_len: usize,
    max_samples: usize,
    max_age: SimDuration,
    a: Moments,
    b: Moments,
}

impl PairWindow {
    /// Two empty windows, each of at most `max_samples` samples none older than `max_age`.
    pub fn new(max_samples: u32, max_age: SimDuration) -> PairWindow {
        PairWindow {
            samples: Ring::with_capacity((max_samples as usize).clamp(1, 4096)),
            b_len: 0,
            max_samples: max_samples.max(1) as usize,
            max_age,
            a: Moments::default(),
            b: Moments::default(),
        }
    }

    #[inline]
    fn pop_front(&mut self) {
        let len = self.samples.len();
        if let Some((_, va, vb)) = self.samples.pop_front() {
            self.a.remove(va);
            // the oldest sample is `b`'s only when `b` holds every sample
            if self.b_len == len {
                self.b.remove(vb);
                self.b_len -= 1;
            }
        }
    }

    #[inline(always)]
    fn maintain(&mut self) {
        let (samples, n) = (&self.samples, self.samples.len());
        let from = n - self.b_len;
        self.a.maintain(n, || samples.iter().map(|(_, v, _)| v));
        self.b
            .maintain(self.b_len, || samples.iter_from(from).map(|(_, _, v)| v));
    }

    /// Adds `a_ns` to `a` and `b_ns` to `b`, both taken at `now`.
    #[inline(always)]
    pub fn push(&mut self, now: SimTime, a_ns: u64, b_ns: u64) {
        if self.samples.len() == self.max_samples {
            self.pop_front();
        }
        self.samples.push_back((now, a_ns, b_ns));
        self.a.add(a_ns);
        self.b.add(b_ns);
        self.b_len += 1;
        self.expire_samples(now);
        // the tails are re-checked at the next expiry or clear (every policy
        // tick), not per push; reads in between stay exact (see `SlidingWindow::push`)
    }

    /// Drops samples older than the age bound from both windows.
    pub fn expire(&mut self, now: SimTime) {
        self.expire_samples(now);
        self.maintain();
    }

    #[inline]
    fn expire_samples(&mut self, now: SimTime) {
        let Some(cutoff) = age_cutoff_ps(now, self.max_age) else {
            return;
        };
        while self.samples.front_older_than(cutoff) {
            self.pop_front();
        }
    }

    /// Forgets every sample of both windows.
    pub fn clear(&mut self) {
        self.samples.clear();
        self.b_len = 0;
        self.a.clear_sums();
        self.b.clear_sums();
        self.maintain();
    }

    /// Forgets every sample of `b` (`a` keeps its own).
    pub fn clear_b(&mut self) {
        self.b_len = 0;
        self.b.clear_sums();
        self.maintain();
    }

    /// Mean of `a` in nanoseconds; `None` if empty.
    pub fn a_mean_ns(&self) -> Option<f64> {
        self.a.mean_ns(self.samples.len())
    }

    /// Summary of `a`.
    pub fn a_summary(&self) -> LatencySummary {
        self.a
            .summary(self.samples.len(), self.samples.iter().map(|(_, v, _)| v))
    }

    /// Summary of `b`.
    pub fn b_summary(&self) -> LatencySummary {
        let from = self.samples.len() - self.b_len;
        self.b
            .summary(self.b_len, self.samples.iter_from(from).map(|(_, _, v)| v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::SlidingWindow;
    use rand::{RngCore, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Each window of the pair answers as a `SlidingWindow` given the same
    /// pushes, expiries and clears, across count evictions, age expiries,
    /// clears of `b` alone and of both.
    #[test]
    fn each_window_answers_as_a_sliding_window() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0x9e37_79b9_7f4a_7c15);
        let mut next = move || rng.next_u64();
        for case in 0..12u64 {
            let cap = [1u32, 3, 64, 1024][(case % 4) as usize];
            let age = SimDuration::from_ns(500 + case * 700);
            let mut pair = PairWindow::new(cap, age);
            let mut a = SlidingWindow::new(cap, age);
            let mut b = SlidingWindow::new(cap, age);
            let mut t = 0u64;
            for step in 0..4_000u64 {
                t += next() % [2, 30, 300][(case % 3) as usize];
                let now = SimTime::from_ns(t);
                let (va, vb) = (next() % 5_000, 1_000 + next() % 90_000);
                pair.push(now, va, vb);
                a.push(now, va);
                b.push(now, vb);
                match next() % 400 {
                    0 => {
                        pair.clear_b();
                        b.clear();
                    }
                    1 => {
                        pair.clear();
                        a.clear();
                        b.clear();
                    }
                    2..=20 => {
                        let later = SimTime::from_ns(t + next() % 2_000);
                        pair.expire(later);
                        a.expire(later);
                        b.expire(later);
                    }
                    _ => {}
                }
                assert_eq!(pair.a_summary(), a.summary(), "case {case} step {step}");
                assert_eq!(pair.b_summary(), b.summary(), "case {case} step {step}");
                assert_eq!(pair.a_mean_ns(), a.mean_ns());
            }
        }
    }
}
