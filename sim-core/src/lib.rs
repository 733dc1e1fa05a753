//! sim-core: simulated time, the event queue, the engine loop, seeded random streams and statistics.
//!
//! This crate knows nothing of NICs, packets or PCIe: it is the substrate the
//! model crates and the `nicsim` binary build on.
//!
//! Ordering guarantees of the engine, numbered so other docs can cite them:
//! 1. Events fire in non-decreasing simulated time.
//! 2. Events scheduled for the same instant fire in the order they were
//!    scheduled (FIFO ties), because the queue orders by (time, sequence).
//! 3. Simulated time never decreases; an event scheduled in the past fires
//!    "now" and is counted.
//! 4. Every pending-event queue is bounded; overflow stops the run with an
//!    error, never a silent loss.
//! 5. Given the same root seed, every random stream yields the same numbers,
//!    independently of which other streams exist.
//! 6. The parallel engine ([`parallel`]) gives the same results whatever its
//!    thread count: ties are broken by (time, source partition, source
//!    sequence), never by thread timing.

pub mod bench;
pub mod engine;
pub mod fifo_queue;
mod keyed_entry;
pub mod parallel;
pub mod queue;
pub mod rng;
pub mod stats;
pub mod table;
pub mod time;

pub use engine::{Engine, EngineError, Model, Scheduler};
pub use parallel::{Ctx, ParallelEngine, ParallelError, PartitionModel};
pub use queue::EventQueue;
pub use rng::{derive_seed, RngStreams, SimRng};
pub use stats::{LatencyHistogram, TimeSeries};
pub use table::Table;
pub use time::{SimDuration, SimTime};
