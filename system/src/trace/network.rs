//! The network's part of a Chrome trace: a track per switch port and per endpoint uplink, a slice per frame on a wire, flow arrows hop to hop, queue-depth counters.
//!
//! Process ids: servers `0..S` (so `pid` = server index, as for their cores),
//! clients `S..S+C`, switches after them. Thread ids: a switch's port number;
//! an endpoint's uplink transmit is [`UPLINK_TX_TID`], its receive
//! [`UPLINK_RX_TID`] (core tracks use 0..n and 1000 + k). A frame's flow id is
//! its frame id: `s` when it leaves its endpoint, `t` at each switch port,
//! `f` when its last bit arrives.

use super::chrome::{ChromeTrace, Track};
use crate::cluster::fabric::{Hop, WireFrame};
use crate::cluster::topology::{NodeRef, Topology};

/// Thread id of an endpoint's uplink transmit track.
pub const UPLINK_TX_TID: u32 = 2000;
/// Thread id of an endpoint's uplink receive track.
pub const UPLINK_RX_TID: u32 = 2001;
const CAT: &str = "net";

/// Process id of a node.
pub fn pid(t: &Topology, n: NodeRef) -> u32 {
    match n {
        NodeRef::Server(i) => i,
        NodeRef::Client(i) => t.servers + i,
        NodeRef::Switch(i) => t.servers + t.clients + i,
    }
}

/// Names every process and network track of `t`.
pub fn name_tracks(trace: &mut ChromeTrace, t: &Topology) {
    for e in t.endpoints() {
        let p = pid(t, e);
        trace.process_name(p, &t.name(e));
        trace.thread_name(p, UPLINK_TX_TID, "uplink tx");
        trace.thread_name(p, UPLINK_RX_TID, "uplink rx");
    }
    for s in 0..t.switches.len() as u32 {
        let n = NodeRef::Switch(s);
        let p = pid(t, n);
        trace.process_name(p, &t.name(n));
        for (port, (_, peer)) in t.ports(n).into_iter().enumerate() {
            trace.thread_name(p, port as u32, &format!("p{port} -> {}", t.name(peer)));
        }
    }
}

/// A frame left node `from` (an endpoint, or a switch by `hop.port`) on `hop`.
pub fn sent(trace: &mut ChromeTrace, t: &Topology, from: NodeRef, hop: &Hop, f: &WireFrame) {
    let tr = &hop.transit;
    let port = hop.port;
    let track = Track {
        pid: pid(t, from),
        tid: port.map_or(UPLINK_TX_TID, u32::from),
    };
    let name = format!("frame {} to {}", f.id, t.name(t.endpoint(f.dst)));
    let args = [
        ("bytes", u64::from(f.bytes)),
        ("queued_bytes", tr.queued_bytes),
    ];
    if trace.slice(track, CAT, &name, tr.tx_start, tr.tx_end, &args) {
        if port.is_some() {
            trace.flow_step(f.id, track, CAT, tr.tx_start);
        } else {
            trace.flow_start(f.id, track, CAT, tr.tx_start);
        }
    }
    if let Some(p) = port {
        let counter = format!("{} p{p} queue bytes", t.name(from));
        trace.counter(track.pid, &counter, tr.tx_start, tr.queued_bytes);
    }
}

/// A frame's last bit reached endpoint `to` over `hop`.
pub fn delivered(trace: &mut ChromeTrace, t: &Topology, to: NodeRef, hop: &Hop, f: &WireFrame) {
    let track = Track {
        pid: pid(t, to),
        tid: UPLINK_RX_TID,
    };
    let tr = &hop.transit;
    let name = format!("frame {} from {}", f.id, t.name(t.endpoint(f.src)));
    if trace.slice(
        track,
        CAT,
        &name,
        tr.rx_first,
        tr.rx_last,
        &[("bytes", u64::from(f.bytes))],
    ) {
        trace.flow_end(f.id, track, CAT, tr.rx_first);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::netsim;
    use crate::cluster::routing::tests::{section, udp_frames};
    use crate::cluster::spec::ClusterShape;
    use crate::cluster::Fabric;
    use sim_core::{SimDuration, SimTime};
    use std::net::Ipv4Addr;

    #[test]
    fn every_frame_is_a_slice_per_hop_joined_by_one_flow() {
        let mut c = section(ClusterShape::LeafSpine);
        c.racks = Some(2);
        c.servers_per_rack = Some(2);
        c.spines = Some(2);
        c.clients = Some(1);
        let topo = Topology::build(&c).expect("valid");
        let mut fab = Fabric::new(topo.clone());
        // Client c0 (endpoint 4, on leaf0) to s3 (rack 1): 4 hops each.
        let frames = udp_frames(
            10,
            (4, Ipv4Addr::new(10, 1, 0, 1)),
            (3, Ipv4Addr::new(10, 0, 0, 4)),
            512,
            SimDuration::from_us(1),
            7000,
        );
        let mut trace = ChromeTrace::new(SimTime::ZERO, SimTime::MAX, 10_000);
        netsim::run(&mut fab, &frames, 1000, Some(&mut trace)).expect("runs");
        assert_eq!(
            (trace.outside_window, trace.truncated),
            (0, 0),
            "{}",
            trace.to_json()
        );
        let v: serde_json::Value = serde_json::from_str(&trace.to_json()).expect("valid JSON");
        let events = v["traceEvents"].as_array().expect("array");
        let count = |ph: &str| events.iter().filter(|e| e["ph"] == ph).count();
        // Uplink, leaf0 port, spine port, leaf1 port, and the receive slice.
        assert_eq!(count("X"), 10 * 5);
        assert_eq!((count("s"), count("t"), count("f")), (10, 30, 10));
        assert_eq!(count("C"), 30, "a queue-depth sample per switch hop");
        // Each flow's events are in time order and bound to a slice on their track.
        for id in 0..10u64 {
            let flow: Vec<&serde_json::Value> = events
                .iter()
                .filter(|e| {
                    ["s", "t", "f"].contains(&e["ph"].as_str().unwrap_or("")) && e["id"] == id
                })
                .collect();
            let ts: Vec<f64> = flow.iter().map(|e| e["ts"].as_f64().expect("ts")).collect();
            assert!(ts.windows(2).all(|w| w[0] <= w[1]), "{ts:?}");
            for e in flow {
                let bound = events.iter().any(|x| {
                    x["ph"] == "X"
                        && x["pid"] == e["pid"]
                        && x["tid"] == e["tid"]
                        && x["ts"] == e["ts"]
                });
                assert!(bound, "flow event {e} has no slice at its ts on its track");
            }
        }
        // Process names: s0..s3, c0, leaf0, leaf1, spine0, spine1.
        assert_eq!(
            events
                .iter()
                .filter(|e| e["name"] == "process_name")
                .count(),
            9
        );
    }
}
