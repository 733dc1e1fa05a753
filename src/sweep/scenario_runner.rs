//! The real point runner: base scenario table + the point's overrides + its seed, validated and simulated.

use super::axes::Point;
use super::runner::PointRunner;
use super::spec::SweepSpec;
use crate::report::Summary;
use crate::run::run_scenario;
use crate::scenario::{overrides::set_value, Scenario};
use anyhow::Context;

/// Runs each point as `nicsim run BASE --set KEY=VALUE... --seed SEED` would.
pub struct ScenarioRunner {
    base: toml::Table,
    origin: String,
}

impl ScenarioRunner {
    /// A runner for the points of `spec`.
    pub fn new(spec: &SweepSpec) -> ScenarioRunner {
        ScenarioRunner {
            base: spec.base.clone(),
            origin: spec.base_origin.clone(),
        }
    }

    /// The validated scenario of one point.
    pub fn scenario(&self, p: &Point) -> anyhow::Result<Scenario> {
        let mut table = self.base.clone();
        for (key, value) in &p.params {
            set_value(&mut table, key, value.clone())
                .with_context(|| format!("sweep key `{key}`"))?;
        }
        // The sweep decides the seed; a `seed` key in the base is overridden.
        Ok(Scenario::from_table(table, &self.origin)?.with_seed(p.seed))
    }
}

impl PointRunner for ScenarioRunner {
    fn metric_columns(&self) -> Vec<String> {
        Summary::columns().into_iter().map(String::from).collect()
    }

    fn validate(&self, p: &Point) -> anyhow::Result<()> {
        self.scenario(p).map(|_| ())
    }

    fn run(&self, p: &Point) -> anyhow::Result<Vec<String>> {
        let out = run_scenario(&self.scenario(p)?)?;
        Ok(out.summary.fields())
    }
}
