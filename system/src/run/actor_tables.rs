//! The tables of an actor run: actors.csv, placements.csv, migrations.csv, classes.csv and the time series.

// (pub: `nicsim native` writes the same tables from a native run)

use super::ClassResult;
use crate::node::accounting::col;
use crate::scenario::Scenario;
use scheduler::runtime::Runtime;
use sim_core::table::fmt_f64;
use sim_core::{Table, TimeSeries};

pub fn actors_table(rt: &Runtime, s: &Scenario) -> Table {
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

pub fn placements_table(rt: &Runtime) -> Table {
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

pub fn migrations_table(rt: &Runtime) -> Table {
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

pub fn classes_table(rows: &[ClassResult]) -> Table {
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

pub(super) fn timeseries_table(series: &TimeSeries, cores: u32) -> Table {
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
