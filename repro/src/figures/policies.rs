//! `nicsim repro policies`: the scheduler-policy study on a LiquidIO CN2350.
//!
//! The mix of `configs/actors_mix.toml`: low-dispersion actors (fixed cost, about 2 us) and
//! high-dispersion actors (variable cost, 2 to 71 us) receives Poisson
//! requests at 10% to 120% of the NIC's measured capacity for that mix,
//! under the policies hybrid, fcfs, drr and host_only. Each run reports, per
//! class, the completed request rate and the mean and p99 latency from a
//! request's arrival at the NIC to the end of its execution.

use crate::error::ReproError;
use crate::figure::{Figure, PlotSpec};
use crate::Ctx;
use rayon::prelude::*;
use sim_core::table::fmt_f64;
use sim_core::Table;
use system::scenario::apply_override;
use system::{run_scenario, RunOutput, Scenario};

type Result<T> = std::result::Result<T, ReproError>;

/// Policies compared.
pub const POLICIES: [&str; 4] = ["hybrid", "fcfs", "drr", "host_only"];

/// The study's base scenario, `configs/actors_mix.toml`, compiled in so the
/// study runs from any directory.
const ACTORS_MIX: &str = include_str!("../../../configs/actors_mix.toml");

/// The study's scenario: `configs/actors_mix.toml` with the policy, the load
/// and the duration set.
pub fn study_scenario(policy: &str, load_fraction: f64, duration_ms: f64) -> Result<Scenario> {
    let fail = |e: &dyn std::fmt::Display| {
        ReproError::generate("policies", format!("configs/actors_mix.toml: {e}"))
    };
    let mut table: toml::Table = ACTORS_MIX.parse().map_err(|e| fail(&e))?;
    for (key, value) in [
        ("scheduler.policy", format!("\"{policy}\"")),
        ("workload.load_fraction", format!("{load_fraction}")),
        ("duration_ms", format!("{duration_ms}")),
    ] {
        apply_override(&mut table, key, &value).map_err(|e| fail(&e))?;
    }
    Scenario::from_table(table, "configs/actors_mix.toml (repro policies)").map_err(|e| fail(&e))
}

/// Offered loads, as fractions of the NIC's capacity.
fn loads(quick: bool) -> Vec<f64> {
    if quick {
        vec![0.3, 0.9, 1.2]
    } else {
        (1..=12).map(|i| i as f64 / 10.0).collect()
    }
}

/// Runs the study.
pub fn policies(ctx: &Ctx<'_>) -> Result<Figure> {
    let quick = ctx.quick;
    let duration_ms = if quick { 10.0 } else { 40.0 };
    let points: Vec<(&str, f64)> = POLICIES
        .iter()
        .flat_map(|&p| loads(quick).into_iter().map(move |l| (p, l)))
        .collect();
    let outs: Vec<Result<RunOutput>> = points
        .par_iter()
        .map(|&(p, l)| {
            run_scenario(&study_scenario(p, l, duration_ms)?)
                .map_err(|e| ReproError::generate("policies", e))
        })
        .collect();
    let mut table = Table::new([
        "policy",
        "load_fraction",
        "class",
        "achieved_mrps",
        "mean_us",
        "p99_us",
    ]);
    for (&(p, l), out) in points.iter().zip(outs) {
        for c in out?.classes {
            table.push([
                p.to_string(),
                fmt_f64(l, 2),
                c.class.clone(),
                fmt_f64(c.achieved_mrps, 4),
                fmt_f64(c.mean_us, 3),
                fmt_f64(c.p99_us, 3),
            ]);
        }
    }
    Ok(Figure {
        id: "policies".into(),
        table,
        claims: Vec::new(),
        plot: Some(PlotSpec {
            x: "load_fraction",
            y: "p99_us",
            series: &["policy", "class"],
            title: "policies: p99 latency per class vs offered load (CN2350)".into(),
            log_y: true,
        }),
    })
}
