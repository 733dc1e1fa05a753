//! Fig. 4 of the paper: echo throughput against extra per-packet processing (headroom), and its knee.

use super::{run_echo, EchoPoint, Result};
use crate::claim::{Basis, Claim};
use crate::figure::{Figure, PlotSpec};
use crate::figures::nic;
use crate::Ctx;
use rayon::prelude::*;
use sim_core::table::fmt_f64;
use sim_core::Table;
use system::report::Summary;

/// Extra processing times of Fig. 4: 0, then 1/8 us to 16 us in steps of
/// an eighth of an octave (9%, log spacing, so the knee is located within
/// 10% wherever it falls); quick mode uses whole octaves.
fn processing_grid(quick: bool) -> Vec<f64> {
    let step = if quick { 1.0 } else { 0.125 };
    let mut v = vec![0.0];
    let mut k = -3.0f64;
    while k <= 4.0 + 1e-9 {
        v.push(2f64.powf(k));
        k += step;
    }
    v
}

/// One Fig. 4 point: (processing_us, achieved_gbps, line_rate_gbps).
pub type Sample = (f64, f64, f64);

/// Throughput at or above this fraction of line rate counts as line rate
/// (the Figs. 2 and 3 convention).
const AT_LINE_RATE: f64 = 0.99;

/// The knee of one Fig. 4 curve: the largest sampled processing time still
/// at line rate, or `None` when the curve never reaches it.
pub fn knee_us(curve: &[Sample]) -> Option<f64> {
    curve
        .iter()
        .filter(|(_, gbps, line)| *gbps >= AT_LINE_RATE * line)
        .map(|(us, _, _)| *us)
        .fold(None, |m: Option<f64>, us| Some(m.map_or(us, |m| m.max(us))))
}

/// Fig. 4: throughput against extra per-packet processing (headroom), all
/// cores, each point a `nicsim run` of the echo workload with
/// `workload.processing_us` (core time the offloaded task adds on every core).
pub fn headroom(ctx: &Ctx<'_>) -> Result<Figure> {
    let quick = ctx.quick;
    let duration_ms = if quick { 1.0 } else { 3.0 };
    let mut points = Vec::new();
    for nic in ["liquidio_cn2350", "stingray_ps225"] {
        let prof = self::nic("fig4", nic)?;
        for size in [256u32, 1024] {
            for us in processing_grid(quick) {
                points.push((nic, prof.cores, size, us));
            }
        }
    }
    let rows: Vec<Result<Summary>> = points
        .par_iter()
        .map(|&(nic, cores, size, us)| {
            run_echo(
                "fig4",
                EchoPoint {
                    processing_us: us,
                    ..EchoPoint::at_line_rate(nic, cores, size, duration_ms)
                },
            )
        })
        .collect();
    let mut table = Table::new([
        "nic",
        "packet_size",
        "processing_us",
        "achieved_gbps",
        "line_rate_gbps",
    ]);
    let mut curves: std::collections::BTreeMap<(&str, u32), Vec<Sample>> = Default::default();
    for (&(nic, _, size, us), r) in points.iter().zip(rows) {
        let s = r?;
        table.push([
            nic.to_string(),
            size.to_string(),
            fmt_f64(us, 4),
            fmt_f64(s.achieved_gbps, 4),
            fmt_f64(s.line_rate_gbps, 4),
        ]);
        curves
            .entry((nic, size))
            .or_default()
            .push((us, s.achieved_gbps, s.line_rate_gbps));
    }
    let mut claims = Vec::new();
    for ((nic, size), curve) in &curves {
        let Some(paper) = ctx
            .paper
            .fig4_knee_us(nic)
            .and_then(|m| m.get(&size.to_string()))
        else {
            continue;
        };
        claims.push(Claim::new(
            format!("fig4.{nic}.{size}B.knee_us"),
            format!("{nic} at {size} B: extra processing per packet up to which all cores keep line rate"),
            *paper,
            knee_us(curve).unwrap_or(0.0),
            "us",
            0.10,
            Basis::Predicted(
                "no parameter was solved from Fig. 4: the knee follows from the forwarding cost fitted to Figs. 2/3, the core count and the line rate".into(),
            ),
        ));
    }
    Ok(Figure {
        id: "fig4".into(),
        table,
        claims,
        plot: Some(PlotSpec {
            x: "processing_us",
            y: "achieved_gbps",
            series: &["nic", "packet_size"],
            title: "fig4: echo throughput vs extra processing per packet (all cores)".into(),
            log_y: false,
        }),
    })
}
