//! `nicsim plot` and `line_plot`: line charts of a results table (one line per series), shared with the repro figures.
//!
//! Output is SVG (plotters' SVG backend, text as SVG `<text>`, no font files
//! needed). For `.png` the SVG is converted by `rsvg-convert` (Debian package
//! librsvg2-bin) when it is installed, else refused with that fix: plotters'
//! own bitmap backend would need a font rasteriser and font files we do not ship.

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
    /// Logarithmic y axis (every y must be positive).
    #[arg(long)]
    pub log_y: bool,
}

/// `nicsim plot`: reads the CSV and writes the chart.
pub fn cmd_plot(args: PlotArgs) -> anyhow::Result<()> {
    let table = crate::sweep::results::read_csv(&args.csv)?;
    let out = args.out.unwrap_or_else(|| args.csv.with_extension("svg"));
    let title = args
        .title
        .unwrap_or_else(|| format!("{} vs {}", args.y, args.x));
    let series = args.series.as_deref();
    line_plot_with(&table, &args.x, &args.y, series, &title, &out, args.log_y)?;
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

/// Line colours: the Tableau 10 palette, distinguishable and readable on white.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Tick labels without float noise: `2`, `2.5`, `0.125`.
fn tick(v: &f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// Draws the mesh, lines, markers and legend on a built chart; a macro because
/// linear and log charts have different coordinate types.
macro_rules! draw_lines {
    ($chart:ident, $legend_area:ident, $lines:ident, $x:ident, $y:ident, $legend:ident, $e:ident) => {
        $chart
            .configure_mesh()
            .x_desc($x)
            .y_desc($y)
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 17))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err($e)?;
        for (i, line) in $lines.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            $chart
                .draw_series(LineSeries::new(
                    line.points.iter().copied(),
                    color.stroke_width(2),
                ))
                .map_err($e)?;
            $chart
                .draw_series(
                    line.points
                        .iter()
                        .map(|&p| Circle::new(p, 3, color.filled())),
                )
                .map_err($e)?;
            if $legend {
                let ly = 40 + 24 * i as i32;
                $legend_area
                    .draw(&PathElement::new(
                        vec![(4, ly), (28, ly)],
                        color.stroke_width(2),
                    ))
                    .map_err($e)?;
                $legend_area
                    .draw(&Circle::new((16, ly), 3, color.filled()))
                    .map_err($e)?;
                $legend_area
                    .draw(&Text::new(
                        line.label.clone(),
                        (36, ly - 8),
                        ("sans-serif", 15),
                    ))
                    .map_err($e)?;
            }
        }
    };
}

/// Renders `lines` as an SVG document: the chart on the left, the legend (when
/// there is more than one line or a series column) in a panel on the right, so
/// it never hides data. `log_y` uses a logarithmic y axis (all y must be > 0).
pub fn render_svg(
    lines: &[Line],
    x: &str,
    y: &str,
    title: &str,
    log_y: bool,
) -> anyhow::Result<String> {
    if lines.iter().all(|l| l.points.is_empty()) {
        bail!("nothing to plot: the table has no rows");
    }
    let pts = lines.iter().flat_map(|l| l.points.iter());
    if log_y {
        if let Some(p) = pts
            .clone()
            .find(|p| p.1.partial_cmp(&0.0) != Some(Ordering::Greater))
        {
            bail!(
                "a log y axis needs positive values, but `{y}` is {} at x = {}. Fix: drop --log-y.",
                p.1,
                p.0
            );
        }
    }
    let (x0, x1) = span(pts.clone().map(|p| p.0), false);
    let (y0, y1) = span(pts.clone().map(|p| p.1), true);
    let legend = lines.len() > 1 || lines[0].label != y;
    let (width, height, legend_width) = (960u32, 560u32, if legend { 210u32 } else { 0 });
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let e = |e: DrawingAreaErrorKind<_>| anyhow!("plotting failed: {e}");
        root.fill(&WHITE).map_err(e)?;
        let root = root.titled(title, ("sans-serif", 24)).map_err(e)?;
        let (plot_area, legend_area) = root.split_horizontally(width - legend_width);
        let mut builder = ChartBuilder::on(&plot_area);
        builder
            .margin(16)
            .x_label_area_size(50)
            .y_label_area_size(76);
        if log_y {
            let lo = pts.clone().map(|p| p.1).fold(f64::INFINITY, f64::min) / 1.25;
            let hi = pts.map(|p| p.1).fold(f64::NEG_INFINITY, f64::max) * 1.25;
            let mut chart = builder
                .build_cartesian_2d(x0..x1, (lo..hi).log_scale())
                .map_err(e)?;
            draw_lines!(chart, legend_area, lines, x, y, legend, e);
        } else {
            let mut chart = builder.build_cartesian_2d(x0..x1, y0..y1).map_err(e)?;
            draw_lines!(chart, legend_area, lines, x, y, legend, e);
        }
        root.present().map_err(e)?;
    }
    Ok(svg)
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
    let png = match out.extension().and_then(|e| e.to_str()) {
        Some("svg") => false,
        Some("png") => true,
        _ => bail!(
            "{}: unknown plot format. Fix: use a .svg (or .png) file name.",
            out.display()
        ),
    };
    let svg = render_svg(&lines(table, x, y, series)?, x, y, title, log_y)?;
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
    let _ = std::fs::remove_file(&tmp);
    match status {
        Ok(st) if st.success() => Ok(()),
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
