//! Building a [`Topology`] from `[cluster]`: the count and number checks, and the star and leaf-spine generators (custom wiring is in `cluster/custom.rs`).

/// A count key: present when `needed`, absent otherwise, 1..=MAX_NODES.
use super::*;
use crate::cluster::spec::{ClusterSection, ClusterShape};

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
pub(in crate::cluster) fn positive(
    value: f64,
    key: &str,
    unit: &str,
    zero_ok: bool,
) -> Result<f64, TopoError> {
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
                crate::cluster::custom::build(c, servers, clients, &switch, &link, link_gbps)?
            }
        };
        topo.check_wiring()?;
        Ok(topo)
    }
}
