//! The `[cluster]` section of a scenario file: shape, counts, link and switch settings, per-server overrides.
//!
//! The README's scenario reference for `[cluster]` is written from this file.
//! Every key is optional except `shape`; defaults are in `topology.rs`.

use serde::{Deserialize, Serialize};

/// How the topology is built.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ClusterShape {
    /// `servers` servers and `clients` clients on one top-of-rack switch `tor0`.
    Star,
    /// `racks` leaves (`leaf0..`) with `servers_per_rack` servers each, every
    /// leaf linked to each of `spines` spines (`spine0..`); clients are spread
    /// over the leaves round-robin.
    LeafSpine,
    /// The switches and links listed in `[[cluster.switches]]` and `[[cluster.links]]`.
    Custom,
}

/// When a switch may start sending a frame on its output port.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Forwarding {
    /// After the frame's first bits (its header) arrived plus the forwarding latency.
    #[default]
    CutThrough,
    /// After the whole frame arrived plus the forwarding latency.
    StoreAndForward,
}

/// `[cluster]`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ClusterSection {
    /// `"star"`, `"leaf_spine"` or `"custom"`.
    pub shape: ClusterShape,
    /// Number of servers `s0..` (star, custom; leaf_spine: racks x servers_per_rack).
    #[serde(default)]
    pub servers: Option<u32>,
    /// Number of client machines `c0..` (default 1).
    #[serde(default)]
    pub clients: Option<u32>,
    /// leaf_spine: number of racks (leaf switches).
    #[serde(default)]
    pub racks: Option<u32>,
    /// leaf_spine: servers per rack.
    #[serde(default)]
    pub servers_per_rack: Option<u32>,
    /// leaf_spine: number of spine switches.
    #[serde(default)]
    pub spines: Option<u32>,
    /// Rate of server and client links, Gb/s (default 100).
    #[serde(default)]
    pub link_gbps: Option<f64>,
    /// leaf_spine: rate of leaf-spine links, Gb/s (default: link_gbps).
    #[serde(default)]
    pub uplink_gbps: Option<f64>,
    /// One-way propagation delay of every generated link, ns (default 500).
    #[serde(default)]
    pub propagation_ns: Option<f64>,
    /// Output buffer of every switch port, bytes (default 524288).
    #[serde(default)]
    pub switch_buffer_bytes: Option<u64>,
    /// Port-to-port forwarding latency of every switch, ns (default 450).
    #[serde(default)]
    pub switch_latency_ns: Option<f64>,
    /// `"cut_through"` (default) or `"store_and_forward"`.
    #[serde(default)]
    pub forwarding: Option<Forwarding>,
    /// custom: the switches.
    #[serde(default)]
    pub switches: Option<Vec<SwitchEntry>>,
    /// custom: the links.
    #[serde(default)]
    pub links: Option<Vec<LinkEntry>>,
    /// Closed-loop clients: requests each client keeps in flight (default:
    /// open loop at the workload's rate).
    #[serde(default)]
    pub client_outstanding: Option<u32>,
    /// Closed loop: pause between a response and the slot's next request, us (default 0).
    #[serde(default)]
    pub client_think_us: Option<f64>,
    /// A request unanswered this long is counted as timed out, us (default 1000).
    #[serde(default)]
    pub client_timeout_us: Option<f64>,
    /// Per-server settings that differ from `[nic]` / `[host]` / all actors.
    #[serde(default)]
    pub server: Option<Vec<ServerEntry>>,
}

/// One `[[cluster.switches]]` entry (custom shape).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SwitchEntry {
    /// Unique name, used by links.
    pub name: String,
    /// Number of ports (at least the links attached to it).
    pub ports: u32,
    /// Output buffer per port, bytes (default: cluster.switch_buffer_bytes).
    #[serde(default)]
    pub buffer_bytes: Option<u64>,
    /// Forwarding latency, ns (default: cluster.switch_latency_ns).
    #[serde(default)]
    pub latency_ns: Option<f64>,
    /// Forwarding mode (default: cluster.forwarding).
    #[serde(default)]
    pub forwarding: Option<Forwarding>,
}

/// One `[[cluster.links]]` entry (custom shape): a full-duplex cable.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LinkEntry {
    /// One end: a server `sN`, a client `cN` or a switch name.
    pub a: String,
    /// The other end.
    pub b: String,
    /// Rate, Gb/s (default: cluster.link_gbps).
    #[serde(default)]
    pub rate_gbps: Option<f64>,
    /// One-way propagation delay, ns (default: cluster.propagation_ns).
    #[serde(default)]
    pub propagation_ns: Option<f64>,
}

/// One `[[cluster.server]]` entry: overrides for one server.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServerEntry {
    /// Which server, `s0`, `s1`, ...
    pub name: String,
    /// NIC profile (default: `[nic] profile`).
    #[serde(default)]
    pub nic_profile: Option<String>,
    /// NIC cores (default: `[nic] cores`; with another `nic_profile`, all it has).
    #[serde(default)]
    pub nic_cores: Option<u32>,
    /// Host profile (default: `[host] profile`).
    #[serde(default)]
    pub host_profile: Option<String>,
    /// Host cores (default: `[host] cores`; with another `host_profile`, all it has).
    #[serde(default)]
    pub host_cores: Option<u32>,
    /// The actors (names from `[[workload.actors]]`) started on this server
    /// (default: all of them).
    #[serde(default)]
    pub actors: Option<Vec<String>>,
}
