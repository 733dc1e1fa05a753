//! Counting a finished cluster run: the network's frames (injected = arrived + dropped + in flight) and each server's lives and crashes, which the cluster report sums.

use crate::cluster::clientpart::ClientPart;
use crate::cluster::netpart::NetPart;
use crate::cluster::world::ServerPart;
use sim_core::SimTime;

/// The network's frame count: every frame put on a link is delivered, dropped or in flight.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetCount {
    /// Frames servers and clients put on their uplinks.
    pub injected: u64,
    /// Frames whose last bit reached a server or client.
    pub arrived: u64,
    /// Frames dropped at switch ports (buffer full).
    pub drops_buffer_full: u64,
    /// Frames a switch had no route for.
    pub drops_no_route: u64,
    /// Frames lost on links by faults (`[faults]`).
    pub drops_link_loss: u64,
}

impl NetCount {
    /// Frames still on links or in switch queues.
    pub fn in_flight(&self) -> i128 {
        i128::from(self.injected)
            - i128::from(self.arrived)
            - i128::from(self.drops_buffer_full)
            - i128::from(self.drops_no_route)
            - i128::from(self.drops_link_loss)
    }
}

pub(super) fn net_count(
    net: &NetPart,
    servers: &[&ServerPart],
    clients: &[ClientPart],
) -> NetCount {
    let (no_route, full) = net.fabric.drops();
    let client_injected: u64 = clients
        .iter()
        .map(|c| c.client.stats.sent - c.drops_uplink)
        .sum();
    NetCount {
        injected: servers.iter().map(|s| s.net.frames_out).sum::<u64>() + client_injected,
        arrived: servers.iter().map(|s| s.net.frames_in).sum::<u64>()
            + clients.iter().map(|c| c.frames_in).sum::<u64>(),
        drops_buffer_full: full,
        drops_no_route: no_route,
        // the fabric's copies of the endpoints' uplinks are unused during the run
        drops_link_loss: net.fabric.link_losses()
            + servers
                .iter()
                .map(|s| s.uplink().2.stats.drops_link_loss)
                .sum::<u64>()
            + clients
                .iter()
                .map(|c| c.uplink().2.stats.drops_link_loss)
                .sum::<u64>(),
    }
}

/// A server's nodes, oldest first: the lives that ended in a crash (with
/// its time) and the current one (`None`).
pub(super) fn lives(sp: &ServerPart) -> Vec<(&crate::node::Node, Option<SimTime>)> {
    let mut v: Vec<_> = match &sp.faults {
        Some(f) => f
            .past
            .iter()
            .zip(&f.schedule)
            .map(|(n, c)| (n, Some(c.at)))
            .collect(),
        None => Vec::new(),
    };
    v.push((&sp.node.0, None));
    v
}

/// A server's crash counters (zero without faults).
pub(super) fn crash_stats(sp: &ServerPart) -> crate::cluster::faults::CrashStats {
    sp.faults.as_ref().map(|f| f.stats).unwrap_or_default()
}
