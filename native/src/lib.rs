//! native: drives the iPipe runtime (`scheduler`) on real threads, a monotonic clock, in-process queues and UDP sockets on 127.0.0.1.
//!
//! The simulator drives `scheduler::Runtime` from its event loop with
//! simulated time; this crate drives the very same `Runtime` and the very
//! same actors through the same single entry point
//! ([`scheduler::Runtime::run_next`] / [`scheduler::Runtime::finish`] /
//! [`scheduler::Runtime::tick`]), with:
//!
//! - worker threads standing for cores: a NIC group and a host group, one
//!   thread per runtime core ([`NativeServer`]);
//! - [`scheduler::Platform::now`] reading a monotonic clock
//!   ([`Epoch`], `std::time::Instant` relative to the run's start);
//! - cost charges as no-ops: the handler's own work takes the time, and
//!   `charged_in_exec` is the real time the execution has taken so far (so
//!   the runtime's statistics and its watchdog see measured times);
//! - messages between actors through one bounded in-process queue
//!   (crossbeam channel; a full queue is a counted drop);
//! - messages between servers and clients as real UDP datagrams on
//!   127.0.0.1 ([`wire`]), each server with its own socket.
//!
//! # Why one lock
//! The runtime is single-threaded state and `run_next` decides *and* runs a
//! handler in one call (so no driver can run a handler at another time than
//! the one it was dispatched at). Both drivers keep `scheduler/` unchanged,
//! so here the runtime sits in one `Mutex` and a worker runs `run_next` while
//! holding it: handlers never overlap, exactly as the runtime documents
//! ("a native driver keeps that by calling the runtime from one thread (or
//! under a lock)"). Worker threads overlap everything else: socket I/O,
//! decoding, routing. With handlers of a few microseconds this serialisation
//! caps a server at about one core of handler time; it is reported, not
//! hidden (README, "Native runs").
//!
//! Nothing in `scheduler/` or in the actors knows which driver runs it: no
//! `cfg`, no feature, no native-only code path (`tests/it/no_native_path.rs`
//! checks the sources and the dependency graph).

pub mod client;
pub mod error;
pub mod platform;
pub mod server;
pub mod wire;
mod worker;

pub use client::{Client, ClientReport, OpenLoop, Planned, Received, RequestOutcome};
pub use error::NativeError;
pub use platform::{Epoch, NativePlatform};
pub use server::{
    register, NativeServer, ServerConfig, ServerCounters, ServerReport, LOOPBACK_NODE,
};
pub use wire::{Datagram, Status};
