//! The `custom` shape: switches and links as listed in `[[cluster.switches]]` and `[[cluster.links]]`.

use super::spec::ClusterSection;
use super::topology::{
    bad, check_buffer, positive, LinkSpec, NodeRef, SwitchSpec, TopoError, Topology, MAX_NODES,
    MAX_PORTS,
};
use sim_core::SimDuration;

/// Builds a custom topology; `switch` and `link` make entries with the section's defaults.
pub(super) fn build(
    c: &ClusterSection,
    servers: u32,
    clients: u32,
    switch: &dyn Fn(String, u32) -> SwitchSpec,
    link: &dyn Fn(NodeRef, NodeRef, f64) -> LinkSpec,
    link_gbps: f64,
) -> Result<Topology, TopoError> {
    let entries = c.switches.as_deref().unwrap_or(&[]);
    if entries.is_empty() || entries.len() as u32 > MAX_NODES {
        return Err(bad(
            "cluster.switches",
            format!("shape = \"custom\" needs 1..={MAX_NODES} [[cluster.switches]]"),
            "add [[cluster.switches]] entries with name and ports",
        ));
    }
    let mut switches = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let key = |k: &str| format!("cluster.switches[{i}].{k}");
        let taken = switches.iter().any(|s: &SwitchSpec| s.name == e.name);
        let generated = is_endpoint_name(&e.name);
        if e.name.is_empty() || taken || generated {
            return Err(bad(
                key("name"),
                format!(
                    "`{}` is empty, taken, or looks like a server or client name",
                    e.name
                ),
                "give each switch a unique name such as tor0 (not sN or cN)",
            ));
        }
        if e.ports == 0 || e.ports > MAX_PORTS {
            return Err(bad(
                key("ports"),
                format!("must be between 1 and {MAX_PORTS}, got {}", e.ports),
                "give the number of ports the switch has",
            ));
        }
        let mut s = switch(e.name.clone(), e.ports);
        if let Some(b) = e.buffer_bytes {
            check_buffer(b, &key("buffer_bytes"))?;
            s.buffer_bytes = b;
        }
        if let Some(l) = e.latency_ns {
            s.latency = SimDuration::from_ns_f64(positive(l, &key("latency_ns"), "ns", true)?);
        }
        if let Some(f) = e.forwarding {
            s.forwarding = f;
        }
        switches.push(s);
    }
    let node = |name: &str, key: String| -> Result<NodeRef, TopoError> {
        let index = |p: &str| name.strip_prefix(p).and_then(|d| d.parse::<u32>().ok());
        if let Some(i) = switches.iter().position(|s| s.name == name) {
            return Ok(NodeRef::Switch(i as u32));
        }
        match (index("s"), index("c")) {
            (Some(i), _) if i < servers => Ok(NodeRef::Server(i)),
            (_, Some(i)) if i < clients => Ok(NodeRef::Client(i)),
            _ => Err(bad(
                key,
                format!(
                    "`{name}` is no switch, server (s0..s{}) or client (c0..c{})",
                    servers.saturating_sub(1),
                    clients.saturating_sub(1)
                ),
                "name a listed switch, a server sN or a client cN",
            )),
        }
    };
    let mut links = Vec::new();
    for (i, e) in c.links.as_deref().unwrap_or(&[]).iter().enumerate() {
        let key = |k: &str| format!("cluster.links[{i}].{k}");
        let a = node(&e.a, key("a"))?;
        let b = node(&e.b, key("b"))?;
        if a == b {
            return Err(bad(
                key("b"),
                "a link must join two different nodes",
                "set b to a node other than a",
            ));
        }
        let mut l = link(a, b, link_gbps);
        if let Some(r) = e.rate_gbps {
            l.rate_gbps = positive(r, &key("rate_gbps"), "Gb/s", false)?;
        }
        if let Some(p) = e.propagation_ns {
            l.propagation =
                SimDuration::from_ns_f64(positive(p, &key("propagation_ns"), "ns", true)?);
        }
        links.push(l);
    }
    Ok(Topology {
        servers,
        clients,
        switches,
        links,
    })
}

/// `s12` or `c3`: names reserved for servers and clients.
fn is_endpoint_name(name: &str) -> bool {
    let digits = |p: &str| {
        name.strip_prefix(p)
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    };
    digits("s") || digits("c")
}
