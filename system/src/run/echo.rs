//! Running an echo scenario: assemble the echo system, drive the engine to the end, collect the summary and time series.

use super::{Places, RunError, RunOutput};
use crate::report::Summary;
use crate::scenario::Scenario;
use crate::systems::actor_accounting::ActorDrops;
use crate::systems::echo::{col, EchoSystem};
use nic_models::switch::EmbeddedSwitch;
use nic_models::{ForwardingCost, NicKind};
use pcie_model::PcieSystem;
use sim_core::table::fmt_f64;
use sim_core::{Engine, RngStreams, SimDuration, SimTime, Table, TimeSeries};
use std::time::Instant;
use workloads::PacketGenerator;

/// Runs an echo scenario to its end.
pub(super) fn run_echo(
    scenario: &Scenario,
    echo: &workloads::EchoConfig,
) -> Result<RunOutput, RunError> {
    let wall = Instant::now();
    let streams = RngStreams::new(scenario.seed);
    let end = SimTime::ZERO + scenario.duration;
    let warmup_end = SimTime::ZERO + scenario.warmup;
    let t = &scenario.traffic;
    let source = PacketGenerator::new(
        t.sizes.clone(),
        t.arrival,
        t.offered_gbps,
        t.flows,
        streams.stream("traffic/source/0"),
        end,
    );
    let extra = SimDuration::from_us_f64(echo.processing_us);
    let cost = ForwardingCost::new(&scenario.nic.forwarding, extra);
    let max_windows = (scenario.duration.as_ps() / scenario.window.as_ps().max(1)) as usize + 1;
    let series = TimeSeries::new(scenario.window, col::NAMES, max_windows);
    let steering = match (scenario.nic.kind, &scenario.nic.switch) {
        (NicKind::OffPath, config) => {
            let switch = EmbeddedSwitch::new(config.clone().unwrap_or_default(), scenario.cores)
                .map_err(|e| RunError::Assembly(e.to_string()))?;
            let pcie = PcieSystem::new(&scenario.nic.pcie_profiles())
                .map_err(|e| RunError::Assembly(e.to_string()))?;
            Some((switch, pcie))
        }
        (NicKind::OnPath, _) => None,
    };
    let system = EchoSystem::new(
        &scenario.nic,
        scenario.cores,
        cost,
        source,
        warmup_end,
        series,
        steering,
    );

    let mut engine = Engine::new(system);
    {
        let (model, sched) = engine.parts_mut();
        model.start(sched);
    }
    engine.run_until(end)?;
    let events = engine.events_handled();
    let mut system = engine.into_model();
    system.finish(end);
    let wall_time_s = wall.elapsed().as_secs_f64();

    let acct = system.accounting();
    let (bytes, pkts) = system.measured();
    let measured_s = (scenario.duration - scenario.warmup).as_secs_f64();
    let lat = system.latency();
    let summary = Summary {
        scenario: scenario.name.clone(),
        seed: scenario.seed,
        nic: scenario.nic.name.clone(),
        cores: scenario.cores,
        packet_size: t.mean_size,
        offered_gbps: t.offered_gbps,
        achieved_gbps: bytes as f64 * 8.0 / measured_s / 1e9,
        line_rate_gbps: t.line_rate_gbps,
        achieved_mpps: pkts as f64 / measured_s / 1e6,
        lat_mean_us: lat.mean_us(),
        lat_p50_us: lat.quantile_us(0.50),
        lat_p99_us: lat.quantile_us(0.99),
        lat_p999_us: lat.quantile_us(0.999),
        drops: acct.drops(),
        nic_core_util: system.cores().utilization(scenario.duration),
        sim_time_s: scenario.duration.as_secs_f64(),
        wall_time_s,
        events,
        generated: acct.generated,
        delivered: acct.delivered,
        in_flight: acct.in_flight(),
        drops_source: acct.drops_source,
        steered_host: acct.steered_host,
        drops_switch: acct.drops_switch,
        drops_ingress: acct.drops_ingress,
        drops_tm: acct.drops_tm,
        drops_tx: acct.drops_tx,
        workload: "echo".into(),
        // validation refuses an echo rate above the line rate
        source_gbps: t.offered_gbps,
        offered_capped: false,
        actor_drops: ActorDrops {
            pcie: acct.drops_pcie,
            ..Default::default()
        },
        to_host_actors: 0,
        peak_in_flight: system.peak_in_flight(),
        reorders: 0,
        driver_errors: 0,
        model_errors: 0,
        sends_dropped: 0,
    };
    let places = Places {
        generated: acct.generated,
        delivered: acct.delivered,
        ended: vec![
            ("steered_host", acct.steered_host),
            ("drops_source", acct.drops_source),
            ("drops_switch", acct.drops_switch),
            ("drops_pcie", acct.drops_pcie),
            ("drops_ingress", acct.drops_ingress),
            ("drops_tm", acct.drops_tm),
            ("drops_tx", acct.drops_tx),
        ],
        in_flight: vec![
            ("to_host", acct.in_flight_to_host),
            ("arriving", acct.in_flight_arriving),
            ("queued", acct.in_flight_queued),
            ("on_core", acct.in_flight_on_core),
            ("tx", acct.in_flight_tx),
        ],
    };
    Ok(RunOutput {
        summary,
        timeseries: timeseries_table(system.series(), scenario.cores),
        resolved_toml: scenario.resolved_toml(),
        extra_tables: Vec::new(),
        classes: Vec::new(),
        places,
    })
}

/// Converts per-window sums into rates.
fn timeseries_table(series: &TimeSeries, cores: u32) -> Table {
    let mut t = Table::new([
        "time_ms",
        "offered_gbps",
        "achieved_gbps",
        "achieved_mpps",
        "lat_mean_us",
        "drops",
        "nic_core_util",
    ]);
    let w_s = series.window().as_secs_f64();
    let w_us = series.window().as_us_f64();
    for (i, r) in series.rows().iter().enumerate() {
        let pkts = r[col::DELIVERED_PKTS];
        t.push([
            fmt_f64(i as f64 * w_s * 1e3, 3),
            fmt_f64(r[col::OFFERED_BYTES] * 8.0 / w_s / 1e9, 4),
            fmt_f64(r[col::DELIVERED_BYTES] * 8.0 / w_s / 1e9, 4),
            fmt_f64(pkts / w_s / 1e6, 4),
            fmt_f64(
                if pkts > 0.0 {
                    r[col::LATENCY_SUM_US] / pkts
                } else {
                    0.0
                },
                3,
            ),
            format!("{}", r[col::DROPS] as u64),
            fmt_f64((r[col::BUSY_US] / (w_us * cores as f64)).min(1.0), 4),
        ]);
    }
    t
}
