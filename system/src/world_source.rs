//! The traffic source of a one-server world: requests to actors picked by weight, or packets of a size mix, made one at a time.

use crate::frame::{Addr, Frame, NodeId, SOURCE_NODE};
use nic_models::switch::synthetic_flow;
use scheduler::{Endpoint, Message};
use sim_core::{SimDuration, SimRng, SimTime};
use workloads::actors::registry::{gen_request, gen_request_into, ActorKind};
use workloads::{ArrivalProcess, OnOff, OnOffArrivals, PacketGenerator};

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

    /// The next packet of a [`Source::Packets`] as what a node that
    /// forwards in closed form reads of its frame: (created at, wire bytes,
    /// flow). `None` once the source has stopped, and for requests. The
    /// same draws as [`Self::next_frame`], without building the frame.
    #[inline]
    pub fn next_packet(&mut self) -> Option<(SimTime, u32, scheduler::FlowKey)> {
        let Source::Packets { gen, .. } = self else {
            return None;
        };
        let p = gen.next_packet()?;
        Some((p.created_at, p.size_bytes, synthetic_flow(p.flow)))
    }

    /// The next frame for `node`, or `None` once the source has stopped.
    /// `buffer` is an allocation the payload may reuse (its contents are
    /// overwritten): the node's spare buffers, so a request allocates nothing.
    pub fn next_frame(&mut self, node: NodeId, buffer: Vec<u8>) -> Option<Frame> {
        if let Source::Packets { gen, actor } = self {
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
        let msg = self.next_request(buffer)?;
        Some(Frame {
            id: msg.id,
            src: Addr::Port {
                node: SOURCE_NODE,
                port: 0,
            },
            dst: Addr::Actor {
                node,
                actor: msg.dst,
            },
            wire_bytes: Frame::wire_bytes_for(msg.payload.len()),
            flow: synthetic_flow(0),
            created_at: msg.created_at,
            msg: Some(msg),
        })
    }

    /// The next request of a [`Source::Requests`] as the message its frame
    /// carries (`None` once the source has stopped, and for packets): what
    /// [`Self::next_frame`] wraps, for a caller that needs no frame around it.
    pub fn next_request(&mut self, buffer: Vec<u8>) -> Option<Message> {
        let Source::Requests {
            targets,
            rng,
            arrival,
            mean_gap_ps,
            bursts,
            next_at,
            stop_at,
            next_id,
        } = self
        else {
            return None;
        };
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
        let i = sim_core::rng::pick_by_cumulative(targets, u, |t| t.cumulative);
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
        Some(Message {
            id,
            src: Endpoint::Network {
                node: SOURCE_NODE,
                port: 0,
            },
            dst: t.id,
            kind,
            payload,
            created_at,
        })
    }
}
