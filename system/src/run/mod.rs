//! Running one scenario: assemble a world of one node for its workload, run it, and write its files.

pub mod actor_tables;
mod actors;
mod assemble;
mod capacity;
pub mod cluster;
mod cluster_count;
mod cluster_par;
mod cluster_report;
mod cluster_servers;
mod counters;
mod echo;
#[cfg(test)]
mod equivalence;
#[cfg(test)]
mod invariants;

pub use capacity::{estimate_nic_capacity_rps, source_rate_rps};

use crate::report::set::write_set;
use crate::report::write::{csv_bytes, OutputError};
use crate::report::Summary;
use crate::scenario::schema::WorkloadSection;
use crate::scenario::Scenario;
use sim_core::{EngineError, Table};
use std::path::Path;

/// Results of one class of actors after warm-up.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassResult {
    /// Class label.
    pub class: String,
    /// Requests completed after warm-up.
    pub completed: u64,
    /// Completed requests per second, millions.
    pub achieved_mrps: f64,
    /// Mean latency, us (creation to completion).
    pub mean_us: f64,
    /// 99th percentile latency, us.
    pub p99_us: f64,
}

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
    /// Where every generated packet or message is at the end, place by place.
    pub places: Places,
    /// Cluster runs: columns appended to `summary.csv` (cluster totals); empty otherwise.
    pub summary_extra: Vec<(String, String)>,
}

/// Where every generated packet or message is at the end of a run, each
/// place counted on its own, so a sum of independent counts checks
/// conservation: `generated = delivered + sum(ended) + sum(in_flight)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Places {
    /// Packets (echo) or messages to actors (actors) created.
    pub generated: u64,
    /// Echoed back, or served by their actor.
    pub delivered: u64,
    /// Other ends: delivered to the host by the switch, and every drop reason.
    pub ended: Vec<(&'static str, u64)>,
    /// Still inside, by place.
    pub in_flight: Vec<(&'static str, u64)>,
}

impl Places {
    /// Whether every generated item is accounted for exactly once.
    pub fn conserved(&self) -> bool {
        let ended: u64 = self.ended.iter().map(|(_, n)| n).sum();
        let inside: u64 = self.in_flight.iter().map(|(_, n)| n).sum();
        self.generated == self.delivered + ended + inside
    }
}

/// Why a run failed after its scenario was accepted.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The engine stopped (a model bug or a bound too low). Not a `source`:
    /// the message already includes the engine's, so `{:#}` prints it once.
    #[error("simulation stopped: {0}")]
    Engine(EngineError),
    /// The system could not be assembled (e.g. a profile without a cost model).
    #[error("cannot assemble the system: {0}")]
    Assembly(String),
}

impl From<EngineError> for RunError {
    fn from(e: EngineError) -> Self {
        RunError::Engine(e)
    }
}

/// Runs `scenario` to its end on the node model (every workload on the same
/// server model). Deterministic for a given scenario and seed; only
/// `wall_time_s` differs between two runs.
pub fn run_scenario(scenario: &Scenario) -> Result<RunOutput, RunError> {
    if scenario.cluster.is_some() {
        let opts = cluster::ClusterOptions::default();
        return cluster::run_cluster(scenario, &opts).map(|(out, _)| out);
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
/// tables as the whole content of `dir`, as one set: a reader (or a kill)
/// never finds files of two runs together (see `report::set`).
pub fn write_outputs(dir: &Path, out: &RunOutput) -> Result<(), OutputError> {
    let mut columns = Summary::columns();
    let mut fields = out.summary.fields();
    for (k, v) in &out.summary_extra {
        columns.push(k.as_str());
        fields.push(v.clone());
    }
    let mut files = vec![
        ("summary.csv".to_string(), csv_bytes(&columns, [fields])?),
        ("timeseries.csv".to_string(), table_bytes(&out.timeseries)?),
    ];
    for (name, table) in &out.extra_tables {
        files.push((name.clone(), table_bytes(table)?));
    }
    files.push((
        "resolved.toml".to_string(),
        out.resolved_toml.as_bytes().to_vec(),
    ));
    write_set(dir, &files)
}

fn table_bytes(t: &Table) -> Result<Vec<u8>, OutputError> {
    let cols: Vec<&str> = t.columns.iter().map(String::as_str).collect();
    csv_bytes(&cols, t.rows.iter().cloned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_engine_error_is_reported_once() {
        let e = RunError::from(EngineError::QueueOverflow {
            dropped: 1,
            capacity: 8,
        });
        // no source: a `{:#}` chain (anyhow in the binary) cannot repeat the message
        assert!(std::error::Error::source(&e).is_none());
        assert_eq!(e.to_string().matches("event queue overflow").count(), 1);
    }
}
