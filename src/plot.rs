//! `nicsim plot` and `line_plot`: line charts of a results table (one line per series), shared with the repro figures.
//!
//! Output is SVG (plotters' SVG backend, text as SVG `<text>`, no font files
//! needed). PNG is refused with a fix (convert the SVG): a bitmap needs a font
//! rasteriser and font files we do not ship.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use plotters::prelude::*;
use sim_core::Table;

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
    /// Column whose values split rows into lines (one line per distinct value).
    #[arg(long)]
    pub series: Option<String>,
    /// Output file (.svg) [default: the CSV path with extension .svg].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Chart title [default: "Y vs X"].
    #[arg(long)]
    pub title: Option<String>,
}

/// `nicsim plot`: reads the CSV and writes the chart.
pub fn cmd_plot(args: PlotArgs) -> anyhow::Result<()> {
    let table = crate::sweep::results::read_csv(&args.csv)?;
    let out = args.out.unwrap_or_else(|| args.csv.with_extension("svg"));
    let title = args
        .title
        .unwrap_or_else(|| format!("{} vs {}", args.y, args.x));
    line_plot(
        &table,
        &args.x,
        &args.y,
        args.series.as_deref(),
        &title,
        &out,
    )?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// One line of a chart: its legend label and points sorted by x.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

fn column(table: &Table, name: &str) -> anyhow::Result<usize> {
    table.column(name).ok_or_else(|| {
        anyhow!(
            "no column `{name}`. Fix: use one of: {}",
            table.columns.join(", ")
        )
    })
}

fn number(table: &Table, row: usize, col: usize) -> anyhow::Result<f64> {
    let cell = &table.rows[row][col];
    cell.parse::<f64>().map_err(|_| {
        anyhow!(
            "row {} column `{}`: `{cell}` is not a number. Fix: plot a numeric column.",
            row + 1,
            table.columns[col]
        )
    })
}

/// Groups rows into lines. Rows sharing a series value and an x value (e.g.
/// repetitions) are averaged into one point. Series are ordered numerically when
/// all their values are numbers, else as strings.
pub fn lines(table: &Table, x: &str, y: &str, series: Option<&str>) -> anyhow::Result<Vec<Line>> {
    let (xi, yi) = (column(table, x)?, column(table, y)?);
    let si = series.map(|s| column(table, s)).transpose()?;
    let mut groups: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    for r in 0..table.rows.len() {
        let key = si.map_or_else(String::new, |i| table.rows[r][i].clone());
        let pt = (number(table, r, xi)?, number(table, r, yi)?);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(pt),
            None => groups.push((key, vec![pt])),
        }
    }
    let all_numeric = groups.iter().all(|(k, _)| k.parse::<f64>().is_ok());
    groups.sort_by(|(a, _), (b, _)| {
        if all_numeric {
            a.parse::<f64>()
                .unwrap_or(0.0)
                .total_cmp(&b.parse::<f64>().unwrap_or(0.0))
        } else {
            a.cmp(b)
        }
    });
    Ok(groups
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
        .collect())
}

fn span(values: impl Iterator<Item = f64> + Clone, from_zero: bool) -> (f64, f64) {
    let lo = values.clone().fold(f64::INFINITY, f64::min);
    let hi = values.fold(f64::NEG_INFINITY, f64::max);
    let lo = if from_zero { lo.min(0.0) } else { lo };
    match lo.partial_cmp(&hi) {
        Some(Ordering::Less) => {
            let pad = if from_zero { (hi - lo) * 0.05 } else { 0.0 };
            (lo, hi + pad)
        }
        _ => (lo - 1.0, lo + 1.0),
    }
}

/// Renders `lines` as an SVG document.
pub fn render_svg(lines: &[Line], x: &str, y: &str, title: &str) -> anyhow::Result<String> {
    if lines.iter().all(|l| l.points.is_empty()) {
        bail!("nothing to plot: the table has no rows");
    }
    let pts = lines.iter().flat_map(|l| l.points.iter());
    let (x0, x1) = span(pts.clone().map(|p| p.0), false);
    let (y0, y1) = span(pts.map(|p| p.1), true);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 560)).into_drawing_area();
        let e = |e: DrawingAreaErrorKind<_>| anyhow!("plotting failed: {e}");
        root.fill(&WHITE).map_err(e)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_desc(x)
            .y_desc(y)
            .draw()
            .map_err(e)?;
        for (i, line) in lines.iter().enumerate() {
            let color = Palette99::pick(i).to_rgba();
            chart
                .draw_series(LineSeries::new(
                    line.points.iter().copied(),
                    color.stroke_width(2),
                ))
                .map_err(e)?
                .label(line.label.clone())
                .legend(move |(lx, ly)| {
                    PathElement::new(vec![(lx, ly), (lx + 20, ly)], color.stroke_width(2))
                });
            chart
                .draw_series(
                    line.points
                        .iter()
                        .map(|&p| Circle::new(p, 3, color.filled())),
                )
                .map_err(e)?;
        }
        if lines.len() > 1 || lines[0].label != y {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .label_font(("sans-serif", 14))
                .draw()
                .map_err(e)?;
        }
        root.present().map_err(e)?;
    }
    Ok(svg)
}

/// Plots `y` against `x`, one line per distinct value of `series`, into `out` (.svg).
/// The repro figures call this too, so every figure of the project looks alike.
pub fn line_plot(
    table: &Table,
    x: &str,
    y: &str,
    series: Option<&str>,
    title: &str,
    out: &Path,
) -> anyhow::Result<()> {
    match out.extension().and_then(|e| e.to_str()) {
        Some("svg") => {}
        Some("png") => bail!(
            "{}: PNG output is not supported. Fix: write .svg and convert it, e.g. `rsvg-convert -o fig.png fig.svg`.",
            out.display()
        ),
        _ => bail!("{}: unknown plot format. Fix: use a .svg file name.", out.display()),
    }
    let svg = render_svg(&lines(table, x, y, series)?, x, y, title)?;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(out, svg).with_context(|| format!("cannot write {}", out.display()))
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
