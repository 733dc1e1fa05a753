//! Reporting an actor run on the node: the summary row, per-class results, and the actor, placement, migration and class tables.

use super::assemble::{actor_world, drive, Assembled};
use super::capacity::estimate_nic_capacity_rps;
use super::{ClassResult, RunError, RunOutput};
use crate::node::accounting::col;
use crate::report::Summary;
use crate::scenario::actors::{ActorsPlan, OfferedLoad};
use crate::scenario::Scenario;
use scheduler::runtime::Runtime;
use sim_core::table::fmt_f64;
use sim_core::{LatencyHistogram, SimTime, Table, TimeSeries};
use std::time::Instant;

/// Runs an actor scenario on the node.
pub(super) fn run_actors(s: &Scenario, plan: &ActorsPlan) -> Result<RunOutput, RunError> {
    let wall = Instant::now();
    let rate_rps = match plan.load {
        OfferedLoad::Krps(k) => k * 1e3,
        OfferedLoad::Fraction(f) => f * estimate_nic_capacity_rps(s, plan)?,
    };
    let built = actor_world(s, plan, rate_rps)?;
    run_actor_world(s, built, rate_rps, wall)
}

/// Runs an assembled actor world to the scenario's end and reports it.
pub(super) fn run_actor_world(
    s: &Scenario,
    built: Assembled,
    rate_rps: f64,
    wall: Instant,
) -> Result<RunOutput, RunError> {
    let end = SimTime::ZERO + s.duration;
    let (world, events) = drive(built.world, end)?;
    let wall_time_s = wall.elapsed().as_secs_f64();
    let node = &world.nodes()[0];
    let measured_s = (s.duration - s.warmup).as_secs_f64();
    let mut all = LatencyHistogram::new();
    let mut class_rows = Vec::new();
    for (name, c) in built.classes.iter().zip(node.classes()) {
        all.merge(&c.latency);
        class_rows.push(ClassResult {
            class: name.clone(),
            completed: c.completed,
            achieved_mrps: c.completed as f64 / measured_s / 1e6,
            mean_us: c.latency.mean_us(),
            p99_us: c.latency.quantile_us(0.99),
        });
    }
    let rt = node.driver().runtime();
    let acct = node.accounting();
    let (queued, running, _tx, _to_host) = node.in_flight_places();
    let offered_bytes: f64 = node
        .series()
        .rows()
        .iter()
        .map(|r| r[col::OFFERED_BYTES])
        .sum();
    let mean_bytes = if acct.generated > 0 {
        offered_bytes / acct.generated as f64
    } else {
        0.0
    };
    let completed_measured: u64 = node.classes().iter().map(|c| c.completed).sum();
    let line_rate_gbps =
        s.nic.link_gbps * mean_bytes / (mean_bytes + s.nic.mac.wire_overhead_bytes as f64);
    let drops_tm = acct.drops_tm + acct.drops_runtime;
    let summary = Summary {
        scenario: s.name.clone(),
        seed: s.seed,
        nic: s.nic.name.clone(),
        cores: s.cores,
        packet_size: mean_bytes,
        offered_gbps: rate_rps * mean_bytes * 8.0 / 1e9,
        achieved_gbps: completed_measured as f64 * mean_bytes * 8.0 / measured_s / 1e9,
        line_rate_gbps,
        achieved_mpps: completed_measured as f64 / measured_s / 1e6,
        lat_mean_us: all.mean_us(),
        lat_p50_us: all.quantile_us(0.5),
        lat_p99_us: all.quantile_us(0.99),
        lat_p999_us: all.quantile_us(0.999),
        drops: acct.drops_source + acct.drops_switch + acct.drops_ingress + drops_tm,
        nic_core_util: super::echo::nic_core_util(node, s, end),
        sim_time_s: s.duration.as_secs_f64(),
        wall_time_s,
        events,
        generated: acct.generated,
        delivered: acct.completed,
        in_flight: acct.in_flight_arriving + acct.in_flight_pcie + queued + running,
        drops_source: acct.drops_source,
        steered_host: acct.steered_host,
        drops_switch: acct.drops_switch,
        drops_ingress: acct.drops_ingress,
        drops_tm,
        drops_tx: acct.drops_tx,
    };
    Ok(RunOutput {
        summary,
        timeseries: timeseries_table(node.series(), s.cores),
        resolved_toml: s.resolved_toml(),
        extra_tables: vec![
            ("actors.csv".into(), actors_table(rt, s)),
            ("placements.csv".into(), placements_table(rt)),
            ("migrations.csv".into(), migrations_table(rt)),
            ("classes.csv".into(), classes_table(&class_rows)),
            ("counters.csv".into(), super::counters::table(node)),
        ],
        classes: class_rows,
    })
}

fn actors_table(rt: &Runtime, s: &Scenario) -> Table {
    let mut cols: Vec<&str> = scheduler::runtime::ActorReport::CSV_HEADER.to_vec();
    cols.push("class");
    let mut t = Table::new(cols);
    let plan = s.actors.as_ref();
    for r in rt.actor_reports() {
        let class = plan
            .and_then(|p| p.actors.iter().find(|a| a.name == r.name))
            .map(|a| a.class.clone())
            .unwrap_or_default();
        let mut row: Vec<String> = r.csv_row().to_vec();
        row.push(class);
        t.push(row);
    }
    t
}

fn placements_table(rt: &Runtime) -> Table {
    let mut t = Table::new(["time_ms", "actor", "from", "to"]);
    for e in rt.placement_events() {
        t.push([
            fmt_f64(e.time.as_ns() as f64 / 1e6, 6),
            e.name.clone(),
            e.from
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "-".into()),
            e.to.as_str().to_string(),
        ]);
    }
    t
}

fn migrations_table(rt: &Runtime) -> Table {
    let mut t = Table::new([
        "actor",
        "start_ms",
        "end_ms",
        "bytes_moved",
        "dma_us",
        "aborted",
    ]);
    for m in rt.migrations() {
        t.push([
            m.name.clone(),
            fmt_f64(m.start.as_ns() as f64 / 1e6, 6),
            m.end
                .map(|e| fmt_f64(e.as_ns() as f64 / 1e6, 6))
                .unwrap_or_default(),
            m.bytes_moved.to_string(),
            fmt_f64(m.dma_time.as_ns() as f64 / 1e3, 3),
            m.aborted.clone().unwrap_or_default(),
        ]);
    }
    t
}

fn classes_table(rows: &[ClassResult]) -> Table {
    let mut t = Table::new(["class", "completed", "achieved_mrps", "mean_us", "p99_us"]);
    for r in rows {
        t.push([
            r.class.clone(),
            r.completed.to_string(),
            fmt_f64(r.achieved_mrps, 6),
            fmt_f64(r.mean_us, 3),
            fmt_f64(r.p99_us, 3),
        ]);
    }
    t
}

fn timeseries_table(series: &TimeSeries, cores: u32) -> Table {
    let mut t = Table::new([
        "time_ms",
        "offered_krps",
        "completed_krps",
        "lat_mean_us",
        "nic_lat_mean_us",
        "host_lat_mean_us",
        "drops",
        "actors_nic_fcfs",
        "actors_nic_drr",
        "actors_host",
        "cores_fcfs",
        "cores_drr",
        "nic_core_util",
    ]);
    let w_s = series.window().as_secs_f64();
    let w_us = series.window().as_us_f64();
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    for (i, r) in series.rows().iter().enumerate() {
        let ticks = r[col::TICKS];
        t.push([
            fmt_f64(i as f64 * w_s * 1e3, 3),
            fmt_f64(r[col::OFFERED] / w_s / 1e3, 3),
            fmt_f64(r[col::COMPLETED] / w_s / 1e3, 3),
            fmt_f64(ratio(r[col::REQ_LATENCY_SUM_US], r[col::COMPLETED]), 3),
            fmt_f64(ratio(r[col::NIC_LATENCY_SUM_US], r[col::NIC_COMPLETED]), 3),
            fmt_f64(
                ratio(r[col::HOST_LATENCY_SUM_US], r[col::HOST_COMPLETED]),
                3,
            ),
            format!("{}", r[col::DROPS] as u64),
            fmt_f64(ratio(r[col::ACTORS_FCFS], ticks), 2),
            fmt_f64(ratio(r[col::ACTORS_DRR], ticks), 2),
            fmt_f64(ratio(r[col::ACTORS_HOST], ticks), 2),
            fmt_f64(ratio(r[col::CORES_FCFS], ticks), 2),
            fmt_f64(ratio(r[col::CORES_DRR], ticks), 2),
            fmt_f64((r[col::NIC_BUSY_US] / (w_us * cores as f64)).min(1.0), 4),
        ]);
    }
    t
}
