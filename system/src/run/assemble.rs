//! Assembling a world from a scenario: one node (NIC pipeline, PCIe, host, runtime with its actors) and the traffic source.
//!
//! Both workloads build the same node. The echo workload registers the echo
//! actor on an FCFS runtime whose shared queue has the traffic manager's
//! capacity, and its source sends packets of the scenario's size mix; the
//! actor workload registers the scenario's actors under its scheduler
//! settings, and its source sends requests picked by weight.

use super::RunError;
use crate::node::accounting::{col, Conserve};
use crate::node::driver::RuntimeDriver;
use crate::node::echo_actor::EchoActor;
use crate::node::forward::{ForwardPath, Mechanisms};
use crate::node::{Node, NodeParts};
use crate::scenario::actors::{ActorSpec, ActorsPlan};
use crate::scenario::Scenario;
use crate::world::{RequestArrivals, RequestGen, Source, Target, World};
use nic_models::switch::EmbeddedSwitch;
use nic_models::{CoreModel, ForwardingCost, MacPort, NicKind};
use pcie_model::PcieSystem;
use scheduler::policy::Placement;
use scheduler::runtime::Runtime;
use scheduler::{PolicyKind, SchedulerSettings, Side};
use sim_core::{Engine, RngStreams, SimDuration, SimTime, TimeSeries};
use workloads::actors::registry::build_actor_of;
use workloads::sim_platform::SimPlatform;
use workloads::PacketGenerator;

pub(super) fn assembly(e: impl std::fmt::Display) -> RunError {
    RunError::Assembly(e.to_string())
}

/// A world and what its reports need to know.
pub(super) struct Assembled {
    pub world: World,
    /// Class names, by class index.
    pub classes: Vec<String>,
}

/// The runtime driver of a node of `s` around `rt`.
pub(super) fn driver_for(
    s: &Scenario,
    rt: Runtime,
    nic_model: CoreModel,
    host_model: Option<CoreModel>,
) -> Result<RuntimeDriver, RunError> {
    let pcie = PcieSystem::new(&s.nic.pcie_profiles()).map_err(assembly)?;
    let forwarding = ForwardingCost::new(&s.nic.forwarding, SimDuration::ZERO);
    Ok(
        RuntimeDriver::new(rt, nic_model, host_model, &pcie, forwarding)
            .with_on_path(s.nic.kind == NicKind::OnPath),
    )
}

fn series(s: &Scenario) -> TimeSeries {
    let max_windows = (s.duration.as_ps() / s.window.as_ps().max(1)) as usize + 1;
    TimeSeries::new(s.window, col::NAMES, max_windows)
}

fn node(
    s: &Scenario,
    driver: RuntimeDriver,
    class_of_actor: Vec<usize>,
    classes: usize,
    conserve: Conserve,
    forward: Option<ForwardPath>,
) -> Result<Node, RunError> {
    let switch = match (s.nic.kind, &s.nic.switch) {
        (NicKind::OffPath, config) => Some(
            EmbeddedSwitch::new(config.clone().unwrap_or_default(), s.cores).map_err(assembly)?,
        ),
        (NicKind::OnPath, _) => None,
    };
    Ok(Node::new(NodeParts {
        id: 0,
        nic: s.nic.clone(),
        driver,
        pcie: PcieSystem::new(&s.nic.pcie_profiles()).map_err(assembly)?,
        switch,
        class_of_actor,
        classes,
        warmup_end: SimTime::ZERO + s.warmup,
        stop_at: SimTime::ZERO + s.duration,
        series: series(s),
        conserve,
        forward,
    }))
}

/// The echo workload's world: the echo actor alone on an FCFS runtime.
pub(super) fn echo_world(
    s: &Scenario,
    echo: &workloads::EchoConfig,
) -> Result<Assembled, RunError> {
    let streams = RngStreams::new(s.seed);
    let end = SimTime::ZERO + s.duration;
    let settings = SchedulerSettings {
        policy: PolicyKind::Fcfs,
        // the FCFS shared queue is the traffic manager's queue
        fcfs_queue_capacity: s.nic.traffic_manager.queue_packets,
        // one FCFS actor: the policy has nothing to decide, so it never runs
        policy_interval_ns: (s.duration.as_ps() / 1_000).saturating_add(1),
        // the echo workload has no watchdog: `processing_us` may be any length
        // (the largest budget whose sum with a start time cannot overflow)
        watchdog_ns: u64::MAX / 2_000,
        ..SchedulerSettings::default()
    };
    let mut nic_model = s.nic.core_model().map_err(assembly)?;
    // the echo actor never runs on the host: no host cost model
    let host_model = None;
    let mut rt = Runtime::new(settings, s.cores, 1).map_err(assembly)?;
    let cycles = (echo.processing_us * 1e3 * s.nic.core_freq_ghz).round() as u64;
    let echo_id = {
        let mut p = SimPlatform::new(&mut nic_model, 0, Side::Nic).map_err(assembly)?;
        rt.register_actor_at(
            Box::new(EchoActor::new(cycles)),
            Placement::NicFcfs,
            &mut p,
            SimTime::ZERO,
        )
        .map_err(assembly)?
    };
    // The NIC cores run the forwarding handler in closed form (node::forward);
    // the same cost as the echo actor's: forwarding, then `cycles` of compute.
    let processing = nic_model.clock().cycles(cycles);
    let tm = &s.nic.traffic_manager;
    // the forwarding path's own copy of the NIC's caches (the runtime's cores
    // run nothing in an echo run): receive ring, flow state, hand-over
    let mech = Mechanisms::from_profile(&s.nic).map_err(assembly)?;
    let forward = ForwardPath::new(
        s.cores as usize,
        tm.queue_packets as usize,
        ForwardingCost::new(&s.nic.forwarding, SimDuration::ZERO),
        processing,
        mech,
    );
    let driver = driver_for(s, rt, nic_model, host_model)?;
    let t = &s.traffic;
    let mut gen = PacketGenerator::new(
        t.sizes.clone(),
        t.arrival,
        t.offered_gbps,
        t.flows,
        streams.stream("traffic/source/0"),
        end,
    );
    if let Some(periods) = t.onoff {
        gen = gen.with_onoff(periods);
    }
    let node = node(s, driver, vec![0], 1, Conserve::Frames, Some(forward))?;
    Ok(Assembled {
        world: World::new(
            vec![node],
            Source::Packets {
                gen,
                actor: echo_id,
            },
            MacPort::new(s.nic.link_gbps, &s.nic.mac),
            0,
        ),
        classes: vec!["echo".into()],
    })
}

/// Builds the actor `spec` names.
pub(super) fn build(spec: &ActorSpec) -> Result<Box<dyn scheduler::Actor>, RunError> {
    let inner = build_actor_of(spec.kind, &spec.config).map_err(assembly)?;
    Ok(Box::new(crate::node::named::Named::new(
        spec.name.clone(),
        inner,
    )))
}

/// One actor of an actor world, as assembled from its scenario entry.
pub(super) struct Entry {
    /// The actor (named).
    pub actor: Box<dyn scheduler::Actor>,
    /// Initial placement (`None`: the policy's).
    pub placement: Option<Placement>,
    /// Reporting class.
    pub class: String,
    /// Share of the requests.
    pub weight: f64,
    /// How its requests are made.
    pub request: RequestGen,
}

/// The actor workload's world at `rate_rps` requests per second.
pub(super) fn actor_world(
    s: &Scenario,
    plan: &ActorsPlan,
    rate_rps: f64,
) -> Result<Assembled, RunError> {
    let app = plan.app.clone().map(std::sync::Arc::new);
    let entries = plan
        .actors
        .iter()
        .map(|spec| {
            Ok(Entry {
                actor: build(spec)?,
                placement: spec.placement,
                class: spec.class.clone(),
                weight: spec.weight,
                request: match (&app, spec.request_bytes) {
                    (Some(w), b) => RequestGen::App {
                        kind: spec.kind,
                        app: w.clone(),
                        payload_bytes: b.map_or(0, crate::frame::payload_bytes_for),
                    },
                    (None, Some(b)) => RequestGen::Padded {
                        kind: spec.kind,
                        payload_bytes: crate::frame::payload_bytes_for(b),
                    },
                    (None, None) => RequestGen::Kind(spec.kind),
                },
            })
        })
        .collect::<Result<Vec<_>, RunError>>()?;
    let host_model = plan.host.core_model().map_err(assembly)?;
    // host_only: the NIC is a plain NIC and the host runs a DPDK-style stack
    let host_stack = match plan.settings.policy {
        PolicyKind::HostOnly => plan
            .host
            .messaging
            .path("dpdk")
            .map(crate::node::host_stack::HostStack::from_path),
        _ => None,
    };
    actor_world_of(
        s,
        plan.settings.clone(),
        plan.host_cores,
        (host_model, host_stack),
        entries,
        RequestArrivals {
            process: plan.arrival,
            onoff: plan.onoff,
            rate_rps,
        },
    )
}

/// A world of one node running `entries` under `settings`, with requests at
/// `arrivals` (the actor workload; tests build worlds of their own actors);
/// host cores pay the host stack, if given, per message from or to the wire.
pub(super) fn actor_world_of(
    s: &Scenario,
    settings: SchedulerSettings,
    host_cores: u32,
    (host_model, host_stack): (CoreModel, Option<crate::node::host_stack::HostStack>),
    entries: Vec<Entry>,
    arrivals: RequestArrivals,
) -> Result<Assembled, RunError> {
    let streams = RngStreams::new(s.seed);
    let mut rt = Runtime::new(settings, s.cores, host_cores).map_err(assembly)?;
    let mut nic_model = s.nic.core_model().map_err(assembly)?;
    let mut classes: Vec<String> = Vec::new();
    let total_w: f64 = entries.iter().map(|a| a.weight).sum();
    let mut cumulative = 0.0;
    let mut targets = Vec::new();
    let mut class_of_actor = Vec::new();
    for e in entries {
        let mut p = SimPlatform::new(&mut nic_model, 0, Side::Nic).map_err(assembly)?;
        let id = match e.placement {
            Some(at) => rt.register_actor_at(e.actor, at, &mut p, SimTime::ZERO),
            None => rt.register_actor(e.actor, &mut p, SimTime::ZERO),
        }
        .map_err(assembly)?;
        let class = classes
            .iter()
            .position(|c| *c == e.class)
            .unwrap_or_else(|| {
                classes.push(e.class.clone());
                classes.len() - 1
            });
        if class_of_actor.len() <= id as usize {
            class_of_actor.resize(id as usize + 1, 0);
        }
        class_of_actor[id as usize] = class;
        if e.weight <= 0.0 {
            // weight 0: an internal actor (an app's participant, log, ranker)
            // that only other actors send to
            continue;
        }
        cumulative += e.weight / total_w;
        targets.push(Target {
            id,
            request: e.request,
            cumulative,
        });
    }
    if let Some(last) = targets.last_mut() {
        last.cumulative = 1.0;
    }
    rt.check_static_names().map_err(assembly)?;
    let driver = driver_for(s, rt, nic_model, Some(host_model))?.with_host_stack(host_stack);
    let node = node(
        s,
        driver,
        class_of_actor,
        classes.len(),
        Conserve::Messages,
        None,
    )?;
    let source = Source::requests(
        targets,
        streams.stream("traffic/requests"),
        arrivals,
        SimTime::ZERO + s.duration,
    );
    Ok(Assembled {
        world: World::new(
            vec![node],
            source,
            MacPort::new(s.nic.link_gbps, &s.nic.mac),
            0,
        ),
        classes,
    })
}

/// Runs `world` to `end`; returns it closed at `end` with the number of events handled.
pub(super) fn drive(world: World, end: SimTime) -> Result<(World, u64), RunError> {
    let mut engine = Engine::new(world);
    {
        let (w, sched) = engine.parts_mut();
        w.start(sched);
    }
    engine.run_until(end)?;
    let events = engine.events_handled();
    let mut world = engine.into_model();
    world.finish(end);
    Ok((world, events))
}
