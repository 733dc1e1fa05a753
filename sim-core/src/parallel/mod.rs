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
//! 3. What a partition sent during the window waits in its destination's
//!    mailbox, and the destination moves it into its own queue when it
//!    starts the next window (`windows.rs`: no per-event work is left to
//!    the calling thread between windows).
//!
//! Determinism: every event carries the key `(time, source partition, source
//! sequence)`, where the sequence counts the source partition's pushes. Each
//! queue pops by that key, so ties at equal times are broken by a total order
//! that depends only on the simulation, never on which thread ran first or on
//! the order in which mail reached a queue. Each partition therefore sees the
//! same event sequence with 1, 2 or N threads, and the same as in
//! [`ParallelEngine::run_reference_until`], a sequential run that handles
//! every event of every partition in one global key order with no windows.
//!
//! Threading uses a rayon pool of the requested size (no hand-written pool):
//! one job per pool thread lives for the whole run and meets the others at
//! each window through atomics (`crew.rs`), rather than a fork and a join
//! per window.
//!
//! When the model declares who talks to whom ([`ParallelEngine::set_neighbors`]:
//! a cluster's links), a run with a finite end drops the barrier after
//! every window: each partition runs window `w` once its neighbours are
//! through window `w - 1` (`flow.rs`), and the threads meet only once per
//! epoch of 64 windows. Same results, by the same argument: an event is in
//! its queue before its time comes, and queues pop by its key.

mod backoff;
mod crew;
#[cfg(test)]
mod crew_tests;
mod epoch;
mod flow;
#[cfg(test)]
mod flow_tests;
mod mailbox;
mod partition;
mod partition_queue;
#[cfg(test)]
mod test_util;
#[cfg(test)]
mod tests;
mod windows;

pub use partition::{Ctx, PartitionModel};

use crate::time::{SimDuration, SimTime};
use partition::{State, SEQ_BITS};
use windows::Windows;

/// A value on cache lines of its own (two: x86 cores prefetch lines in
/// pairs, see `State`'s alignment), for what one thread writes while
/// another reads or writes its neighbour: a partition's progress, its lock.
#[repr(align(128))]
struct Padded<T>(T);

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
    /// A partition sent to one it was not declared to talk to ([`ParallelEngine::set_neighbors`]).
    #[error("partition {from} sent an event to partition {dest}, which is not among its declared neighbours")]
    UndeclaredNeighbor {
        /// Sending partition.
        from: usize,
        /// Requested destination.
        dest: usize,
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

/// A model split into partitions, run by worker threads in lookahead windows.
pub struct ParallelEngine<M: PartitionModel> {
    models: Vec<M>,
    states: Vec<State<M::Event>>,
    lookahead: SimDuration,
    now: SimTime,
    windows: Windows<M::Event>,
    /// The worker threads: built by the first run on more than one thread,
    /// or shared by the caller ([`ParallelEngine::share_pool`]).
    pool: Option<(usize, std::sync::Arc<rayon::ThreadPool>)>,
    /// Who talks to whom, when declared: runs then synchronize by neighbours.
    neighbors: Option<partition::Neighbors>,
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
            windows: Windows::new(n),
            pool: None,
            neighbors: None,
        })
    }

    /// Runs on `pool`'s threads when a run asks for as many as it has, instead
    /// of building a pool of its own: a caller that spreads its own work
    /// around the runs (building models, reporting) keeps one set of
    /// threads. Results do not depend on it.
    pub fn share_pool(&mut self, pool: std::sync::Arc<rayon::ThreadPool>) {
        self.pool = Some((pool.current_num_threads(), pool));
    }

    /// Declares which partitions each partition may send to (`sends_to[p]`);
    /// the relation is taken both ways. From then on a run with a finite end
    /// lets each partition run a window as soon as its neighbours finished
    /// the one before (`flow.rs`) instead of waiting for every partition,
    /// and a send outside the declared neighbours is refused
    /// ([`ParallelError::UndeclaredNeighbor`]). Results are the same.
    pub fn set_neighbors(&mut self, sends_to: &[Vec<usize>]) -> Result<(), ParallelError> {
        let n = self.states.len();
        if sends_to.len() != n {
            return Err(ParallelError::Config(format!(
                "neighbours declared for {} partitions, but there are {n}",
                sends_to.len()
            )));
        }
        let nb = partition::Neighbors::new(sends_to)?;
        for (s, of) in self.states.iter_mut().zip(&nb.of) {
            s.talks_to = Some(of.clone().into_boxed_slice());
        }
        self.neighbors = Some(nb);
        Ok(())
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
            self.pool = Some((threads, std::sync::Arc::new(pool)));
        }
        let pool = match (&self.pool, threads) {
            (Some((_, pool)), t) if t > 1 => Some(&**pool),
            _ => None,
        };
        match &self.neighbors {
            // an epoch's windows are counted from a finite end
            Some(nb) if end != SimTime::MAX => {
                self.windows.run_flow(
                    &mut self.models,
                    &mut self.states,
                    nb,
                    self.lookahead,
                    end,
                    pool,
                )?;
            }
            _ => {
                self.windows.run(
                    &mut self.models,
                    &mut self.states,
                    self.lookahead,
                    end,
                    pool,
                )?;
            }
        }
        self.finish(end);
        Ok(())
    }

    /// The sequential reference: handles every event with time `<= end` in one
    /// global `(time, source, sequence)` order, delivering each cross-partition
    /// event as soon as it is sent (no windows, no threads). Slow; for tests
    /// that check the windowed run against it.
    pub fn run_reference_until(&mut self, end: SimTime) -> Result<(), ParallelError> {
        self.windows.flush(&mut self.states);
        Self::check_faults(&mut self.states)?;
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
        self.windows.count()
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
