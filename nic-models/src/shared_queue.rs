//! The traffic manager's shared queue in front of identical NIC cores, in closed form (a multi-server FIFO queue, Kiefer-Wolfowitz recursion).
//!
//! Items enter in non-decreasing arrival time and start in FIFO order: each
//! starts on the core that is free first, at `max(arrival, that core's free
//! time)`. Because nothing can overtake in the queue, every start time is
//! known when the item arrives, so the stage needs no event per item: the
//! caller computes the item's service (which may depend on the core and the
//! start time) and reports it back with [`SharedQueue::commit`].
//!
//! The queue is bounded like the hardware's: an item arriving while
//! `capacity` items still wait (arrived, not started) is refused and counted
//! (tail drop). Items in service do not occupy the queue.
//!
//! Core choice: the core free first (lowest index among equals), i.e. among
//! idle cores the one that has polled longest. Which core runs an item
//! changes no time while cores are identical; it matters for per-core state
//! (the L1 cache).

use sim_core::{SimDuration, SimTime};
use vocab::ring::Ring;

/// Where and when an admitted item starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// Core index.
    pub core: usize,
    /// Start of service.
    pub start: SimTime,
    /// Cores pulling from the queue at the start (idle at the arrival, or
    /// the one freed): what a dequeue contends with.
    pub pullers: usize,
}

/// A bounded FIFO queue shared by `cores` identical servers, computed analytically.
#[derive(Clone, Debug)]
pub struct SharedQueue {
    free_at: Vec<SimTime>,
    /// Start times of admitted items not yet started at the last arrival
    /// (non-decreasing: FIFO starts never go back in time).
    waiting: Ring<SimTime>,
    capacity: usize,
    drops: u64,
    max_depth: usize,
    busy: SimDuration,
}

impl SharedQueue {
    /// `cores` servers behind a queue of at most `capacity` waiting items.
    pub fn new(cores: usize, capacity: usize) -> Self {
        SharedQueue {
            free_at: vec![SimTime::ZERO; cores.max(1)],
            waiting: Ring::with_capacity(capacity.max(1)),
            capacity: capacity.max(1),
            drops: 0,
            max_depth: 0,
            busy: SimDuration::ZERO,
        }
    }

    /// An item arrives at `at` (not before the previous arrival): where and
    /// when it starts, or `None` (a counted drop) when the queue is full.
    /// Call [`SharedQueue::commit`] with its service time before the next arrival.
    pub fn arrive(&mut self, at: SimTime) -> Option<Slot> {
        while self.waiting.front().is_some_and(|s| s <= at) {
            self.waiting.pop_front();
        }
        // Every core is busy until at least the newest waiting start (it was
        // the earliest free time when pushed, and commits only move a core
        // later), so an item still waiting means no core is idle at `at`:
        // a full queue refuses without looking at the cores (at 64 B line
        // rate most frames are refused here; issue 13).
        if !self.waiting.is_empty() && self.waiting.len() >= self.capacity {
            self.drops += 1;
            return None;
        }
        // the core free first (lowest index among equals); an idle core
        // free first has polled longest
        let (first, first_at) = self.first_free();
        if first_at > at {
            // no core idle (always so while items wait): it waits for that one
            self.waiting.push_back(first_at);
            self.max_depth = self.max_depth.max(self.waiting.len());
            return Some(Slot {
                core: first,
                start: first_at,
                pullers: 1,
            });
        }
        // an idle core takes it at once; the other idle cores keep polling
        let idle = self.free_at.iter().filter(|&&f| f <= at).count();
        Some(Slot {
            core: first,
            start: at,
            pullers: idle,
        })
    }

    /// The core free first (lowest index among equals) and when.
    #[inline]
    fn first_free(&self) -> (usize, SimTime) {
        let mut first = 0;
        let mut first_at = self.free_at[0];
        for (i, &f) in self.free_at.iter().enumerate() {
            if f < first_at {
                first = i;
                first_at = f;
            }
        }
        (first, first_at)
    }

    /// The admitted item in `slot` keeps its core busy for `service`; returns when it finishes.
    pub fn commit(&mut self, slot: Slot, service: SimDuration) -> SimTime {
        // saturating: a queue behind absurdly long service ends at the end of time
        let done = SimTime::from_ps(slot.start.as_ps().saturating_add(service.as_ps()));
        if let Some(f) = self.free_at.get_mut(slot.core) {
            *f = done;
        }
        self.busy = SimDuration::from_ps(self.busy.as_ps().saturating_add(service.as_ps()));
        done
    }

    /// Items refused because the queue was full.
    pub fn drops(&self) -> u64 {
        self.drops
    }
    /// Deepest the queue has been (waiting items).
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }
    /// Service time committed so far (over all cores).
    pub fn busy_time(&self) -> SimDuration {
        self.busy
    }
    /// Number of cores.
    pub fn cores(&self) -> usize {
        self.free_at.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(n: u64) -> SimTime {
        SimTime::from_ns(n)
    }

    #[test]
    fn idle_cores_take_items_longest_idle_first_then_the_first_free() {
        let mut q = SharedQueue::new(2, 8);
        let d = SimDuration::from_ns(100);
        let a = q.arrive(ns(0)).unwrap();
        assert_eq!((a.core, a.start, a.pullers), (0, ns(0), 2));
        assert_eq!(q.commit(a, d), ns(100));
        let b = q.arrive(ns(10)).unwrap();
        assert_eq!((b.core, b.start, b.pullers), (1, ns(10), 1));
        q.commit(b, d);
        // both busy: waits for core 0 (free at 100)
        let c = q.arrive(ns(20)).unwrap();
        assert_eq!((c.core, c.start), (0, ns(100)));
        assert_eq!(q.commit(c, d), ns(200));
        // next: core 1 (free at 110)
        let e = q.arrive(ns(30)).unwrap();
        assert_eq!((e.core, e.start), (1, ns(110)));
    }

    #[test]
    fn a_full_queue_drops_and_counts_and_started_items_leave_it() {
        let mut q = SharedQueue::new(1, 1);
        let d = SimDuration::from_ns(100);
        let a = q.arrive(ns(0)).unwrap();
        q.commit(a, d);
        let b = q.arrive(ns(1)).unwrap(); // waits (starts at 100)
        q.commit(b, d);
        assert_eq!(q.arrive(ns(2)), None);
        assert_eq!(q.drops(), 1);
        // at 100 the waiting item has started: room again
        let c = q.arrive(ns(100)).unwrap();
        assert_eq!(c.start, ns(200));
        assert_eq!(q.max_depth(), 1);
    }

    /// The queue as a per-item reference computes it: all cores scanned on
    /// every arrival, a waiting item counted until its start.
    struct Reference {
        free_at: Vec<u64>,
        starts: Vec<u64>,
        capacity: usize,
    }

    impl Reference {
        fn arrive(&mut self, at: u64) -> Option<(usize, u64, usize)> {
            let waiting = self.starts.iter().filter(|&&s| s > at).count();
            let idle = self.free_at.iter().filter(|&&f| f <= at).count();
            let (mut first, mut first_at) = (0, self.free_at[0]);
            for (i, &f) in self.free_at.iter().enumerate() {
                if f < first_at {
                    (first, first_at) = (i, f);
                }
            }
            if idle > 0 {
                return Some((first, at, idle));
            }
            if waiting >= self.capacity {
                return None;
            }
            self.starts.push(first_at);
            Some((first, first_at, 1))
        }
    }

    #[test]
    fn swarm_matches_a_reference_that_scans_every_core_on_every_arrival() {
        use rand::{Rng, SeedableRng};
        for seed in 0..200u64 {
            let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
            let cores = rng.gen_range(1..6);
            let capacity = rng.gen_range(1..5);
            let mut q = SharedQueue::new(cores, capacity);
            let mut r = Reference {
                free_at: vec![0; cores],
                starts: Vec::new(),
                capacity,
            };
            let (mut at, mut refused) = (0u64, 0u64);
            for _ in 0..400 {
                at += rng.gen_range(0..60);
                let service = rng.gen_range(0..300);
                let got = q.arrive(ns(at));
                let want = r.arrive(at);
                assert_eq!(
                    got.map(|s| (s.core, s.start.as_ps() / 1_000, s.pullers)),
                    want,
                    "seed {seed}: arrival at {at} ns"
                );
                match got {
                    Some(slot) => {
                        let done = q.commit(slot, SimDuration::from_ns(service));
                        r.free_at[slot.core] = done.as_ps() / 1_000;
                    }
                    None => refused += 1,
                }
            }
            assert_eq!(q.drops(), refused, "seed {seed}");
        }
    }
}
