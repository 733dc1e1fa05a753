//! One partition's share of a window in the parallel engine: take the mail sent to it in the previous window, handle its events, post what it sent into the destinations' mailboxes.
//!
//! Why two slots per mailbox: a destination drains the slot of the previous
//! window while senders fill the other, so what a task takes never depends
//! on how far the other threads got. A partition with mail is always a task
//! of the next window, so a slot is empty again before its parity comes
//! back. Mail only ever carries events at least one lookahead after the
//! window it was sent in, so taking it one window later never delays an
//! event, and the queues pop by `(time, source, sequence)`, whatever the
//! order mail arrived in.
//!
//! Bounds: a sender's outbox holds at most the queue bound per window, so
//! a mailbox slot holds at most that times the number of partitions; the
//! destination's queue bound applies when it takes the mail.

use super::partition::{Outgoing, PartitionModel, State};
use super::Padded;
use crate::time::SimTime;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// No event (an empty queue or mailbox slot).
pub(super) const NONE_PS: u64 = u64::MAX;

/// Cross-partition events on their way to one partition. Each slot has
/// lines of its own (and so has each mailbox): in a run on several
/// threads, senders fill one slot while the destination's thread drains
/// the other, and slots side by side on one line would pass it between
/// the threads at every window that carries mail.
pub(super) struct Mailbox<E> {
    /// Events sent during windows of even and odd number, not yet taken.
    slots: [Padded<Slot<E>>; 2],
}

/// The mail of windows of one parity.
struct Slot<E> {
    mail: Mutex<Vec<Outgoing<E>>>,
    /// Earliest time in `mail`, in picoseconds ([`NONE_PS`]: empty).
    min_ps: AtomicU64,
}

impl<E> Mailbox<E> {
    pub(super) fn new() -> Self {
        let slot = || {
            Padded(Slot {
                mail: Mutex::new(Vec::new()),
                min_ps: AtomicU64::new(NONE_PS),
            })
        };
        Mailbox {
            slots: [slot(), slot()],
        }
    }

    /// Earliest time in slot `slot` ([`NONE_PS`]: empty). Read by the
    /// thread that plans the first window of a run, when no task runs.
    pub(super) fn min_ps(&self, slot: usize) -> u64 {
        self.slots[slot].0.min_ps.load(Ordering::Acquire)
    }

    /// Moves slot `slot` into `dest`'s queue.
    #[inline]
    pub(super) fn take_into(&self, slot: usize, dest: &mut State<E>) {
        let slot = &self.slots[slot].0;
        if slot.min_ps.load(Ordering::Relaxed) == NONE_PS {
            return;
        }
        slot.min_ps.store(NONE_PS, Ordering::Relaxed);
        let mut mail = lock(&slot.mail);
        // latest first: a sender mostly posts in time order, and the queue's
        // sorted mode keeps its earliest entry at the end, so an event taken
        // from the back mostly lands at the end with nothing to move. The
        // order of pushes never changes the order of pops (unique keys).
        // (A `drain(..)` here took the events front first, and its drop was
        // a call in some codegen-unit splits.)
        while let Some(o) = mail.pop() {
            dest.push_delivered(o.time, o.tiebreak, o.event);
        }
    }
}

impl<E> Slot<E> {
    /// Moves a run of events whose earliest time is `min_ps` into the slot
    /// (`move_into` does the moving) and lowers the slot's earliest time,
    /// both under the slot's lock. Every sender to a slot holds that lock
    /// while it posts, and the destination reads and resets `min_ps` only
    /// in a window where nobody posts to the slot, so a plain load and
    /// store cannot lose an update. (A `fetch_min` after the lock was one
    /// more locked compare-and-swap loop per post, on a line that senders
    /// on other cores contend for.)
    // always: once per run of sends, inside the inlined `post_outbox`
    #[inline(always)]
    fn post(&self, min_ps: u64, move_into: impl FnOnce(&mut Vec<Outgoing<E>>)) {
        let mut slot_mail = lock(&self.mail);
        move_into(&mut slot_mail);
        if min_ps < self.min_ps.load(Ordering::Relaxed) {
            self.min_ps.store(min_ps, Ordering::Relaxed);
        }
    }
}

/// The earliest time among `entries`, in picoseconds ([`NONE_PS`]: none).
#[inline(always)]
fn earliest_ps<E>(entries: &[Outgoing<E>]) -> u64 {
    entries
        .iter()
        .map(|o| o.time.as_ps())
        .min()
        .unwrap_or(NONE_PS)
}

/// What a task reports to the thread that plans the next window.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct TaskResult {
    pub(super) partition: usize,
    /// Earliest event left in the partition's queue ([`NONE_PS`]: none).
    pub(super) next_ps: u64,
    pub(super) handled: u64,
    pub(super) failed: bool,
}

/// What one thread's tasks of one window report to the planning thread:
/// their results, and the earliest event they posted to each partition.
/// Each thread fills its own log during a window, so the planning thread
/// reads one or two contiguous arrays per thread at the window's end rather
/// than a line per partition (each mailbox, each task's result) last
/// written by another core.
pub(super) struct WindowLog {
    pub(super) results: Vec<TaskResult>,
    /// Earliest event posted to each partition ([`NONE_PS`]: none).
    pub(super) posted_min_ps: Vec<u64>,
    /// The partitions with a posted time, to reset only those.
    posted_to: Vec<usize>,
}

impl WindowLog {
    pub(super) fn new(partitions: usize) -> Self {
        WindowLog {
            results: Vec::with_capacity(partitions),
            posted_min_ps: vec![NONE_PS; partitions],
            posted_to: Vec::with_capacity(partitions),
        }
    }

    pub(super) fn clear(&mut self) {
        self.results.clear();
        for p in self.posted_to.drain(..) {
            self.posted_min_ps[p] = NONE_PS;
        }
    }

    /// Notes an event posted to `dest` at `at_ps`.
    pub(super) fn posted(&mut self, dest: usize, at_ps: u64) {
        let t = &mut self.posted_min_ps[dest];
        if *t == NONE_PS {
            self.posted_to.push(dest);
        }
        *t = (*t).min(at_ps);
    }

    /// Adds `other`'s results and posted times to this log.
    pub(super) fn merge(&mut self, other: &WindowLog) {
        self.results.extend_from_slice(&other.results);
        for &p in &other.posted_to {
            self.posted(p, other.posted_min_ps[p]);
        }
    }
}

// A poisoned lock only means a partition panicked; the panic is resumed on
// the calling thread, and nothing reads the data afterwards.
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One partition's share of window `window`, ending at `last` (see the
/// module doc), reported in `log`.
pub(super) fn run_task<M: PartitionModel>(
    model: &mut M,
    s: &mut State<M::Event>,
    mail: &[Mailbox<M::Event>],
    window: u64,
    last: SimTime,
    log: &mut WindowLog,
) {
    let before = s.handled;
    mail[s.id].take_into((window.wrapping_sub(1) & 1) as usize, s);
    s.run_window(model, last);
    post_outbox(s, mail, (window & 1) as usize, |dest, min_ps| {
        log.posted(dest, min_ps)
    });
    log.results.push(TaskResult {
        partition: s.id,
        next_ps: s.queue.peek_time().map_or(NONE_PS, SimTime::as_ps),
        handled: s.handled - before,
        failed: s.fault.is_some(),
    });
}

/// Moves what `s` sent during a window into the destinations' mailboxes,
/// in slot `slot`; `posted(dest, earliest_ps)` hears of each run of sends
/// to one destination.
// always: once per partition-window on both of its call sites; left out of
// line by some codegen-unit splits, it cost the leaf-spine example 5 M more
// instructions (its `Drain` dropped through a call)
#[inline(always)]
pub(super) fn post_outbox<E>(
    s: &mut State<E>,
    mail: &[Mailbox<E>],
    slot: usize,
    mut posted: impl FnMut(usize, u64),
) {
    // one lock per run of events to the same destination, not per event:
    // with several threads, every sender's posts to a busy destination
    // (the network) contend for its slot. A server or a client
    // sends to the network only, so its whole outbox is one run. (Sorting
    // every outbox by destination first cost 5.2 M instructions in a
    // one-thread leaf-spine run of 723 M.)
    //
    // A server or a client sends to its switch only: its whole outbox moves
    // with one `append` (a copy of the buffer). Otherwise runs are found on
    // the slice left to drain and moved with one `extend` each. (A
    // `Peekable` moved every 48-byte entry through an `Option` on the stack
    // and back, and the loads of those copies waited on stores of other
    // widths: 11% of a one-thread leaf-spine profile, `perf annotate`.)
    // Both branches post through `Slot::post`, always inlined: an earlier
    // shared helper (fifteenth pass) cost 0.4-0.6% more instructions than
    // the two written out; this one, 0.7-0.8% fewer than them (callgrind,
    // leaf-spine and star, seventeenth pass).
    //
    // Most windows of most partitions send nothing: return before a `Drain`
    // is made (its drop was a call per window in some codegen-unit splits).
    let Some(first) = s.outbox.first() else {
        return;
    };
    let dest = first.dest;
    if s.outbox.iter().all(|o| o.dest == dest) {
        let min_ps = earliest_ps(&s.outbox);
        mail[dest].slots[slot]
            .0
            .post(min_ps, |slot_mail| slot_mail.append(&mut s.outbox));
        posted(dest, min_ps);
        return;
    }
    let mut sent = s.outbox.drain(..);
    while let Some(dest) = sent.as_slice().first().map(|o| o.dest) {
        let run = sent
            .as_slice()
            .iter()
            .take_while(|o| o.dest == dest)
            .count();
        let min_ps = earliest_ps(&sent.as_slice()[..run]);
        mail[dest].slots[slot].0.post(min_ps, |slot_mail| {
            slot_mail.extend(sent.by_ref().take(run))
        });
        posted(dest, min_ps);
    }
}
