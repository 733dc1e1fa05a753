//! SVG rendering of plot lines: safe axis ranges, log ticks at decades (and 2, 5), markers and legend.
//!
//! Every range handed to plotters is finite, non-empty and wide enough for f64
//! to step through: plotters' tick search loops forever on an infinite range
//! and its log axis on a zero bound, so those are refused or widened here.

use std::cmp::Ordering;

use anyhow::anyhow;
use plotters::coord::combinators::BindKeyPoints;
use plotters::prelude::*;

use super::style::{axis_label, style_of, tick, Marker};
use super::Line;
use crate::input_error::InputError;

/// The (low, high) of a linear axis over `values` (finite). `from_zero`
/// includes 0 and pads the top by 5%. Equal or nearly equal values (closer than
/// f64 resolves ticks) get a symmetric pad. Fails if the span is not finite.
pub fn linear_span(values: &[f64], from_zero: bool) -> Result<(f64, f64), String> {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lo = if from_zero { lo.min(0.0) } else { lo };
    let hi = if from_zero { hi.max(0.0) } else { hi };
    let magnitude = lo.abs().max(hi.abs());
    let (lo, hi) = if hi - lo <= magnitude * 1e-9 {
        let mid = lo / 2.0 + hi / 2.0;
        let pad = (mid.abs() * 0.05).max(1.0);
        (mid - pad, mid + pad)
    } else if from_zero {
        (lo, hi + (hi - lo) * 0.05)
    } else {
        (lo, hi)
    };
    if (hi - lo).is_finite() && hi > lo {
        Ok((lo, hi))
    } else {
        Err(format!(
            "the values span from {lo:e} to {hi:e}, wider than a plot axis can hold. Fix: plot a column with a smaller range (or rescale it)"
        ))
    }
}

/// The (low, high) of a log axis over positive `values`: a 25% margin each side.
pub fn log_span(values: &[f64]) -> Result<(f64, f64), String> {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min) / 1.25;
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max) * 1.25;
    if lo > 0.0 && hi.is_finite() && lo.is_normal() {
        Ok((lo, hi))
    } else {
        Err(format!(
            "the values span from {lo:e} to {hi:e}, beyond what a log axis can show. Fix: drop --log-y or rescale the column"
        ))
    }
}

/// Log-axis ticks: 1, 2 and 5 times each power of ten when the axis spans up to
/// four decades (1..9 when that gives fewer than three ticks), else whole
/// decades, every k-th so that at most about eight are labelled.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    // Negative powers as 1 / 10^k: exact for the decades f64 prints as `0.001`.
    let pow10 = |d: i32| {
        if d >= 0 {
            10f64.powi(d)
        } else {
            1.0 / 10f64.powi(-d)
        }
    };
    let (d0, d1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let within = |v: &f64| *v >= lo && *v <= hi;
    let pick = |mults: &[f64]| -> Vec<f64> {
        (d0..=d1)
            .flat_map(|d| mults.iter().map(move |m| m * pow10(d)))
            .filter(within)
            .collect()
    };
    if d1 - d0 <= 4 {
        let t = pick(&[1.0, 2.0, 5.0]);
        if t.len() >= 3 {
            return t;
        }
        return pick(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
    }
    let step = ((d1 - d0) as usize).div_ceil(8).max(1);
    (d0..=d1).step_by(step).map(pow10).filter(within).collect()
}

/// Draws one line's markers on a chart; a macro because chart coordinates differ.
macro_rules! markers {
    ($chart:expr, $points:expr, $marker:expr, $style:expr, $e:ident) => {
        match $marker.vertices() {
            None => $chart
                .draw_series($points.map(|p| Circle::new(p, 4, $style)))
                .map(|_| ())
                .map_err($e)?,
            Some(v) => $chart
                .draw_series($points.map(|p| EmptyElement::at(p) + Polygon::new(v.clone(), $style)))
                .map(|_| ())
                .map_err($e)?,
        }
    };
}

/// Draws one marker at pixel `at` of a drawing area (the legend).
fn legend_marker(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    at: (i32, i32),
    marker: Marker,
    style: ShapeStyle,
) -> anyhow::Result<()> {
    let e = |e: DrawingAreaErrorKind<_>| anyhow!("plotting failed: {e}");
    match marker.vertices() {
        None => area.draw(&Circle::new(at, 4, style)).map_err(e),
        Some(v) => area
            .draw(&(EmptyElement::at(at) + Polygon::new(v, style)))
            .map_err(e),
    }
}

/// Draws the mesh, lines, markers and legend on a built chart; a macro because
/// linear and log charts have different coordinate types.
macro_rules! draw_lines {
    ($chart:ident, $legend_area:ident, $lines:ident, $x:ident, $y:ident, $legend:ident, $e:ident) => {
        $chart
            .configure_mesh()
            .x_desc(axis_label($x))
            .y_desc(axis_label($y))
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 17))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err($e)?;
        for (i, line) in $lines.iter().enumerate() {
            let (color, marker): (RGBColor, Marker) = style_of(i);
            $chart
                .draw_series(LineSeries::new(
                    line.points.iter().copied(),
                    color.stroke_width(2),
                ))
                .map_err($e)?;
            markers!(
                $chart,
                line.points.iter().copied(),
                marker,
                color.filled(),
                $e
            );
            if $legend {
                let ly = 40 + 24 * i as i32;
                $legend_area
                    .draw(&PathElement::new(
                        vec![(4, ly), (28, ly)],
                        color.stroke_width(2),
                    ))
                    .map_err($e)?;
                legend_marker(&$legend_area, (16, ly), marker, color.filled())?;
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

/// `render_svg` with `origin` (the CSV file) named in errors about the data.
pub fn render_svg_from(
    lines: &[Line],
    x: &str,
    y: &str,
    title: &str,
    log_y: bool,
    origin: &str,
) -> anyhow::Result<String> {
    let bad = |key: &str, m: String| anyhow::Error::from(InputError::new(origin, None, key, m));
    if lines.iter().all(|l| l.points.is_empty()) {
        return Err(bad(
            "",
            "nothing to plot: the table has no rows with finite x and y. Fix: plot a table with data rows.".into(),
        ));
    }
    let xs: Vec<f64> = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.0))
        .collect();
    let ys: Vec<f64> = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .collect();
    if log_y {
        let pts = lines.iter().flat_map(|l| l.points.iter());
        if let Some(p) = pts
            .clone()
            .find(|p| p.1.partial_cmp(&0.0) != Some(Ordering::Greater))
        {
            return Err(bad(
                y,
                format!(
                    "a log y axis needs positive values, but `{y}` is {} at x = {}. Fix: drop --log-y.",
                    p.1, p.0
                ),
            ));
        }
    }
    let (x0, x1) = linear_span(&xs, false).map_err(|m| bad(x, m + "."))?;
    let legend = lines.len() > 1 || lines[0].label != y;
    let legend_width = if legend { 210u32 } else { 0 };
    // The legend lists every line: the image grows to fit it.
    let (width, height) = (960u32, 560u32.max(60 + 24 * lines.len() as u32));
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
            let (lo, hi) = log_span(&ys).map_err(|m| bad(y, m + "."))?;
            let ticks = log_ticks(lo, hi);
            let mut chart = builder
                .build_cartesian_2d(x0..x1, (lo..hi).log_scale().with_key_points(ticks))
                .map_err(e)?;
            draw_lines!(chart, legend_area, lines, x, y, legend, e);
        } else {
            let (y0, y1) = linear_span(&ys, true).map_err(|m| bad(y, m + "."))?;
            let mut chart = builder.build_cartesian_2d(x0..x1, y0..y1).map_err(e)?;
            draw_lines!(chart, legend_area, lines, x, y, legend, e);
        }
        root.present().map_err(e)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_label_decades_and_subdivisions() {
        assert_eq!(
            log_ticks(0.8, 120.0),
            vec![1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
        );
        assert_eq!(log_ticks(21.0, 48.0), vec![30.0, 40.0]);
        let wide = log_ticks(1e-3, 1e9);
        assert!(wide.len() <= 9 && wide.contains(&1e-3), "{wide:?}");
    }

    #[test]
    fn spans_are_finite_and_nonempty() {
        assert_eq!(linear_span(&[2.0, 2.0], false).unwrap(), (1.0, 3.0));
        let (lo, hi) = linear_span(&[1e20, 1e20 + 16384.0], false).unwrap();
        assert!(hi - lo > 1e18);
        assert!(linear_span(&[-1e308, 1e308], false).is_err());
        assert!(log_span(&[5e-324]).is_err());
    }
}
