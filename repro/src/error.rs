//! Why `nicsim repro` could not produce its outputs; bad input (exit 2) is told apart from a failed run.

use crate::paper::PaperError;
use system::report::write::OutputError;

/// Errors of the `repro` crate.
#[derive(Debug, thiserror::Error)]
pub enum ReproError {
    /// An ID that no generator has.
    #[error(
        "unknown repro ID `{id}`. Fix: use one of {known} (`nicsim repro --list` describes them)"
    )]
    UnknownId {
        /// The ID given.
        id: String,
        /// Every known ID, comma-separated.
        known: String,
    },
    /// The calibration file is unreadable, invalid or lacks a value.
    #[error(transparent)]
    Paper(#[from] PaperError),
    /// The output directory cannot be created or written.
    #[error("cannot write to output directory {path}: {source}. Fix: pass a writable directory to --out")]
    OutDir {
        /// The directory.
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Writing an output file failed after the directory was checked.
    #[error("{0}. Fix: check free space and permissions of the --out directory")]
    Output(#[from] OutputError),
    /// A generator's run or model failed: a bug or a broken built-in profile.
    #[error("{id}: {message}")]
    Generate {
        /// The figure.
        id: String,
        /// What failed.
        message: String,
    },
}

impl ReproError {
    /// Whether the user's input is at fault (unknown ID, calibration file,
    /// output directory): the command line exits 2 for these, 1 otherwise.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            ReproError::UnknownId { .. } | ReproError::Paper(_) | ReproError::OutDir { .. }
        )
    }

    /// A generator failure of figure `id`.
    pub fn generate(id: &str, e: impl std::fmt::Display) -> ReproError {
        ReproError::Generate {
            id: id.to_string(),
            message: e.to_string(),
        }
    }
}
