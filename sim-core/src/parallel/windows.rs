//! The windowed run of the parallel engine: which partitions run in each lookahead window, on one thread or on the pool, and how cross-partition events reach their destinations (mailboxes each destination drains itself).
//!
//! A window's work is split into tasks, one per partition that has an event
//! in the window or mail from the previous one. A task, on whichever thread
//! runs it:
//! 1. moves the mail sent to its partition during the previous window into
//!    the partition's queue;
//! 2. handles the partition's events up to the window's end;
//! 3. posts what the partition sent to other partitions into their
//!    mailboxes, in the slot of the current window's parity.
//!
//! So the calling thread does no per-event work between windows: it only
//! reads the tasks' results (next event time, events handled, a fault flag)
//! and the mailboxes' earliest times to pick the next window. Before this,
//! the calling thread moved every cross-partition event itself between
//! windows while the other threads waited: about 14% of a 2-thread
//! leaf-spine run (13-14 of 93-96 ms, instrumented).
//!
//! Why two slots: a destination drains the slot of the previous window
//! while senders fill the other, so what a task takes never depends on how
//! far the other threads got. A partition with mail is always a task of the
//! next window, so a slot is empty again before its parity comes back.
//! Mail only ever carries events at least one lookahead after the window
//! it was sent in, so taking it one window later never delays an event, and
//! the queues pop by `(time, source, sequence)`, whatever the order mail
//! arrived in: the results are those of the one-thread run, event for
//! event (tested against the sequential reference).
//!
//! Bounds: a sender's outbox holds at most the queue bound per window, so
//! a mailbox slot holds at most that times the number of partitions; the
//! destination's queue bound applies when it takes the mail.

use super::partition::{Outgoing, PartitionModel, State};
use super::ParallelError;
use crate::time::{SimDuration, SimTime};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// Below this many events per window, averaged over about the last 16
/// windows, a window runs on the calling thread: forking it to the pool and
/// joining costs about as much as a few events. The star example's windows
/// hold 3.4 events on average; judged by the previous window alone, its
/// occasional bigger windows were forked and it ran 8% slower on 2 threads
/// than on 1 (0.074-0.076 s against 0.068-0.070 s), while the average keeps
/// it at the one-thread time and leaves the leaf-spine example (about 50
/// events per window) parallel. Which thread runs a window never changes a
/// result.
const PARALLEL_MIN_EVENTS: u64 = 8;

/// Windows between two re-rankings of the claiming order. Ranking by the
/// running event counts at every window let partitions of nearly equal
/// weight (a cluster's servers) swap places all the time, so they moved
/// between threads, and their state between cores' caches, about one
/// window in four; a rank held for this many windows keeps each on one
/// thread except near where the two ends meet.
const RERANK_WINDOWS: u64 = 1024;

/// No event (an empty queue or mailbox slot).
const NONE_PS: u64 = u64::MAX;

/// Cross-partition events on their way to one partition.
struct Mailbox<E> {
    /// Events sent during windows of even and odd number, not yet taken.
    slots: [Mutex<Vec<Outgoing<E>>>; 2],
    /// Earliest time in each slot, in picoseconds ([`NONE_PS`]: empty).
    min_ps: [AtomicU64; 2],
}

impl<E> Mailbox<E> {
    fn new() -> Self {
        Mailbox {
            slots: [Mutex::new(Vec::new()), Mutex::new(Vec::new())],
            min_ps: [AtomicU64::new(NONE_PS), AtomicU64::new(NONE_PS)],
        }
    }

    /// Moves slot `slot` into `dest`'s queue.
    fn take_into(&self, slot: usize, dest: &mut State<E>) {
        if self.min_ps[slot].load(Ordering::Relaxed) == NONE_PS {
            return;
        }
        self.min_ps[slot].store(NONE_PS, Ordering::Relaxed);
        let mut mail = self.slots[slot]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for o in mail.drain(..) {
            dest.push_delivered(o.time, o.tiebreak, o.event);
        }
    }
}

/// What a task reports to the calling thread.
#[derive(Clone, Copy, Debug, Default)]
struct TaskResult {
    partition: usize,
    /// Earliest event left in the partition's queue ([`NONE_PS`]: none).
    next_ps: u64,
    handled: u64,
    failed: bool,
}

/// The windowed run's state that outlives one `run_until`.
pub(crate) struct Windows<E> {
    mail: Vec<Mailbox<E>>,
    /// Each partition's earliest queued event, as of its last task.
    next_ps: Vec<u64>,
    /// Events each partition handled so far (the heaviest start first).
    weight: Vec<u64>,
    /// Windows run so far; the parity of a window's number picks the slot
    /// its sends go to.
    count: u64,
    /// Events per window, smoothed over about 16 windows (x16, integer).
    mean_events_x16: u64,
    is_task: Vec<bool>,
    results: Vec<TaskResult>,
    /// Each partition's place in the claiming order (heaviest first), as of
    /// the last re-ranking.
    rank: Vec<usize>,
    /// Each partition's home thread (an index of the pool's threads).
    home: Vec<usize>,
    /// The thread count the homes were given for.
    home_threads: usize,
}

impl<E: Send> Windows<E> {
    pub(crate) fn new(partitions: usize) -> Self {
        Windows {
            mail: (0..partitions).map(|_| Mailbox::new()).collect(),
            next_ps: vec![NONE_PS; partitions],
            weight: vec![0; partitions],
            count: 0,
            // the first window runs in parallel (nothing is known yet)
            mean_events_x16: PARALLEL_MIN_EVENTS * 16,
            is_task: vec![false; partitions],
            results: Vec::with_capacity(partitions),
            rank: (0..partitions).collect(),
            home: vec![0; partitions],
            home_threads: 0,
        }
    }

    /// Orders the partitions heaviest first (by events handled so far, then
    /// by id) and gives each a home among `threads` threads: the heaviest
    /// left goes to the least loaded thread so far.
    fn rerank(&mut self, threads: usize) {
        let mut order: Vec<usize> = (0..self.weight.len()).collect();
        order.sort_unstable_by_key(|&p| (std::cmp::Reverse(self.weight[p]), p));
        let threads = threads.max(1);
        let mut load = vec![0u64; threads];
        for (place, p) in order.into_iter().enumerate() {
            self.rank[p] = place;
            let t = (0..threads).min_by_key(|&t| (load[t], t)).unwrap_or(0);
            self.home[p] = t;
            load[t] += self.weight[p].max(1);
        }
        self.home_threads = threads;
    }

    /// Windows run so far.
    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    /// Moves every undelivered mail into the queues (before a run that
    /// delivers sends immediately: the sequential reference).
    pub(crate) fn flush(&mut self, states: &mut [State<E>]) {
        for (mailbox, s) in self.mail.iter().zip(states.iter_mut()) {
            mailbox.take_into(0, s);
            mailbox.take_into(1, s);
        }
    }

    /// Runs windows until no event is left at or before `end`, on `pool`
    /// when given (else on the calling thread); returns the windows run.
    pub(crate) fn run<M: PartitionModel<Event = E>>(
        &mut self,
        models: &mut [M],
        states: &mut [State<E>],
        lookahead: SimDuration,
        end: SimTime,
        pool: Option<&rayon::ThreadPool>,
    ) -> Result<u64, ParallelError> {
        match pool {
            // The whole loop runs inside the pool, so each window's parallel
            // step starts from a worker thread (no hand-off per window).
            Some(pool) => pool.install(|| self.run_loop(models, states, lookahead, end, true)),
            None => self.run_loop(models, states, lookahead, end, false),
        }
    }

    fn run_loop<M: PartitionModel<Event = E>>(
        &mut self,
        models: &mut [M],
        states: &mut [State<E>],
        lookahead: SimDuration,
        end: SimTime,
        on_pool: bool,
    ) -> Result<u64, ParallelError> {
        // events may have been scheduled from outside since the last run
        for (n, s) in self.next_ps.iter_mut().zip(states.iter()) {
            *n = s.queue.peek_time().map_or(NONE_PS, SimTime::as_ps);
        }
        let start_count = self.count;
        loop {
            // mail sent during the previous window (slot of its parity)
            let prev = (self.count.wrapping_sub(1) & 1) as usize;
            let mut start = NONE_PS;
            for (n, m) in self.next_ps.iter().zip(&self.mail) {
                start = start.min(*n).min(m.min_ps[prev].load(Ordering::Acquire));
            }
            if start == NONE_PS || start > end.as_ps() {
                break;
            }
            // Inclusive window end: min(start + lookahead - 1 ps, end).
            let last = start.saturating_add(lookahead.as_ps() - 1).min(end.as_ps());
            let mut tasks = 0;
            for ((t, n), m) in self.is_task.iter_mut().zip(&self.next_ps).zip(&self.mail) {
                *t = *n <= last || m.min_ps[prev].load(Ordering::Acquire) != NONE_PS;
                tasks += usize::from(*t);
            }
            let parallel = on_pool && tasks > 1 && self.mean_events_x16 >= PARALLEL_MIN_EVENTS * 16;
            self.run_window(models, states, SimTime::from_ps(last), parallel);
            self.count += 1;
            let mut events = 0;
            let mut failed = false;
            for r in &self.results {
                self.next_ps[r.partition] = r.next_ps;
                self.weight[r.partition] += r.handled;
                events += r.handled;
                failed |= r.failed;
            }
            self.mean_events_x16 = self.mean_events_x16 - self.mean_events_x16 / 16 + events;
            let threads = if on_pool {
                rayon::current_num_threads()
            } else {
                1
            };
            if self.count % RERANK_WINDOWS == 0 || threads != self.home_threads {
                self.rerank(threads);
            }
            if failed {
                // the first fault by partition index: each partition's
                // fault depends on its own events only
                if let Some(e) = states.iter_mut().find_map(|s| s.fault.take()) {
                    return Err(e);
                }
            }
        }
        Ok(self.count - start_count)
    }

    /// Runs this window's tasks (the partitions marked in `is_task`): on the
    /// current pool when `parallel` (each thread its home partitions first,
    /// heaviest first), else in partition order on this thread.
    fn run_window<M: PartitionModel<Event = E>>(
        &mut self,
        models: &mut [M],
        states: &mut [State<E>],
        last: SimTime,
        parallel: bool,
    ) {
        let (mail, window) = (&self.mail, self.count);
        let is_task = &self.is_task;
        let mut work: Vec<(&mut M, &mut State<E>)> = models
            .iter_mut()
            .zip(states.iter_mut())
            .enumerate()
            .filter(|(i, _)| is_task[*i])
            .map(|(_, w)| w)
            .collect();
        if parallel {
            // Every partition has a home thread (see `rerank`); a thread
            // runs its home partitions first, heaviest first, then takes
            // what is left of the other threads' lists from their far ends.
            // So a partition stays on one thread, and its state in one
            // core's cache, unless its home thread falls behind. Which
            // thread runs a partition never changes a result.
            let threads = self.home_threads.max(1);
            let (rank, home) = (&self.rank, &self.home);
            work.sort_unstable_by_key(|(_, s)| (home[s.id], rank[s.id]));
            let mut ranges = vec![(0usize, 0usize); threads];
            for (i, (_, s)) in work.iter().enumerate() {
                let r = &mut ranges[home[s.id]];
                if r.1 == 0 {
                    r.0 = i;
                }
                r.1 = i + 1;
            }
            let claims: Vec<Claims> = ranges.iter().map(|&(a, b)| Claims::new(a, b)).collect();
            let items: Vec<Mutex<Item<'_, M>>> = work
                .into_iter()
                .map(|(m, s)| Mutex::new((m, s, TaskResult::default())))
                .collect();
            let claimers = rayon::current_num_threads().min(items.len());
            (0..claimers).into_par_iter().with_max_len(1).for_each(|_| {
                let me = rayon::current_thread_index().unwrap_or(0) % threads;
                // its own list from the front, then the others' from the back
                let others = (1..threads).map(|d| ((me + d) % threads, true));
                let order = std::iter::once((me, false)).chain(others);
                for (t, from_back) in order {
                    while let Some(i) = claims[t].next(from_back) {
                        let mut item = lock(&items[i]);
                        let (m, s, r) = &mut *item;
                        *r = run_task(&mut **m, s, mail, window, last);
                    }
                }
            });
            self.results.clear();
            self.results
                .extend(items.into_iter().map(|i| lock_owned(i).2));
        } else {
            self.results.clear();
            self.results.extend(
                work.iter_mut()
                    .map(|(m, s)| run_task(&mut **m, s, mail, window, last)),
            );
        }
    }
}

/// A task of a parallel window: the partition and, once run, its result.
type Item<'a, M> = (
    &'a mut M,
    &'a mut State<<M as PartitionModel>::Event>,
    TaskResult,
);

// A poisoned lock only means a partition panicked; rayon resumes that panic
// on the calling thread, and nothing reads the item afterwards.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn lock_owned<T>(m: Mutex<T>) -> T {
    m.into_inner().unwrap_or_else(PoisonError::into_inner)
}

/// The unclaimed tasks `front..back` of a window, in one atomic word
/// (front in the high half), claimed from either end.
struct Claims(AtomicU64);

impl Claims {
    /// Tasks `front..back` unclaimed.
    fn new(front: usize, back: usize) -> Self {
        Claims(AtomicU64::new(((front as u64) << 32) | back as u64))
    }

    /// Claims the next task from the back (else the front), if any is left.
    fn next(&self, from_back: bool) -> Option<usize> {
        let mut word = self.0.load(Ordering::Acquire);
        loop {
            let (front, back) = (word >> 32, word & 0xffff_ffff);
            if front >= back {
                return None;
            }
            let (task, claimed) = if from_back {
                (back - 1, (front << 32) | (back - 1))
            } else {
                (front, ((front + 1) << 32) | back)
            };
            match self
                .0
                .compare_exchange_weak(word, claimed, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return Some(task as usize),
                Err(now) => word = now,
            }
        }
    }
}

/// One partition's share of window `window`, ending at `last` (see the module doc).
fn run_task<M: PartitionModel>(
    model: &mut M,
    s: &mut State<M::Event>,
    mail: &[Mailbox<M::Event>],
    window: u64,
    last: SimTime,
) -> TaskResult {
    let before = s.handled;
    mail[s.id].take_into((window.wrapping_sub(1) & 1) as usize, s);
    s.run_window(model, last);
    let slot = (window & 1) as usize;
    // one lock and one atomic per run of events to the same destination,
    // not per event: with several threads, every sender's posts to a busy
    // destination (the network) contend for its slot. A server or a client
    // sends to the network only, so its whole outbox is one run. (Sorting
    // every outbox by destination first cost 5.2 M instructions in a
    // one-thread leaf-spine run of 723 M.)
    let mut sent = s.outbox.drain(..).peekable();
    while let Some(first) = sent.next() {
        let mailbox = &mail[first.dest];
        let dest = first.dest;
        let mut min_ps = first.time.as_ps();
        let mut slot_mail = lock(&mailbox.slots[slot]);
        slot_mail.push(first);
        while let Some(o) = sent.next_if(|o| o.dest == dest) {
            min_ps = min_ps.min(o.time.as_ps());
            slot_mail.push(o);
        }
        drop(slot_mail);
        mailbox.min_ps[slot].fetch_min(min_ps, Ordering::Relaxed);
    }
    TaskResult {
        partition: s.id,
        next_ps: s.queue.peek_time().map_or(NONE_PS, SimTime::as_ps),
        handled: s.handled - before,
        failed: s.fault.is_some(),
    }
}
