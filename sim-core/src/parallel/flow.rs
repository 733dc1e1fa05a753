//! The neighbour-synchronized run of the parallel engine: when the model declares which partitions talk to which, each partition runs window `w` as soon as its neighbours finished window `w - 1`, with no barrier across all threads except once per epoch.
//!
//! Why: with a barrier after every window (`windows.rs`), every window
//! lasts as long as its slowest thread, and a thread that finished early
//! either waits or steals a partition whose state then crosses to its
//! core. In a cluster, a server only talks to its switch, so it need not
//! wait for the other rack: here a thread runs its partitions' windows as
//! their neighbours allow, and one rack can run a window or two ahead of
//! the other, which absorbs the window-to-window swings in work.
//!
//! Windows lie on a grid: an epoch starts at the earliest pending event
//! `t0` (skipping idle stretches) and holds [`EPOCH_WINDOWS`](super::epoch::EPOCH_WINDOWS) windows of
//! one lookahead each, or up to [`MAX_EPOCH_WINDOWS`](super::epoch::MAX_EPOCH_WINDOWS) while the traffic
//! leaves no idle stretch to skip; window numbers run on across epochs.
//! Why it gives the sequential reference's results:
//! - Mail sent in window `w` fires at least one lookahead after its send,
//!   so in window `w + 1` or later; its destination, a neighbour, runs
//!   window `w + 1` only after the sender finished window `w`, and takes
//!   the mail first. So every event is in its queue before its time comes,
//!   and queues pop by `(time, source, sequence)`.
//! - Neighbours are at most one window apart (each waits for the other),
//!   so a sender fills the slot of its window's parity while the receiver
//!   drains the other one, as in the windowed run.
//! - The partition with the fewest windows done can always run (all its
//!   neighbours have done at least as many), so the run cannot deadlock.
//!
//! Faults: a partition that fails in window `w` stops there; the others
//! finish every window up to the earliest failed one, then the run
//! reports the fault of the earliest window, lowest partition first:
//! the same fault for any thread count.

use super::backoff::{back_off, SPINS};
use super::epoch::{epoch_length, Epoch};
use super::mailbox::{lock, post_outbox, Mailbox, NONE_PS};
use super::partition::{Neighbors, PartitionModel, State};
use super::windows::Planner;
use super::{Padded, ParallelError};
use crate::time::{SimDuration, SimTime};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, TryLockError};

/// No fault yet.
const NO_FAULT: u64 = u64::MAX;

/// A partition as the threads share it. Its lock is taken by whichever
/// thread runs each window, so it gets lines of its own: side by side,
/// two partitions' locks on one line would pass it between the threads
/// at every window of either.
type Item<'a, M> = Padded<Mutex<(&'a mut M, &'a mut State<<M as PartitionModel>::Event>)>>;

/// What the threads of one run share.
struct Shared<'n> {
    neighbors: &'n Neighbors,
    /// Windows each partition finished (its next window's number).
    done: Vec<Padded<AtomicU64>>,
    /// The window each partition failed in ([`NO_FAULT`]: none).
    failed_in: Vec<AtomicU64>,
    /// The earliest window any partition failed in.
    first_fault: AtomicU64,
    /// Published epoch: its number (0: none yet), then its fields.
    epoch_tag: AtomicU64,
    epoch: Mutex<Epoch>,
    /// Threads done with the published epoch.
    finished: Padded<AtomicUsize>,
    /// The run is over, or a thread unwound.
    halt: AtomicBool,
    lookahead_ps: u64,
    end_ps: u64,
}

impl Shared<'_> {
    /// Inclusive end of window `w` of epoch `e`, in picoseconds.
    fn last_ps(&self, e: &Epoch, w: u64) -> u64 {
        let k = w - e.first + 1;
        e.t0_ps
            .saturating_add(k.saturating_mul(self.lookahead_ps))
            .saturating_sub(1)
            .min(self.end_ps)
    }

    /// The window after which `p` stops in epoch `e`: its end, or the
    /// earliest failed window.
    fn stop_at(&self, e: &Epoch) -> u64 {
        let fault = self.first_fault.load(Ordering::Acquire);
        (e.first + e.windows).min(fault.saturating_add(1))
    }

    /// Whether `p` may run window `w` of epoch `e`: the window is in the
    /// epoch (and not past a failed one), and every neighbour is through
    /// the window before.
    fn ready(&self, p: usize, w: u64, e: &Epoch) -> bool {
        w < self.stop_at(e)
            && self.neighbors.of[p]
                .iter()
                .all(|&q| self.done[q].0.load(Ordering::Acquire) >= w)
    }

    /// Runs partition `p`'s windows of epoch `e` while its neighbours
    /// allow, unless another thread holds it; true if it ran at least one.
    fn advance<M: PartitionModel>(
        &self,
        p: usize,
        e: &Epoch,
        items: &[Item<'_, M>],
        mail: &[Mailbox<M::Event>],
    ) -> bool {
        // look before taking the lock: most calls find `p` waiting on a
        // neighbour, and a lock attempt writes the lock's line
        if !self.ready(p, self.done[p].0.load(Ordering::Acquire), e) {
            return false;
        }
        // a thread that took `p` over runs it; its progress shows in `done`
        let mut item = match items[p].0.try_lock() {
            Ok(item) => item,
            Err(TryLockError::WouldBlock) => return false,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
        };
        let (m, s) = &mut *item;
        let mut ran = false;
        loop {
            // read under the lock: whoever holds it is the only writer
            let w = self.done[p].0.load(Ordering::Relaxed);
            if !self.ready(p, w, e) {
                return ran;
            }
            mail[p].take_into((w.wrapping_sub(1) & 1) as usize, s);
            s.run_window(&mut **m, SimTime::from_ps(self.last_ps(e, w)));
            post_outbox(s, mail, (w & 1) as usize, |_, _| {});
            if s.fault.is_some() && self.failed_in[p].load(Ordering::Relaxed) == NO_FAULT {
                self.failed_in[p].store(w, Ordering::Relaxed);
                self.first_fault.fetch_min(w, Ordering::AcqRel);
            }
            self.done[p].0.store(w + 1, Ordering::Release);
            ran = true;
        }
    }

    /// Runs thread `me`'s partitions through epoch `e`. A thread that
    /// found nothing to run for a while (its partitions wait on another
    /// thread's, which the OS or the hypervisor may have paused) runs the
    /// other threads' ready partitions, lightest first; a short wait never
    /// moves a partition, so its state stays in its own core's cache.
    fn run_epoch<M: PartitionModel>(
        &self,
        me: usize,
        homes: &[Vec<usize>],
        e: &Epoch,
        items: &[Item<'_, M>],
        mail: &[Mailbox<M::Event>],
    ) {
        let mine = &homes[me];
        let mut idle = 0u32;
        loop {
            let mut ran = false;
            let mut open = false;
            for &p in mine {
                ran |= self.advance(p, e, items, mail);
                open |= self.done[p].0.load(Ordering::Acquire) < self.stop_at(e);
            }
            if !open || self.halt.load(Ordering::Acquire) {
                return;
            }
            if !ran && idle >= SPINS {
                let others = (1..homes.len()).map(|d| &homes[(me + d) % homes.len()]);
                for p in others.flat_map(|h| h.iter().rev()) {
                    ran |= self.advance(*p, e, items, mail);
                }
            }
            if ran {
                idle = 0;
            } else {
                back_off(&mut idle);
            }
        }
    }

    /// A helper thread: waits for each epoch, runs its partitions through it.
    fn work<M: PartitionModel>(
        &self,
        me: usize,
        homes: &[Vec<usize>],
        items: &[Item<'_, M>],
        mail: &[Mailbox<M::Event>],
    ) {
        let _stop = HaltOnUnwind(self);
        let mut seen = 0;
        loop {
            let mut rounds = 0u32;
            let tag = loop {
                if self.halt.load(Ordering::Acquire) {
                    return;
                }
                let tag = self.epoch_tag.load(Ordering::Acquire);
                if tag != seen {
                    break tag;
                }
                back_off(&mut rounds);
            };
            seen = tag;
            let e = *lock(&self.epoch);
            self.run_epoch(me, homes, &e, items, mail);
            self.finished.0.fetch_add(1, Ordering::AcqRel);
        }
    }
}

/// Halts the run if its thread unwinds (a partition panicked).
struct HaltOnUnwind<'a, 'n>(&'a Shared<'n>);

impl Drop for HaltOnUnwind<'_, '_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.halt.store(true, Ordering::Release);
        }
    }
}

/// Halts the helper threads when the calling thread leaves.
struct HaltOnDrop<'a, 'n>(&'a Shared<'n>);

impl Drop for HaltOnDrop<'_, '_> {
    fn drop(&mut self) {
        self.0.halt.store(true, Ordering::Release);
    }
}

/// Runs every event with time `<= end` by neighbour-synchronized windows,
/// on the calling thread and `pool`'s other threads; returns the windows
/// run. Mail left over from an earlier run is in the queues (the caller
/// flushes it), and this run's is flushed into them at its end.
#[allow(clippy::too_many_arguments)]
pub(super) fn run<M: PartitionModel>(
    pool: Option<&rayon::ThreadPool>,
    models: &mut [M],
    states: &mut [State<M::Event>],
    mail: &[Mailbox<M::Event>],
    neighbors: &Neighbors,
    planner: &mut Planner,
    lookahead: SimDuration,
    end: SimTime,
) -> Result<u64, ParallelError> {
    let n = states.len();
    let threads = pool.map_or(1, |p| p.current_num_threads().clamp(1, n));
    let homes = planner.homes(threads);
    let before: Vec<u64> = states.iter().map(|s| s.handled).collect();
    let items: Vec<Item<'_, M>> = models
        .iter_mut()
        .zip(states.iter_mut())
        .map(|(m, s)| Padded(Mutex::new((m, s))))
        .collect();
    let shared = Shared {
        neighbors,
        done: (0..n).map(|_| Padded(AtomicU64::new(0))).collect(),
        failed_in: (0..n).map(|_| AtomicU64::new(NO_FAULT)).collect(),
        first_fault: AtomicU64::new(NO_FAULT),
        epoch_tag: AtomicU64::new(0),
        epoch: Mutex::new(Epoch {
            first: 0,
            windows: 0,
            t0_ps: 0,
        }),
        finished: Padded(AtomicUsize::new(0)),
        halt: AtomicBool::new(false),
        lookahead_ps: lookahead.as_ps(),
        end_ps: end.as_ps(),
    };
    let coordinate = |shared: &Shared<'_>| -> Result<u64, ParallelError> {
        let _stop = HaltOnDrop(shared);
        let mut next_window = 0u64;
        let mut tag = 0u64;
        let mut last: Option<Epoch> = None;
        while let Some(e) = next_epoch(shared, &items, mail, next_window, last) {
            last = Some(e);
            *lock(&shared.epoch) = e;
            shared.finished.0.store(0, Ordering::Release);
            tag += 1;
            shared.epoch_tag.store(tag, Ordering::Release);
            shared.run_epoch(0, &homes, &e, &items, mail);
            let mut rounds = 0u32;
            while shared.finished.0.load(Ordering::Acquire) < threads - 1 {
                if shared.halt.load(Ordering::Acquire) {
                    return Err(ParallelError::Config(
                        "a worker thread stopped during an epoch".into(),
                    ));
                }
                back_off(&mut rounds);
            }
            next_window = e.first + e.windows;
            if shared.first_fault.load(Ordering::Acquire) != NO_FAULT {
                return Err(first_fault(&shared.failed_in, &items));
            }
        }
        Ok(next_window)
    };
    let windows = match pool {
        Some(pool) if threads > 1 => pool.install(|| {
            rayon::scope(|scope| {
                for me in 1..threads {
                    let (shared, items, homes) = (&shared, &items, &homes);
                    scope.spawn(move |_| shared.work(me, homes, items, mail));
                }
                coordinate(&shared)
            })
        }),
        _ => coordinate(&shared),
    };
    drop(items);
    // what the last window sent waits in the queues, for whichever run comes next
    for (m, s) in mail.iter().zip(states.iter_mut()) {
        m.take_into(0, s);
        m.take_into(1, s);
    }
    planner.add_weights(states.iter().zip(&before).map(|(s, b)| s.handled - b));
    let windows = windows?;
    match states.iter_mut().find_map(|s| s.fault.take()) {
        Some(e) => Err(e),
        None => Ok(windows),
    }
}

/// The next epoch after `last`, starting at the earliest queued or mailed
/// event, or `None` when nothing is left at or before the end. It holds
/// [`EPOCH_WINDOWS`](super::epoch::EPOCH_WINDOWS) windows, or twice as many as `last` (up to
/// [`MAX_EPOCH_WINDOWS`](super::epoch::MAX_EPOCH_WINDOWS)) when it starts in the window right after `last`.
/// Only the simulation's state decides, so the epochs are the same for
/// every thread count (and the results do not depend on them anyway).
fn next_epoch<M: PartitionModel>(
    shared: &Shared<'_>,
    items: &[Item<'_, M>],
    mail: &[Mailbox<M::Event>],
    first: u64,
    last: Option<Epoch>,
) -> Option<Epoch> {
    let slot = (first.wrapping_sub(1) & 1) as usize;
    let mut t0 = NONE_PS;
    for (item, m) in items.iter().zip(mail) {
        let queued = lock(&item.0)
            .1
            .queue
            .peek_time()
            .map_or(NONE_PS, SimTime::as_ps);
        t0 = t0.min(queued).min(m.min_ps(slot));
    }
    if t0 == NONE_PS || t0 > shared.end_ps {
        return None;
    }
    let la = shared.lookahead_ps;
    let length = epoch_length(last.as_ref(), t0, la);
    let span = shared.end_ps - t0;
    let windows = (span / la + 1).min(length);
    Some(Epoch {
        first,
        windows,
        t0_ps: t0,
    })
}

/// The fault of the earliest failed window, lowest partition first.
fn first_fault<M: PartitionModel>(failed_in: &[AtomicU64], items: &[Item<'_, M>]) -> ParallelError {
    let (_, p) = failed_in
        .iter()
        .enumerate()
        .map(|(p, w)| (w.load(Ordering::Acquire), p))
        .min()
        .unwrap_or((NO_FAULT, 0));
    lock(&items[p].0)
        .1
        .fault
        .take()
        .unwrap_or_else(|| ParallelError::Config(format!("partition {p} failed without a fault")))
}
