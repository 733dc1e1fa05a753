//! `nicsim merge`: merges shard output directories into one table sorted by point id, and checks completeness.
//!
//! Rows are matched by point id. A point present in several inputs must have
//! identical cells except `wall_time_s` (the only non-deterministic column);
//! the first occurrence is kept. With `--sweep`, every row must belong to the
//! sweep with the parameters the sweep gives it, and missing point ids are
//! listed and make the command fail (after writing what there is).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use sim_core::Table;

use crate::sweep::results::{self, point_cells, RESULTS_FILE, WALL_TIME_COLUMN};
use crate::sweep::{Expansion, SweepSpec};

/// Arguments of `nicsim merge`.
#[derive(Debug, Clone, clap::Args)]
pub struct MergeArgs {
    /// Shard output directories (each with a results.csv) or CSV files.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The sweep file: check that every point is present and belongs to it.
    #[arg(long)]
    pub sweep: Option<PathBuf>,
    /// Output CSV [default: standard output].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Leave a column out of the output (repeatable), e.g. `--drop-column wall_time_s` to compare runs.
    #[arg(long = "drop-column")]
    pub drop_columns: Vec<String>,
    /// With --sweep: the sweep's size limit, as for `nicsim sweep --max-points`.
    #[arg(long, value_parser = crate::sweep::parse_max_points)]
    pub max_points: Option<usize>,
}

/// The results table of a directory (DIR/results.csv) or a CSV file.
pub fn read_input(path: &Path) -> anyhow::Result<Table> {
    if path.is_dir() {
        results::read_csv(&path.join(RESULTS_FILE))
    } else {
        results::read_csv(path)
    }
}

/// Merges tables with identical headers into one, deduplicated and sorted by point id.
pub fn merge_tables(inputs: &[(String, Table)]) -> anyhow::Result<Table> {
    let Some((first_name, first)) = inputs.first() else {
        bail!("nothing to merge");
    };
    if first.columns.first().map(String::as_str) != Some("point_id") {
        crate::input_bail!(first_name, Some(1), "", "the first column is not point_id. Fix: merge results.csv files written by `nicsim sweep`.");
    }
    let mut out = Table::new(first.columns.clone());
    for (name, t) in inputs {
        if t.columns != first.columns {
            crate::input_bail!(
                name,
                Some(1),
                "",
                "has columns [{}] but {first_name} has [{}]. Fix: merge shards of one sweep only.",
                t.columns.join(","),
                first.columns.join(",")
            );
        }
        out.rows.extend(t.rows.iter().cloned());
    }
    results::sort_by_point_id(&mut out);
    let wall = out.column(WALL_TIME_COLUMN);
    let same = |a: &[String], b: &[String]| {
        a.iter()
            .zip(b)
            .enumerate()
            .all(|(i, (x, y))| Some(i) == wall || x == y)
    };
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(out.rows.len());
    for r in std::mem::take(&mut out.rows) {
        match rows.last() {
            Some(prev) if prev[0] == r[0] => {
                if !same(prev, &r) {
                    crate::input_bail!("merge inputs", None, "", "point {} appears twice with different results. Fix: the inputs come from different sweeps or versions.", r[0]);
                }
            }
            _ => rows.push(r),
        }
    }
    out.rows = rows;
    Ok(out)
}

/// Point ids of `spec` absent from `table`; fails if a row is not a point of the
/// sweep or has other parameters than the sweep gives it.
pub fn missing_points(spec: &SweepSpec, table: &Table) -> anyhow::Result<Vec<String>> {
    let (_, shown) = missing_summary(spec, table, usize::MAX)?;
    Ok(shown)
}

/// Like `missing_points`, streaming the sweep's points: returns the number of
/// missing points and the first `keep` of their ids.
pub fn missing_summary(
    spec: &SweepSpec,
    table: &Table,
    keep: usize,
) -> anyhow::Result<(usize, Vec<String>)> {
    let exp = Expansion::new(spec);
    for r in &table.rows {
        let Some(p) = exp.index_of(&r[0]).and_then(|i| exp.point(i)) else {
            crate::input_bail!(
                spec.path.display(),
                None,
                "",
                "point {} is not in sweep `{}`. Fix: pass the sweep file these results came from.",
                r[0],
                spec.name
            );
        };
        let lead = point_cells(&p);
        if r.len() < lead.len() || r[..lead.len()] != lead[..] {
            crate::input_bail!(spec.path.display(), None, "", "point {} has parameters [{}] but sweep `{}` gives [{}]. Fix: pass the sweep file these results came from.",
                p.id, r[..lead.len().min(r.len())].join(","), spec.name, lead.join(","));
        }
    }
    let present: std::collections::BTreeSet<&str> =
        table.rows.iter().map(|r| r[0].as_str()).collect();
    let mut count = 0;
    let mut shown = Vec::new();
    for p in exp.iter() {
        if !present.contains(p.id.as_str()) {
            count += 1;
            if shown.len() < keep {
                shown.push(p.id);
            }
        }
    }
    Ok((count, shown))
}

/// `nicsim merge`: writes the merged table, then fails listing missing points if incomplete.
pub fn cmd_merge(args: MergeArgs) -> anyhow::Result<()> {
    let mut inputs = Vec::new();
    for p in &args.inputs {
        inputs.push((
            p.display().to_string(),
            read_input(p).with_context(|| format!("merging {}", p.display()))?,
        ));
    }
    let mut merged = merge_tables(&inputs)?;
    let (missing, shown) = match &args.sweep {
        Some(s) => missing_summary(&SweepSpec::load_limited(s, args.max_points)?, &merged, 50)?,
        None => (0, Vec::new()),
    };
    for c in &args.drop_columns {
        if merged.column(c).is_none() {
            crate::input_bail!(
                "--drop-column",
                None,
                "",
                "`{c}`: no such column. Fix: use one of: {}",
                merged.columns.join(", ")
            );
        }
        results::drop_column(&mut merged, c);
    }
    match &args.out {
        Some(path) => {
            results::write_csv_atomic(path, &merged)?;
            eprintln!(
                "merged {} row(s) from {} input(s) into {}",
                merged.rows.len(),
                inputs.len(),
                path.display()
            );
        }
        None => {
            use std::io::Write;
            let mut bytes = results::encode_row(&merged.columns)?;
            for r in &merged.rows {
                bytes.extend(results::encode_row(r)?);
            }
            std::io::stdout().write_all(&bytes)?;
        }
    }
    if missing > 0 {
        bail!(
            "incomplete: {missing} point(s) missing: {}{}. Fix: rerun the shards that ran them (nicsim sweep resumes).",
            shown.join(" "),
            if missing > shown.len() { " ..." } else { "" }
        );
    }
    Ok(())
}
