//! Figures 2 to 5 of the paper from the echo system: core scaling, headroom and latency.

use crate::claim::{Basis, Claim};
use crate::error::ReproError;
use crate::figure::{Figure, PlotSpec};
use crate::figures::nic;
use crate::Ctx;
use nic_models::NicProfile;
use rayon::prelude::*;
use sim_core::table::fmt_f64;
use sim_core::Table;
use system::report::Summary;
use system::{run_scenario, Scenario};

mod headroom;
mod latency;

pub use headroom::{headroom, knee_us, Sample};
pub use latency::{latency, I2_SMALL_OVERHEAD};

type Result<T> = std::result::Result<T, ReproError>;

/// Packet sizes of Figs. 2 and 3.
const SIZES: [u32; 6] = [64, 128, 256, 512, 1024, 1500];

/// One echo run's knobs.
#[derive(Clone, Copy, Debug)]
pub struct EchoPoint<'a> {
    pub profile: &'a str,
    pub cores: u32,
    pub size: u32,
    /// Offered Gb/s; `None` = line rate.
    pub rate_gbps: Option<f64>,
    pub poisson: bool,
    pub processing_us: f64,
    pub duration_ms: f64,
}

impl<'a> EchoPoint<'a> {
    /// Echo at line rate with constant gaps and no extra processing.
    pub fn at_line_rate(profile: &'a str, cores: u32, size: u32, duration_ms: f64) -> Self {
        EchoPoint {
            profile,
            cores,
            size,
            rate_gbps: None,
            poisson: false,
            processing_us: 0.0,
            duration_ms,
        }
    }
}

/// Builds and runs one echo scenario for figure `id`, returning its summary.
pub fn run_echo(id: &str, p: EchoPoint<'_>) -> Result<Summary> {
    let rate = match p.rate_gbps {
        Some(g) => format!("{g}"),
        None => "\"line\"".to_string(),
    };
    let text = format!(
        "name = \"repro\"\nseed = 1\nduration_ms = {}\n[nic]\nprofile = \"{}\"\ncores = {}\n[traffic]\npacket_size = {}\nrate_gbps = {rate}\narrival = \"{}\"\n[workload]\nkind = \"echo\"\nprocessing_us = {}\n",
        p.duration_ms,
        p.profile,
        p.cores,
        p.size,
        if p.poisson { "poisson" } else { "constant" },
        p.processing_us
    );
    let fail = |e: &dyn std::fmt::Display| ReproError::generate(id, e);
    let table: toml::Table = text.parse().map_err(|e| fail(&e))?;
    let scenario = Scenario::from_table(table, "repro").map_err(|e| fail(&e))?;
    Ok(run_scenario(&scenario).map_err(|e| fail(&e))?.summary)
}

/// Fig. 2: CN2350 at 10GbE.
pub fn fig2(ctx: &Ctx<'_>) -> Result<Figure> {
    core_scaling("fig2", "liquidio_cn2350", ctx)
}

/// Fig. 3: Stingray PS225 at 25GbE.
pub fn fig3(ctx: &Ctx<'_>) -> Result<Figure> {
    core_scaling("fig3", "stingray_ps225", ctx)
}

/// How much a line-rate core count says about the model. The per-core echo
/// cost is `per_packet_ns + per_byte_ns * size`, solved per profile from the
/// paper's core counts (see `[forwarding]` in configs/nics/<nic>.toml).
fn line_rate_basis(prof: &NicProfile, paper_cores: Option<u32>) -> Basis {
    let file = format!("configs/nics/{}.toml", prof.name);
    match (
        paper_cores,
        prof.forwarding.packet_engine_mpps,
        prof.name.as_str(),
    ) {
        // The 256 B and 1500 B counts bound t(256) and t(1500); their middles
        // gave the two cost parameters.
        (Some(_), _, _) => Basis::Fitted(format!(
            "forwarding.per_packet_ns + forwarding.per_byte_ns ({file})"
        )),
        // The ceiling was placed between the 128 B and 256 B line rates to
        // make the small sizes fail.
        (None, Some(_), _) => Basis::Fitted(format!("forwarding.packet_engine_mpps ({file})")),
        // CN2350, no ceiling: the failure follows from the fitted windows
        // alone. With t(256) > 2007 ns (needs 10 cores, not 9) and per_byte
        // <= 1.35 ns/B (t(1500) <= 3684 ns), t(64) > 1.7 us and t(128) >
        // 1.8 us, beyond the 12-core limits of 0.82 us and 1.44 us: any cost
        // passing the two fitted claims passes this one, by construction.
        (None, None, "liquidio_cn2350") => Basis::Structural(format!(
            "implied by the fitted 256 B and 1500 B windows of the linear per-packet cost ({file})"
        )),
        // Another NIC without a ceiling: nothing was solved from this count
        // and nobody has shown it implied by the fitted ones.
        (None, None, _) => {
            Basis::Predicted(format!("no parameter of {file} was solved from this count"))
        }
    }
}

/// Figs. 2 and 3: throughput against cores for every size, and the line-rate
/// claims of Sec. 2.2.2 (calibration `[echo_line_rate.<nic>]`).
pub fn core_scaling(id: &str, nic: &str, ctx: &Ctx<'_>) -> Result<Figure> {
    let prof = self::nic(id, nic)?;
    let paper_cores_needed = ctx.paper.echo_cores_needed(nic)?;
    if let Some(&(size, _)) = paper_cores_needed.iter().find(|(s, _)| !SIZES.contains(s)) {
        return Err(ctx
            .paper
            .invalid(format!(
                "echo_line_rate.{nic} names {size} B, which {id} does not run (sizes: {SIZES:?})"
            ))
            .into());
    }
    let duration_ms = if ctx.quick { 1.0 } else { 4.0 };
    let points: Vec<(u32, u32)> = SIZES
        .iter()
        .flat_map(|&s| (1..=prof.cores).map(move |c| (s, c)))
        .collect();
    let rows: Vec<Result<Summary>> = points
        .par_iter()
        .map(|&(size, cores)| run_echo(id, EchoPoint::at_line_rate(nic, cores, size, duration_ms)))
        .collect();
    let mut table = Table::new([
        "nic",
        "packet_size",
        "cores",
        "achieved_gbps",
        "line_rate_gbps",
    ]);
    let mut first_at_line: Vec<(u32, Option<u32>)> = SIZES.iter().map(|&s| (s, None)).collect();
    for (&(size, cores), r) in points.iter().zip(rows) {
        let s = r?;
        table.push([
            nic.to_string(),
            size.to_string(),
            cores.to_string(),
            fmt_f64(s.achieved_gbps, 4),
            fmt_f64(s.line_rate_gbps, 4),
        ]);
        if let Some(entry) = first_at_line.iter_mut().find(|(sz, _)| *sz == size) {
            if s.at_line_rate() && entry.1.is_none() {
                entry.1 = Some(cores);
            }
        }
    }
    let mut claims = Vec::new();
    for &(size, paper) in &paper_cores_needed {
        let sim = first_at_line
            .iter()
            .find(|(s, _)| *s == size)
            .and_then(|(_, c)| *c);
        let (desc, pv, sv, unit) = match paper {
            Some(c) => (
                format!("{nic} echo at {size} B first reaches line rate at {c} cores"),
                c as f64,
                sim.map(|c| c as f64).unwrap_or(f64::NAN),
                "cores",
            ),
            None => (
                format!("{nic} echo at {size} B never reaches line rate with all {} cores (1 = reaches)", prof.cores),
                0.0,
                if sim.is_some() { 1.0 } else { 0.0 },
                "bool",
            ),
        };
        claims.push(Claim::new(
            format!("{id}.{nic}.{size}B.cores_to_line_rate"),
            desc,
            pv,
            sv,
            unit,
            0.0,
            line_rate_basis(&prof, paper),
        ));
    }
    Ok(Figure {
        id: id.to_string(),
        table,
        claims,
        plot: Some(PlotSpec {
            x: "cores",
            y: "achieved_gbps",
            series: &["packet_size"],
            title: format!("{id}: echo throughput on {nic} vs NIC cores"),
            log_y: false,
        }),
    })
}
