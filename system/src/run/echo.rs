//! Reporting an echo run on the node: the summary row (frames delivered, drops by place) and the per-window time series.

use super::assemble::{drive, echo_world};
use super::{Places, RunError, RunOutput};
use crate::node::accounting::col;
use crate::node::drops::ActorDrops;
use crate::node::Node;
use crate::report::Summary;
use crate::scenario::Scenario;
use sim_core::table::fmt_f64;
use sim_core::{SimTime, Table, TimeSeries};
use std::time::Instant;

/// Runs an echo scenario on the node to its end.
pub(super) fn run_echo(
    scenario: &Scenario,
    echo: &workloads::EchoConfig,
) -> Result<RunOutput, RunError> {
    let wall = Instant::now();
    let end = SimTime::ZERO + scenario.duration;
    let built = echo_world(scenario, echo)?;
    let (world, events) = drive(built.world, end)?;
    let wall_time_s = wall.elapsed().as_secs_f64();
    let node = &world.nodes()[0];
    let acct = node.accounting();
    let (bytes, pkts) = node.measured();
    let measured_s = (scenario.duration - scenario.warmup).as_secs_f64();
    let lat = node.frame_latency();
    let t = &scenario.traffic;
    let places = Places {
        generated: node.generated(),
        delivered: node.delivered(),
        ended: node.ended(),
        in_flight: node.in_flight(),
    };
    let ended = |name: &str| {
        places
            .ended
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(0, |(_, v)| *v)
    };
    let d = node.driver().counters();
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
        drops: node.drops_total(),
        nic_core_util: nic_core_util(node, scenario, end),
        sim_time_s: scenario.duration.as_secs_f64(),
        wall_time_s,
        events,
        generated: places.generated,
        delivered: places.delivered,
        in_flight: places.in_flight.iter().map(|(_, n)| n).sum(),
        drops_source: acct.drops_source,
        steered_host: acct.steered_host,
        drops_switch: acct.drops_switch,
        drops_ingress: acct.drops_ingress,
        drops_tm: ended("drops_tm"),
        drops_tx: acct.drops_tx,
        workload: "echo".into(),
        // validation refuses an echo rate above the line rate
        source_gbps: t.offered_gbps,
        offered_capped: false,
        actor_drops: ActorDrops {
            pcie: acct.drops_pcie,
            ..Default::default()
        },
        to_host_actors: acct.to_host_actors,
        peak_in_flight: acct.peak_in_flight,
        reorders: d.reorders,
        driver_errors: d.runtime_errors + d.platform_errors,
        model_errors: d.model_errors + node.forward_model_errors(),
        sends_dropped: d.dropped_sends,
    };
    Ok(RunOutput {
        summary,
        timeseries: timeseries_table(node.series(), scenario.cores),
        resolved_toml: scenario.resolved_toml(),
        extra_tables: vec![("counters.csv".into(), super::counters::table(node))],
        classes: Vec::new(),
        places,
        summary_extra: Vec::new(),
    })
}

/// NIC core busy time over the run (finished work plus the part of running work before the end).
pub(super) fn nic_core_util(node: &Node, s: &Scenario, end: SimTime) -> f64 {
    let busy = node.nic_busy(end).as_secs_f64();
    (busy / (f64::from(s.cores) * s.duration.as_secs_f64())).min(1.0)
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
            fmt_f64(
                (r[col::NIC_BUSY_US] / (w_us * f64::from(cores))).min(1.0),
                4,
            ),
        ]);
    }
    t
}
