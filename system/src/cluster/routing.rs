//! Shortest-path routes with ECMP sets, computed once per topology, and the deterministic flow hash that picks among them.
//!
//! For every switch and every endpoint (server or client) the table holds
//! the switch's output ports that lie on a shortest path to the endpoint.
//! Servers and clients never forward, so paths only cross switches. The
//! hash is FNV-1a over the flow's 5-tuple salted by the switch index, so
//! that two switches in a row do not make the same choice for every flow
//! (hash polarization); it uses no process state, so runs are repeatable.

use super::topology::{NodeRef, Topology};
use nic_models::FlowKey;
use std::collections::VecDeque;

/// The routing table of a whole topology.
#[derive(Clone, Debug, PartialEq)]
pub struct Routes {
    /// `ports[switch][endpoint]`: equal-cost output ports, ascending; empty = no route.
    ports: Vec<Vec<Vec<u16>>>,
    /// Hops (links) from each switch to each endpoint, `u32::MAX` when unreachable.
    hops: Vec<Vec<u32>>,
}

impl Routes {
    /// Breadth-first search from every endpoint over the switch graph.
    pub fn compute(t: &Topology) -> Routes {
        let n_sw = t.switches.len();
        let endpoints = t.endpoints();
        // Port lists per switch: (link, neighbour).
        let sw_ports: Vec<Vec<(usize, NodeRef)>> = (0..n_sw)
            .map(|s| t.ports(NodeRef::Switch(s as u32)))
            .collect();
        let mut ports = vec![vec![Vec::new(); endpoints.len()]; n_sw];
        let mut hops = vec![vec![u32::MAX; endpoints.len()]; n_sw];
        for (e, &ep) in endpoints.iter().enumerate() {
            // Distance of each switch from the endpoint.
            let mut dist = vec![u32::MAX; n_sw];
            let mut queue = VecDeque::new();
            for (_, other) in t.ports(ep) {
                if let NodeRef::Switch(s) = other {
                    dist[s as usize] = 1;
                    queue.push_back(s as usize);
                }
            }
            while let Some(s) = queue.pop_front() {
                for &(_, other) in &sw_ports[s] {
                    if let NodeRef::Switch(o) = other {
                        if dist[o as usize] == u32::MAX {
                            dist[o as usize] = dist[s] + 1;
                            queue.push_back(o as usize);
                        }
                    }
                }
            }
            for s in 0..n_sw {
                hops[s][e] = dist[s];
                if dist[s] == u32::MAX {
                    continue;
                }
                for (port, &(_, other)) in sw_ports[s].iter().enumerate() {
                    let next = match other {
                        x if x == ep => true,
                        NodeRef::Switch(o) => dist[o as usize] + 1 == dist[s],
                        _ => false,
                    };
                    if next {
                        ports[s][e].push(port as u16);
                    }
                }
            }
        }
        Routes { ports, hops }
    }

    /// Equal-cost output ports of `switch` towards endpoint `dst`.
    pub fn ecmp(&self, switch: u32, dst: u32) -> &[u16] {
        self.ports
            .get(switch as usize)
            .and_then(|p| p.get(dst as usize))
            .map_or(&[], Vec::as_slice)
    }

    /// The output port `switch` uses for `flow` towards `dst`, `None` when there is no route.
    pub fn pick(&self, switch: u32, dst: u32, flow: &FlowKey) -> Option<u16> {
        let set = self.ecmp(switch, dst);
        match set.len() {
            0 => None,
            1 => Some(set[0]),
            n => Some(set[(flow_hash(flow, switch) % n as u64) as usize]),
        }
    }

    /// Switch hops from `switch` to endpoint `dst` (1 = directly attached).
    pub fn hops(&self, switch: u32, dst: u32) -> Option<u32> {
        let h = *self.hops.get(switch as usize)?.get(dst as usize)?;
        (h != u32::MAX).then_some(h)
    }

    /// The first pair of endpoints with no path between them, if any.
    pub fn unreachable(&self, t: &Topology) -> Option<(NodeRef, NodeRef)> {
        let endpoints = t.endpoints();
        for &a in &endpoints {
            let Some(NodeRef::Switch(s)) = t.ports(a).first().map(|p| p.1) else {
                continue;
            };
            for (e, &b) in endpoints.iter().enumerate() {
                if a != b && self.hops(s, e as u32).is_none() {
                    return Some((a, b));
                }
            }
        }
        None
    }
}

/// FNV-1a over the 5-tuple and a salt (the switch index).
///
/// Over one 17-byte array rather than a chain of byte iterators: the chain
/// cost about 130 instructions per hash, once per switch hop with several
/// equal-cost ports (the same bytes in the same order, so the same hash;
/// tested against the chained form).
pub fn flow_hash(flow: &FlowKey, salt: u32) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let (src, dst) = (flow.src_ip.octets(), flow.dst_ip.octets());
    let (sport, dport) = (flow.src_port.to_be_bytes(), flow.dst_port.to_be_bytes());
    let salt = salt.to_be_bytes();
    let bytes = [
        src[0],
        src[1],
        src[2],
        src[3],
        dst[0],
        dst[1],
        dst[2],
        dst[3],
        sport[0],
        sport[1],
        dport[0],
        dport[1],
        flow.protocol,
        salt[0],
        salt[1],
        salt[2],
        salt[3],
    ];
    let mut h = OFFSET;
    for b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(PRIME);
    }
    // FNV's low bits mix poorly for inputs that differ in one byte; fold.
    h ^ (h >> 29)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::cluster::spec::{ClusterSection, ClusterShape};
    use rand::{RngCore, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;
    use std::net::Ipv4Addr;

    pub(crate) fn section(shape: ClusterShape) -> ClusterSection {
        ClusterSection {
            shape,
            servers: None,
            clients: None,
            racks: None,
            servers_per_rack: None,
            spines: None,
            link_gbps: None,
            uplink_gbps: None,
            propagation_ns: None,
            switch_buffer_bytes: None,
            switch_latency_ns: None,
            forwarding: None,
            switches: None,
            links: None,
            client_outstanding: None,
            client_think_us: None,
            client_timeout_us: None,
            server: None,
        }
    }

    /// `n` UDP frames of `bytes` from endpoint `src` to `dst` (with their
    /// addresses), `gap` apart from time zero, one flow each: source port
    /// `base_port + i` (the trace and pcap tests' traffic).
    pub(crate) fn udp_frames(
        n: u64,
        (src, src_ip): (u32, Ipv4Addr),
        (dst, dst_ip): (u32, Ipv4Addr),
        bytes: u32,
        gap: sim_core::SimDuration,
        base_port: u16,
    ) -> Vec<(sim_core::SimTime, crate::cluster::WireFrame)> {
        (0..n)
            .map(|i| {
                let f = crate::cluster::WireFrame {
                    id: i,
                    src,
                    dst,
                    bytes,
                    flow: FlowKey {
                        src_ip,
                        dst_ip,
                        src_port: base_port + i as u16,
                        dst_port: 5000,
                        protocol: 17,
                    },
                };
                (sim_core::SimTime::ZERO + gap * i, f)
            })
            .collect()
    }

    fn leaf_spine(racks: u32, per: u32, spines: u32) -> Topology {
        let mut c = section(ClusterShape::LeafSpine);
        c.racks = Some(racks);
        c.servers_per_rack = Some(per);
        c.spines = Some(spines);
        c.clients = Some(2);
        Topology::build(&c).expect("valid leaf-spine")
    }

    fn flow(i: u32) -> FlowKey {
        FlowKey {
            src_ip: Ipv4Addr::from(0x0a00_0000 + i),
            dst_ip: Ipv4Addr::new(10, 1, 0, 1),
            src_port: 1000 + (i % 7) as u16,
            dst_port: 5000,
            protocol: 17,
        }
    }

    #[test]
    fn leaf_spine_has_one_port_down_and_every_spine_up() {
        let t = leaf_spine(2, 8, 2);
        let r = Routes::compute(&t);
        assert_eq!(t.servers, 16);
        // leaf0 reaches its own server s3 directly by port 3.
        assert_eq!(r.ecmp(0, 3), &[3]);
        assert_eq!(r.hops(0, 3), Some(1));
        // leaf0 reaches s12 (rack 1) over both spines: two ports, 3 hops.
        let up = r.ecmp(0, 12);
        assert_eq!(up.len(), 2);
        assert_eq!(r.hops(0, 12), Some(3));
        // Spine 0 (switch 2) goes down to leaf1 for s12: one port.
        assert_eq!(r.ecmp(2, 12).len(), 1);
        assert!(r.unreachable(&t).is_none());
    }

    #[test]
    fn ecmp_spreads_flows_and_is_deterministic() {
        let t = leaf_spine(2, 4, 4);
        let r = Routes::compute(&t);
        let dst = 6; // rack 1
        let mut counts = [0u32; 4];
        let up = r.ecmp(0, dst).to_vec();
        assert_eq!(up.len(), 4);
        for i in 0..4000 {
            let p = r.pick(0, dst, &flow(i)).expect("route");
            let again = Routes::compute(&t).pick(0, dst, &flow(i));
            assert_eq!(Some(p), again, "same flow, same port");
            counts[up.iter().position(|&u| u == p).expect("in set")] += 1;
        }
        for c in counts {
            assert!((800..1200).contains(&c), "uneven spread {counts:?}");
        }
    }

    #[test]
    fn disconnected_custom_topology_is_found() {
        use crate::cluster::spec::{LinkEntry, SwitchEntry};
        let mut c = section(ClusterShape::Custom);
        c.servers = Some(2);
        c.clients = Some(0);
        let sw = |n: &str| SwitchEntry {
            name: n.into(),
            ports: 4,
            buffer_bytes: None,
            latency_ns: None,
            forwarding: None,
        };
        let l = |a: &str, b: &str| LinkEntry {
            a: a.into(),
            b: b.into(),
            rate_gbps: None,
            propagation_ns: None,
        };
        c.switches = Some(vec![sw("x"), sw("y")]);
        c.links = Some(vec![l("s0", "x"), l("s1", "y")]);
        let t = Topology::build(&c).expect("wiring is valid");
        let r = Routes::compute(&t);
        assert_eq!(
            r.unreachable(&t),
            Some((NodeRef::Server(0), NodeRef::Server(1)))
        );
        c.links = Some(vec![l("s0", "x"), l("s1", "y"), l("x", "y")]);
        let t = Topology::build(&c).expect("valid");
        assert!(Routes::compute(&t).unreachable(&t).is_none());
    }

    /// The hash before it was flattened into one array (kept to pin the values).
    fn flow_hash_chained(flow: &FlowKey, salt: u32) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let bytes = flow
            .src_ip
            .octets()
            .into_iter()
            .chain(flow.dst_ip.octets())
            .chain(flow.src_port.to_be_bytes())
            .chain(flow.dst_port.to_be_bytes())
            .chain([flow.protocol])
            .chain(salt.to_be_bytes());
        for b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h ^ (h >> 29)
    }

    #[test]
    fn flow_hash_equals_the_chained_byte_form() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0x1234_5678_9abc_def0);
        for _ in 0..2_000 {
            let x = rng.next_u64();
            let flow = FlowKey {
                src_ip: Ipv4Addr::from(x as u32),
                dst_ip: Ipv4Addr::from((x >> 32) as u32),
                src_port: (x >> 7) as u16,
                dst_port: (x >> 23) as u16,
                protocol: (x >> 41) as u8,
            };
            let salt = (x >> 11) as u32;
            assert_eq!(
                flow_hash(&flow, salt),
                flow_hash_chained(&flow, salt),
                "{flow:?}"
            );
        }
    }
}
