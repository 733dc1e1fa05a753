//! Probe traffic for the fabric alone: every server and client sends fixed-size frames, Poisson, to uniformly drawn other endpoints.
//!
//! Used by `nicsim topo --probe LOAD` (to look at a topology's routes,
//! queues and drops in pcap and trace files before a cluster run) and by
//! the fabric benchmark. Deterministic for a seed (one random stream per
//! endpoint) and bounded: more than [`MAX_PROBE_FRAMES`] frames is an error.

use super::fabric::WireFrame;
use super::topology::Topology;
use nic_models::FlowKey;
use rand::Rng;
use sim_core::{RngStreams, SimDuration, SimTime};
use std::net::Ipv4Addr;

/// Most frames a probe may generate (about 100 MB of frames and events).
pub const MAX_PROBE_FRAMES: usize = 2_000_000;

/// Error: the probe would make more than [`MAX_PROBE_FRAMES`] frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the probe would send more than {MAX_PROBE_FRAMES} frames")]
pub struct TooManyFrames;

/// Frames of `bytes` from every endpoint at `load` x its link rate over
/// `[0, duration)`, sorted by time (ties by endpoint).
pub fn uniform_frames(
    t: &Topology,
    load: f64,
    bytes: u32,
    duration: SimDuration,
    seed: u64,
) -> Result<Vec<(SimTime, WireFrame)>, TooManyFrames> {
    let endpoints = t.servers + t.clients;
    let streams = RngStreams::new(seed);
    let mut frames = Vec::new();
    if endpoints < 2 {
        return Ok(frames);
    }
    for src in 0..endpoints {
        let rate_gbps = t
            .ports(t.endpoint(src))
            .first()
            .map_or(1.0, |&(l, _)| t.links[l].rate_gbps);
        let mean_gap_s = f64::from(bytes + 20) * 8.0 / (rate_gbps * 1e9 * load);
        let mut rng = streams.stream_indexed("probe/endpoint", u64::from(src));
        let mut at = SimTime::ZERO;
        loop {
            // Inverse CDF of the exponential; 1 - u is in (0, 1].
            let u: f64 = rng.gen();
            at += SimDuration::from_secs_f64(-(1.0 - u).ln() * mean_gap_s);
            if at >= SimTime::ZERO + duration {
                break;
            }
            if frames.len() >= MAX_PROBE_FRAMES {
                return Err(TooManyFrames);
            }
            let mut dst = rng.gen_range(0..endpoints - 1);
            if dst >= src {
                dst += 1;
            }
            frames.push((
                at,
                WireFrame {
                    id: frames.len() as u64,
                    src,
                    dst,
                    bytes,
                    flow: FlowKey {
                        src_ip: Ipv4Addr::from(0x0a00_0000 + src),
                        dst_ip: Ipv4Addr::from(0x0a00_0000 + dst),
                        src_port: rng.gen_range(1024..=u16::MAX),
                        dst_port: 5000,
                        protocol: nic_models::vocab::flow::PROTO_UDP,
                    },
                },
            ));
        }
    }
    frames.sort_by_key(|f| (f.0, f.1.src));
    Ok(frames)
}
