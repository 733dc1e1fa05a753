//! Reporting an actor run on the node: the summary row, per-class results, and the actor, placement, migration and class tables.

use super::actor_tables::{
    actors_table, classes_table, migrations_table, placements_table, timeseries_table,
};
use super::assemble::{actor_world, drive, Assembled};
use super::capacity::{estimate_nic_capacity_rps, source_rate_rps};
use super::{ClassResult, Places, RunError, RunOutput};
use crate::node::accounting::col;
use crate::node::drops::ActorDrops;
use crate::report::Summary;
use crate::scenario::actors::{ActorsPlan, OfferedLoad};
use crate::scenario::Scenario;
use sim_core::{LatencyHistogram, SimTime};
use std::time::Instant;

/// Runs an actor scenario on the node.
pub(super) fn run_actors(s: &Scenario, plan: &ActorsPlan) -> Result<RunOutput, RunError> {
    let wall = Instant::now();
    let asked_rps = match plan.load {
        OfferedLoad::Krps(k) => k * 1e3,
        OfferedLoad::Fraction(f) => f * estimate_nic_capacity_rps(s, plan)?,
    };
    let (rate_rps, capped) = source_rate_rps(s, plan, asked_rps);
    let load = Load {
        asked_rps,
        rate_rps,
        capped,
    };
    let built = actor_world(s, plan, rate_rps)?;
    run_actor_world(s, built, load, wall)
}

/// The offered load: asked for, and what the source ran at after the wire cap.
#[derive(Clone, Copy, Debug)]
pub(super) struct Load {
    /// Requests per second the scenario asked for.
    pub asked_rps: f64,
    /// Requests per second the source ran at.
    pub rate_rps: f64,
    /// Whether the wire capped the asked rate.
    pub capped: bool,
}

/// Runs an assembled actor world to the scenario's end and reports it.
pub(super) fn run_actor_world(
    s: &Scenario,
    built: Assembled,
    load: Load,
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
    let offered_bytes: f64 = node
        .series()
        .rows()
        .iter()
        .map(|r| r[col::OFFERED_BYTES])
        .sum();
    let mean_bytes = if acct.frames > 0 {
        offered_bytes / acct.frames as f64
    } else {
        0.0
    };
    let completed_measured: u64 = node.classes().iter().map(|c| c.completed).sum();
    let line_rate_gbps =
        s.nic.link_gbps * mean_bytes / (mean_bytes + s.nic.mac.wire_overhead_bytes as f64);
    let drops = ActorDrops::of(acct.drops_pcie, rt.counters());
    let places = Places {
        generated: node.generated(),
        delivered: node.delivered(),
        ended: node.ended(),
        in_flight: node.in_flight(),
    };
    let d = node.driver().counters();
    let summary = Summary {
        scenario: s.name.clone(),
        seed: s.seed,
        nic: s.nic.name.clone(),
        cores: s.cores,
        packet_size: mean_bytes,
        offered_gbps: load.asked_rps * mean_bytes * 8.0 / 1e9,
        achieved_gbps: completed_measured as f64 * mean_bytes * 8.0 / measured_s / 1e9,
        line_rate_gbps,
        achieved_mpps: completed_measured as f64 / measured_s / 1e6,
        lat_mean_us: all.mean_us(),
        lat_p50_us: all.quantile_us(0.5),
        lat_p99_us: all.quantile_us(0.99),
        lat_p999_us: all.quantile_us(0.999),
        drops: node.drops_total(),
        nic_core_util: super::echo::nic_core_util(node, s, end),
        sim_time_s: s.duration.as_secs_f64(),
        wall_time_s,
        events,
        generated: places.generated,
        delivered: places.delivered,
        in_flight: places.in_flight.iter().map(|(_, n)| n).sum(),
        drops_source: acct.drops_source,
        steered_host: acct.steered_host,
        drops_switch: acct.drops_switch,
        drops_ingress: acct.drops_ingress,
        // actor drops are not traffic-manager drops (see drops_fcfs_queue)
        drops_tm: 0,
        // reply frames are not messages to actors: their TX drops are in counters.csv
        drops_tx: 0,
        workload: "actors".into(),
        source_gbps: load.rate_rps * mean_bytes * 8.0 / 1e9,
        offered_capped: load.capped,
        actor_drops: drops,
        to_host_actors: acct.to_host_actors,
        peak_in_flight: acct.peak_in_flight,
        reorders: d.reorders,
        driver_errors: d.runtime_errors + d.platform_errors,
        model_errors: d.model_errors,
        sends_dropped: d.dropped_sends,
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
        places,
        summary_extra: Vec::new(),
    })
}
