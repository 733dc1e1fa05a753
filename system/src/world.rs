//! `World`: the sim-core model holding the nodes and the traffic source; a single-server scenario is a world with one node.
//!
//! Events are tagged by node ([`WorldEvent::Node`]), so a world of many
//! nodes (a cluster) routes each event to its node, and a parallel engine
//! can later partition events by node. The source's frames cross the
//! source's wire (a MAC at the NIC's link rate, closed form) and enter the
//! target node's receive path. The source is pulled one frame at a time —
//! the next frame is made when the previous one reaches its node — so it
//! never runs ahead of simulated time and its memory stays bounded.

use crate::frame::{Addr, Frame, NodeId, SOURCE_NODE};
use crate::node::{Ingress, Node, NodeEvent};
use nic_models::switch::synthetic_flow;
use nic_models::MacPort;
use scheduler::{Endpoint, Message};
use sim_core::{Model, Scheduler, SimDuration, SimRng, SimTime};
use workloads::actors::registry::{gen_request, gen_request_into, ActorKind};
use workloads::{ArrivalProcess, OnOff, OnOffArrivals, PacketGenerator};

/// How far past the current event the source runs ahead into a node that
/// forwards in closed form (one `SourceNext` event per this much traffic
/// instead of one per frame). Frames pulled ahead count as inside the node,
/// so `peak_in_flight` may exceed the event-by-event value by the frames of
/// one batch (about 5 at 256 B on 10GbE).
pub const SOURCE_BATCH: SimDuration = SimDuration::from_ns(1_000);

/// Events of the world.
#[derive(Debug)]
pub enum WorldEvent {
    /// An event of one node.
    Node(NodeId, NodeEvent),
    /// The source goes on (its last frame went to a host over PCIe).
    SourceNext,
}

/// How the source makes a request for one actor.
#[derive(Clone, Debug, PartialEq)]
pub enum RequestGen {
    /// The actor kind's own request generator (real payloads it can parse).
    Kind(ActorKind),
    /// An application request from the `[workload.app]` settings
    /// (`workloads::apps::requests`), else the kind's own generator;
    /// zero-padded to at least `payload_bytes` as `Padded`.
    App {
        /// The actor kind.
        kind: ActorKind,
        /// The settings.
        app: std::sync::Arc<workloads::apps::workload::AppWorkload>,
        /// Least payload bytes (0: no padding).
        payload_bytes: usize,
    },
    /// The kind's own request, zero-padded to at least `payload_bytes`
    /// (`workload.actors[].request_bytes`; parsers read their fields and
    /// ignore trailing bytes).
    Padded {
        /// The actor kind.
        kind: ActorKind,
        /// Least payload bytes.
        payload_bytes: usize,
    },
    /// Zero-filled payloads of one size (e.g. for the echo actor).
    Fixed {
        /// `Message::kind`.
        kind: u16,
        /// Payload bytes (the frame adds its headers).
        payload_bytes: usize,
    },
}

/// One actor as the request source sees it.
#[derive(Clone, Debug)]
pub struct Target {
    /// Runtime id.
    pub id: scheduler::ActorId,
    /// How its requests are made.
    pub request: RequestGen,
    /// Cumulative normalised weight.
    pub cumulative: f64,
}

/// When the request source sends: the process and its mean rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RequestArrivals {
    /// Constant, Poisson or bursty gaps.
    pub process: ArrivalProcess,
    /// Burst and silence means with [`ArrivalProcess::OnOff`] (without
    /// them the process degenerates to constant gaps).
    pub onoff: Option<OnOff>,
    /// Mean requests per second.
    pub rate_rps: f64,
}

/// Where frames come from.
pub enum Source {
    /// Packets of a size mix at an offered rate in Gb/s, each addressed to one actor (the echo actor).
    Packets {
        /// The generator.
        gen: PacketGenerator,
        /// The actor every packet is for.
        actor: scheduler::ActorId,
    },
    /// Requests to actors picked by weight, at a rate in requests per second.
    Requests {
        /// Targets with cumulative weights.
        targets: Vec<Target>,
        /// The stream gaps, picks and payloads are drawn from.
        rng: SimRng,
        /// Constant, Poisson or bursty gaps.
        arrival: ArrivalProcess,
        /// Mean gap, ps.
        mean_gap_ps: f64,
        /// Bursty: the on/off schedule (Poisson at the peak rate inside a
        /// burst), as the cluster clients' `"onoff"`.
        bursts: Option<OnOffArrivals>,
        /// Creation time of the next request.
        next_at: SimTime,
        /// No request is created at or after this.
        stop_at: SimTime,
        /// Requests created.
        next_id: u64,
    },
}

impl Source {
    /// Requests at `arrivals` until `stop_at`; the first is created at time
    /// zero (with bursts: the first burst starts then).
    pub fn requests(
        targets: Vec<Target>,
        mut rng: SimRng,
        arrivals: RequestArrivals,
        stop_at: SimTime,
    ) -> Source {
        let rate_rps = arrivals.rate_rps.max(1e-9);
        let bursts = match (arrivals.process, arrivals.onoff) {
            (ArrivalProcess::OnOff, Some(p)) => Some(OnOffArrivals::new(
                p.peak_rate(rate_rps),
                p,
                SimTime::ZERO,
                &mut rng,
            )),
            _ => None,
        };
        Source::Requests {
            targets,
            rng,
            arrival: arrivals.process,
            mean_gap_ps: 1e12 / rate_rps,
            bursts,
            next_at: SimTime::ZERO,
            stop_at,
            next_id: 0,
        }
    }

    /// The next frame for `node`, or `None` once the source has stopped.
    /// `buffer` is an allocation the payload may reuse (its contents are
    /// overwritten): the node's spare buffers, so a request allocates nothing.
    pub fn next_frame(&mut self, node: NodeId, buffer: Vec<u8>) -> Option<Frame> {
        let (id, created_at, flow, actor, kind, payload) = match self {
            Source::Packets { gen, actor } => {
                // The forwarding path needs no payload: the frame carries its
                // size and nothing is allocated per packet.
                drop(buffer);
                let p = gen.next_packet()?;
                return Some(Frame {
                    id: p.id,
                    src: Addr::Port {
                        node: SOURCE_NODE,
                        port: 0,
                    },
                    dst: Addr::Actor {
                        node,
                        actor: *actor,
                    },
                    wire_bytes: p.size_bytes,
                    flow: synthetic_flow(p.flow),
                    created_at: p.created_at,
                    msg: None,
                });
            }
            Source::Requests {
                targets,
                rng,
                arrival,
                mean_gap_ps,
                bursts,
                next_at,
                stop_at,
                next_id,
            } => {
                use rand::Rng;
                use rand_distr::{Distribution, Exp1};
                if *next_at >= *stop_at || targets.is_empty() {
                    return None;
                }
                let created_at = *next_at;
                *next_at = match (arrival, bursts.as_mut()) {
                    (ArrivalProcess::OnOff, Some(b)) => b.next_after(created_at, rng),
                    (ArrivalProcess::Poisson, _) => {
                        let x: f64 = Exp1.sample(rng);
                        created_at + SimDuration::from_ps((x * *mean_gap_ps) as u64)
                    }
                    // "onoff" without periods degenerates to constant gaps
                    _ => created_at + SimDuration::from_ps(*mean_gap_ps as u64),
                };
                let u: f64 = rng.gen();
                let i = targets
                    .iter()
                    .position(|t| u < t.cumulative)
                    .unwrap_or(targets.len() - 1);
                let t = &targets[i];
                let (kind, payload) = match &t.request {
                    RequestGen::Kind(k) => {
                        let req = gen_request_into(*k, rng, buffer);
                        (req.kind, req.payload)
                    }
                    RequestGen::App {
                        kind,
                        app,
                        payload_bytes,
                    } => {
                        let req = workloads::apps::requests::app_request(kind.name(), app, rng)
                            .unwrap_or_else(|| gen_request(*kind, rng))
                            .padded_to(*payload_bytes);
                        (req.kind, req.payload)
                    }
                    RequestGen::Padded {
                        kind,
                        payload_bytes,
                    } => {
                        let req = gen_request_into(*kind, rng, buffer).padded_to(*payload_bytes);
                        (req.kind, req.payload)
                    }
                    RequestGen::Fixed {
                        kind,
                        payload_bytes,
                    } => {
                        let mut payload = buffer;
                        payload.clear();
                        payload.resize(*payload_bytes, 0);
                        (*kind, payload)
                    }
                };
                let id = *next_id;
                *next_id += 1;
                (id, created_at, 0, t.id, kind, payload)
            }
        };
        let wire_bytes = Frame::wire_bytes_for(payload.len());
        let msg = Message {
            id,
            src: Endpoint::Network {
                node: SOURCE_NODE,
                port: 0,
            },
            dst: actor,
            kind,
            payload,
            created_at,
        };
        Some(Frame {
            id,
            src: Addr::Port {
                node: SOURCE_NODE,
                port: 0,
            },
            dst: Addr::Actor { node, actor },
            wire_bytes,
            flow: synthetic_flow(flow),
            created_at,
            msg: Some(msg),
        })
    }
}

/// Nodes and the traffic source.
pub struct World {
    nodes: Vec<Node>,
    source: Source,
    /// The source's MAC onto the wire towards `target`.
    source_wire: MacPort,
    target: NodeId,
}

impl World {
    /// A world of `nodes` whose source sends to node `target` through `source_wire`.
    pub fn new(nodes: Vec<Node>, source: Source, source_wire: MacPort, target: NodeId) -> World {
        World {
            nodes,
            source,
            source_wire,
            target,
        }
    }

    /// Schedules the first events: every node's policy tick, the first frame.
    pub fn start(&mut self, sched: &mut Scheduler<WorldEvent>) {
        for n in &mut self.nodes {
            n.start(sched);
        }
        self.pull_source(SimTime::ZERO, sched);
    }

    /// Pulls frames from the source through its wire into the target node's
    /// receive path until one will reach the runtime, or the source stops.
    /// Frames the node forwards in closed form need no event each: pulling
    /// goes on up to [`SOURCE_BATCH`] past `now`, then one `SourceNext`.
    fn pull_source(&mut self, now: SimTime, sched: &mut Scheduler<WorldEvent>) {
        let horizon = now + SOURCE_BATCH;
        let Some(node) = self.nodes.get_mut(self.target as usize) else {
            return;
        };
        while let Some(f) = self.source.next_frame(self.target, node.payload_buffer()) {
            node.offered(&f);
            let Some(at_nic) = self.source_wire.transmit(f.created_at, f.wire_bytes) else {
                node.dropped_at_source();
                continue;
            };
            match node.ingress(f, at_nic, sched) {
                Ingress::Arrives(_) => return,
                // closed form: go on when the frame has reached the cores
                Ingress::Forwarded(at) if at < horizon => continue,
                Ingress::Forwarded(at) => {
                    sched.schedule_at(at, WorldEvent::SourceNext);
                    return;
                }
                Ingress::Dropped => continue,
                Ingress::ToHost => {
                    sched.schedule_at(at_nic, WorldEvent::SourceNext);
                    return;
                }
            }
        }
    }

    /// Closes the run at `end`.
    pub fn finish(&mut self, end: SimTime) {
        for n in &mut self.nodes {
            n.finish(end);
        }
    }

    /// The nodes.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The nodes, taken out (a cluster world drives them itself).
    pub fn into_nodes(self) -> Vec<Node> {
        self.nodes
    }
}

impl Model for World {
    type Event = WorldEvent;

    fn handle(&mut self, now: SimTime, event: WorldEvent, sched: &mut Scheduler<WorldEvent>) {
        match event {
            WorldEvent::Node(id, ev) => {
                let from_source = matches!(ev, NodeEvent::Arrive)
                    && self
                        .nodes
                        .get(id as usize)
                        .is_some_and(|n| n.next_arrival_from(SOURCE_NODE));
                if from_source {
                    self.pull_source(now, sched);
                }
                if let Some(node) = self.nodes.get_mut(id as usize) {
                    node.flush(now);
                    node.handle(now, ev, sched);
                    node.sync(now);
                }
            }
            WorldEvent::SourceNext => {
                if let Some(node) = self.nodes.get_mut(self.target as usize) {
                    node.flush(now);
                }
                self.pull_source(now, sched);
                if let Some(node) = self.nodes.get_mut(self.target as usize) {
                    node.sync(now);
                }
            }
        }
    }
}
