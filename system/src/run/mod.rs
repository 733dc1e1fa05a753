//! Running one scenario: pick the system its workload needs, run it, and write its files.

mod actors;
mod echo;

pub use actors::{estimate_nic_capacity_rps, ClassResult};

use crate::report::write::{csv_bytes, write_atomic, write_table_csv, OutputError};
use crate::report::Summary;
use crate::scenario::schema::WorkloadSection;
use crate::scenario::Scenario;
use sim_core::{EngineError, Table};
use std::path::Path;

/// Everything one run produces.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// The `summary.csv` row.
    pub summary: Summary,
    /// `timeseries.csv`: one row per window.
    pub timeseries: Table,
    /// `resolved.toml`.
    pub resolved_toml: String,
    /// Further tables by file name, e.g. `actors.csv` for actor workloads.
    pub extra_tables: Vec<(String, Table)>,
    /// Per-class results of actor workloads (empty for echo).
    pub classes: Vec<ClassResult>,
}

/// Why a run failed after its scenario was accepted.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The engine stopped (a model bug or a bound too low).
    #[error("simulation stopped: {0}")]
    Engine(#[from] EngineError),
    /// The system could not be assembled (e.g. a profile without a cost model).
    #[error("cannot assemble the system: {0}")]
    Assembly(String),
}

/// Why a `[cluster]` scenario cannot run yet.
pub const CLUSTER_RUN_MISSING: &str = "running a [cluster] scenario is not implemented yet (the multi-server world is not built); `nicsim topo` and `nicsim validate` accept it";

/// Runs `scenario` to its end. Deterministic for a given scenario and seed;
/// only `wall_time_s` differs between two runs.
pub fn run_scenario(scenario: &Scenario) -> Result<RunOutput, RunError> {
    // A cluster must never quietly run as one server.
    if scenario.cluster.is_some() {
        return Err(RunError::Assembly(CLUSTER_RUN_MISSING.into()));
    }
    match (&scenario.workload, &scenario.actors) {
        (WorkloadSection::Echo(e), _) => echo::run_echo(scenario, e),
        (WorkloadSection::Actors(_), Some(plan)) => actors::run_actors(scenario, plan),
        (WorkloadSection::Actors(_), None) => Err(RunError::Assembly(
            "actor workload without a validated plan".into(),
        )),
    }
}

/// Writes `summary.csv`, `timeseries.csv`, `resolved.toml` and any extra
/// tables into `dir`, each atomically.
pub fn write_outputs(dir: &Path, out: &RunOutput) -> Result<(), OutputError> {
    write_atomic(
        &dir.join("summary.csv"),
        &csv_bytes(&Summary::columns(), [out.summary.fields()])?,
    )?;
    write_table_csv(&dir.join("timeseries.csv"), &out.timeseries)?;
    for (name, table) in &out.extra_tables {
        write_table_csv(&dir.join(name), table)?;
    }
    write_atomic(&dir.join("resolved.toml"), out.resolved_toml.as_bytes())?;
    Ok(())
}
