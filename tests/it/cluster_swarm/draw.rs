//! Drawing a cluster swarm scenario from a seed: shape and size, links and switches, NICs per server, actors (replication between servers included), open or closed-loop clients, and faults.

use crate::swarm::draw::Draw;
use system::cluster::world::ACTOR_PORT_BASE;

/// The scenario (TOML text) of one seed.
pub(super) fn draw_cluster(seed: u64) -> String {
    let mut d = Draw(seed);
    let nics = nic_models::profile::builtin_names();
    // short runs: a few hundred microseconds hold thousands of frames, and
    // every scenario runs at three thread counts
    let duration_ms = d.float(0.2, 0.6);
    // TOML integers are signed 64-bit: the run's root seed is the swarm seed's top 63 bits
    let run_seed = seed >> 1;
    let mut t = format!(
        "name = \"cluster_swarm\"\nseed = {run_seed}\nduration_ms = {duration_ms:.3}\nwarmup_ms = 0\n\n[nic]\nprofile = \"{}\"\n\n[host]\ncores = {}\n",
        d.pick(&nics),
        d.int(1, 8)
    );
    let shape = draw_shape(&mut d);
    let servers = shape.servers;
    let closed_loop = d.chance(0.3);
    // replication needs a server to send to besides the one it runs on
    let replicate = !closed_loop && servers >= 2 && d.chance(0.4);
    let policy = *d.pick(&["hybrid", "fcfs", "drr", "nic_only", "host_only"]);
    t.push_str(&format!("\n[scheduler]\npolicy = \"{policy}\"\n"));
    let ranker = draw_workload(&mut d, &mut t, closed_loop, replicate, servers);
    t.push_str(&shape.keys);
    draw_network(&mut d, &mut t, closed_loop, shape.kind == Kind::LeafSpine);
    if shape.kind == Kind::Custom {
        draw_custom_tables(&mut d, &mut t, servers, shape.clients);
    }
    draw_servers(&mut d, &mut t, &nics, servers, replicate, ranker);
    if d.chance(0.35) {
        draw_faults(&mut d, &mut t, servers, duration_ms);
    }
    t
}

/// Which generator a drawn cluster uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Star,
    LeafSpine,
    Custom,
}

/// A drawn `[cluster]` shape: its keys, kind, servers and clients.
struct Shape {
    keys: String,
    kind: Kind,
    servers: u64,
    clients: u64,
}

/// A star, a leaf-spine, or (a quarter of the time) a custom graph whose
/// switches and links [`draw_custom_tables`] appends after the network's
/// common keys. A custom graph has 1-4 switches joined as a random tree,
/// sometimes with a second path between two of them (ECMP), and servers
/// and clients on random switches; every link has its own rate and
/// propagation delay, so the lookahead is the least of them.
fn draw_shape(d: &mut Draw) -> Shape {
    let (kind, servers, clients, keys) = if d.chance(0.25) {
        let (servers, clients) = (d.int(1, 6), d.int(1, 3));
        (Kind::Custom, servers, clients, String::new())
    } else if d.chance(0.5) {
        let (servers, clients) = (d.int(1, 5), d.int(1, 3));
        (Kind::Star, servers, clients, String::new())
    } else {
        let (racks, per_rack) = (d.int(1, 3), d.int(1, 3));
        let keys = format!(
            "racks = {racks}\nservers_per_rack = {per_rack}\nspines = {}\n",
            d.int(1, 2)
        );
        (Kind::LeafSpine, racks * per_rack, d.int(1, 3), keys)
    };
    let name = match kind {
        Kind::Star => "star",
        Kind::LeafSpine => "leaf_spine",
        Kind::Custom => "custom",
    };
    let counts = match kind {
        Kind::LeafSpine => format!("clients = {clients}\n"),
        Kind::Star | Kind::Custom => format!("servers = {servers}\nclients = {clients}\n"),
    };
    Shape {
        keys: format!("\n[cluster]\nshape = \"{name}\"\n{keys}{counts}"),
        kind,
        servers,
        clients,
    }
}

/// The `[[cluster.switches]]` and `[[cluster.links]]` of a custom shape
/// with `servers` servers and `clients` clients.
fn draw_custom_tables(d: &mut Draw, t: &mut String, servers: u64, clients: u64) {
    let k = d.int(1, 4);
    for i in 0..k {
        t.push_str(&format!(
            "\n[[cluster.switches]]\nname = \"sw{i}\"\nports = 16\n"
        ));
        if d.chance(0.5) {
            t.push_str(&format!("latency_ns = {:.1}\n", d.float(50.0, 900.0)));
        }
        if d.chance(0.3) {
            t.push_str(&format!("buffer_bytes = {}\n", d.pick(&[9216, 65536])));
        }
        if d.chance(0.3) {
            t.push_str("forwarding = \"store_and_forward\"\n");
        }
    }
    let mut ends: Vec<(String, String)> = (1..k)
        .map(|i| (format!("sw{i}"), format!("sw{}", d.int(0, i - 1))))
        .collect();
    if k >= 3 && d.chance(0.5) {
        // a second path between the last switch and the first
        ends.push((format!("sw{}", k - 1), "sw0".to_string()));
    }
    ends.extend((0..servers).map(|s| (format!("s{s}"), format!("sw{}", d.int(0, k - 1)))));
    ends.extend((0..clients).map(|c| (format!("c{c}"), format!("sw{}", d.int(0, k - 1)))));
    for (a, b) in ends {
        t.push_str(&format!(
            "\n[[cluster.links]]\na = \"{a}\"\nb = \"{b}\"\nrate_gbps = {:.1}\npropagation_ns = {:.1}\n",
            d.pick(&[10.0, 25.0, 40.0, 100.0]),
            d.float(50.0, 3000.0)
        ));
    }
}

/// `[workload]` and its actors: actor 0 is a fixed-cost `kv`, then maybe a
/// variable-cost `ranker`; with `replicate`, a `replication` actor on the
/// first half of the servers sends to a one-way `log` actor on the others.
/// Returns whether there is a `ranker`.
fn draw_workload(
    d: &mut Draw,
    t: &mut String,
    closed_loop: bool,
    replicate: bool,
    servers: u64,
) -> bool {
    t.push_str("\n[workload]\nkind = \"actors\"\n");
    // closed-loop clients send when answered, never in bursts
    let arrivals: &[&str] = if closed_loop {
        &["poisson", "constant"]
    } else {
        &["poisson", "constant", "onoff"]
    };
    let arrival = *d.pick(arrivals);
    t.push_str(&format!("arrival = \"{arrival}\"\n"));
    if arrival == "onoff" {
        t.push_str(&format!(
            "on_us = {:.1}\noff_us = {:.1}\n",
            d.float(5.0, 50.0),
            d.float(5.0, 50.0)
        ));
    }
    if !closed_loop {
        // overload included: queues, switch buffers and timeouts must count
        // what they drop
        t.push_str(&format!("load_fraction = {:.3}\n", d.float(0.05, 1.6)));
    }
    t.push_str(&format!(
        "\n[[workload.actors]]\nname = \"kv\"\nkind = \"fixed_cost\"\nweight = {:.2}\nconfig = {{ cost_ns = {} }}\n",
        d.float(0.5, 3.0),
        d.int(500, 6_000)
    ));
    let ranker = d.chance(0.6);
    if ranker {
        t.push_str(&format!(
            "\n[[workload.actors]]\nname = \"ranker\"\nkind = \"variable_cost\"\nweight = {:.2}\n",
            d.float(0.2, 2.0)
        ));
    }
    if replicate {
        // the log actor's index among the actors gives its port
        let log_index = if ranker { 3 } else { 2 };
        let replicas: Vec<String> = (servers / 2..servers).map(|s| s.to_string()).collect();
        t.push_str(&format!(
            "\n[[workload.actors]]\nname = \"replication\"\nkind = \"replication\"\nweight = {:.2}\nconfig = {{ replica_nodes = [{}], port = {} }}\n",
            d.float(0.2, 1.5),
            replicas.join(", "),
            ACTOR_PORT_BASE + log_index
        ));
        t.push_str(&format!(
            "\n[[workload.actors]]\nname = \"log\"\nkind = \"fixed_cost\"\nweight = {:.2}\nconfig = {{ reply = false, cost_ns = {} }}\n",
            d.float(0.1, 0.5),
            d.int(200, 2_000)
        ));
    }
    ranker
}

/// The links, switches and clients of `[cluster]` (switch-to-switch links:
/// leaf-spine only).
fn draw_network(d: &mut Draw, t: &mut String, closed_loop: bool, leaf_spine: bool) {
    let link = *d.pick(&[10.0, 25.0, 40.0, 100.0]);
    t.push_str(&format!("link_gbps = {link:.1}\n"));
    if leaf_spine {
        let uplink = if d.chance(0.5) { link } else { 100.0 };
        t.push_str(&format!("uplink_gbps = {uplink:.1}\n"));
    }
    t.push_str(&format!(
        "propagation_ns = {:.1}\nswitch_buffer_bytes = {}\nswitch_latency_ns = {:.1}\nforwarding = \"{}\"\n",
        d.float(50.0, 1500.0),
        d.pick(&[9216, 65536, 524288]),
        d.float(100.0, 900.0),
        d.pick(&["cut_through", "store_and_forward"])
    ));
    if closed_loop {
        t.push_str(&format!("client_outstanding = {}\n", d.int(1, 32)));
        if d.chance(0.5) {
            t.push_str(&format!("client_think_us = {:.1}\n", d.float(0.0, 20.0)));
        }
    }
    if d.chance(0.4) {
        // short enough that overloaded runs time out
        t.push_str(&format!(
            "client_timeout_us = {:.1}\n",
            d.float(30.0, 400.0)
        ));
    }
}

/// `[[cluster.server]]`: some servers with another NIC; with `replicate`,
/// the first half runs the front actors (with the `ranker`, when there is
/// one) and the rest the log.
fn draw_servers(
    d: &mut Draw,
    t: &mut String,
    nics: &[&str],
    servers: u64,
    replicate: bool,
    ranker: bool,
) {
    for s in 0..servers {
        let other_nic = d.chance(0.3);
        if !other_nic && !replicate {
            continue;
        }
        t.push_str(&format!("\n[[cluster.server]]\nname = \"s{s}\"\n"));
        if other_nic {
            t.push_str(&format!("nic_profile = \"{}\"\n", d.pick(nics)));
        }
        if replicate {
            let actors = if s < servers / 2 {
                let ranker = if ranker { ", \"ranker\"" } else { "" };
                format!("\"kv\"{ranker}, \"replication\"")
            } else {
                "\"log\"".to_string()
            };
            t.push_str(&format!("actors = [{actors}]\n"));
        }
    }
}

/// `[faults]`: a lossy or slow link, a server crash, or both.
fn draw_faults(d: &mut Draw, t: &mut String, servers: u64, duration_ms: f64) {
    if d.chance(0.7) {
        t.push_str(&format!(
            "\n[[faults.link]]\nlink = \"s{}\"\ndrop_probability = {:.3}\ndelay_probability = {:.3}\ndelay_us = {:.1}\n",
            d.int(0, servers - 1),
            d.float(0.0, 0.2),
            d.float(0.0, 0.3),
            d.float(1.0, 20.0)
        ));
    }
    if d.chance(0.5) {
        let at_ms = d.float(0.0, duration_ms * 0.8);
        t.push_str(&format!(
            "\n[[faults.crash]]\nserver = \"s{}\"\nat_ms = {at_ms:.3}\n",
            d.int(0, servers - 1)
        ));
        if d.chance(0.5) {
            // a time, after the crash
            let restart_ms = at_ms + d.float(0.01, 0.2);
            t.push_str(&format!("restart_ms = {restart_ms:.3}\n"));
        }
    }
}
