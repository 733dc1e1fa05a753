//! Running a `[cluster]` scenario: assemble one node per server, the clients and the network, run them on the parallel engine, and report.
//!
//! Every server is the one-server model (`Node`) built by the same assembly
//! as a one-server actor run, restricted to the actors `[[cluster.server]]`
//! starts on it and with that server's NIC and host. Clients send the
//! scenario's load, open loop, to the actors by weight (an actor on several
//! servers shares its weight equally among them). The run always uses
//! `sim_core::parallel` with one partition per switch, per server and per
//! client machine (`crate::cluster::world`); the thread count changes only
//! the wall time, never an output byte.

use super::assemble::actor_world;
use super::capacity::estimate_nic_capacity_rps;
use super::cluster_report::report;
use super::RunError;
use crate::cluster::client::{Client, LoadModel};
use crate::cluster::clientpart::{ClientPart, ClientTarget, ClientsShared};
use crate::cluster::fabric::TapTotals;
use crate::cluster::netpart::NetPart;
use crate::cluster::world::{ClusterEvent, Part, ServerPart, ACTOR_PORT_BASE};
use crate::cluster::Fabric;
use crate::scenario::actors::{ActorsPlan, OfferedLoad};
use crate::scenario::schema::WorkloadSection;
use crate::scenario::Scenario;
use crate::trace::chrome::ChromeTrace;
use sim_core::parallel::ParallelEngine;
use sim_core::{RngStreams, SimDuration, SimTime};
use std::sync::Arc;
use workloads::actors::registry::ActorKind;
use workloads::ArrivalProcess;

/// Bound on each partition's pending events.
const PARTITION_QUEUE_EVENTS: usize = 1 << 22;

/// How to run a cluster (nothing here changes an output, except `drain`).
#[derive(Clone, Debug, Default)]
pub struct ClusterOptions {
    /// Worker threads (0 or 1: the calling thread).
    pub threads: usize,
    /// Write one pcap file per switch port into this directory.
    pub pcap: Option<std::path::PathBuf>,
    /// Keep a Chrome trace of `[start, end)`.
    pub trace: Option<(SimTime, SimTime)>,
    /// After the end, let every frame and message in flight finish (clients
    /// and policy ticks have stopped): the conservation test then expects
    /// nothing in flight. Off for `nicsim run`.
    pub drain: bool,
    /// Keep every message the network delivers (tests check applications
    /// across servers with it); off for `nicsim run`.
    pub record_messages: bool,
}

/// A cluster run's extra products.
pub struct ClusterExtras {
    /// The Chrome trace, when asked for.
    pub trace: Option<ChromeTrace>,
    /// pcap records written and past the bound, when asked for.
    pub pcap_records: Option<TapTotals>,
    /// The delivered messages, with `record_messages`.
    pub messages: Option<crate::cluster::record::Recorder>,
}

/// Whether an actor of `kind` with `config` answers its sender (clients
/// send one-way to those that do not: they forward or sink).
pub(crate) fn replies(kind: ActorKind, config: &toml::Table) -> bool {
    match kind.name() {
        "fixed_cost" | "variable_cost" => config
            .get("reply")
            .and_then(toml::Value::as_bool)
            .unwrap_or(true),
        "replication" | "load_balancer" | "firewall" | "rate_limiter" => false,
        // RTA's stream stages pass tuples on and answer no one
        "rta_filter" | "rta_counter" => false,
        _ => true,
    }
}

fn assembly(e: impl std::fmt::Display) -> RunError {
    RunError::Assembly(e.to_string())
}

/// Runs `s` (which has `[cluster]`) with `opts`.
pub fn run_cluster(
    s: &Scenario,
    opts: &ClusterOptions,
) -> Result<(super::RunOutput, ClusterExtras), RunError> {
    let wall = std::time::Instant::now();
    let Some(plan) = &s.cluster else {
        return Err(assembly("the scenario has no [cluster]"));
    };
    let actors = match (&s.workload, &s.actors) {
        (WorkloadSection::Actors(_), Some(a)) => a,
        _ => {
            return Err(assembly(
                "a cluster runs actor workloads only (workload.kind = \"actors\"); the echo workload on a cluster is not built",
            ))
        }
    };
    let topo = Arc::new(plan.topology.clone());
    let lookahead = crate::cluster::world::lookahead(&topo);
    if lookahead == SimDuration::ZERO {
        return Err(assembly(
            "every cluster link needs a positive propagation delay (it is the parallel engine's lookahead)",
        ));
    }
    let end = SimTime::ZERO + s.duration;
    let streams = RngStreams::new(s.seed);
    let traced = |_: ()| {
        opts.trace
            .map(|(a, b)| ChromeTrace::new(a, b, crate::trace::chrome::DEFAULT_MAX_EVENTS))
    };
    // servers: each is assembled on its own (its caches, runtime and
    // histograms), so with several threads they are built in parallel; the
    // result is the same list in server order either way
    type Built = Result<(ServerPart, Vec<String>), RunError>;
    let build_server = |(i, sp): (usize, &crate::scenario::cluster::ServerPlan)| -> Built {
        let mut ss = s.clone();
        ss.nic = sp.nic.clone();
        ss.cores = sp.nic_cores;
        ss.cluster = None;
        let mut ap: ActorsPlan = actors.clone();
        for (a, cfg) in ap.actors.iter_mut().zip(&sp.configs) {
            a.config = cfg.clone();
        }
        ap.actors.retain(|a| sp.actors.contains(&a.name));
        if let Some(h) = &sp.host {
            ap.host = h.clone();
        }
        ap.host_cores = sp.host_cores;
        let build = || -> Result<(crate::node::Node, Vec<String>), RunError> {
            let built =
                actor_world(&ss, &ap, 1.0).map_err(|e| assembly(format!("server s{i}: {e}")))?;
            let node = built
                .world
                .into_nodes()
                .into_iter()
                .next()
                .ok_or_else(|| assembly("no node assembled"))?;
            Ok((node, built.classes))
        };
        let (node, classes) = build()?;
        // a crash replaces the node by a fresh one, built the same way now
        let crashes = plan.faults.crashes_of(i as u32);
        let spares = crashes
            .iter()
            .map(|_| build().map(|(n, _)| n))
            .collect::<Result<Vec<_>, _>>()?;
        let reports = node.driver().runtime().actor_reports();
        let actor_of_index = actors
            .actors
            .iter()
            .map(|a| reports.iter().find(|r| r.name == a.name).map(|r| r.actor))
            .collect();
        let mut part = ServerPart::new(i as u32, node, topo.clone(), actor_of_index, traced(()));
        if !crashes.is_empty() {
            part = part.with_faults(crashes, spares);
        }
        let (link, dir, _) = part.uplink();
        if let Some(f) = plan.faults.link_fault(&streams, link, dir) {
            part.uplink_mut().set_fault(f);
        }
        Ok((part, classes))
    };
    let threads = opts.threads.max(1);
    // the threads of the serial work around the engine (`cluster_par`):
    // the build here, the report's per-server rows and drops at the end
    // (the engine runs on them too: one set of threads for the whole run)
    let pool = match threads {
        1 => None,
        t => Some(Arc::new(
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .map_err(assembly)?,
        )),
    };
    let mut plans: Vec<(usize, &crate::scenario::cluster::ServerPlan)> =
        plan.servers.iter().enumerate().collect();
    let built: Vec<Built> =
        super::cluster_par::map_in_order(pool.as_deref(), &mut plans, |&mut p| build_server(p));
    // the first failing server by index, whatever the thread count
    let built = built.into_iter().collect::<Result<Vec<_>, _>>()?;
    let (servers, classes_of): (Vec<ServerPart>, Vec<Vec<String>>) = built.into_iter().unzip();
    // load and targets
    let hosting = |name: &str| -> Vec<u32> {
        (0..plan.servers.len() as u32)
            .filter(|&i| plan.servers[i as usize].actors.iter().any(|a| a == name))
            .collect()
    };
    let total_w: f64 = actors
        .actors
        .iter()
        .filter(|a| !hosting(&a.name).is_empty())
        .map(|a| a.weight)
        .sum();
    let mut targets = Vec::new();
    let mut cumulative = 0.0;
    let app = actors.app.clone().map(Arc::new);
    for (k, a) in actors.actors.iter().enumerate() {
        let hosts = hosting(&a.name);
        if a.weight <= 0.0 {
            // weight 0: clients never send to it (an app's internal actor)
            continue;
        }
        for &h in &hosts {
            cumulative += a.weight / hosts.len() as f64 / total_w;
            targets.push(ClientTarget {
                server: h,
                port: ACTOR_PORT_BASE + k as u16,
                kind: a.kind,
                replies: replies(a.kind, &a.config),
                pad_to: a.request_bytes.map_or(0, crate::frame::payload_bytes_for),
                cumulative,
                app: app.clone(),
            });
        }
    }
    if let Some(t) = targets.last_mut() {
        t.cumulative = 1.0;
    }
    let active = plan.servers.iter().filter(|p| !p.actors.is_empty()).count() as f64;
    let asked_rps = match actors.load {
        OfferedLoad::Krps(k) => k * 1e3,
        OfferedLoad::Fraction(f) => f * estimate_nic_capacity_rps(s, actors)? * active,
    };
    let clients = topo.clients;
    let per_client = if clients > 0 {
        asked_rps / f64::from(clients)
    } else {
        0.0
    };
    let load = match (plan.clients.closed, actors.arrival) {
        (Some((outstanding, think)), _) => LoadModel::Closed { outstanding, think },
        (None, ArrivalProcess::Constant) => LoadModel::Constant {
            rate_rps: per_client,
        },
        (None, ArrivalProcess::Poisson) => LoadModel::Poisson {
            rate_rps: per_client,
        },
        // bursts at the peak rate that averages the asked rate
        (None, ArrivalProcess::OnOff) => match actors.onoff {
            Some(p) => LoadModel::Bursty {
                rate_rps: p.peak_rate(per_client),
                on: p.on,
                off: p.off,
            },
            // the scenario checker requires the periods with "onoff"
            None => {
                return Err(assembly(
                    "workload.arrival = \"onoff\" needs workload.on_us and workload.off_us",
                ))
            }
        },
    };
    let mut fabric = Fabric::new((*topo).clone());
    // the servers' uplink directions got theirs above (their partitions drive them)
    let uplinks: Vec<(usize, usize)> = servers
        .iter()
        .map(|sp| {
            let (l, d, _) = sp.uplink();
            (l, d)
        })
        .collect();
    for lf in &plan.faults.links {
        for dir in 0..2 {
            if uplinks.contains(&(lf.link, dir)) {
                continue;
            }
            if let Some(f) = plan.faults.link_fault(&streams, lf.link, dir) {
                fabric.set_link_fault(lf.link, dir, f);
            }
        }
    }
    // one set of port files per switch: each switch's partition writes its own
    let mut taps = match &opts.pcap {
        Some(dir) => {
            crate::trace::pcap::PcapSet::create(dir, &topo, crate::trace::pcap::DEFAULT_MAX_RECORDS)
                .map_err(assembly)?
                .split_by_switch()
        }
        None => Vec::new(),
    }
    .into_iter();
    let stop = if per_client > 0.0 { end } else { SimTime::ZERO };
    // each client drives its uplink, with the fault process the fabric's
    // copy of that direction got above
    let shared = ClientsShared {
        topo: topo.clone(),
        targets: Arc::new(targets),
        stop_at: stop,
    };
    let client_parts: Vec<ClientPart> = (0..clients)
        .map(|c| {
            let rng = streams.stream_indexed("cluster/client", u64::from(c));
            let pick = streams.stream_indexed("cluster/client/pick", u64::from(c));
            let client = Client::new(load, plan.clients.timeout, SimTime::ZERO, rng)
                .with_warmup(SimTime::ZERO + s.warmup);
            let uplink = fabric
                .endpoint_link_tx(topo.servers + c)
                .cloned()
                .ok_or_else(|| assembly("a client without an uplink"))?;
            let mut cp = ClientPart::new(c, client, pick, uplink, &shared);
            cp.trace = traced(());
            Ok(cp)
        })
        .collect::<Result<_, RunError>>()?;
    // the partition layout of `crate::cluster::world`: switches, servers, clients
    let switches = topo.switches.len() as u32;
    let mut parts: Vec<Part> = (0..switches)
        .map(|sw| {
            let mut f = fabric.of_switch(sw);
            if let Some(tap) = taps.next() {
                f.set_tap(Box::new(tap));
            }
            let mut net = NetPart::new(sw, f, traced(()));
            if opts.record_messages {
                net.record = Some(crate::cluster::record::Recorder::default());
            }
            Part::Net(Box::new(net))
        })
        .collect();
    parts.extend(servers.into_iter().map(|sp| Part::Server(Box::new(sp))));
    parts.extend(
        client_parts
            .into_iter()
            .map(|cp| Part::Client(Box::new(cp))),
    );
    let n = parts.len();
    let mut engine =
        ParallelEngine::new(parts, lookahead, PARTITION_QUEUE_EVENTS).map_err(assembly)?;
    engine
        .set_neighbors(&crate::cluster::world::talk_graph(&topo, n))
        .map_err(assembly)?;
    if let Some(pool) = &pool {
        engine.share_pool(pool.clone());
    }
    for p in 0..n {
        let first = match engine.models().get(p) {
            Some(Part::Client(c)) => c.first_event(),
            _ => Some((SimTime::ZERO, ClusterEvent::Start)),
        };
        if let Some((at, ev)) = first {
            engine.schedule_at(p, at, ev).map_err(assembly)?;
        }
    }
    engine.run_until(end, threads).map_err(assembly)?;
    if opts.drain {
        engine.run_until(SimTime::MAX, threads).map_err(assembly)?;
    }
    let events = engine.events_handled();
    let mut models = engine.into_models();
    let endpoints = models.split_off(switches as usize);
    let nets: Vec<NetPart> = models
        .into_iter()
        .filter_map(|p| match p {
            Part::Net(n) => Some(*n),
            _ => None,
        })
        .collect();
    // the switches back into one network, which the reports read whole
    let (mut net, taps) = NetPart::gather(fabric, nets);
    let messages = net.record.take();
    let pcap_records = match taps.is_empty() {
        true => None,
        false => Some(
            taps.into_iter()
                .map(|t| t.finish())
                .sum::<Result<TapTotals, _>>()
                .map_err(assembly)?,
        ),
    };
    let mut parts = vec![Part::Net(Box::new(net))];
    parts.extend(endpoints);
    let wall_time_s = wall.elapsed().as_secs_f64();
    let (out, mut extras) = report(
        pool.as_deref(),
        s,
        parts,
        classes_of,
        asked_rps,
        events,
        wall_time_s,
        opts.drain,
    )?;
    extras.pcap_records = pcap_records;
    extras.messages = messages;
    Ok((out, extras))
}
