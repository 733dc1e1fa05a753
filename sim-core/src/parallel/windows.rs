//! The windowed run of the parallel engine: which partitions run in each lookahead window, and on which thread each is at home.
//!
//! A window's work is split into tasks, one per partition that has an event
//! in the window or mail from the previous one. A task, on whichever thread
//! runs it (`mailbox.rs`):
//! 1. moves the mail sent to its partition during the previous window into
//!    the partition's queue;
//! 2. handles the partition's events up to the window's end;
//! 3. posts what the partition sent to other partitions into their
//!    mailboxes, in the slot of the current window's parity.
//!
//! So the planning thread does no per-event work between windows: it only
//! reads the tasks' results (next event time, events handled, a fault flag)
//! and the mailboxes' earliest times to pick the next window. The tasks run
//! on the calling thread ([`Serial`]) or with a crew of threads
//! (`crew.rs`); either way the results are those of the one-thread run,
//! event for event (tested against the sequential reference).

use super::crew;
use super::flow;
use super::mailbox::{run_task, Mailbox, WindowLog, NONE_PS};
use super::partition::{Neighbors, PartitionModel, State};
use super::ParallelError;
use crate::time::{SimDuration, SimTime};

/// Below this many events per window, averaged over about the last 16
/// windows, a window runs on the planning thread alone: handing it to the
/// other threads costs about as much as several events (a few
/// microseconds of cross-core handoff against about 0.2 us per event).
/// Judged by the previous window alone, the star example's occasional big
/// windows were forked and it ran 8% slower on 2 threads than on 1. With
/// a threshold of 8, its windows of 16 events on average (325 ns since the
/// lookahead includes half a switch latency) went to the crew and the
/// 2-thread median was 0.085 s against 0.068 s on one thread; 24 keeps it
/// on one thread and leaves the leaf-spine example (73 events per window)
/// and the 64-server one (about 325) parallel. Which thread runs a window
/// never changes a result.
const PARALLEL_MIN_EVENTS: u64 = 24;

/// Windows between two re-rankings of the claiming order. Ranking by the
/// running event counts at every window let partitions of nearly equal
/// weight (a cluster's servers) swap places all the time, so they moved
/// between threads, and their state between cores' caches, about one
/// window in four; a rank held for this many windows keeps each on one
/// thread except near where the two ends meet.
const RERANK_WINDOWS: u64 = 1024;

/// One window, as the thread that runs its tasks sees it.
pub(super) struct Plan<'a> {
    /// The window's number (its parity picks the mail slots).
    pub(super) window: u64,
    /// Inclusive end of the window.
    pub(super) last: SimTime,
    /// Which partitions are tasks of this window.
    pub(super) is_task: &'a [bool],
    /// Whether to share the tasks among threads.
    pub(super) parallel: bool,
    /// Every partition, by home thread, then heaviest first.
    pub(super) order: &'a [usize],
    /// Each partition's home thread.
    pub(super) home: &'a [usize],
}

/// How a window's tasks get run.
pub(super) trait RunTasks {
    /// Runs the tasks of `plan`, reporting them in `out` (cleared first);
    /// false if the run must stop (a thread unwound).
    fn run_tasks(&mut self, plan: &Plan<'_>, out: &mut WindowLog) -> bool;
    /// The first fault by partition index, taken.
    fn take_fault(&mut self) -> Option<ParallelError>;
}

/// Every task on the calling thread, in partition order.
struct Serial<'a, M: PartitionModel> {
    models: &'a mut [M],
    states: &'a mut [State<M::Event>],
    mail: &'a [Mailbox<M::Event>],
}

impl<M: PartitionModel> RunTasks for Serial<'_, M> {
    fn run_tasks(&mut self, plan: &Plan<'_>, out: &mut WindowLog) -> bool {
        out.clear();
        let parts = self.models.iter_mut().zip(self.states.iter_mut());
        for ((m, s), _) in parts.zip(plan.is_task).filter(|(_, t)| **t) {
            run_task(m, s, self.mail, plan.window, plan.last, out);
        }
        true
    }

    fn take_fault(&mut self) -> Option<ParallelError> {
        self.states.iter_mut().find_map(|s| s.fault.take())
    }
}

/// The windowed run's state that outlives one `run_until`.
pub(crate) struct Windows<E> {
    mail: Vec<Mailbox<E>>,
    planner: Planner,
}

/// What picks the windows and the partitions' homes.
pub(super) struct Planner {
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
    /// The last window's results, and its mail: the earliest event waiting
    /// for each partition in the next window.
    log: WindowLog,
    /// Every partition by home thread, then heaviest first, as of the last
    /// re-ranking.
    order: Vec<usize>,
    /// Each partition's home thread (an index of the run's threads).
    home: Vec<usize>,
    /// The thread count the homes were given for.
    home_threads: usize,
    /// Each partition's group ([`PartitionModel::group`]), read at the
    /// start of every run.
    group: Vec<Option<u32>>,
}

impl<E: Send> Windows<E> {
    pub(crate) fn new(partitions: usize) -> Self {
        Windows {
            mail: (0..partitions).map(|_| Mailbox::new()).collect(),
            planner: Planner {
                next_ps: vec![NONE_PS; partitions],
                weight: vec![0; partitions],
                count: 0,
                // the first window runs in parallel (nothing is known yet)
                mean_events_x16: PARALLEL_MIN_EVENTS * 16,
                is_task: vec![false; partitions],
                log: WindowLog::new(partitions),
                order: (0..partitions).collect(),
                home: vec![0; partitions],
                home_threads: 0,
                group: vec![None; partitions],
            },
        }
    }

    /// Windows run so far.
    pub(crate) fn count(&self) -> u64 {
        self.planner.count
    }

    /// Runs windows synchronized by neighbours (`flow.rs`) until no event
    /// is left at or before `end`; returns the windows run.
    pub(crate) fn run_flow<M: PartitionModel<Event = E>>(
        &mut self,
        models: &mut [M],
        states: &mut [State<E>],
        neighbors: &Neighbors,
        lookahead: SimDuration,
        end: SimTime,
        pool: Option<&rayon::ThreadPool>,
    ) -> Result<u64, ParallelError> {
        self.planner.group = models.iter().map(PartitionModel::group).collect();
        self.flush(states);
        let ran = flow::run(
            pool,
            models,
            states,
            &self.mail,
            neighbors,
            &mut self.planner,
            lookahead,
            end,
        );
        if let Ok(n) = ran {
            self.planner.count += n;
        }
        ran
    }

    /// Moves every undelivered mail into the queues (before a run that
    /// delivers sends immediately: the sequential reference).
    pub(crate) fn flush(&mut self, states: &mut [State<E>]) {
        for (mailbox, s) in self.mail.iter().zip(states.iter_mut()) {
            mailbox.take_into(0, s);
            mailbox.take_into(1, s);
        }
    }

    /// Runs windows until no event is left at or before `end`, with a crew
    /// of `pool`'s threads when given (else on the calling thread); returns
    /// the windows run.
    pub(crate) fn run<M: PartitionModel<Event = E>>(
        &mut self,
        models: &mut [M],
        states: &mut [State<E>],
        lookahead: SimDuration,
        end: SimTime,
        pool: Option<&rayon::ThreadPool>,
    ) -> Result<u64, ParallelError> {
        self.planner.group = models.iter().map(PartitionModel::group).collect();
        // events may have been scheduled from outside since the last run
        for (n, s) in self.planner.next_ps.iter_mut().zip(states.iter()) {
            *n = s.queue.peek_time().map_or(NONE_PS, SimTime::as_ps);
        }
        // mail sent in the last window of the previous run (slot of its parity)
        let prev = (self.planner.count.wrapping_sub(1) & 1) as usize;
        self.planner.log.clear();
        for (p, m) in self.mail.iter().enumerate() {
            let at = m.min_ps(prev);
            if at != NONE_PS {
                self.planner.log.posted(p, at);
            }
        }
        let mail = &self.mail;
        match pool {
            Some(pool) => crew::run(
                pool,
                models,
                states,
                mail,
                &mut self.planner,
                lookahead,
                end,
            ),
            None => {
                let mut serial = Serial {
                    models,
                    states,
                    mail,
                };
                self.planner.run_loop(&mut serial, 1, lookahead, end)
            }
        }
    }
}

impl Planner {
    /// Gives each partition a home among `threads` threads and orders the
    /// partitions by home, then heaviest first (by events handled so far,
    /// then by id). Homes go to units, heaviest unit first, each to the
    /// least loaded thread so far: a group ([`PartitionModel::group`]) is
    /// one unit when it weighs no more than a thread's share of the whole,
    /// else each of its partitions is a unit (so one group holding every
    /// partition, like a single switch's, still spreads over the threads);
    /// a partition without a group is a unit of its own.
    fn rerank(&mut self, threads: usize) {
        let threads = threads.max(1);
        let weight = |p: usize| self.weight[p].max(1);
        let total: u64 = (0..self.weight.len()).map(weight).sum();
        let mut groups: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
        let mut units: Vec<(u64, Vec<usize>)> = Vec::new();
        for (p, g) in self.group.iter().enumerate() {
            match g {
                Some(g) => groups.entry(*g).or_default().push(p),
                None => units.push((weight(p), vec![p])),
            }
        }
        for members in groups.into_values() {
            let w: u64 = members.iter().map(|&p| weight(p)).sum();
            if w.saturating_mul(threads as u64) <= total {
                units.push((w, members));
            } else {
                units.extend(members.into_iter().map(|p| (weight(p), vec![p])));
            }
        }
        // heaviest first; ties by first member (units never share members)
        units.sort_unstable_by_key(|(w, m)| (std::cmp::Reverse(*w), m[0]));
        let mut load = vec![0u64; threads];
        for (w, members) in &units {
            let t = (0..threads).min_by_key(|&t| (load[t], t)).unwrap_or(0);
            for &p in members {
                self.home[p] = t;
            }
            load[t] += w;
        }
        let mut order: Vec<usize> = (0..self.weight.len()).collect();
        let home = &self.home;
        order.sort_unstable_by_key(|&p| (home[p], std::cmp::Reverse(weight(p)), p));
        self.order = order;
        self.home_threads = threads;
    }

    /// Each thread's partitions (by [`Planner::rerank`]'s homes), heaviest
    /// first, for a run whose partitions stay on their threads.
    pub(super) fn homes(&mut self, threads: usize) -> Vec<Vec<usize>> {
        let threads = threads.max(1);
        self.rerank(threads);
        let mut homes = vec![Vec::new(); threads];
        for &p in &self.order {
            homes[self.home[p].min(threads - 1)].push(p);
        }
        homes
    }

    /// Adds events handled by each partition (in partition order) to the
    /// weights homes are given by.
    pub(super) fn add_weights(&mut self, handled: impl Iterator<Item = u64>) {
        for (w, h) in self.weight.iter_mut().zip(handled) {
            *w += h;
        }
    }

    /// Picks and runs windows until no event is left at or before `end`.
    pub(super) fn run_loop<T: RunTasks>(
        &mut self,
        tasks_runner: &mut T,
        threads: usize,
        lookahead: SimDuration,
        end: SimTime,
    ) -> Result<u64, ParallelError> {
        let start_count = self.count;
        loop {
            // mail sent during the previous window
            let mail_ps = &self.log.posted_min_ps;
            let mut start = NONE_PS;
            for (n, m) in self.next_ps.iter().zip(mail_ps) {
                start = start.min(*n).min(*m);
            }
            if start == NONE_PS || start > end.as_ps() {
                break;
            }
            // Inclusive window end: min(start + lookahead - 1 ps, end).
            let last = start.saturating_add(lookahead.as_ps() - 1).min(end.as_ps());
            let mut tasks = 0;
            for ((t, n), m) in self.is_task.iter_mut().zip(&self.next_ps).zip(mail_ps) {
                *t = *n <= last || *m != NONE_PS;
                tasks += usize::from(*t);
            }
            if self.count % RERANK_WINDOWS == 0 || threads != self.home_threads {
                self.rerank(threads);
            }
            let plan = Plan {
                window: self.count,
                last: SimTime::from_ps(last),
                is_task: &self.is_task,
                parallel: threads > 1
                    && tasks > 1
                    && self.mean_events_x16 >= PARALLEL_MIN_EVENTS * 16,
                order: &self.order,
                home: &self.home,
            };
            if !tasks_runner.run_tasks(&plan, &mut self.log) {
                return Err(ParallelError::Config(
                    "a worker thread stopped during a window".into(),
                ));
            }
            self.count += 1;
            let mut events = 0;
            let mut failed = false;
            for r in &self.log.results {
                self.next_ps[r.partition] = r.next_ps;
                self.weight[r.partition] += r.handled;
                events += r.handled;
                failed |= r.failed;
            }
            self.mean_events_x16 = self.mean_events_x16 - self.mean_events_x16 / 16 + events;
            if failed {
                // the first fault by partition index: each partition's
                // fault depends on its own events only
                if let Some(e) = tasks_runner.take_fault() {
                    return Err(e);
                }
            }
        }
        Ok(self.count - start_count)
    }
}

#[cfg(test)]
#[path = "windows_tests.rs"]
mod tests;
