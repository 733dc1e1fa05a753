//! The resolved topology: servers, clients, switches and links, built from `[cluster]` by a generator.
//!
//! Names: servers `s0..`, clients `c0..`, switches `tor0` (star), `leaf0..`
//! and `spine0..` (leaf_spine) or as listed (custom). A switch's ports are
//! numbered in the order of the links attached to it, so a topology always
//! numbers its ports the same way.

use super::spec::Forwarding;
use sim_core::SimDuration;

mod build;
pub(super) use build::positive;

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

impl Topology {
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
