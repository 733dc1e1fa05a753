//! One partition of the parallel engine: its bounded queue, clock and outbox, and the context its model schedules through.

use super::partition_queue::PartitionQueue;
use super::ParallelError;
use crate::time::{SimDuration, SimTime};

/// A partition's model: like [`crate::Model`], but it may also send events to
/// other partitions through [`Ctx::send`].
pub trait PartitionModel: Send {
    /// The event type shared by all partitions.
    type Event: Send;
    /// Handles one event at `now`; follow-ups go through `ctx`.
    fn handle(&mut self, now: SimTime, event: Self::Event, ctx: &mut Ctx<'_, Self::Event>);

    /// A placement hint: partitions of one group exchange most of their
    /// events with each other (a rack: its switch, servers and clients), so
    /// the engine keeps them on one thread when the group is no larger than
    /// a thread's share of the work. `None` (the default): no group. Where a
    /// partition runs never changes a result, only how much data moves
    /// between cores.
    fn group(&self) -> Option<u32> {
        None
    }
}

/// The declared talk graph, made symmetric: `of[p]` are the partitions
/// `p` may send to or receive from, sorted, without `p`.
#[derive(Clone, Debug)]
pub(crate) struct Neighbors {
    pub(crate) of: Vec<Vec<usize>>,
}

impl Neighbors {
    /// `sends_to[p]`: the partitions `p` may send to.
    pub(crate) fn new(sends_to: &[Vec<usize>]) -> Result<Self, ParallelError> {
        let n = sends_to.len();
        let mut of = vec![Vec::new(); n];
        for (p, dests) in sends_to.iter().enumerate() {
            for &d in dests {
                if d >= n {
                    return Err(ParallelError::Config(format!(
                        "partition {p} is declared to send to partition {d}, but there are only {n}"
                    )));
                }
                if d != p {
                    of[p].push(d);
                    of[d].push(p);
                }
            }
        }
        for v in &mut of {
            v.sort_unstable();
            v.dedup();
        }
        Ok(Neighbors { of })
    }
}

/// Bits of a tie-break given to the per-partition sequence; the partition id
/// takes the 16 bits above them.
pub(crate) const SEQ_BITS: u32 = 48;

/// A cross-partition event waiting in its sender's outbox for the barrier.
pub(crate) struct Outgoing<E> {
    pub(crate) dest: usize,
    pub(crate) time: SimTime,
    pub(crate) tiebreak: u64,
    pub(crate) event: E,
}

/// Everything of a partition except its model.
///
/// Aligned to 128 bytes (two lines: x86 cores prefetch lines in pairs) so
/// that two partitions' states never share a line: every event writes the
/// clock, the counters and the queue's header, and partitions that run on
/// two threads at once would otherwise pass those lines back and forth.
#[repr(align(128))]
pub(crate) struct State<E> {
    pub(crate) id: usize,
    pub(crate) partitions: usize,
    pub(crate) lookahead: SimDuration,
    pub(crate) now: SimTime,
    pub(crate) queue: PartitionQueue<E>,
    /// Next value of this partition's push counter (local and remote pushes).
    pub(crate) next_seq: u64,
    /// Bounded like the queue: a window cannot emit more than the queue bound.
    pub(crate) outbox: Vec<Outgoing<E>>,
    pub(crate) handled: u64,
    pub(crate) clamped: u64,
    /// The first fault; the partition stops handling events once it is set.
    pub(crate) fault: Option<ParallelError>,
    /// The partitions it may send to, sorted, when declared.
    pub(crate) talks_to: Option<Box<[usize]>>,
}

impl<E> State<E> {
    pub(crate) fn new(
        id: usize,
        partitions: usize,
        lookahead: SimDuration,
        capacity: usize,
    ) -> Self {
        State {
            id,
            partitions,
            lookahead,
            now: SimTime::ZERO,
            queue: PartitionQueue::with_capacity_limit(capacity),
            next_seq: 0,
            outbox: Vec::new(),
            handled: 0,
            clamped: 0,
            fault: None,
            talks_to: None,
        }
    }

    /// The next tie-break: (partition id, push counter), unique engine-wide
    /// and independent of thread timing.
    fn next_tiebreak(&mut self) -> Option<u64> {
        if self.next_seq >= 1 << SEQ_BITS {
            self.fail(ParallelError::SequenceExhausted { partition: self.id });
            return None;
        }
        let t = ((self.id as u64) << SEQ_BITS) | self.next_seq;
        self.next_seq += 1;
        Some(t)
    }

    fn fail(&mut self, e: ParallelError) {
        if self.fault.is_none() {
            self.fault = Some(e);
        }
    }

    /// Pushes a local event (clamped to `now` if in the past).
    pub(crate) fn push_local(&mut self, at: SimTime, event: E) {
        let at = if at < self.now {
            self.clamped += 1;
            self.now
        } else {
            at
        };
        let Some(tb) = self.next_tiebreak() else {
            return;
        };
        if self.queue.push_with_tiebreak(at, tb, event).is_err() {
            self.fail(ParallelError::QueueOverflow {
                partition: self.id,
                capacity: self.queue.capacity_limit(),
            });
        }
    }

    /// Pushes an event another partition sent (its key was set by the sender).
    // always: once per delivered event, from `Mailbox::take_into`'s loop;
    // out of line (as some codegen-unit splits of the `system` crate left
    // it) it cost the leaf-spine example 8.8 M more instructions in 598 M,
    // each event copied through a `memcpy` call
    #[inline(always)]
    pub(crate) fn push_delivered(&mut self, at: SimTime, tiebreak: u64, event: E) {
        if self.queue.push_with_tiebreak(at, tiebreak, event).is_err() {
            self.fail(ParallelError::QueueOverflow {
                partition: self.id,
                capacity: self.queue.capacity_limit(),
            });
        }
    }

    /// Handles events with time `<= last` until none is left or a fault stops the partition.
    pub(crate) fn run_window<M: PartitionModel<Event = E>>(
        &mut self,
        model: &mut M,
        last: SimTime,
    ) {
        while self.fault.is_none() {
            match self.queue.peek_time() {
                Some(t) if t <= last => {}
                _ => break,
            }
            self.step(model);
        }
    }

    /// Handles the earliest event.
    pub(crate) fn step<M: PartitionModel<Event = E>>(&mut self, model: &mut M) {
        if let Some((t, ev)) = self.queue.pop() {
            self.now = t;
            self.handled += 1;
            model.handle(t, ev, &mut Ctx { st: self });
        }
    }
}

/// What a partition's model sees: its clock, local scheduling, and sends to other partitions.
pub struct Ctx<'a, E> {
    st: &'a mut State<E>,
}

impl<E> Ctx<'_, E> {
    /// Current simulated time of this partition.
    #[inline]
    pub fn now(&self) -> SimTime {
        self.st.now
    }
    /// This partition's index.
    pub fn partition(&self) -> usize {
        self.st.id
    }
    /// Number of partitions.
    pub fn partitions(&self) -> usize {
        self.st.partitions
    }
    /// The engine's lookahead: the least delay of a cross-partition event.
    pub fn lookahead(&self) -> SimDuration {
        self.st.lookahead
    }

    /// Schedules a local event at `at` (clamped to `now` and counted if earlier).
    #[inline]
    pub fn schedule_at(&mut self, at: SimTime, event: E) {
        self.st.push_local(at, event);
    }

    /// Schedules a local event after `delay`.
    #[inline]
    pub fn schedule_in(&mut self, delay: SimDuration, event: E) {
        let at = self.st.now + delay;
        self.st.push_local(at, event);
    }

    /// Sends `event` to partition `dest`, to fire at `at`. A send to this
    /// partition is a local schedule. A send to another partition must be at
    /// least one lookahead in the future: that is what lets partitions run a
    /// window without waiting for each other. A violation (or an unknown
    /// destination, or a full outbox) is refused: the event is dropped, the
    /// partition stops, and the run returns the typed error.
    pub fn send(&mut self, dest: usize, at: SimTime, event: E) {
        let st = &mut *self.st;
        if dest == st.id {
            st.push_local(at, event);
            return;
        }
        if dest >= st.partitions {
            st.fail(ParallelError::UnknownPartition {
                from: st.id,
                dest,
                partitions: st.partitions,
            });
            return;
        }
        if let Some(of) = &st.talks_to {
            if of.binary_search(&dest).is_err() {
                st.fail(ParallelError::UndeclaredNeighbor { from: st.id, dest });
                return;
            }
        }
        let earliest = st.now.checked_add(st.lookahead).unwrap_or(SimTime::MAX);
        if at < earliest {
            st.fail(ParallelError::LookaheadViolation {
                from: st.id,
                dest,
                now: st.now,
                at,
                lookahead: st.lookahead,
            });
            return;
        }
        if st.outbox.len() >= st.queue.capacity_limit() {
            st.fail(ParallelError::OutboxOverflow {
                partition: st.id,
                capacity: st.queue.capacity_limit(),
            });
            return;
        }
        let Some(tiebreak) = st.next_tiebreak() else {
            return;
        };
        st.outbox.push(Outgoing {
            dest,
            time: at,
            tiebreak,
            event,
        });
    }

    /// Sends `event` to partition `dest` after `delay` (must be >= the lookahead).
    pub fn send_in(&mut self, dest: usize, delay: SimDuration, event: E) {
        let at = self.st.now.checked_add(delay).unwrap_or(SimTime::MAX);
        self.send(dest, at, event);
    }
}
