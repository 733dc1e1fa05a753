//! A network-only event loop over a [`Fabric`]: frames injected at endpoints hop through switches until delivered or dropped.
//!
//! Used by the fabric's tests and by anything that needs the network
//! without servers behind it (the cluster World drives the same `Fabric`
//! calls from its own events). The event queue is bounded; a full queue is
//! an error, never a lost frame.

use super::fabric::{Fabric, Hop, WireFrame};
use super::switch::SwitchDrop;
use super::topology::NodeRef;
use crate::trace::chrome::ChromeTrace;
use crate::trace::network;
use sim_core::{EventQueue, SimTime};

/// What happened to one injected frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Its last bit reached the destination endpoint at this time.
    Delivered(SimTime),
    /// Dropped at a switch (`u32::MAX` = at the sending endpoint) for this reason.
    Dropped(u32, SwitchDrop),
    /// Neither: a bug in the loop (every path ends in one of the above; tests check none is left).
    Unfinished,
}

/// The run's result per injected frame, in injection order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetRun {
    /// Per frame: when it was injected and its fate.
    pub fates: Vec<(SimTime, Fate)>,
    /// Events handled.
    pub events: u64,
}

/// Error: the event queue bound was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the network event queue is full ({0} events pending)")]
pub struct QueueFull(pub usize);

enum Ev {
    Inject(usize),
    Arrive(usize, Hop),
}

/// Runs `frames` (injection time, frame), sorted by time, through the
/// fabric; `trace` (if given) records every hop (`trace::network`).
pub fn run(
    fabric: &mut Fabric,
    frames: &[(SimTime, WireFrame)],
    queue_limit: usize,
    mut trace: Option<&mut ChromeTrace>,
) -> Result<NetRun, QueueFull> {
    if let Some(tr) = trace.as_deref_mut() {
        network::name_tracks(tr, fabric.topology());
    }
    let mut q = EventQueue::with_capacity_limit(queue_limit);
    let full = |q: &EventQueue<Ev>| QueueFull(q.len());
    for (i, &(t, _)) in frames.iter().enumerate() {
        q.push(t, Ev::Inject(i)).map_err(|_| full(&q))?;
    }
    let mut fates: Vec<Option<Fate>> = vec![None; frames.len()];
    let mut events = 0;
    while let Some((now, ev)) = q.pop() {
        events += 1;
        let (i, from, result) = match ev {
            Ev::Inject(i) => {
                let f = &frames[i].1;
                let from = fabric.topology().endpoint(f.src);
                (i, from, fabric.send(now, f).map_err(|d| (u32::MAX, d)))
            }
            Ev::Arrive(i, hop) => match hop.to {
                NodeRef::Switch(s) => {
                    let f = &frames[i].1;
                    let r = fabric.forward(s, hop.transit.rx_first, hop.transit.rx_last, f);
                    (i, hop.to, r.map_err(|d| (s, d)))
                }
                to => {
                    if let Some(tr) = trace.as_deref_mut() {
                        network::delivered(tr, fabric.topology(), to, &hop, &frames[i].1);
                    }
                    fates[i] = Some(Fate::Delivered(hop.transit.rx_last));
                    continue;
                }
            },
        };
        if let (Ok(hop), Some(tr)) = (&result, trace.as_deref_mut()) {
            network::sent(tr, fabric.topology(), from, hop, &frames[i].1);
        }
        match result {
            Ok(hop) => {
                let at = match hop.to {
                    NodeRef::Switch(s) => {
                        fabric.acts_at(s, hop.transit.rx_first, hop.transit.rx_last)
                    }
                    _ => hop.transit.rx_last,
                };
                q.push(at, Ev::Arrive(i, hop)).map_err(|_| full(&q))?;
            }
            Err((s, d)) => fates[i] = Some(Fate::Dropped(s, d)),
        }
    }
    Ok(NetRun {
        fates: frames
            .iter()
            .zip(fates)
            .map(|(&(t, _), f)| (t, f.unwrap_or(Fate::Unfinished)))
            .collect(),
        events,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::spec::{ClusterShape, Forwarding};
    use crate::cluster::topology::Topology;
    use nic_models::FlowKey;
    use sim_core::SimDuration;
    use std::net::Ipv4Addr;

    fn star(
        servers: u32,
        clients: u32,
        f: impl Fn(&mut crate::cluster::spec::ClusterSection),
    ) -> Fabric {
        let mut c = crate::cluster::routing::tests::section(ClusterShape::Star);
        c.servers = Some(servers);
        c.clients = Some(clients);
        f(&mut c);
        Fabric::new(Topology::build(&c).expect("valid star"))
    }

    fn frame(id: u64, src: u32, dst: u32, bytes: u32) -> WireFrame {
        WireFrame {
            id,
            src,
            dst,
            bytes,
            flow: FlowKey {
                src_ip: Ipv4Addr::from(0x0a00_0000 + src),
                dst_ip: Ipv4Addr::from(0x0a00_0000 + dst),
                src_port: 1000 + (id % 64) as u16,
                dst_port: 5000,
                protocol: 17,
            },
        }
    }

    #[test]
    fn a_lone_frame_takes_wire_link_and_switch_time() {
        for mode in [Forwarding::CutThrough, Forwarding::StoreAndForward] {
            let mut fab = star(2, 0, |c| {
                c.forwarding = Some(mode);
                c.link_gbps = Some(10.0);
                c.propagation_ns = Some(1000.0);
                c.switch_latency_ns = Some(500.0);
            });
            let r = run(
                &mut fab,
                &[(SimTime::ZERO, frame(0, 0, 1, 1000))],
                100,
                None,
            )
            .expect("runs");
            let Fate::Delivered(at) = r.fates[0].1 else {
                panic!("not delivered: {:?}", r.fates[0]);
            };
            // 1020 B at 10 Gb/s = 816 ns a wire time; two links of 1000 ns.
            let wire = 816;
            let expected = match mode {
                // Header in after 1000 ns, out after +500, last bit 816 later, +1000.
                Forwarding::CutThrough => 1000 + 500 + wire + 1000,
                Forwarding::StoreAndForward => wire + 1000 + 500 + wire + 1000,
            };
            assert_eq!(at.as_ns(), expected, "{mode:?}");
        }
    }

    #[test]
    fn a_congested_port_drops_and_counts() {
        // Four senders at line rate into one receiver: 4:1 incast on tor0's port 4.
        let mut fab = star(5, 0, |c| c.switch_buffer_bytes = Some(16 * 1500));
        let mut frames = Vec::new();
        let gap = SimDuration::from_ns(130); // ~ one 1500 B frame at 100 Gb/s
        for k in 0..400u64 {
            for src in 0..4 {
                frames.push((
                    SimTime::ZERO + gap * k,
                    frame(k * 4 + src as u64, src, 4, 1500),
                ));
            }
        }
        let r = run(&mut fab, &frames, 10_000, None).expect("runs");
        let dropped = r
            .fates
            .iter()
            .filter(|f| matches!(f.1, Fate::Dropped(0, SwitchDrop::BufferFull)))
            .count();
        let delivered = r
            .fates
            .iter()
            .filter(|f| matches!(f.1, Fate::Delivered(_)))
            .count();
        assert!(dropped > 0, "incast must overflow the port");
        assert_eq!(
            dropped + delivered,
            frames.len(),
            "every frame accounted for"
        );
        assert_eq!(fab.switch(0).stats.drops_buffer_full, dropped as u64);
        assert_eq!(fab.drops(), (0, dropped as u64));
        let port4 = fab
            .link_tx(4, 1)
            .expect("a full fabric drives every direction");
        assert_eq!(port4.stats.drops_buffer_full, dropped as u64);
        assert!(port4.stats.peak_queue_bytes <= 16 * 1500);
    }

    #[test]
    fn latency_is_at_least_wire_link_and_switch_time_on_a_leaf_spine() {
        let mut c = crate::cluster::routing::tests::section(ClusterShape::LeafSpine);
        c.racks = Some(2);
        c.servers_per_rack = Some(4);
        c.spines = Some(2);
        c.clients = Some(0);
        let topo = Topology::build(&c).expect("valid");
        let mut fab = Fabric::new(topo);
        let frames: Vec<_> = (0..200u64)
            .map(|i| {
                (
                    SimTime::ZERO + SimDuration::from_ns(i * 7),
                    frame(
                        i,
                        (i % 4) as u32,
                        4 + (i % 4) as u32,
                        64 + (i as u32 * 13) % 1400,
                    ),
                )
            })
            .collect();
        let r = run(&mut fab, &frames, 10_000, None).expect("runs");
        for ((t0, fate), (_, f)) in r.fates.iter().zip(&frames) {
            let Fate::Delivered(at) = fate else {
                panic!("dropped {fate:?}")
            };
            // 4 links (server-leaf-spine-leaf-server), 3 switches, and at
            // least one full wire time (cut-through pipelines the rest).
            let wire = fab
                .link_tx(0, 0)
                .expect("a full fabric drives every direction")
                .wire_time(f.bytes);
            let min = SimDuration::from_ns(4 * 500 + 3 * 450) + wire;
            assert!(
                at.saturating_since(*t0) >= min,
                "{} < {}",
                at.saturating_since(*t0),
                min
            );
        }
    }
}
