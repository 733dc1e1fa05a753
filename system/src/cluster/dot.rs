//! `nicsim topo --dot`: the topology as a Graphviz DOT graph (servers, clients, switches; links labelled with rate and delay).

use super::topology::{NodeRef, Topology};

/// The DOT text of `t`; `labels` gives an optional extra line per server (its NIC, say).
pub fn to_dot(t: &Topology, name: &str, labels: &dyn Fn(u32) -> String) -> String {
    let mut out = String::new();
    let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    out.push_str(&format!("graph \"{}\" {{\n", esc(name)));
    out.push_str("  layout=dot; rankdir=TB; node [fontname=\"Helvetica\"];\n");
    for s in &t.switches {
        out.push_str(&format!(
            "  \"{}\" [shape=box, style=filled, fillcolor=lightblue, label=\"{}\\n{} ports, {} KiB/port\\n{} ns {:?}\"];\n",
            esc(&s.name),
            esc(&s.name),
            s.ports,
            s.buffer_bytes / 1024,
            s.latency.as_ns(),
            s.forwarding
        ));
    }
    for s in 0..t.servers {
        let extra = labels(s);
        out.push_str(&format!(
            "  \"s{s}\" [shape=box3d, label=\"s{s}{}{}\"];\n",
            if extra.is_empty() { "" } else { "\\n" },
            esc(&extra)
        ));
    }
    for c in 0..t.clients {
        out.push_str(&format!("  \"c{c}\" [shape=ellipse, label=\"c{c}\"];\n"));
    }
    for l in &t.links {
        let n = |r: NodeRef| esc(&t.name(r));
        out.push_str(&format!(
            "  \"{}\" -- \"{}\" [label=\"{} Gb/s, {} ns\"];\n",
            n(l.a),
            n(l.b),
            l.rate_gbps,
            l.propagation.as_ns()
        ));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::spec::ClusterShape;

    #[test]
    fn star_dot_names_every_node_and_link() {
        let mut c = crate::cluster::routing::tests::section(ClusterShape::Star);
        c.servers = Some(3);
        c.clients = Some(2);
        let t = Topology::build(&c).expect("valid");
        let dot = to_dot(&t, "x", &|s| format!("nic{s}"));
        assert!(dot.starts_with("graph \"x\" {"));
        assert!(dot.contains("\"tor0\" [shape=box"));
        assert!(dot.contains("\"s2\" [shape=box3d, label=\"s2\\nnic2\"]"));
        assert!(dot.contains("\"c1\" -- \"tor0\" [label=\"100 Gb/s, 500 ns\"]"));
        assert_eq!(dot.matches(" -- ").count(), 5);
        assert!(dot.ends_with("}\n"));
    }
}
