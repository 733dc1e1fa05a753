//! The resolved topology: servers, clients, switches and links, built from `[cluster]` by a generator.
//!
//! Names: servers `s0..`, clients `c0..`, switches `tor0` (star), `leaf0..`
//! and `spine0..` (leaf_spine) or as listed (custom). A switch's ports are
//! numbered in the order of the links attached to it, so a topology always
//! numbers its ports the same way.

use super::spec::{ClusterSection, ClusterShape, Forwarding};
use sim_core::SimDuration;

/// Default rate of server and client links, Gb/s (100 GbE, the fastest NIC profile's port).
pub const DEFAULT_LINK_GBPS: f64 = 100.0;
/// Default propagation delay, ns: 100 m of fiber at ~5 ns/m (refractive index ~1.5).
pub const DEFAULT_PROPAGATION_NS: f64 = 500.0;
/// Default output buffer per switch port, bytes: Broadcom Tomahawk (BCM56960
/// product brief) has 16 MB of packet buffer for 32 x 100G ports = 512 KiB a port.
pub const DEFAULT_SWITCH_BUFFER_BYTES: u64 = 512 * 1024;
/// Default port-to-port latency, ns: cut-through latency of a Tomahawk-class
/// ToR, about 450 ns (Arista 7060X datasheet: "from 450 ns").
pub const DEFAULT_SWITCH_LATENCY_NS: f64 = 450.0;
/// Largest number of servers, clients or switches (keeps the routing tables small).
pub const MAX_NODES: u32 = 4096;
/// Largest ports per switch.
pub const MAX_PORTS: u32 = 1024;
/// Largest switch buffer per port, bytes (1 GiB).
pub const MAX_BUFFER_BYTES: u64 = 1 << 30;

/// A node of the topology graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeRef {
    /// Server `sN`.
    Server(u32),
    /// Client `cN`.
    Client(u32),
    /// A switch, by index.
    Switch(u32),
}

/// One switch.
#[derive(Clone, Debug, PartialEq)]
pub struct SwitchSpec {
    /// Name.
    pub name: String,
    /// Ports it has (>= the links attached).
    pub ports: u32,
    /// Output buffer per port.
    pub buffer_bytes: u64,
    /// Port-to-port forwarding latency.
    pub latency: SimDuration,
    /// Cut-through or store-and-forward.
    pub forwarding: Forwarding,
}

/// One full-duplex link.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkSpec {
    /// One end.
    pub a: NodeRef,
    /// Other end.
    pub b: NodeRef,
    /// Rate of each direction.
    pub rate_gbps: f64,
    /// One-way propagation delay.
    pub propagation: SimDuration,
}

/// The whole topology.
#[derive(Clone, Debug, PartialEq)]
pub struct Topology {
    /// Number of servers.
    pub servers: u32,
    /// Number of clients.
    pub clients: u32,
    /// The switches.
    pub switches: Vec<SwitchSpec>,
    /// The links.
    pub links: Vec<LinkSpec>,
}

/// A topology problem: the key at fault, what is wrong, the fix.
#[derive(Clone, Debug, PartialEq)]
pub struct TopoError {
    /// Dotted key, e.g. `cluster.racks` or `cluster.links[2].b`.
    pub key: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

pub(super) fn bad(
    key: impl Into<String>,
    message: impl Into<String>,
    fix: impl Into<String>,
) -> TopoError {
    TopoError {
        key: key.into(),
        message: message.into(),
        fix: fix.into(),
    }
}

/// A count key: present when `needed`, absent otherwise, 1..=MAX_NODES.
fn count(value: Option<u32>, key: &str, shape: &str, needed: bool) -> Result<u32, TopoError> {
    match (value, needed) {
        (Some(_), false) => Err(bad(
            format!("cluster.{key}"),
            format!("does not apply to shape = \"{shape}\""),
            format!("remove cluster.{key}"),
        )),
        (None, true) => Err(bad(
            format!("cluster.{key}"),
            format!("is required for shape = \"{shape}\""),
            format!("add e.g. {key} = 2 to [cluster]"),
        )),
        (None, false) => Ok(0),
        (Some(n), true) if n == 0 || n > MAX_NODES => Err(bad(
            format!("cluster.{key}"),
            format!("must be between 1 and {MAX_NODES}, got {n}"),
            format!("set cluster.{key} to 1..={MAX_NODES}"),
        )),
        (Some(n), true) => Ok(n),
    }
}

/// A positive finite number (rates, delays), `key` for the error.
pub(super) fn positive(value: f64, key: &str, unit: &str, zero_ok: bool) -> Result<f64, TopoError> {
    let ok = value.is_finite() && (value > 0.0 || (zero_ok && value == 0.0)) && value <= 1e9;
    if ok {
        Ok(value)
    } else {
        let what = if zero_ok { ">= 0" } else { "> 0" };
        Err(bad(
            key,
            format!(
                "must be a number {what} and at most 1e9 {unit}, got {}",
                crate::scenario::error::num(value)
            ),
            format!("give e.g. {key} = 100"),
        ))
    }
}

impl Topology {
    /// Builds the topology `[cluster]` describes, checking every value.
    pub fn build(c: &ClusterSection) -> Result<Topology, TopoError> {
        let link_gbps = positive(
            c.link_gbps.unwrap_or(DEFAULT_LINK_GBPS),
            "cluster.link_gbps",
            "Gb/s",
            false,
        )?;
        let prop_ns = positive(
            c.propagation_ns.unwrap_or(DEFAULT_PROPAGATION_NS),
            "cluster.propagation_ns",
            "ns",
            true,
        )?;
        let latency_ns = positive(
            c.switch_latency_ns.unwrap_or(DEFAULT_SWITCH_LATENCY_NS),
            "cluster.switch_latency_ns",
            "ns",
            true,
        )?;
        let buffer = c.switch_buffer_bytes.unwrap_or(DEFAULT_SWITCH_BUFFER_BYTES);
        check_buffer(buffer, "cluster.switch_buffer_bytes")?;
        let forwarding = c.forwarding.unwrap_or_default();
        let switch = |name: String, ports: u32| SwitchSpec {
            name,
            ports,
            buffer_bytes: buffer,
            latency: SimDuration::from_ns_f64(latency_ns),
            forwarding,
        };
        let link = |a, b, rate_gbps| LinkSpec {
            a,
            b,
            rate_gbps,
            propagation: SimDuration::from_ns_f64(prop_ns),
        };
        let clients = c.clients.unwrap_or(1);
        if clients > MAX_NODES {
            return Err(bad(
                "cluster.clients",
                format!("must be at most {MAX_NODES}, got {clients}"),
                "use fewer clients",
            ));
        }
        let (name, is) = match c.shape {
            ClusterShape::Star => ("star", [true, false, false]),
            ClusterShape::LeafSpine => ("leaf_spine", [false, true, true]),
            ClusterShape::Custom => ("custom", [true, false, false]),
        };
        let servers = count(c.servers, "servers", name, is[0])?;
        let racks = count(c.racks, "racks", name, is[1])?;
        let per_rack = count(c.servers_per_rack, "servers_per_rack", name, is[1])?;
        let spines = count(c.spines, "spines", name, is[2])?;
        if c.uplink_gbps.is_some() && c.shape != ClusterShape::LeafSpine {
            return Err(bad(
                "cluster.uplink_gbps",
                format!("does not apply to shape = \"{name}\""),
                "remove cluster.uplink_gbps",
            ));
        }
        if c.shape != ClusterShape::Custom {
            for (key, present) in [
                ("switches", c.switches.is_some()),
                ("links", c.links.is_some()),
            ] {
                if present {
                    return Err(bad(
                        format!("cluster.{key}"),
                        format!("lists apply only to shape = \"custom\" (this is \"{name}\")"),
                        format!("remove cluster.{key}, or set shape = \"custom\""),
                    ));
                }
            }
        }
        let topo = match c.shape {
            ClusterShape::Star => {
                let ports = servers + clients;
                if ports > MAX_PORTS {
                    return Err(bad(
                        "cluster.servers",
                        format!(
                            "servers + clients = {ports} needs more than {MAX_PORTS} ToR ports"
                        ),
                        "use shape = \"leaf_spine\" for large clusters",
                    ));
                }
                let mut links = Vec::new();
                for s in 0..servers {
                    links.push(link(NodeRef::Server(s), NodeRef::Switch(0), link_gbps));
                }
                for k in 0..clients {
                    links.push(link(NodeRef::Client(k), NodeRef::Switch(0), link_gbps));
                }
                Topology {
                    servers,
                    clients,
                    switches: vec![switch("tor0".into(), ports)],
                    links,
                }
            }
            ClusterShape::LeafSpine => {
                let servers = racks.checked_mul(per_rack).filter(|&n| n <= MAX_NODES);
                let servers = servers.ok_or_else(|| {
                    bad(
                        "cluster.servers_per_rack",
                        format!("racks x servers_per_rack must be at most {MAX_NODES}"),
                        "use fewer racks or servers per rack",
                    )
                })?;
                let uplink = positive(
                    c.uplink_gbps.unwrap_or(link_gbps),
                    "cluster.uplink_gbps",
                    "Gb/s",
                    false,
                )?;
                let leaf_ports = per_rack + spines + clients.div_ceil(racks);
                if leaf_ports > MAX_PORTS || racks > MAX_PORTS {
                    return Err(bad(
                        "cluster.servers_per_rack",
                        format!("a leaf would need {leaf_ports} ports, a spine {racks}; at most {MAX_PORTS}"),
                        "use fewer servers per rack, spines or racks",
                    ));
                }
                let mut switches: Vec<SwitchSpec> = (0..racks)
                    .map(|r| switch(format!("leaf{r}"), leaf_ports))
                    .collect();
                switches.extend((0..spines).map(|s| switch(format!("spine{s}"), racks)));
                let mut links = Vec::new();
                for s in 0..servers {
                    links.push(link(
                        NodeRef::Server(s),
                        NodeRef::Switch(s / per_rack),
                        link_gbps,
                    ));
                }
                for k in 0..clients {
                    links.push(link(
                        NodeRef::Client(k),
                        NodeRef::Switch(k % racks),
                        link_gbps,
                    ));
                }
                for r in 0..racks {
                    for s in 0..spines {
                        links.push(link(NodeRef::Switch(r), NodeRef::Switch(racks + s), uplink));
                    }
                }
                Topology {
                    servers,
                    clients,
                    switches,
                    links,
                }
            }
            ClusterShape::Custom => {
                super::custom::build(c, servers, clients, &switch, &link, link_gbps)?
            }
        };
        topo.check_wiring()?;
        Ok(topo)
    }

    /// Name of a node.
    pub fn name(&self, n: NodeRef) -> String {
        match n {
            NodeRef::Server(i) => format!("s{i}"),
            NodeRef::Client(i) => format!("c{i}"),
            NodeRef::Switch(i) => self.switches[i as usize].name.clone(),
        }
    }

    /// Servers then clients: the endpoints routes lead to (index = endpoint id).
    pub fn endpoints(&self) -> Vec<NodeRef> {
        (0..self.servers)
            .map(NodeRef::Server)
            .chain((0..self.clients).map(NodeRef::Client))
            .collect()
    }

    /// The endpoint with id `id` (servers first, then clients).
    pub fn endpoint(&self, id: u32) -> NodeRef {
        if id < self.servers {
            NodeRef::Server(id)
        } else {
            NodeRef::Client(id - self.servers)
        }
    }

    /// Endpoint id of a server or client.
    pub fn endpoint_id(&self, n: NodeRef) -> Option<u32> {
        match n {
            NodeRef::Server(i) => Some(i),
            NodeRef::Client(i) => Some(self.servers + i),
            NodeRef::Switch(_) => None,
        }
    }

    /// The direction of `link` that leaves `node` (0: a to b, 1: b to a).
    pub fn direction_out(&self, node: NodeRef, link: usize) -> usize {
        usize::from(self.links[link].a != node)
    }

    /// The links at `node`, in port order: (link index, the node at the other end).
    pub fn ports(&self, node: NodeRef) -> Vec<(usize, NodeRef)> {
        self.links
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                if l.a == node {
                    Some((i, l.b))
                } else if l.b == node {
                    Some((i, l.a))
                } else {
                    None
                }
            })
            .collect()
    }

    /// Servers and clients have one link; switches no more links than ports.
    fn check_wiring(&self) -> Result<(), TopoError> {
        for e in self.endpoints() {
            let n = self.ports(e).len();
            if n != 1 {
                return Err(bad(
                    "cluster.links",
                    format!(
                        "{} has {n} links; every server and client needs exactly one",
                        self.name(e)
                    ),
                    format!("link {} to one switch", self.name(e)),
                ));
            }
        }
        for (i, s) in self.switches.iter().enumerate() {
            let n = self.ports(NodeRef::Switch(i as u32)).len() as u32;
            if n > s.ports {
                return Err(bad(
                    format!("cluster.switches[{i}].ports"),
                    format!("switch {} has {n} links but {} ports", s.name, s.ports),
                    format!("give it at least {n} ports"),
                ));
            }
        }
        Ok(())
    }
}

pub(super) fn check_buffer(bytes: u64, key: &str) -> Result<(), TopoError> {
    // A port must hold at least one jumbo frame, or every large frame drops.
    if !(9216..=MAX_BUFFER_BYTES).contains(&bytes) {
        return Err(bad(
            key,
            format!(
                "must be between 9216 (one jumbo frame) and {MAX_BUFFER_BYTES} bytes, got {bytes}"
            ),
            format!("give e.g. {key} = {DEFAULT_SWITCH_BUFFER_BYTES}"),
        ));
    }
    Ok(())
}
