//! nicsim's simulated systems: scenario loading and validation, the systems a scenario assembles from the model crates, runs, and their reports.

pub mod cluster;
pub mod report;
pub mod run;
pub mod scenario;
pub mod systems;
pub mod trace;

pub use run::{run_scenario, RunOutput};
pub use scenario::Scenario;
