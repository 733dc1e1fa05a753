//! nicsim: scenario loading, system assembly, runs and reports behind the `nicsim` command.

pub mod cli;
pub mod merge;
pub mod plot;
pub mod report;
pub mod repro;
pub mod run;
pub mod scenario;
pub mod slurm;
pub mod sweep;
pub mod system;

pub use run::{run_scenario, RunOutput};
pub use scenario::Scenario;
