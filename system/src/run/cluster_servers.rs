//! `servers.csv` (one row per server: cores, utilization, host cores used, frames, drops by reason, PCIe bytes, crashes), `links.csv`, and the sums over servers of a cluster run.
//!
//! A server that crashed and restarted reports its last life's node figures
//! in its row (utilization, served, latency, drops, PCIe bytes); the crash
//! columns and the summary's totals cover every life.

use crate::cluster::clientpart::ClientPart;
use crate::cluster::netpart::NetPart;
use crate::cluster::report::{link_rows, LINK_COLUMNS};
use crate::cluster::world::ServerPart;
use crate::node::accounting::col;
use crate::node::drops::ActorDrops;
use crate::scenario::Scenario;
use sim_core::table::fmt_f64;
use sim_core::{LatencyHistogram, SimDuration, SimTime, Table, TimeSeries};

/// One server's row of `servers.csv` (a table with its header).
pub(super) fn server_row(s: &Scenario, sp: &ServerPart, end: SimTime) -> Table {
    let node = &sp.node.0;
    let plan = s
        .cluster
        .as_ref()
        .and_then(|p| p.servers.get(sp.index as usize));
    let d = node.driver();
    let secs = s.duration.as_secs_f64();
    let nic_cores = d.nic_cores();
    let nic_util = if nic_cores > 0 {
        (d.nic_busy(end).as_secs_f64() / (f64::from(nic_cores) * secs)).min(1.0)
    } else {
        0.0
    };
    let mut lat = LatencyHistogram::new();
    for c in node.classes() {
        lat.merge(&c.latency);
    }
    let a = node.accounting();
    let (up, down) = node.pcie_payload_bytes();
    let crash = sp.faults.as_ref().map(|f| f.stats).unwrap_or_default();
    let mut cols: Vec<String> = [
        "server",
        "nic",
        "nic_cores",
        "host_cores",
        "actors",
        "nic_core_util",
        "host_cores_used",
        "frames_in",
        "frames_out",
        "bytes_out",
        "served",
        "completed",
        "lat_mean_us",
        "lat_p99_us",
        "drops",
        "drops_uplink",
        "drops_no_actor",
        "drops_unaddressed",
        "pcie_to_host_bytes",
        "pcie_to_nic_bytes",
        "crashes",
        "drops_server_down",
        "lost_server_crash",
    ]
    .iter()
    .map(|c| c.to_string())
    .collect();
    let mut row = vec![
        format!("s{}", sp.index),
        plan.map(|p| p.nic.name.clone()).unwrap_or_default(),
        nic_cores.to_string(),
        plan.map_or(0, |p| p.host_cores).to_string(),
        plan.map(|p| p.actors.join(";")).unwrap_or_default(),
        fmt_f64(nic_util, 4),
        fmt_f64(d.host_busy(end).as_secs_f64() / secs, 4),
        sp.net.frames_in.to_string(),
        sp.net.frames_out.to_string(),
        sp.net.bytes_out.to_string(),
        a.served.to_string(),
        node.classes()
            .iter()
            .map(|c| c.completed)
            .sum::<u64>()
            .to_string(),
        fmt_f64(lat.mean_us(), 3),
        fmt_f64(lat.quantile_us(0.99), 3),
        node.drops_total().to_string(),
        sp.net.drops_uplink.to_string(),
        sp.net.drops_no_actor.to_string(),
        sp.net.drops_no_route.to_string(),
        up.to_string(),
        down.to_string(),
        crash.crashes.to_string(),
        crash.drops_server_down.to_string(),
        crash.lost_in_crash.to_string(),
    ];
    // every end of the node's messages by reason (the same names on every server)
    for (k, n) in node.ended() {
        cols.push(k.to_string());
        row.push(n.to_string());
    }
    let mut t = Table::new(cols);
    t.push(row);
    t
}

/// `links.csv`: the network's link directions, with the servers' and
/// clients' uplinks (which their partitions drove) put back in place.
pub(super) fn links_table(
    net: &mut NetPart,
    servers: &[ServerPart],
    clients: &[ClientPart],
    elapsed: SimDuration,
) -> Table {
    let uplinks = servers
        .iter()
        .map(ServerPart::uplink)
        .chain(clients.iter().map(ClientPart::uplink));
    for (link, dir, tx) in uplinks {
        net.fabric.replace_link_tx(link, dir, tx.clone());
    }
    let mut t = Table::new(LINK_COLUMNS);
    for r in link_rows(&net.fabric, elapsed) {
        t.push(r);
    }
    t
}

/// Adds `from`'s per-window sums into `into` (cluster totals per window).
pub(super) fn merge_series(into: &mut Option<TimeSeries>, from: &TimeSeries) {
    let w = from.window();
    let t = into.get_or_insert_with(|| TimeSeries::new(w, col::NAMES, from.rows().len().max(1)));
    for (i, row) in from.rows().iter().enumerate() {
        let at = SimTime::ZERO + w * i as u64;
        for (c, &v) in row.iter().enumerate() {
            if v != 0.0 {
                t.add(at, c, v);
            }
        }
    }
}

/// Drops of two servers, reason by reason.
pub(super) fn plus(a: ActorDrops, b: &ActorDrops) -> ActorDrops {
    ActorDrops {
        pcie: a.pcie + b.pcie,
        fcfs_queue: a.fcfs_queue + b.fcfs_queue,
        mailbox: a.mailbox + b.mailbox,
        migration_buffer: a.migration_buffer + b.migration_buffer,
        host_queue: a.host_queue + b.host_queue,
        actor_killed: a.actor_killed + b.actor_killed,
        actor_deleted: a.actor_deleted + b.actor_deleted,
        unknown_actor: a.unknown_actor + b.unknown_actor,
        watchdog: a.watchdog + b.watchdog,
    }
}
