//! Clusters: the `[cluster]` topology, its routes, links, switches and the fabric that moves frames between servers and clients.
//!
//! Layering: `spec` (the file format) -> `topology` (the resolved graph,
//! generators `star` / `leaf_spine` / `custom`) -> `routing` (ECMP tables,
//! flow hash) -> `link` / `switch` (passive models) -> `fabric` (all of them,
//! one hop per call) -> `netsim` (a network-only event loop). `dot` prints
//! the topology for Graphviz.

pub mod client;
pub mod clientpart;
mod custom;
pub mod dot;
pub mod fabric;
pub mod faults;
pub mod frame_boxes;
pub mod link;
pub mod netpart;
pub mod netsim;
pub mod outstanding;
pub mod probe;
pub mod record;
pub mod report;
pub mod routing;
pub mod serverpart;
pub mod spec;
pub mod switch;
pub mod topology;
pub mod uplink;
pub mod world;

pub use fabric::{Fabric, Hop, PortTap, WireFrame};
pub use routing::Routes;
pub use spec::{ClusterSection, ClusterShape, Forwarding};
pub use topology::{NodeRef, Topology};
