//! `nicsim repro`: runs the `repro` crate's generators, writes their CSVs and claims, renders their plots, and fails when a claim fails.

use anyhow::Result;
use clap::Args;
use repro::{Ctx, Figure, Paper, ReproError, Tally};
use std::path::{Path, PathBuf};

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
    /// `eval` only: worker threads for its points (default: all cores).
    /// Outputs do not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// List the IDs and exit.
    #[arg(long)]
    pub list: bool,
    /// Paper values to compare against (default: the built-in copy of
    /// configs/calibration/ipipe-sigcomm19.toml).
    #[arg(long, value_name = "FILE")]
    pub calibration: Option<PathBuf>,
}

/// Claims outside their tolerance: the run's files are written, the command fails (exit 1).
#[derive(Debug, thiserror::Error)]
#[error("{failed} of {total} claims outside tolerance: {ids}. See {claims_csv}")]
pub struct ClaimsFailed {
    /// Failing claims.
    pub failed: usize,
    /// All claims.
    pub total: usize,
    /// IDs of the failing claims.
    pub ids: String,
    /// The claims file.
    pub claims_csv: String,
}

/// Renders `DIR/<id>.svg` for every figure with a plot, through `nicsim plot`'s renderer.
fn render_plots(figures: &[Figure], out: &Path) -> Result<()> {
    for f in figures {
        if let Some((table, series, p)) = f.plot_table() {
            let path = out.join(format!("{}.svg", f.id));
            crate::plot::line_plot_with(&table, p.x, p.y, series, &p.title, &path, p.log_y)?;
        }
    }
    Ok(())
}

/// Generates, writes and renders; returns the figures (the tests' entry point).
pub fn run(
    ids: &[String],
    quick: bool,
    out: &Path,
    calibration: Option<&Path>,
) -> Result<Vec<Figure>, anyhow::Error> {
    let paper = match calibration {
        Some(path) => Paper::load(path).map_err(ReproError::from)?,
        None => Paper::builtin().map_err(ReproError::from)?,
    };
    let entries = repro::select(ids)?;
    // Before minutes of simulation: an unwritable --out fails now.
    repro::check_out_dir(out)?;
    let figures = repro::generate(
        &entries,
        &Ctx {
            paper: &paper,
            quick,
        },
    )?;
    repro::write_outputs(&figures, out)?;
    render_plots(&figures, out)?;
    Ok(figures)
}

/// `nicsim repro eval`: runs the sweep and prints the summary.
fn cmd_eval(a: &ReproArgs) -> Result<()> {
    if a.threads == Some(0) {
        return Err(crate::input_error::InputError::new(
            "--threads",
            None,
            "",
            "must be at least 1. Fix: e.g. --threads 2, or leave it out for all cores",
        )
        .into());
    }
    let run = crate::repro_eval::run(a.quick, a.threads.unwrap_or(0), &a.out)?;
    println!(
        "eval        {:>4} rows -> {}/{{{}}}",
        run.rows.len(),
        a.out.display(),
        run.files.join(",")
    );
    let summary = repro::eval::summary::table(&run.rows);
    println!("  {}", summary.columns.join(" "));
    for r in &summary.rows {
        println!("  {}", r.join(" "));
    }
    println!("  predictions only: the paper's application results are not in the calibration data (no claims)");
    Ok(())
}

/// `nicsim repro`.
pub fn cmd_repro(a: ReproArgs) -> Result<()> {
    if a.list {
        for e in repro::registry() {
            println!("{:<12} {}", e.id, e.description);
        }
        println!(
            "{:<12} this machine natively vs simulated with host_local (native.csv)",
            "native"
        );
        println!(
            "{:<12} the three applications on a cluster: iPipe vs host-only (eval.csv, eval_summary.csv)",
            "eval"
        );
        return Ok(());
    }
    if a.threads.is_some() && !a.ids.iter().any(|i| i == "eval") {
        return Err(crate::input_error::InputError::new(
            "--threads",
            None,
            "",
            "applies to `nicsim repro eval` only. Fix: drop --threads, or add `eval` to the IDs",
        )
        .into());
    }
    // `eval` runs the applications sweep (predictions; no claims)
    if a.ids.iter().any(|i| i == "eval") {
        cmd_eval(&a)?;
        if a.ids.iter().all(|i| i == "eval") {
            return Ok(());
        }
    }
    // `native` runs this machine against the simulator (not a paper figure)
    if a.ids.iter().any(|i| i == "native") {
        crate::repro_native::run(&a.out)?;
        if a.ids.len() == 1 {
            return Ok(());
        }
    }
    let ids: Vec<String> = a
        .ids
        .iter()
        .filter(|i| *i != "native" && *i != "eval")
        .cloned()
        .collect();
    let figures = run(&ids, a.quick, &a.out, a.calibration.as_deref())?;
    for f in &figures {
        println!(
            "{:<11} {:>4} rows -> {}/{}.csv",
            f.id,
            f.table.rows.len(),
            a.out.display(),
            f.id
        );
        for c in &f.claims {
            println!(
                "  {} {:<48} paper {:>8.3} sim {:>8.3} {:<6} (err {:.1}%, tol {:.0}%, {})",
                if c.pass() { "PASS" } else { "FAIL" },
                c.claim_id,
                c.paper_value,
                c.simulated_value,
                c.unit,
                100.0 * c.rel_error(),
                100.0 * c.tolerance,
                c.basis.kind()
            );
        }
    }
    let claims = repro::all_claims(&figures);
    let tally = Tally::of(claims.iter().copied());
    let claims_csv = a.out.join("claims.csv").display().to_string();
    println!("{tally} -> {claims_csv}");
    if tally.failed() > 0 {
        let ids = claims
            .iter()
            .filter(|c| !c.pass())
            .map(|c| c.claim_id.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ClaimsFailed {
            failed: tally.failed(),
            total: claims.len(),
            ids,
            claims_csv,
        }
        .into());
    }
    Ok(())
}
