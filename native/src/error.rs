//! The native driver's errors (typed; the binary wraps them with anyhow).

use thiserror::Error;

/// Why a native run could not start or finish.
#[derive(Debug, Error)]
pub enum NativeError {
    /// A socket could not be opened, configured or used.
    #[error("udp socket {what}: {source}")]
    Socket {
        /// What was being done (e.g. "bind 127.0.0.1:0").
        what: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A worker or I/O thread could not be started.
    #[error("cannot start thread {name}: {source}")]
    Spawn {
        /// The thread's name.
        name: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A thread panicked (a bug: its work is lost, so the run is refused).
    #[error("thread {0} panicked")]
    ThreadPanicked(String),
    /// The runtime refused a call (e.g. registration).
    #[error("runtime: {0}")]
    Runtime(#[from] scheduler::RuntimeError),
    /// The configuration cannot run (no worker for a side, zero capacity, ...).
    #[error("configuration: {0}")]
    Config(String),
}
