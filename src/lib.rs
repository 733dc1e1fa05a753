//! nicsim: the command-line tool's library: CLI dispatch, sweeps, Slurm scripts, merging, plotting and `nicsim repro`, over the `system` crate.

pub mod calibrate_host;
pub mod cli;
pub mod input_error;
pub mod merge;
pub mod native_cmd;
pub mod plot;
pub mod probe;
pub mod repro_cmd;
pub mod repro_eval;
pub mod repro_native;
pub mod run_cluster;
pub mod slurm;
pub mod sweep;

/// The paper reproduction (the `repro` crate), under its old path.
pub use ::repro;
pub use system::{frame, node, report, run, scenario, world};
pub use system::{run_scenario, RunOutput, Scenario};
