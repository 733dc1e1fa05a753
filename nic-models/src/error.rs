//! Typed errors of the hardware models: bad configuration values and refused operations.

use thiserror::Error;

/// Why a hardware model could not be built or refused an operation.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ModelError {
    /// A configuration value is out of range; names the key and how to fix it.
    #[error("invalid value for `{key}`: {reason}")]
    InvalidConfig {
        /// Dotted key path inside the profile, e.g. `memory.caches[0].ways`.
        key: String,
        /// What is wrong and what would be accepted.
        reason: String,
    },
    /// A core id outside `0..cores`.
    #[error("core {core} does not exist (this machine has {cores} cores)")]
    NoSuchCore {
        /// The requested core.
        core: usize,
        /// Cores the machine has.
        cores: usize,
    },
    /// An accelerator engine's bounded queue was full: the request was dropped and counted.
    #[error("{kind} engine queue full ({depth} requests waiting): request dropped")]
    AccelQueueFull {
        /// Engine kind, e.g. `md5`.
        kind: String,
        /// The queue bound that was hit.
        depth: u32,
    },
}

/// Checks that `v` is finite and strictly positive.
pub(crate) fn positive(key: &str, v: f64) -> Result<(), ModelError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(ModelError::InvalidConfig {
            key: key.to_string(),
            reason: format!("must be a finite number > 0, got {v}"),
        })
    }
}
