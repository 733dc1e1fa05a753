//! nicsim's server model and runs: scenario loading and validation, the node (one server) and the world that holds nodes, runs, and their reports.

pub mod cluster;
pub mod frame;
pub mod node;
pub mod report;
pub mod run;
pub mod scenario;
pub mod trace;
pub mod world;

pub use run::{run_scenario, RunOutput};
pub use scenario::Scenario;
