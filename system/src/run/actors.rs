//! Running an actor scenario: register the actors with the runtime, size the load, run, and report per actor and class.

use super::actor_tables::{
    actors_table, classes_table, migrations_table, placements_table, timeseries_table,
};
use super::{Places, RunError, RunOutput};
use crate::report::Summary;
use crate::scenario::actors::{ActorSpec, ActorsPlan, OfferedLoad};
use crate::scenario::Scenario;
use crate::systems::actors::{col, ActorDrops, ActorSystem, ActorSystemParts, Target, Tax};
use crate::systems::named_actor::NamedActor;
use pcie_model::PcieSystem;
use scheduler::runtime::{Runtime, Work};
use scheduler::{Endpoint, Message, PolicyKind, SchedulerSettings, Side};
use sim_core::{Engine, LatencyHistogram, RngStreams, SimTime, TimeSeries};
use std::time::Instant;
use workloads::actors::registry::{build_actor_of, gen_request};
use workloads::sim_platform::SimPlatform;

/// Ethernet + IP + UDP headers carried by every request (14 + 20 + 8 B, plus
/// 4 B FCS and 18 B of iPipe message header, rounded to 64).
pub const REQUEST_OVERHEAD_BYTES: u64 = 64;
/// Requests run per actor when measuring its cost for the capacity estimate.
const CAPACITY_PROBE_REQUESTS: u64 = 200;
/// Requests drawn per actor to estimate the mean request size for the wire cap.
const SIZE_PROBE_REQUESTS: u64 = 2048;

/// Results of one class of actors after warm-up.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassResult {
    /// Class label.
    pub class: String,
    /// Requests completed.
    pub completed: u64,
    /// Completed requests per second, millions.
    pub achieved_mrps: f64,
    /// Mean latency, us (creation to completion).
    pub mean_us: f64,
    /// 99th percentile latency, us.
    pub p99_us: f64,
}

fn assembly(e: impl std::fmt::Display) -> RunError {
    RunError::Assembly(e.to_string())
}

fn build(spec: &ActorSpec, tax: Tax) -> Result<Box<dyn scheduler::Actor>, RunError> {
    let inner = build_actor_of(spec.kind, &spec.config).map_err(assembly)?;
    Ok(Box::new(
        NamedActor::new(spec.name.clone(), inner).with_nic_tax(tax, REQUEST_OVERHEAD_BYTES),
    ))
}

fn tax_of(s: &Scenario) -> Tax {
    Tax {
        per_packet_ns: s.nic.forwarding.per_packet_ns,
        per_byte_ns: s.nic.forwarding.per_byte_ns,
        freq_ghz: s.nic.core_freq_ghz,
    }
}

/// Mean NIC-core time of one request of `spec`, ns (forwarding tax
/// included): the actor run alone on one core of a fresh NIC cost model,
/// `CAPACITY_PROBE_REQUESTS` times.
fn probe_cost_ns(s: &Scenario, spec: &ActorSpec, seed: u64) -> Result<f64, RunError> {
    let settings = SchedulerSettings {
        policy: PolicyKind::Fcfs,
        ..SchedulerSettings::default()
    };
    let mut rt = Runtime::new(settings, 1, 1).map_err(assembly)?;
    let mut model = s.nic.core_model().map_err(assembly)?;
    let mut rng = RngStreams::new(seed).stream(&format!("capacity/{}", spec.name));
    let id = {
        let mut p = SimPlatform::new(&mut model, 0, Side::Nic).map_err(assembly)?;
        rt.register_actor(build(spec, tax_of(s))?, &mut p, SimTime::ZERO)
            .map_err(assembly)?
    };
    let mut now = SimTime::ZERO;
    let mut total_ns = 0.0;
    for i in 0..CAPACITY_PROBE_REQUESTS {
        let req = gen_request(spec.kind, &mut rng);
        let msg = Message {
            id: i,
            src: Endpoint::Network { node: 0, port: 0 },
            dst: id,
            kind: req.kind,
            payload: req.payload,
            created_at: now,
        };
        // One request at a time on an idle core: a refusal is a bug, not a
        // drop, and skipping it would skew the estimate silently.
        rt.deliver(msg, now).map_err(|reason| {
            assembly(format!(
                "capacity probe of `{}`: the runtime refused a request ({reason:?})",
                spec.name
            ))
        })?;
        let core = scheduler::runtime::CoreId::nic(0);
        let Some(d) = rt.next_dispatch(core, now).map_err(assembly)? else {
            return Err(assembly(format!(
                "capacity probe of `{}`: the idle core got no work",
                spec.name
            )));
        };
        debug_assert!(matches!(d.work, Work::Request { .. }));
        let mut p = SimPlatform::new(&mut model, 0, Side::Nic).map_err(assembly)?;
        p.advance_to(now);
        p.begin_exec();
        let out = rt.execute(d, &mut p);
        let charged = out.charged.as_ns() as f64;
        now = out.completes_at();
        rt.complete(out, now).map_err(assembly)?;
        total_ns += charged;
    }
    Ok(total_ns / CAPACITY_PROBE_REQUESTS as f64)
}

/// The NIC's capacity for this actor mix, requests per second: cores over
/// the weighted mean cost of one request on one core.
pub fn estimate_nic_capacity_rps(s: &Scenario, plan: &ActorsPlan) -> Result<f64, RunError> {
    let total_w: f64 = plan.actors.iter().map(|a| a.weight).sum();
    let mut mean_ns = 0.0;
    for a in &plan.actors {
        mean_ns += a.weight / total_w * probe_cost_ns(s, a, s.seed)?;
    }
    Ok(s.cores as f64 * 1e9 / mean_ns.max(1.0))
}

/// Mean bytes of one request on the wire (payload + headers + the MAC's
/// preamble and gap), by drawing `SIZE_PROBE_REQUESTS` requests per actor
/// from their own random stream (the run's draws are untouched).
fn mean_wire_bytes(s: &Scenario, plan: &ActorsPlan) -> f64 {
    let total_w: f64 = plan.actors.iter().map(|a| a.weight).sum();
    let mut rng = RngStreams::new(s.seed).stream("traffic/size_probe");
    let mut mean = 0.0;
    for a in &plan.actors {
        let bytes: u64 = (0..SIZE_PROBE_REQUESTS)
            .map(|_| gen_request(a.kind, &mut rng).payload.len() as u64)
            .sum();
        mean += a.weight / total_w * bytes as f64 / SIZE_PROBE_REQUESTS as f64;
    }
    mean + (REQUEST_OVERHEAD_BYTES + u64::from(s.nic.mac.wire_overhead_bytes)) as f64
}

/// The request rate the source runs at: the asked rate, capped at what the
/// link carries (requests of the mean size back to back), as the echo
/// source is capped at line rate. Returns (rate, capped).
pub fn source_rate_rps(s: &Scenario, plan: &ActorsPlan, asked_rps: f64) -> (f64, bool) {
    let wire_rps = s.nic.link_gbps * 1e9 / (8.0 * mean_wire_bytes(s, plan));
    if asked_rps > wire_rps {
        (wire_rps, true)
    } else {
        (asked_rps, false)
    }
}

/// Runs an actor scenario.
pub(super) fn run_actors(s: &Scenario, plan: &ActorsPlan) -> Result<RunOutput, RunError> {
    let wall = Instant::now();
    let streams = RngStreams::new(s.seed);
    let asked_rps = match plan.load {
        OfferedLoad::Krps(k) => k * 1e3,
        OfferedLoad::Fraction(f) => f * estimate_nic_capacity_rps(s, plan)?,
    };
    let (rate_rps, capped) = source_rate_rps(s, plan, asked_rps);
    let mut rt = Runtime::new(plan.settings.clone(), s.cores, plan.host_cores).map_err(assembly)?;
    let mut nic_model = s.nic.core_model().map_err(assembly)?;
    let host_model = plan.host.core_model().map_err(assembly)?;
    let mut classes: Vec<String> = Vec::new();
    let total_w: f64 = plan.actors.iter().map(|a| a.weight).sum();
    let mut cumulative = 0.0;
    let mut targets = Vec::new();
    for spec in &plan.actors {
        let mut p = SimPlatform::new(&mut nic_model, 0, Side::Nic).map_err(assembly)?;
        let actor = build(spec, tax_of(s))?;
        let id = match spec.placement {
            Some(at) => rt.register_actor_at(actor, at, &mut p, SimTime::ZERO),
            None => rt.register_actor(actor, &mut p, SimTime::ZERO),
        }
        .map_err(assembly)?;
        let class = classes
            .iter()
            .position(|c| *c == spec.class)
            .unwrap_or_else(|| {
                classes.push(spec.class.clone());
                classes.len() - 1
            });
        cumulative += spec.weight / total_w;
        targets.push(Target {
            id,
            kind: spec.kind,
            cumulative,
            class,
        });
    }
    if let Some(last) = targets.last_mut() {
        last.cumulative = 1.0;
    }
    rt.check_static_names().map_err(assembly)?;
    let end = SimTime::ZERO + s.duration;
    let warmup_end = SimTime::ZERO + s.warmup;
    let max_windows = (s.duration.as_ps() / s.window.as_ps().max(1)) as usize + 1;
    let pcie = PcieSystem::new(&s.nic.pcie_profiles()).map_err(assembly)?;
    let system = ActorSystem::new(ActorSystemParts {
        rt,
        pcie,
        nic_model,
        host_model,
        targets,
        classes: classes.len(),
        rng: streams.stream("traffic/requests"),
        arrival: plan.arrival,
        rate_rps,
        stop_at: end,
        warmup_end,
        request_overhead_bytes: REQUEST_OVERHEAD_BYTES,
        series: TimeSeries::new(s.window, col::NAMES, max_windows),
    });
    let mut engine = Engine::new(system);
    {
        let (m, sched) = engine.parts_mut();
        m.start(sched);
    }
    engine.run_until(end)?;
    let events = engine.events_handled();
    let mut sys = engine.into_model();
    sys.finish(end);
    let wall_time_s = wall.elapsed().as_secs_f64();
    let load = Load {
        asked_rps,
        rate_rps,
        capped,
    };
    Ok(assemble_output(
        s,
        &sys,
        &classes,
        load,
        events,
        wall_time_s,
    ))
}

/// The offered load: asked for, and what the source ran at after the wire cap.
#[derive(Clone, Copy)]
struct Load {
    asked_rps: f64,
    rate_rps: f64,
    capped: bool,
}

fn assemble_output(
    s: &Scenario,
    sys: &ActorSystem,
    classes: &[String],
    load: Load,
    events: u64,
    wall_time_s: f64,
) -> RunOutput {
    let measured_s = (s.duration - s.warmup).as_secs_f64();
    let mut all = LatencyHistogram::new();
    let mut class_rows = Vec::new();
    for (name, c) in classes.iter().zip(sys.classes()) {
        all.merge(&c.latency);
        class_rows.push(ClassResult {
            class: name.clone(),
            completed: c.completed,
            achieved_mrps: c.completed as f64 / measured_s / 1e6,
            mean_us: c.latency.mean_us(),
            p99_us: c.latency.quantile_us(0.99),
        });
    }
    let rt = sys.runtime();
    let counters = *rt.counters();
    let acct = sys.accounting();
    let drops = ActorDrops::of(&acct, &counters);
    let mean_bytes = if acct.generated_external > 0 {
        sys.request_bytes as f64 / acct.generated_external as f64
    } else {
        0.0
    };
    let completed_measured: u64 = sys.classes().iter().map(|c| c.completed).sum();
    let in_flight: u64 = sys.in_flight_places().iter().map(|(_, n)| n).sum();
    let line_rate_gbps =
        s.nic.link_gbps * mean_bytes / (mean_bytes + s.nic.mac.wire_overhead_bytes as f64);
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
        drops: drops.total(),
        nic_core_util: (sys.nic_busy().as_secs_f64() / (s.cores as f64 * s.duration.as_secs_f64()))
            .min(1.0),
        sim_time_s: s.duration.as_secs_f64(),
        wall_time_s,
        events,
        generated: acct.generated,
        delivered: acct.delivered,
        in_flight,
        drops_source: 0,
        steered_host: 0,
        drops_switch: 0,
        drops_ingress: 0,
        drops_tm: 0,
        drops_tx: 0,
        workload: "actors".into(),
        source_gbps: load.rate_rps * mean_bytes * 8.0 / 1e9,
        offered_capped: load.capped,
        actor_drops: drops,
        to_host_actors: acct.to_host_actors,
        peak_in_flight: acct.peak_in_flight,
        reorders: acct.reorders,
        driver_errors: acct.driver_errors,
        model_errors: acct.model_errors,
        sends_dropped: acct.sends_dropped,
    };
    let places = Places {
        generated: acct.generated,
        delivered: acct.delivered,
        ended: vec![
            ("drops_pcie", drops.pcie),
            ("drops_fcfs_queue", drops.fcfs_queue),
            ("drops_mailbox", drops.mailbox),
            ("drops_migration_buffer", drops.migration_buffer),
            ("drops_host_queue", drops.host_queue),
            ("drops_actor_killed", drops.actor_killed),
            ("drops_actor_deleted", drops.actor_deleted),
            ("drops_unknown_actor", drops.unknown_actor),
            ("drops_watchdog", drops.watchdog),
        ],
        in_flight: sys.in_flight_places().to_vec(),
    };
    RunOutput {
        places,
        summary,
        timeseries: timeseries_table(sys, s.cores),
        resolved_toml: s.resolved_toml(),
        extra_tables: vec![
            ("actors.csv".into(), actors_table(rt, s)),
            ("placements.csv".into(), placements_table(rt)),
            ("migrations.csv".into(), migrations_table(rt)),
            ("classes.csv".into(), classes_table(&class_rows)),
        ],
        classes: class_rows,
    }
}
