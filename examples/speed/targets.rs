//! Issue 13's speed targets, and how often a series of speed tables met them (`--tables N`): on a shared machine one table says little, the share of tables that meet a target says how robust it is.

use crate::table::{spread, TableFigures};

/// Simulated time over CPU time per thread (median run) a case should reach.
const X_CPU_TARGETS: [(&str, f64); 3] = [
    ("actors_mix", 2.0),
    ("quickstart LiquidIO 64 B", 1.0),
    ("Stingray PS225 25GbE 256 B", 1.0),
];

/// Speed-up on 2 threads against 1 a cluster family should reach.
const SPEEDUP_TARGETS: [(&str, f64); 1] = [("cluster_leaf_spine", 1.6)];

/// The target of `name` in `targets`, if it has one.
fn target_of(targets: &[(&str, f64)], name: &str) -> Option<f64> {
    targets.iter().find(|(n, _)| *n == name).map(|&(_, t)| t)
}

/// Prints, over `tables`, each case's `x_cpu` (median and range of the
/// tables' medians), each 1-vs-2-thread speed-up, and for the targets the
/// number of tables that met them.
pub fn print_summary(tables: &[TableFigures]) {
    let n = tables.len();
    println!("over {n} tables (x_cpu at each table's median run; speed-ups by wall median and paired CPU per thread):");
    let Some(first) = tables.first() else { return };
    for (case, _) in &first.x_cpu {
        let xs: Vec<f64> = tables
            .iter()
            .filter_map(|t| t.x_cpu.iter().find(|(c, _)| c == case).map(|(_, x)| *x))
            .collect();
        if xs.is_empty() {
            continue;
        }
        let (med, lo, hi) = spread(&xs);
        let target = target_of(&X_CPU_TARGETS, case).map_or(String::new(), |t| {
            let met = xs.iter().filter(|&&x| x >= t).count();
            format!("; target {t}x met in {met} of {}", xs.len())
        });
        println!("  {case:<34} x_cpu {med:.3} ({lo:.3}-{hi:.3}){target}");
    }
    for (family, _, _) in &first.speedups {
        let (walls, cpus): (Vec<f64>, Vec<f64>) = tables
            .iter()
            .filter_map(|t| t.speedups.iter().find(|(f, _, _)| f == family))
            .map(|&(_, w, c)| (w, c))
            .unzip();
        if walls.is_empty() {
            continue;
        }
        let (w_med, w_lo, w_hi) = spread(&walls);
        let (c_med, c_lo, c_hi) = spread(&cpus);
        let target = target_of(&SPEEDUP_TARGETS, family).map_or(String::new(), |t| {
            let by_wall = walls.iter().filter(|&&x| x >= t).count();
            let by_cpu = cpus.iter().filter(|&&x| x >= t).count();
            format!(
                "; target {t}x met in {by_wall} of {} by wall, {by_cpu} by CPU per thread",
                walls.len()
            )
        });
        println!(
            "  {family} on 2 threads: {w_med:.2}x wall ({w_lo:.2}-{w_hi:.2}), {c_med:.2}x CPU per thread ({c_lo:.2}-{c_hi:.2}){target}"
        );
    }
}
