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

/// Fig. 5: latency on the CN2350 with 6 and 12 cores near each configuration's
/// maximum throughput. The maximum is measured first (line-rate offer); the
/// latency run then offers 95% of it with Poisson arrivals, because a
/// deterministic offer at exactly 100% of capacity has no queueing at all
/// and any real generator's burstiness at 100% diverges.
pub fn latency(ctx: &Ctx<'_>) -> Result<Figure> {
    let quick = ctx.quick;
    let duration_ms = if quick { 2.0 } else { 10.0 };
    let nic = "liquidio_cn2350";
    let points: Vec<(u32, u32)> = [6u32, 12]
        .iter()
        .flat_map(|&c| [64u32, 512, 1024, 1500].map(|s| (s, c)))
        .collect();
    let rows: Vec<Result<Summary>> = points
        .par_iter()
        .map(|&(size, cores)| {
            let max = run_echo("fig5", EchoPoint::at_line_rate(nic, cores, size, 1.0))?;
            run_echo(
                "fig5",
                EchoPoint {
                    rate_gbps: Some(max.achieved_gbps * 0.95),
                    poisson: true,
                    ..EchoPoint::at_line_rate(nic, cores, size, duration_ms)
                },
            )
        })
        .collect();
    let mut table = Table::new(["packet_size", "cores", "lat_mean_us", "lat_p99_us"]);
    let mut claims = Vec::new();
    let mut means = Vec::new();
    for (&(size, cores), r) in points.iter().zip(rows) {
        let s = r?;
        if let Some(paper) = ctx
            .paper
            .fig5_p99_us()
            .get(&format!("{size}B_{cores}cores"))
        {
            claims.push(Claim::new(
                format!("fig5.liquidio_cn2350.{size}B.{cores}cores.p99_us"),
                format!("CN2350 echo p99 latency at {size} B with {cores} cores near maximum throughput"),
                *paper,
                s.lat_p99_us,
                "us",
                0.25,
                Basis::Predicted(
                    "no parameter was solved from Fig. 5: latency follows from the fitted forwarding cost, the traffic manager's get_work and contention, the PHY and the offered load".into(),
                ),
            ));
        }
        means.push((size, cores, s.lat_mean_us));
        table.push([
            size.to_string(),
            cores.to_string(),
            fmt_f64(s.lat_mean_us, 3),
            fmt_f64(s.lat_p99_us, 3),
        ]);
    }
    if ctx.paper.implications().i2_shared_queue_overhead_small {
        claims.push(i2_claim(&means));
    }
    Ok(Figure {
        id: "fig5".into(),
        table,
        claims,
        plot: Some(PlotSpec {
            x: "packet_size",
            y: "lat_p99_us",
            series: &["cores"],
            title: "fig5: CN2350 echo p99 latency near maximum throughput".into(),
            log_y: false,
        }),
    })
}

/// "Small", read as 12-core mean latency within this fraction of 6-core mean
/// latency (our reading of the paper's word, not a paper number).
pub const I2_SMALL_OVERHEAD: f64 = 0.10;

/// I2 as a prediction: the largest ratio, over Fig. 5's packet sizes, of the
/// 12-core mean latency to the 6-core one, near each maximum throughput. No
/// parameter saw it: the traffic manager's hand-over and per-poller
/// contention times are assumptions in the profile, not fitted.
fn i2_claim(means: &[(u32, u32, f64)]) -> Claim {
    let worst = means
        .iter()
        .filter(|m| m.1 == 12)
        .filter_map(|&(size, _, twelve)| {
            let six = means.iter().find(|m| m.0 == size && m.1 == 6)?.2;
            Some(twelve / six)
        })
        .fold(f64::NAN, f64::max);
    Claim::new(
        "i2.liquidio_cn2350.mean_latency_12_over_6_cores",
        "I2: the hardware shared queue keeps synchronization overhead small as cores are added: largest 12-core/6-core mean latency ratio over Fig. 5's sizes, near maximum throughput",
        1.0,
        worst,
        "x",
        I2_SMALL_OVERHEAD,
        Basis::Predicted(
            "no parameter was solved from it: traffic_manager.get_work_ns and contention_ns are assumptions; forwarding costs are fitted to Figs. 2/3 only".into(),
        ),
    )
}
