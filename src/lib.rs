//! nicsim: the command-line tool's library: CLI dispatch, sweeps, Slurm scripts, merging, plotting and `nicsim repro`, over the `system` crate.

pub mod cli;
pub mod input_error;
pub mod merge;
pub mod plot;
pub mod probe;
pub mod repro;
pub mod slurm;
pub mod sweep;

pub use system::{report, run, scenario, systems};
pub use system::{run_scenario, RunOutput, Scenario};
