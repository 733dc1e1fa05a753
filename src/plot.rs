//! `nicsim plot` and `line_plot`: line charts of a results table (one line per series), shared with the repro figures.
//!
//! Output is SVG (plotters' SVG backend, text as SVG `<text>`, no font files
//! needed). For `.png` the SVG is converted by `rsvg-convert` (Debian package
//! librsvg2-bin) when it is installed, else refused with that fix: plotters'
//! own bitmap backend would need a font rasteriser and font files we do not ship.

mod render;
pub mod style;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use sim_core::Table;

use crate::input_error::InputError;
pub use render::{linear_span, log_span, log_ticks, render_svg_from};
pub use style::MAX_LINES;

/// Arguments of `nicsim plot`.
#[derive(Debug, Clone, clap::Args)]
pub struct PlotArgs {
    /// A CSV table with a header row (e.g. a sweep's results.csv).
    pub csv: PathBuf,
    /// Column for the x axis (numeric).
    #[arg(long)]
    pub x: String,
    /// Column for the y axis (numeric).
    #[arg(long)]
    pub y: String,
    /// Column whose values split rows into lines (one line per distinct value, at most 60).
    #[arg(long)]
    pub series: Option<String>,
    /// Output file (.svg) [default: the CSV path with extension .svg].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Chart title [default: "Y vs X"].
    #[arg(long)]
    pub title: Option<String>,
    /// Logarithmic y axis (every y must be positive).
    #[arg(long)]
    pub log_y: bool,
}

/// `nicsim plot`: reads the CSV and writes the chart. Rows whose x or y is not
/// finite (`inf`, `NaN`) are skipped with a warning that counts them.
pub fn cmd_plot(args: PlotArgs) -> anyhow::Result<()> {
    let table = crate::sweep::results::read_csv(&args.csv)?;
    let origin = args.csv.display().to_string();
    let out = args.out.unwrap_or_else(|| args.csv.with_extension("svg"));
    let title = args
        .title
        .unwrap_or_else(|| format!("{} vs {}", args.y, args.x));
    let series = args.series.as_deref();
    let plotted = lines_from(&table, &args.x, &args.y, series, &origin)?;
    warn_skipped(&plotted, &origin);
    let svg = render_svg_from(
        &plotted.lines,
        &args.x,
        &args.y,
        &title,
        args.log_y,
        &origin,
    )?;
    write_plot(&svg, &out)?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// One line of a chart: its legend label and points sorted by x.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

/// The lines of a table, and the rows left out because x or y is not finite.
#[derive(Debug, Clone, PartialEq)]
pub struct Plotted {
    pub lines: Vec<Line>,
    /// Rows skipped for an `inf` or `NaN` cell.
    pub skipped: usize,
    /// 1-based CSV line of the first skipped row (header = line 1).
    pub first_skipped_line: Option<usize>,
}

/// Prints the skipped-rows warning, if any rows were skipped.
fn warn_skipped(p: &Plotted, origin: &str) {
    if let Some(line) = p.first_skipped_line {
        eprintln!(
            "warning: {origin}: skipped {} row(s) whose x or y is not a finite number (inf or NaN), the first at line {line}",
            p.skipped
        );
    }
}

fn column(table: &Table, name: &str, origin: &str) -> anyhow::Result<usize> {
    table.column(name).ok_or_else(|| {
        InputError::new(
            origin,
            Some(1),
            name,
            format!(
                "no column `{name}`. Fix: use one of: {}",
                table.columns.join(", ")
            ),
        )
        .into()
    })
}

/// The number in a cell (`inf` and `NaN` included: the caller skips them).
fn number(table: &Table, row: usize, col: usize, origin: &str) -> anyhow::Result<f64> {
    let cell = &table.rows[row][col];
    cell.trim().parse::<f64>().map_err(|_| {
        InputError::new(
            origin,
            Some(row + 2),
            table.columns[col].clone(),
            format!("`{cell}` is not a number. Fix: plot a numeric column."),
        )
        .into()
    })
}

/// Groups rows into lines. Rows sharing a series value and an x value (e.g.
/// repetitions) are averaged into one point. Series are ordered numerically when
/// all their values are numbers, else as strings. Rows with a non-finite x or y
/// are skipped (see `lines_from` for the count).
pub fn lines(table: &Table, x: &str, y: &str, series: Option<&str>) -> anyhow::Result<Vec<Line>> {
    Ok(lines_from(table, x, y, series, "table")?.lines)
}

/// `lines`, naming `origin` (the CSV file) in errors and counting skipped rows.
/// Fails if the series column has more than `MAX_LINES` distinct values.
pub fn lines_from(
    table: &Table,
    x: &str,
    y: &str,
    series: Option<&str>,
    origin: &str,
) -> anyhow::Result<Plotted> {
    let (xi, yi) = (column(table, x, origin)?, column(table, y, origin)?);
    let si = series.map(|s| column(table, s, origin)).transpose()?;
    // Ordered map: grouping is O(rows log series), never quadratic.
    let mut groups: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    let (mut skipped, mut first_skipped_line) = (0, None);
    for r in 0..table.rows.len() {
        let pt = (number(table, r, xi, origin)?, number(table, r, yi, origin)?);
        if !pt.0.is_finite() || !pt.1.is_finite() {
            skipped += 1;
            first_skipped_line.get_or_insert(r + 2);
            continue;
        }
        let key = si.map_or_else(String::new, |i| table.rows[r][i].clone());
        if !groups.contains_key(&key) && groups.len() == MAX_LINES {
            return Err(InputError::new(
                origin,
                None,
                series.unwrap_or_default(),
                format!(
                    "has more than {MAX_LINES} distinct values, one line each: too many for one chart. Fix: choose a --series column with fewer values, or filter the CSV first."
                ),
            )
            .into());
        }
        groups.entry(key).or_default().push(pt);
    }
    let mut groups: Vec<(String, Vec<(f64, f64)>)> = groups.into_iter().collect();
    let all_numeric = groups.iter().all(|(k, _)| k.parse::<f64>().is_ok());
    if all_numeric {
        groups.sort_by(|(a, _), (b, _)| {
            a.parse::<f64>()
                .unwrap_or(0.0)
                .total_cmp(&b.parse::<f64>().unwrap_or(0.0))
        });
    }
    let lines = groups
        .into_iter()
        .map(|(key, mut pts)| {
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut avg: Vec<(f64, f64, usize)> = Vec::new();
            for (px, py) in pts {
                match avg.last_mut() {
                    Some(last) if last.0 == px => {
                        last.1 += py;
                        last.2 += 1;
                    }
                    _ => avg.push((px, py, 1)),
                }
            }
            let label = match series {
                Some(s) => format!("{s}={key}"),
                None => y.to_string(),
            };
            Line {
                label,
                points: avg
                    .into_iter()
                    .map(|(px, sum, n)| (px, sum / n as f64))
                    .collect(),
            }
        })
        .collect();
    Ok(Plotted {
        lines,
        skipped,
        first_skipped_line,
    })
}

/// Renders `lines` as an SVG document: the chart on the left, the legend (when
/// there is more than one line or a series column) in a panel on the right, so
/// it never hides data. `log_y` uses a logarithmic y axis (all y must be > 0).
/// Axis labels name the columns with units (`style::axis_label`).
pub fn render_svg(
    lines: &[Line],
    x: &str,
    y: &str,
    title: &str,
    log_y: bool,
) -> anyhow::Result<String> {
    render_svg_from(lines, x, y, title, log_y, "plot")
}

/// Plots `y` against `x`, one line per distinct value of `series`, into `out`
/// (.svg, or .png through rsvg-convert). The repro figures call this too, so
/// every figure of the project looks alike.
pub fn line_plot(
    table: &Table,
    x: &str,
    y: &str,
    series: Option<&str>,
    title: &str,
    out: &Path,
) -> anyhow::Result<()> {
    line_plot_with(table, x, y, series, title, out, false)
}

/// `line_plot` with a choice of a logarithmic y axis (latency across loads).
pub fn line_plot_with(
    table: &Table,
    x: &str,
    y: &str,
    series: Option<&str>,
    title: &str,
    out: &Path,
    log_y: bool,
) -> anyhow::Result<()> {
    let plotted = lines_from(table, x, y, series, "table")?;
    warn_skipped(&plotted, "table");
    let svg = render_svg(&plotted.lines, x, y, title, log_y)?;
    write_plot(&svg, out)
}

/// Writes an SVG document to `out` (.svg, or .png through rsvg-convert).
fn write_plot(svg: &str, out: &Path) -> anyhow::Result<()> {
    let png = match out.extension().and_then(|e| e.to_str()) {
        Some("svg") => false,
        Some("png") => true,
        _ => {
            return Err(InputError::new(
                "--out",
                None,
                "",
                format!(
                    "{}: unknown plot format. Fix: use a .svg (or .png) file name.",
                    out.display()
                ),
            )
            .into())
        }
    };
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    if !png {
        return std::fs::write(out, svg).with_context(|| format!("cannot write {}", out.display()));
    }
    let tmp = out.with_extension("png.svg");
    std::fs::write(&tmp, svg).with_context(|| format!("cannot write {}", tmp.display()))?;
    let status = std::process::Command::new("rsvg-convert")
        .arg("-o")
        .arg(out)
        .arg(&tmp)
        .status();
    let removed = std::fs::remove_file(&tmp);
    match status {
        Ok(st) if st.success() => {
            removed.with_context(|| format!("cannot remove the temporary {}", tmp.display()))
        }
        Ok(st) => bail!("rsvg-convert failed ({st}) writing {}", out.display()),
        Err(_) => bail!(
            "{}: PNG needs `rsvg-convert`, which is not installed. Fix: `apt-get install librsvg2-bin`, or write .svg.",
            out.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_repetitions_and_orders_series_numerically() {
        let mut t = Table::new(["c", "x", "y"]);
        for row in [
            ["10", "1", "2"],
            ["2", "1", "5"],
            ["2", "1", "7"],
            ["2", "0", "1"],
        ] {
            t.push(row);
        }
        let l = lines(&t, "x", "y", Some("c")).unwrap();
        assert_eq!(l[0].label, "c=2");
        assert_eq!(l[0].points, vec![(0.0, 1.0), (1.0, 6.0)]);
        assert_eq!(l[1].points, vec![(1.0, 2.0)]);
        assert!(lines(&t, "nope", "y", None)
            .unwrap_err()
            .to_string()
            .contains("Fix"));
    }
}
