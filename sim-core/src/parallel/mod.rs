//! A conservative parallel engine: partitions (e.g. one per server) run on worker threads in lookahead windows, with results independent of the thread count.
//!
//! Each partition owns a model ([`PartitionModel`]), a bounded queue and a
//! clock. Events for other partitions go through [`Ctx::send`] and must be
//! stamped at least `lookahead` after the sender's clock (checked; a
//! violation is a typed error). That is the whole synchronization argument:
//!
//! 1. The run proceeds in windows. A window starts at `T`, the earliest
//!    pending event of any partition, and covers `[T, T + lookahead)`.
//! 2. Within a window every partition handles its own events independently
//!    (in parallel): nothing sent during the window can land inside it,
//!    because a send at `now >= T` fires at `>= T + lookahead`.
//! 3. At the barrier, outboxes are drained in partition order into the
//!    destination queues.
//!
//! Determinism: every event carries the key `(time, source partition, source
//! sequence)`, where the sequence counts the source partition's pushes. Each
//! queue pops by that key, so ties at equal times are broken by a total order
//! that depends only on the simulation, never on which thread ran first or on
//! the order of insertion at the barrier. Each partition therefore sees the
//! same event sequence with 1, 2 or N threads, and the same as in
//! [`ParallelEngine::run_reference_until`], a sequential run that handles
//! every event of every partition in one global key order with no windows.
//!
//! Threading uses a rayon pool of the requested size (no hand-written pool).

mod partition;
mod slab_queue;
#[cfg(test)]
mod tests;

pub use partition::{Ctx, PartitionModel};

use crate::time::{SimDuration, SimTime};
use partition::{State, SEQ_BITS};
use rayon::prelude::*;

/// Why a parallel run was refused or stopped.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ParallelError {
    /// A cross-partition event was stamped less than one lookahead after its sender's clock.
    #[error("lookahead violation: partition {from} sent an event to partition {dest} at {at}, but its clock is {now} and the lookahead is {lookahead}; cross-partition events must be at least one lookahead ahead")]
    LookaheadViolation {
        /// Sending partition.
        from: usize,
        /// Destination partition.
        dest: usize,
        /// Sender's clock.
        now: SimTime,
        /// Requested firing time.
        at: SimTime,
        /// The engine's lookahead.
        lookahead: SimDuration,
    },
    /// An event addressed to a partition that does not exist.
    #[error("partition {from} sent an event to partition {dest}, but there are only {partitions}")]
    UnknownPartition {
        /// Sending partition.
        from: usize,
        /// Requested destination.
        dest: usize,
        /// Number of partitions.
        partitions: usize,
    },
    /// A partition's queue hit its bound.
    #[error("event queue overflow in partition {partition} at the bound of {capacity}; raise the bound or find the runaway producer")]
    QueueOverflow {
        /// The partition whose queue is full.
        partition: usize,
        /// The queue bound.
        capacity: usize,
    },
    /// A partition emitted more cross-partition events in one window than its queue bound.
    #[error("outbox overflow in partition {partition}: more than {capacity} cross-partition events in one window")]
    OutboxOverflow {
        /// The sending partition.
        partition: usize,
        /// The bound (the queue bound).
        capacity: usize,
    },
    /// A partition pushed 2^48 events (the tie-break sequence space).
    #[error("partition {partition} exhausted its 2^48 event sequence numbers")]
    SequenceExhausted {
        /// The partition.
        partition: usize,
    },
    /// The engine was built with an unusable configuration.
    #[error("parallel engine configuration: {0}")]
    Config(String),
}

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

/// A model split into partitions, run by worker threads in lookahead windows.
pub struct ParallelEngine<M: PartitionModel> {
    models: Vec<M>,
    states: Vec<State<M::Event>>,
    lookahead: SimDuration,
    now: SimTime,
    windows: u64,
    pool: Option<(usize, rayon::ThreadPool)>,
}

impl<M: PartitionModel> ParallelEngine<M> {
    /// An engine over `models` (partition `i` is `models[i]`). `lookahead` is
    /// the least delay of any cross-partition event (must be > 0); every
    /// partition's queue holds at most `queue_capacity` events.
    pub fn new(
        models: Vec<M>,
        lookahead: SimDuration,
        queue_capacity: usize,
    ) -> Result<Self, ParallelError> {
        let n = models.len();
        if n == 0 {
            return Err(ParallelError::Config("no partitions".into()));
        }
        if n > 1 << (64 - SEQ_BITS) {
            return Err(ParallelError::Config(format!(
                "{n} partitions; at most {} are supported",
                1u64 << (64 - SEQ_BITS)
            )));
        }
        if lookahead == SimDuration::ZERO {
            return Err(ParallelError::Config(
                "lookahead is zero; it must be the least positive cross-partition delay".into(),
            ));
        }
        let states = (0..n)
            .map(|i| State::new(i, n, lookahead, queue_capacity))
            .collect();
        Ok(ParallelEngine {
            models,
            states,
            lookahead,
            now: SimTime::ZERO,
            windows: 0,
            pool: None,
        })
    }

    /// Schedules an initial event on `partition` (from outside the model).
    pub fn schedule_at(
        &mut self,
        partition: usize,
        at: SimTime,
        event: M::Event,
    ) -> Result<(), ParallelError> {
        let n = self.states.len();
        let st = self
            .states
            .get_mut(partition)
            .ok_or_else(|| ParallelError::Config(format!("partition {partition} of {n}")))?;
        st.push_local(at, event);
        Self::check_faults(&mut self.states)
    }

    /// Handles every event with time `<= end` on `threads` worker threads
    /// (1 = on the calling thread), then sets the clock to `end`. The result
    /// does not depend on `threads`.
    pub fn run_until(&mut self, end: SimTime, threads: usize) -> Result<(), ParallelError> {
        if threads == 0 {
            return Err(ParallelError::Config("threads must be at least 1".into()));
        }
        if threads > 1 && self.pool.as_ref().map(|p| p.0) != Some(threads) {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map_err(|e| ParallelError::Config(format!("thread pool: {e}")))?;
            self.pool = Some((threads, pool));
        }
        let (models, states, lookahead) = (&mut self.models, &mut self.states, self.lookahead);
        let windows = match (&self.pool, threads) {
            // The whole loop runs inside the pool, so each window's parallel
            // step starts from a worker thread (no hand-off per window).
            (Some((_, pool)), t) if t > 1 => {
                pool.install(|| Self::run_windows(models, states, lookahead, end, true))
            }
            _ => Self::run_windows(models, states, lookahead, end, false),
        };
        self.windows += windows?;
        self.finish(end);
        Ok(())
    }

    /// The window loop of [`Self::run_until`]; returns the windows run.
    fn run_windows(
        models: &mut [M],
        states: &mut [State<M::Event>],
        lookahead: SimDuration,
        end: SimTime,
        parallel: bool,
    ) -> Result<u64, ParallelError> {
        let mut windows = 0;
        // the first window runs in parallel (nothing is known yet)
        // events per window, smoothed over about 16 windows (x16, integer)
        let mut mean_events_x16 = PARALLEL_MIN_EVENTS * 16;
        while let Some(start) = states.iter().filter_map(|s| s.queue.peek_time()).min() {
            if start > end {
                break;
            }
            // Inclusive window end: min(start + lookahead - 1 ps, end).
            let last = SimTime::from_ps(
                start
                    .as_ps()
                    .saturating_add(lookahead.as_ps() - 1)
                    .min(end.as_ps()),
            );
            let before: u64 = states.iter().map(|s| s.handled).sum();
            if parallel && mean_events_x16 >= PARALLEL_MIN_EVENTS * 16 {
                Self::run_window_parallel(models, states, last);
            } else {
                for (m, s) in models.iter_mut().zip(states.iter_mut()) {
                    s.run_window(m, last);
                }
            }
            windows += 1;
            let window_events = states.iter().map(|s| s.handled).sum::<u64>() - before;
            mean_events_x16 = mean_events_x16 - mean_events_x16 / 16 + window_events;
            Self::check_faults(states)?;
            Self::deliver(states)?;
        }
        Ok(windows)
    }

    /// One window on the pool, heaviest partitions first, one task each.
    ///
    /// Which thread runs a partition never changes a result (partitions do
    /// not interact within a window), only how well the threads are used.
    /// A window is short (a lookahead of 500 ns holds about 50 events in the
    /// leaf-spine example) and one partition (a cluster's network) may do
    /// half the work: so partitions are started in decreasing order of the
    /// events they handled so far, each as its own task. The calling thread
    /// starts the heaviest while the others steal the rest from the far end,
    /// instead of rayon's default halves that put the heavy one and its
    /// neighbours on one thread.
    fn run_window_parallel(models: &mut [M], states: &mut [State<M::Event>], last: SimTime) {
        let mut work: Vec<(&mut M, &mut State<M::Event>)> = models
            .iter_mut()
            .zip(states.iter_mut())
            // only partitions with an event in the window have work
            .filter(|(_, s)| s.queue.peek_time().is_some_and(|t| t <= last))
            .collect();
        match work.len() {
            0 => {}
            1 => {
                let (m, s) = work.pop().expect("one partition");
                s.run_window(m, last);
            }
            _ => {
                // by events handled so far, then by id: a deterministic order
                work.sort_unstable_by_key(|(_, s)| (std::cmp::Reverse(s.handled), s.id));
                work.par_iter_mut()
                    .with_max_len(1)
                    .for_each(|(m, s)| s.run_window(&mut **m, last));
            }
        }
    }

    /// The sequential reference: handles every event with time `<= end` in one
    /// global `(time, source, sequence)` order, delivering each cross-partition
    /// event as soon as it is sent (no windows, no threads). Slow; for tests
    /// that check the windowed run against it.
    pub fn run_reference_until(&mut self, end: SimTime) -> Result<(), ParallelError> {
        loop {
            let next = self
                .states
                .iter()
                .enumerate()
                .filter_map(|(i, s)| s.queue.peek_key().map(|k| (k, i)))
                .min();
            let Some(((t, _), i)) = next else { break };
            if t > end {
                break;
            }
            self.states[i].step(&mut self.models[i]);
            Self::check_faults(&mut self.states)?;
            Self::deliver(&mut self.states)?;
        }
        self.finish(end);
        Ok(())
    }

    fn finish(&mut self, end: SimTime) {
        if end > self.now && end != SimTime::MAX {
            self.now = end;
            for s in &mut self.states {
                s.now = s.now.max(end);
            }
        }
    }

    /// The first fault, by partition index (deterministic: each partition's
    /// run within a window does not depend on the others).
    fn check_faults(states: &mut [State<M::Event>]) -> Result<(), ParallelError> {
        match states.iter_mut().find_map(|s| s.fault.take()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Moves every outbox into its destination queues, in partition order.
    /// The order of insertion does not matter for the result (queues pop by
    /// the event's key), but a fixed order keeps overflow reports stable.
    fn deliver(states: &mut [State<M::Event>]) -> Result<(), ParallelError> {
        for src in 0..states.len() {
            if states[src].outbox.is_empty() {
                continue;
            }
            let mut outbox = std::mem::take(&mut states[src].outbox);
            for o in outbox.drain(..) {
                let dst = &mut states[o.dest];
                if dst
                    .queue
                    .push_with_tiebreak(o.time, o.tiebreak, o.event)
                    .is_err()
                {
                    return Err(ParallelError::QueueOverflow {
                        partition: o.dest,
                        capacity: dst.queue.capacity_limit(),
                    });
                }
            }
            states[src].outbox = outbox;
        }
        Ok(())
    }

    /// The engine's clock (the end of the last `run_until`).
    pub fn now(&self) -> SimTime {
        self.now
    }
    /// Events handled by all partitions.
    pub fn events_handled(&self) -> u64 {
        self.states.iter().map(|s| s.handled).sum()
    }
    /// Events moved to `now` because they were scheduled in the past (should stay 0).
    pub fn clamped_to_now(&self) -> u64 {
        self.states.iter().map(|s| s.clamped).sum()
    }
    /// Synchronization windows run so far.
    pub fn windows(&self) -> u64 {
        self.windows
    }
    /// The lookahead.
    pub fn lookahead(&self) -> SimDuration {
        self.lookahead
    }
    /// The partitions' models, in partition order.
    pub fn models(&self) -> &[M] {
        &self.models
    }
    /// The partitions' models, mutably (e.g. to reconfigure between phases).
    pub fn models_mut(&mut self) -> &mut [M] {
        &mut self.models
    }
    /// Consumes the engine, returning the models.
    pub fn into_models(self) -> Vec<M> {
        self.models
    }
}
