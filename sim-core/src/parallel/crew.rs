//! The windowed run on several threads: one rayon job per thread for the whole run, meeting at every window through a few atomics instead of a fork and a join per window.
//!
//! Why: with a fork and join per window (`par_iter` over the window's
//! tasks), the pool's idle thread took about 1.3 us to pick up its first
//! task of each window, 11-15 ms of a 2-thread leaf-spine run of 89-100 ms
//! at about 10,000 windows (instrumented). Here the calling thread (the
//! coordinator, thread 0) plans each window and publishes it; the other
//! threads wait for it spinning, then yielding, and park only after a long
//! wait (the coordinator unparks them when it publishes).
//!
//! A window's tasks are claimed, not assigned: each thread takes its home
//! partitions first, then what is left of the other threads' lists from
//! their far ends. Which thread runs a task never changes a result (see the
//! module doc of `parallel`). Every claim word carries the window's number,
//! so a thread that was slow to notice the end of a window can never claim
//! a task of the next one with the old window's end.
//!
//! Panics: a thread that unwinds sets `halt`, which every wait checks, so
//! no thread waits forever for work a dead thread claimed; rayon then
//! resumes the panic on the calling thread.

use super::backoff::{back_off, SPINS};
use super::mailbox::{lock, run_task, Mailbox, WindowLog};
use super::partition::{PartitionModel, State};
use super::windows::{Plan, Planner, RunTasks};
use super::{Padded, ParallelError};
use crate::time::{SimDuration, SimTime};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, TryLockError};
use std::thread::Thread;

/// A partition as the crew shares it: its model and its state.
type Item<'a, M> = Padded<(&'a mut M, &'a mut State<<M as PartitionModel>::Event>)>;

/// Yields of a waiting worker after spinning, before it parks.
const YIELDS: u32 = 64;

/// Bits of a claim word: window tag, front, back (see [`Claims`]).
const END_BITS: u32 = 17;
const TAG_BITS: u32 = 64 - 2 * END_BITS;
const END_MASK: u64 = (1 << END_BITS) - 1;
const TAG_MASK: u64 = (1 << TAG_BITS) - 1;
/// Most threads of a crew: a pool larger than this runs windows on this
/// many of its threads (the rest stay idle; results never depend on it).
const MAX_CREW: usize = 64;
/// The published tag before the first window: no window's tag.
const NOTHING_PUBLISHED: u64 = u64::MAX;

/// One thread's list of a window's tasks, `front..back` unclaimed, in one
/// atomic word with the window's tag (its number modulo 2^30, so its
/// parity is the window's). 17 bits per end: partitions are at most 2^16.
#[repr(align(128))]
#[repr(align(128))]
struct Claims(AtomicU64);

impl Claims {
    fn word(tag: u64, front: usize, back: usize) -> u64 {
        (tag << (2 * END_BITS)) | ((front as u64) << END_BITS) | back as u64
    }

    /// Claims the next task of window `tag` from the back (else the front).
    fn next(&self, tag: u64, from_back: bool) -> Option<usize> {
        let mut word = self.0.load(Ordering::Acquire);
        loop {
            let (t, front, back) = (
                word >> (2 * END_BITS),
                (word >> END_BITS) & END_MASK,
                word & END_MASK,
            );
            if t != tag || front >= back {
                return None;
            }
            let (task, claimed) = if from_back {
                (back - 1, word - 1)
            } else {
                (front, word + (1 << END_BITS))
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

/// A worker's parking place.
#[derive(Default)]
struct Sleeper {
    sleeping: AtomicBool,
    thread: Mutex<Option<Thread>>,
}

/// What the threads of one run share.
struct Crew {
    /// Tag of the window published last ([`NOTHING_PUBLISHED`] at first).
    published: AtomicU64,
    /// The run is over, or a thread unwound: every thread leaves.
    halt: AtomicBool,
    /// Tasks of the published window not finished yet.
    pending: AtomicUsize,
    /// Inclusive end of the published window, in picoseconds.
    last_ps: AtomicU64,
    /// The published window's tasks (partition ids), grouped by home thread.
    tasks: Vec<AtomicUsize>,
    claims: Vec<Claims>,
    sleepers: Vec<Sleeper>,
    /// Each worker's report of the window it last ran tasks in (by tag;
    /// the coordinator reports into the planner's log directly).
    logs: Vec<Mutex<Padded<(u64, WindowLog)>>>,
}

impl Crew {
    fn new(threads: usize, partitions: usize) -> Self {
        Crew {
            published: AtomicU64::new(NOTHING_PUBLISHED),
            halt: AtomicBool::new(false),
            pending: AtomicUsize::new(0),
            last_ps: AtomicU64::new(0),
            tasks: (0..partitions).map(|_| AtomicUsize::new(0)).collect(),
            claims: (0..threads).map(|_| Claims(AtomicU64::new(0))).collect(),
            sleepers: (0..threads).map(|_| Sleeper::default()).collect(),
            logs: (0..threads)
                .map(|_| Mutex::new(Padded((NOTHING_PUBLISHED, WindowLog::new(partitions)))))
                .collect(),
        }
    }

    /// Stops every thread's waits, and wakes the parked ones.
    fn stop(&self) {
        self.halt.store(true, Ordering::SeqCst);
        for s in &self.sleepers {
            if let Some(t) = lock(&s.thread).as_ref() {
                t.unpark();
            }
        }
    }

    /// A worker's loop: wait for a window, claim and run its tasks, repeat.
    fn work<M: PartitionModel>(
        &self,
        me: usize,
        items: &[Mutex<Item<'_, M>>],
        mail: &[Mailbox<M::Event>],
    ) {
        let _stop = StopOnUnwind(self);
        *lock(&self.sleepers[me].thread) = Some(std::thread::current());
        let mut seen = NOTHING_PUBLISHED;
        while let Some(tag) = self.wait_for_window(me, seen) {
            seen = tag;
            // the coordinator reads this log once the window's tasks are
            // done, and only if it carries the window's tag
            let mut log = lock(&self.logs[me]);
            let (log_tag, log) = &mut log.0;
            if *log_tag != tag {
                *log_tag = tag;
                log.clear();
            }
            self.claim_and_run(me, tag, items, mail, log);
        }
    }

    /// Waits until a window other than `seen` is published (its tag), or
    /// the run stops (`None`).
    fn wait_for_window(&self, me: usize, seen: u64) -> Option<u64> {
        let mut rounds = 0u32;
        loop {
            if self.halt.load(Ordering::Acquire) {
                return None;
            }
            let tag = self.published.load(Ordering::Acquire);
            if tag != seen {
                return Some(tag);
            }
            rounds += 1;
            if rounds <= SPINS {
                std::hint::spin_loop();
            } else if rounds <= SPINS + YIELDS {
                std::thread::yield_now();
            } else {
                // Announce the sleep, then look again: the coordinator
                // stores the tag, then looks for sleepers (both SeqCst), so
                // one of the two sees the other.
                let s = &self.sleepers[me];
                s.sleeping.store(true, Ordering::SeqCst);
                if self.published.load(Ordering::SeqCst) == seen
                    && !self.halt.load(Ordering::SeqCst)
                {
                    std::thread::park();
                }
                s.sleeping.store(false, Ordering::SeqCst);
                rounds = 0;
            }
        }
    }

    /// Claims and runs tasks of window `tag`: its own list from the front,
    /// then the others' from the back.
    fn claim_and_run<M: PartitionModel>(
        &self,
        me: usize,
        tag: u64,
        items: &[Mutex<Item<'_, M>>],
        mail: &[Mailbox<M::Event>],
        log: &mut WindowLog,
    ) {
        let threads = self.claims.len();
        let others = (1..threads).map(|d| ((me + d) % threads, true));
        // Tasks run in this pass, subtracted from `pending` once at its end:
        // one write per thread and window to the line every thread reads,
        // instead of one per task (each moved the line between cores).
        let mut ran = 0;
        for (t, from_back) in std::iter::once((me, false)).chain(others) {
            while let Some(i) = self.claims[t].next(tag, from_back) {
                // a claimed task keeps its window open: the coordinator
                // writes the next window's end only after `pending` is 0
                let last = SimTime::from_ps(self.last_ps.load(Ordering::Relaxed));
                let p = self.tasks[i].load(Ordering::Relaxed);
                let mut item = lock(&items[p]);
                let (m, s) = &mut item.0;
                run_task(&mut **m, s, mail, tag, last, log);
                drop(item);
                ran += 1;
            }
        }
        if ran > 0 {
            self.pending.fetch_sub(ran, Ordering::Release);
        }
    }
}

/// Stops the crew if its thread unwinds (a partition panicked).
struct StopOnUnwind<'a>(&'a Crew);

impl Drop for StopOnUnwind<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop();
        }
    }
}

/// Stops the crew when the coordinator leaves, normally or not.
struct StopOnDrop<'a>(&'a Crew);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// The coordinator's side: runs a window's tasks with the crew, or alone
/// when the window is small.
struct Coordinator<'c, 'a, M: PartitionModel> {
    crew: &'c Crew,
    items: &'c [Mutex<Item<'a, M>>],
    mail: &'c [Mailbox<M::Event>],
}

impl<M: PartitionModel> RunTasks for Coordinator<'_, '_, M> {
    fn run_tasks(&mut self, plan: &Plan<'_>, out: &mut WindowLog) -> bool {
        out.clear();
        let crew = self.crew;
        if !plan.parallel {
            for (p, _) in plan.is_task.iter().enumerate().filter(|(_, t)| **t) {
                let mut item = lock(&self.items[p]);
                let (m, s) = &mut item.0;
                run_task(&mut **m, s, self.mail, plan.window, plan.last, out);
            }
            return true;
        }
        // publish: the task lists and the window's end, then the claim
        // words (release), then the tag
        let tag = plan.window & TAG_MASK;
        let threads = crew.claims.len();
        let mut n = 0;
        let mut ranges = [(0usize, 0usize); MAX_CREW];
        for &p in plan.order.iter().filter(|&&p| plan.is_task[p]) {
            let t = plan.home[p].min(threads - 1);
            if ranges[t].1 == 0 {
                ranges[t].0 = n;
            }
            ranges[t].1 = n + 1;
            crew.tasks[n].store(p, Ordering::Relaxed);
            n += 1;
        }
        crew.pending.store(n, Ordering::Relaxed);
        crew.last_ps.store(plan.last.as_ps(), Ordering::Relaxed);
        for (t, c) in crew.claims.iter().enumerate() {
            let (front, back) = ranges.get(t).copied().unwrap_or((0, 0));
            c.0.store(Claims::word(tag, front, back), Ordering::Release);
        }
        crew.published.store(tag, Ordering::SeqCst);
        for s in &crew.sleepers[1..] {
            if s.sleeping.load(Ordering::SeqCst) {
                if let Some(t) = lock(&s.thread).as_ref() {
                    t.unpark();
                }
            }
        }
        crew.claim_and_run(0, tag, self.items, self.mail, out);
        let mut rounds = 0u32;
        while crew.pending.load(Ordering::Acquire) != 0 {
            if crew.halt.load(Ordering::Acquire) {
                return false;
            }
            back_off(&mut rounds);
        }
        for log in &crew.logs[1..] {
            // a worker holds its log until its claiming pass ends, just
            // after its last task: spin for it rather than sleep in the lock
            let log = loop {
                match log.try_lock() {
                    Ok(log) => break log,
                    Err(TryLockError::Poisoned(p)) => break p.into_inner(),
                    Err(TryLockError::WouldBlock) if crew.halt.load(Ordering::Acquire) => {
                        return false
                    }
                    Err(TryLockError::WouldBlock) => std::hint::spin_loop(),
                }
            };
            if log.0 .0 == tag {
                out.merge(&log.0 .1);
            }
        }
        true
    }

    fn take_fault(&mut self) -> Option<ParallelError> {
        self.items.iter().find_map(|i| lock(i).0 .1.fault.take())
    }
}

/// Runs windows until no event is left at or before `end`, on every thread
/// of `pool` up to [`MAX_CREW`]; returns the windows run.
pub(super) fn run<M: PartitionModel>(
    pool: &rayon::ThreadPool,
    models: &mut [M],
    states: &mut [State<M::Event>],
    mail: &[Mailbox<M::Event>],
    planner: &mut Planner,
    lookahead: SimDuration,
    end: SimTime,
) -> Result<u64, ParallelError> {
    let threads = pool.current_num_threads().clamp(1, MAX_CREW);
    let items: Vec<Mutex<Item<'_, M>>> = models
        .iter_mut()
        .zip(states.iter_mut())
        .map(|(m, s)| Mutex::new(Padded((m, s))))
        .collect();
    let crew = Crew::new(threads, items.len());
    pool.install(|| {
        rayon::scope(|scope| {
            for me in 1..threads {
                let (crew, items) = (&crew, &items);
                scope.spawn(move |_| crew.work(me, items, mail));
            }
            let _stop = StopOnDrop(&crew);
            let mut coordinator = Coordinator {
                crew: &crew,
                items: &items,
                mail,
            };
            planner.run_loop(&mut coordinator, threads, lookahead, end)
        })
    })
}
