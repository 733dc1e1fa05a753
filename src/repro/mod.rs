//! `nicsim repro`: regenerate the paper's figures and tables, each beside the published values.
//!
//! Every figure generator returns a [`Figure`]: a table (written as
//! `DIR/<id>.csv`), an optional plot (`DIR/<id>.svg`) and the paper's
//! quantitative claims that the data covers (gathered into `DIR/claims.csv`).
//! Generators live next to the models they exercise (pcie-model, nic-models,
//! workloads) or here for the whole-system echo figures; this module only
//! lists them, runs them in parallel and writes the files.

mod echo_figs;
pub mod policies;

use crate::report::write::{csv_bytes, write_table_csv};
use anyhow::{bail, Result};
use clap::Args;
use rayon::prelude::*;
use sim_core::{Claim, Table};
use std::path::{Path, PathBuf};

/// How to plot a figure's table.
#[derive(Clone, Debug)]
pub struct PlotSpec {
    /// Column on the x axis.
    pub x: &'static str,
    /// Column on the y axis.
    pub y: &'static str,
    /// Columns whose values, joined, name the lines (empty: one line).
    pub series: &'static [&'static str],
    /// Plot title.
    pub title: String,
    /// Logarithmic y axis (for latencies spanning decades).
    pub log_y: bool,
}

/// One regenerated figure or table.
#[derive(Clone, Debug)]
pub struct Figure {
    /// `fig2`, `table2`, ...
    pub id: String,
    /// The data, written as `<id>.csv`.
    pub table: Table,
    /// Claims of the paper covered by this data.
    pub claims: Vec<Claim>,
    /// How to draw it, if it is a plot.
    pub plot: Option<PlotSpec>,
}

impl Figure {
    /// A figure from a generator returning `(Table, Vec<Claim>)`.
    pub fn from_parts(
        id: &str,
        (table, claims): (Table, Vec<Claim>),
        plot: Option<PlotSpec>,
    ) -> Self {
        Figure {
            id: id.to_string(),
            table,
            claims,
            plot,
        }
    }
}

/// Arguments of `nicsim repro`.
#[derive(Debug, Args)]
pub struct ReproArgs {
    /// Figure and table IDs (default: all). See `nicsim repro --list`.
    pub ids: Vec<String>,
    /// Output directory.
    #[arg(long, default_value = "results/repro")]
    pub out: PathBuf,
    /// Fewer points and shorter runs (for smoke tests).
    #[arg(long)]
    pub quick: bool,
    /// List the IDs and exit.
    #[arg(long)]
    pub list: bool,
}

type Generator = fn(bool) -> Result<Figure>;

/// Every ID `nicsim repro` knows, with a one-line description and its generator.
pub fn registry() -> Vec<(&'static str, &'static str, Generator)> {
    vec![
        ("fig2", "LiquidIO CN2350 echo throughput vs cores, 10GbE", |q| {
            echo_figs::core_scaling("fig2", "liquidio_cn2350", q, &[(64, None), (128, None), (256, Some(10)), (1500, Some(3))])
        }),
        ("fig3", "Stingray PS225 echo throughput vs cores, 25GbE", |q| {
            echo_figs::core_scaling("fig3", "stingray_ps225", q, &[(64, None), (128, None), (256, Some(3)), (1500, Some(1))])
        }),
        ("fig4", "echo throughput vs extra per-packet processing (headroom)", echo_figs::headroom),
        ("fig5", "CN2350 echo latency near maximum throughput, 6 and 12 cores", echo_figs::latency),
        ("fig6", "send/recv latency: LiquidIO packet units vs host DPDK and RDMA", |_| {
            let (t, c) = nic_models::figures::fig6();
            Ok(Figure::from_parts("fig6", (t, c), Some(PlotSpec { x: "payload_bytes", y: "latency_us", series: &["path", "op"], title: "fig6: messaging latency vs payload".into(), log_y: false })))
        }),
        ("table2", "pointer-chasing latency per memory level (Table 2)", |_| {
            Ok(Figure::from_parts("table2", nic_models::figures::table2(), None))
        }),
        ("table3", "offloaded task times on CN2350 and accelerator speedups (Table 3)", |_| {
            let (tasks, mut claims) = workloads::task_table::table3_tasks();
            let (accel, accel_claims) = nic_models::figures::table3_accel();
            claims.extend(accel_claims);
            Ok(Figure::from_parts("table3", (concat_tables(&tasks, &accel), claims), None))
        }),
        ("working_set", "key-value lookup time vs working set: the L2 cliff (implication I5)", |_| {
            Ok(Figure::from_parts("working_set", nic_models::figures::working_set(), Some(PlotSpec { x: "working_set_kb", y: "lookup_ns", series: &["platform"], title: "working set vs lookup time".into(), log_y: false })))
        }),
        ("fig7", "LiquidIO DMA latency vs payload: blocking and non-blocking reads and writes", |q| {
            Ok(Figure::from_parts("fig7", pcie_model::figures::fig7(q), Some(PlotSpec { x: "payload_bytes", y: "latency_us", series: &["op"], title: "fig7: DMA latency vs payload (LiquidIO CN2350)".into(), log_y: false })))
        }),
        ("fig8", "LiquidIO per-core DMA throughput vs payload", |q| {
            Ok(Figure::from_parts("fig8", pcie_model::figures::fig8(q), Some(PlotSpec { x: "payload_bytes", y: "throughput_gbytes_per_s", series: &["op"], title: "fig8: per-core DMA throughput (LiquidIO CN2350)".into(), log_y: false })))
        }),
        ("fig9", "BlueField one-sided RDMA latency vs payload, blocking DMA beside it", |q| {
            Ok(Figure::from_parts("fig9", pcie_model::figures::fig9(q), Some(PlotSpec { x: "payload_bytes", y: "latency_us", series: &["op"], title: "fig9: RDMA vs DMA latency (BlueField 1M332A)".into(), log_y: false })))
        }),
        ("fig10", "BlueField per-core RDMA throughput vs payload", |q| {
            Ok(Figure::from_parts("fig10", pcie_model::figures::fig10(q), Some(PlotSpec { x: "payload_bytes", y: "throughput_gbytes_per_s", series: &["op"], title: "fig10: per-core RDMA throughput (BlueField 1M332A)".into(), log_y: false })))
        }),
        ("policies", "scheduler policies: per-class latency vs load on CN2350 (hybrid, fcfs, drr, host_only)", policies::policies),
    ]
}

/// A copy of `t` with a `series` column joining the named columns (plots keyed by two columns; not written to CSV).
fn with_series(t: &Table, cols: &[&str]) -> Table {
    let idx: Vec<usize> = cols.iter().filter_map(|c| t.column(c)).collect();
    let mut out = Table::new(
        t.columns
            .iter()
            .cloned()
            .chain(std::iter::once("series".to_string())),
    );
    for r in &t.rows {
        let key = idx
            .iter()
            .map(|&i| r[i].as_str())
            .collect::<Vec<_>>()
            .join(" ");
        out.push(r.iter().cloned().chain(std::iter::once(key)));
    }
    out
}

/// Rows of `a` then `b` under the union of their columns (missing cells empty).
fn concat_tables(a: &Table, b: &Table) -> Table {
    let mut cols = a.columns.clone();
    for c in &b.columns {
        if !cols.contains(c) {
            cols.push(c.clone());
        }
    }
    let mut out = Table::new(cols.clone());
    for t in [a, b] {
        for r in &t.rows {
            out.push(
                cols.iter()
                    .map(|c| t.column(c).map(|i| r[i].clone()).unwrap_or_default()),
            );
        }
    }
    out
}

/// Runs the selected generators and writes their files. Returns the figures.
pub fn run(ids: &[String], quick: bool, out: &Path) -> Result<Vec<Figure>> {
    let reg = registry();
    let selected: Vec<_> = if ids.is_empty() {
        reg.iter().collect()
    } else {
        let mut v = Vec::new();
        for id in ids {
            match reg.iter().find(|(name, _, _)| name == id) {
                Some(entry) => v.push(entry),
                None => bail!(
                    "unknown repro ID `{id}`; known IDs: {}",
                    reg.iter()
                        .map(|(n, _, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }
        v
    };
    let figures: Vec<Result<Figure>> = selected
        .par_iter()
        .map(|(_, _, generate)| generate(quick))
        .collect();
    let figures: Vec<Figure> = figures.into_iter().collect::<Result<_>>()?;
    std::fs::create_dir_all(out)?;
    let mut claims = Vec::new();
    for f in &figures {
        write_table_csv(&out.join(format!("{}.csv", f.id)), &f.table)?;
        if let Some(p) = &f.plot {
            let path = out.join(format!("{}.svg", f.id));
            let (table, series) = match p.series {
                [] => (f.table.clone(), None),
                [one] => (f.table.clone(), Some(*one)),
                many => (with_series(&f.table, many), Some("series")),
            };
            crate::plot::line_plot_with(&table, p.x, p.y, series, &p.title, &path, p.log_y)?;
        }
        claims.extend(f.claims.iter().cloned());
    }
    let rows = claims.iter().map(Claim::csv_fields);
    crate::report::write::write_atomic(
        &out.join("claims.csv"),
        &csv_bytes(&Claim::CSV_COLUMNS, rows)?,
    )?;
    Ok(figures)
}

/// `nicsim repro`.
pub fn cmd_repro(a: ReproArgs) -> Result<()> {
    if a.list {
        for (id, desc, _) in registry() {
            println!("{id:<10} {desc}");
        }
        return Ok(());
    }
    let figures = run(&a.ids, a.quick, &a.out)?;
    let (mut pass, mut total) = (0, 0);
    for f in &figures {
        println!(
            "{:<9} {:>4} rows -> {}/{}.csv",
            f.id,
            f.table.rows.len(),
            a.out.display(),
            f.id
        );
        for c in &f.claims {
            total += 1;
            if c.pass() {
                pass += 1;
            }
            println!(
                "  {} {:<48} paper {:>8.3} sim {:>8.3} {:<6} (err {:.1}%, tol {:.0}%)",
                if c.pass() { "PASS" } else { "FAIL" },
                c.claim_id,
                c.paper_value,
                c.simulated_value,
                c.unit,
                100.0 * c.rel_error(),
                100.0 * c.tolerance
            );
        }
    }
    println!(
        "claims: {pass}/{total} within tolerance -> {}/claims.csv",
        a.out.display()
    );
    Ok(())
}
