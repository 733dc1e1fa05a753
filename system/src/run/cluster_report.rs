//! Reporting a cluster run: the summary row with cluster totals, servers.csv, links.csv, and the per-actor tables with a `server` column.
//!
//! Totals are sums over servers (completions, drops, events) and the
//! clients' end-to-end latency (request sent to response received, every
//! matched response). Conservation is counted in three independent parts:
//! each node's places (as in a one-server run), the network's frames
//! (injected = arrived + dropped in switches + in flight), and each
//! client's requests (sent = responses + timeouts + one-way + outstanding).

use super::actor_tables::{classes_table, timeseries_table};
use super::cluster::ClusterExtras;
use super::cluster_count::{crash_stats, lives, net_count};
use super::cluster_par::{drop_all, finish_servers};
use super::{ClassResult, Places, RunError, RunOutput};
use crate::cluster::clientpart::ClientPart;
use crate::cluster::world::{Part, ServerPart};
use crate::node::accounting::col;
use crate::node::drops::ActorDrops;
use crate::report::Summary;
use crate::scenario::Scenario;
use crate::trace::chrome::ChromeTrace;
use sim_core::table::fmt_f64;
use sim_core::{LatencyHistogram, SimTime, Table, TimeSeries};

fn append(into: &mut Option<Table>, t: Table) {
    match into {
        Some(a) => a.rows.extend(t.rows),
        None => *into = Some(t),
    }
}

/// Builds the outputs of a finished cluster run; the per-server work runs
/// on `pool`'s threads when given (the outputs are the same either way).
#[allow(clippy::too_many_arguments)]
pub(super) fn report(
    pool: Option<&rayon::ThreadPool>,
    s: &Scenario,
    parts: Vec<Part>,
    classes_of: Vec<Vec<String>>,
    asked_rps: f64,
    events: u64,
    wall_time_s: f64,
    drained: bool,
) -> Result<(RunOutput, ClusterExtras), RunError> {
    let end = SimTime::ZERO + s.duration;
    let mut net = None;
    let mut servers: Vec<ServerPart> = Vec::new();
    let mut clients: Vec<ClientPart> = Vec::new();
    for p in parts {
        match p {
            Part::Net(n) => net = Some(n),
            Part::Client(c) => clients.push(*c),
            Part::Server(sp) => servers.push(*sp),
        }
    }
    // one entry per server, in server order
    let rows = finish_servers(pool, s, &mut servers, end, drained);
    let net = net.ok_or_else(|| RunError::Assembly("no switch partition".into()))?;
    let srv: Vec<&ServerPart> = servers.iter().collect();
    let nc = net_count(&net, &srv, &clients);
    let measured_s = (s.duration - s.warmup).as_secs_f64();
    // per-class results over all servers, classes in first-seen order
    let mut class_names: Vec<String> = Vec::new();
    let mut class_stats: Vec<(u64, LatencyHistogram)> = Vec::new();
    let all_lives = servers
        .iter()
        .zip(&classes_of)
        .flat_map(|(sp, names)| lives(sp).into_iter().map(move |(n, _)| (n, names)));
    for (node, names) in all_lives {
        for (name, c) in names.iter().zip(node.classes()) {
            let i = match class_names.iter().position(|n| n == name) {
                Some(i) => i,
                None => {
                    class_names.push(name.clone());
                    class_stats.push((0, LatencyHistogram::new()));
                    class_names.len() - 1
                }
            };
            class_stats[i].0 += c.completed;
            class_stats[i].1.merge(&c.latency);
        }
    }
    let class_rows: Vec<ClassResult> = class_names
        .iter()
        .zip(&class_stats)
        .map(|(name, (completed, lat))| ClassResult {
            class: name.clone(),
            completed: *completed,
            achieved_mrps: *completed as f64 / measured_s / 1e6,
            mean_us: lat.mean_us(),
            p99_us: lat.quantile_us(0.99),
        })
        .collect();
    // end-to-end latency at the clients
    let mut e2e = LatencyHistogram::new();
    let mut cs = crate::cluster::client::ClientStats::default();
    let mut client_in_flight = 0;
    let mut client_drops_uplink = 0;
    for c in &clients {
        e2e.merge(&c.client.latency);
        let st = c.client.stats;
        cs.sent += st.sent;
        cs.responses += st.responses;
        cs.timeouts += st.timeouts;
        cs.unmatched += st.unmatched;
        cs.refused_full += st.refused_full;
        cs.one_way += st.one_way;
        client_in_flight += c.client.in_flight();
        client_drops_uplink += c.drops_uplink;
    }
    // per-node sums
    let mut places = Places {
        generated: 0,
        delivered: 0,
        ended: Vec::new(),
        in_flight: Vec::new(),
    };
    let add = |v: &mut Vec<(&'static str, u64)>, k: &'static str, n: u64| match v
        .iter_mut()
        .find(|(name, _)| *name == k)
    {
        Some(e) => e.1 += n,
        None => v.push((k, n)),
    };
    let mut offered_bytes = 0.0;
    let mut frames = 0;
    let mut completed = 0;
    let mut drops = 0;
    let mut nic_busy = 0.0;
    let mut nic_cores = 0;
    let mut acts = ActorDrops::default();
    let mut d_errs = (0, 0, 0, 0, 0);
    let mut peak = 0;
    let mut to_host = 0;
    let (mut srcd, mut steer, mut swd, mut ingd) = (0, 0, 0, 0);
    let mut series: Option<TimeSeries> = None;
    let mut tables: [Option<Table>; 4] = [None, None, None, None];
    let mut servers_t = None;
    for (sp, r) in servers.iter().zip(rows) {
        d_errs.1 += sp.net.misrouted;
        for (node, crashed_at) in lives(sp) {
            let acct = node.accounting();
            places.generated += node.generated();
            places.delivered += node.delivered();
            for (k, n) in node.ended() {
                add(&mut places.ended, k, n);
            }
            let inside = node.in_flight();
            match crashed_at {
                // what was inside a crashed node ended with it
                Some(_) => add(
                    &mut places.ended,
                    "lost_server_crash",
                    inside.iter().map(|(_, n)| n).sum(),
                ),
                None => {
                    for (k, n) in inside {
                        add(&mut places.in_flight, k, n);
                    }
                }
            }
            let until = crashed_at.unwrap_or(end);
            offered_bytes += node
                .series()
                .rows()
                .iter()
                .map(|r| r[col::OFFERED_BYTES])
                .sum::<f64>();
            frames += acct.frames;
            completed += node.classes().iter().map(|c| c.completed).sum::<u64>();
            drops += node.drops_total();
            nic_busy += node.driver().nic_busy(until).as_secs_f64();
            if crashed_at.is_none() {
                nic_cores += node.driver().nic_cores();
            }
            let rt = node.driver().runtime();
            let d = ActorDrops::of(acct.drops_pcie, rt.counters());
            acts = super::cluster_servers::plus(acts, &d);
            let dc = node.driver().counters();
            d_errs.0 += dc.reorders;
            d_errs.1 += dc.runtime_errors + dc.platform_errors;
            d_errs.2 += dc.model_errors;
            d_errs.3 += dc.dropped_sends;
            d_errs.4 += node.network_refused() + sp.net.staging_overflow;
            peak += acct.peak_in_flight;
            to_host += acct.to_host_actors;
            srcd += acct.drops_source;
            steer += acct.steered_host;
            swd += acct.drops_switch;
            ingd += acct.drops_ingress;
            super::cluster_servers::merge_series(&mut series, node.series());
        }
        append(&mut tables[0], r.actors);
        append(&mut tables[1], r.placements);
        append(&mut tables[2], r.migrations);
        append(&mut tables[3], r.counters);
        append(&mut servers_t, r.server);
    }
    let mean_bytes = if frames > 0 {
        offered_bytes / frames as f64
    } else {
        0.0
    };
    let crashes = servers
        .iter()
        .fold(crate::cluster::faults::CrashStats::default(), |a, sp| {
            let b = crash_stats(sp);
            crate::cluster::faults::CrashStats {
                crashes: a.crashes + b.crashes,
                restarts: a.restarts + b.restarts,
                lost_in_crash: a.lost_in_crash + b.lost_in_crash,
                drops_server_down: a.drops_server_down + b.drops_server_down,
                stale_events: a.stale_events + b.stale_events,
            }
        });
    let net_drops = nc.drops_buffer_full
        + nc.drops_no_route
        + nc.drops_link_loss
        + crashes.drops_server_down
        + client_drops_uplink
        + servers
            .iter()
            .map(|sp| sp.net.drops_uplink + sp.net.drops_no_route + sp.net.drops_no_actor)
            .sum::<u64>();
    // the servers' uplinks (the cluster's links replace each NIC's own port rate)
    let link_gbps: f64 = servers.iter().map(|sp| sp.uplink().2.rate_gbps()).sum();
    let summary = Summary {
        scenario: s.name.clone(),
        seed: s.seed,
        nic: s.nic.name.clone(),
        cores: nic_cores,
        packet_size: mean_bytes,
        offered_gbps: asked_rps * mean_bytes * 8.0 / 1e9,
        achieved_gbps: completed as f64 * mean_bytes * 8.0 / measured_s / 1e9,
        line_rate_gbps: link_gbps,
        achieved_mpps: completed as f64 / measured_s / 1e6,
        lat_mean_us: e2e.mean_us(),
        lat_p50_us: e2e.quantile_us(0.5),
        lat_p99_us: e2e.quantile_us(0.99),
        lat_p999_us: e2e.quantile_us(0.999),
        drops: drops + net_drops + crashes.lost_in_crash,
        nic_core_util: if nic_cores > 0 {
            (nic_busy / (f64::from(nic_cores) * s.duration.as_secs_f64())).min(1.0)
        } else {
            0.0
        },
        sim_time_s: s.duration.as_secs_f64(),
        wall_time_s,
        events,
        generated: places.generated,
        delivered: places.delivered,
        in_flight: places.in_flight.iter().map(|(_, n)| n).sum(),
        drops_source: srcd,
        steered_host: steer,
        drops_switch: swd,
        drops_ingress: ingd,
        drops_tm: 0,
        drops_tx: 0,
        workload: "actors".into(),
        source_gbps: asked_rps * mean_bytes * 8.0 / 1e9,
        offered_capped: false,
        actor_drops: acts,
        to_host_actors: to_host,
        peak_in_flight: peak,
        reorders: d_errs.0,
        driver_errors: d_errs.1 + net.misrouted + clients.iter().map(|c| c.misrouted).sum::<u64>(),
        model_errors: d_errs.2,
        sends_dropped: d_errs.3 + d_errs.4,
    };
    let host_used: f64 = servers
        .iter()
        .flat_map(lives)
        .map(|(n, at)| n.driver().host_busy(at.unwrap_or(end)).as_secs_f64())
        .sum::<f64>()
        / s.duration.as_secs_f64();
    let sum_net = |f: fn(&ServerPart) -> u64| servers.iter().map(f).sum::<u64>();
    let extra: Vec<(String, String)> = [
        ("servers", servers.len().to_string()),
        ("clients", clients.len().to_string()),
        ("host_cores_used", fmt_f64(host_used, 4)),
        ("client_sent", cs.sent.to_string()),
        ("client_responses", cs.responses.to_string()),
        ("client_one_way", cs.one_way.to_string()),
        ("client_timeouts", cs.timeouts.to_string()),
        ("client_unmatched", cs.unmatched.to_string()),
        ("client_refused", cs.refused_full.to_string()),
        ("client_outstanding", client_in_flight.to_string()),
        ("net_frames", nc.injected.to_string()),
        ("net_arrived", nc.arrived.to_string()),
        ("net_in_flight", nc.in_flight().to_string()),
        ("net_drops_buffer_full", nc.drops_buffer_full.to_string()),
        ("net_drops_no_route", nc.drops_no_route.to_string()),
        (
            "net_drops_uplink",
            (sum_net(|s| s.net.drops_uplink) + client_drops_uplink).to_string(),
        ),
        (
            "net_drops_no_actor",
            sum_net(|s| s.net.drops_no_actor).to_string(),
        ),
        (
            "net_drops_unaddressed",
            sum_net(|s| s.net.drops_no_route).to_string(),
        ),
        ("net_drops_link_loss", nc.drops_link_loss.to_string()),
        (
            "net_drops_server_down",
            crashes.drops_server_down.to_string(),
        ),
        ("server_crashes", crashes.crashes.to_string()),
        ("server_restarts", crashes.restarts.to_string()),
        ("lost_server_crash", crashes.lost_in_crash.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let series = series.unwrap_or_else(|| TimeSeries::new(s.window, col::NAMES, 1));
    let mut extra_tables = Vec::new();
    let names = [
        "actors.csv",
        "placements.csv",
        "migrations.csv",
        "counters.csv",
    ];
    for (name, t) in names.iter().zip(tables) {
        if let Some(t) = t {
            extra_tables.push((name.to_string(), t));
        }
    }
    extra_tables.push(("classes.csv".into(), classes_table(&class_rows)));
    if let Some(t) = servers_t {
        extra_tables.push(("servers.csv".into(), t));
    }
    let mut net = net;
    extra_tables.push((
        "links.csv".into(),
        super::cluster_servers::links_table(&mut net, &servers, &clients, s.duration),
    ));
    let mut trace: Option<ChromeTrace> = None;
    let parts = std::iter::once(net.trace.take())
        .chain(servers.iter_mut().map(|sp| sp.trace.take()))
        .chain(clients.iter_mut().map(|c| c.trace.take()));
    for t in parts.flatten() {
        match trace.as_mut() {
            Some(all) => all.absorb(t),
            None => trace = Some(t),
        }
    }
    drop_all(pool, servers);
    Ok((
        RunOutput {
            summary,
            timeseries: timeseries_table(&series, nic_cores),
            resolved_toml: s.resolved_toml(),
            extra_tables,
            classes: class_rows,
            places,
            summary_extra: extra,
        },
        ClusterExtras {
            trace,
            pcap_records: None,
            messages: None,
        },
    ))
}
