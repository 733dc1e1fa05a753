//! The network partition of the cluster world: every switch and the link directions leaving them (the endpoints' uplinks belong to the endpoints' partitions).
//!
//! Frames hop switch to switch here as local events; a frame whose next hop
//! is an endpoint (a server or a client) is sent to that endpoint's
//! partition at its last bit's arrival (at least one propagation delay
//! later: the lookahead). Deliveries are counted, traced and recorded here,
//! when the last switch hands the frame to the endpoint's link.

use super::fabric::{Fabric, Hop, WireFrame};
use super::topology::NodeRef;
use super::world::{client_partition, server_partition, ClusterEvent, NetFrame};
use crate::trace::chrome::ChromeTrace;
use sim_core::parallel::Ctx;
use sim_core::SimTime;

/// Switches and the links leaving them.
pub struct NetPart {
    /// The fabric (endpoint uplink directions unused: the endpoints own them).
    pub fabric: Fabric,
    /// Frames that reached an endpoint (server or client) from a switch.
    pub delivered: u64,
    /// Network events (with `--trace`).
    pub trace: Option<ChromeTrace>,
    /// Events that belong to a server partition (a routing bug; should stay 0).
    pub misrouted: u64,
    /// Every delivered message, when asked for (tests; `super::record`).
    pub record: Option<super::record::Recorder>,
}

impl NetPart {
    /// The network of `fabric`.
    pub fn new(fabric: Fabric, mut trace: Option<ChromeTrace>) -> NetPart {
        if let Some(tr) = trace.as_mut() {
            crate::trace::network::name_tracks(tr, fabric.topology());
        }
        NetPart {
            fabric,
            delivered: 0,
            trace,
            misrouted: 0,
            record: None,
        }
    }

    /// Handles one network event.
    pub fn handle(&mut self, _now: SimTime, ev: ClusterEvent, ctx: &mut Ctx<'_, ClusterEvent>) {
        match ev {
            ClusterEvent::NetArrive(f) => match f.hop.to {
                NodeRef::Switch(s) => self.forward(s, f, ctx),
                // endpoints' arrivals go to their partitions: never here
                NodeRef::Server(_) | NodeRef::Client(_) => self.misrouted += 1,
            },
            ClusterEvent::Start => {}
            ClusterEvent::Node(..)
            | ClusterEvent::Fault(_)
            | ClusterEvent::ClientSend(_)
            | ClusterEvent::ClientTimeout(_) => self.misrouted += 1,
        }
    }

    fn forward(&mut self, s: u32, mut f: Box<NetFrame>, ctx: &mut Ctx<'_, ClusterEvent>) {
        let (first, last) = (f.hop.transit.rx_first, f.hop.transit.rx_last);
        // a drop is counted by the switch and its port
        let Ok(next) = self.fabric.forward(s, first, last, &f.wire) else {
            return;
        };
        if let Some(tr) = self.trace.as_mut() {
            crate::trace::network::sent(
                tr,
                self.fabric.topology(),
                NodeRef::Switch(s),
                &next,
                &f.wire,
            );
        }
        match next.to {
            NodeRef::Switch(n) => {
                let at = self
                    .fabric
                    .acts_at(n, next.transit.rx_first, next.transit.rx_last);
                f.hop = next;
                ctx.schedule_at(at, ClusterEvent::NetArrive(f));
            }
            NodeRef::Server(i) => self.deliver(server_partition(i), i, f, next, ctx),
            NodeRef::Client(c) => {
                let topo = self.fabric.topology();
                let (dest, endpoint) = (client_partition(topo, c), topo.servers + c);
                self.deliver(dest, endpoint, f, next, ctx);
            }
        }
    }

    /// Hands `f` to endpoint `endpoint` (topology id), whose partition is `dest`.
    fn deliver(
        &mut self,
        dest: usize,
        endpoint: u32,
        mut f: Box<NetFrame>,
        next: Hop,
        ctx: &mut Ctx<'_, ClusterEvent>,
    ) {
        self.delivered += 1;
        self.traced_delivery(&next, &f.wire);
        if let Some(r) = self.record.as_mut() {
            r.delivered(next.transit.rx_last, &f.msg, endpoint, f.port);
        }
        f.hop = next;
        ctx.send(dest, next.transit.rx_last, ClusterEvent::NetArrive(f));
    }

    fn traced_delivery(&mut self, hop: &Hop, wire: &WireFrame) {
        if let Some(tr) = self.trace.as_mut() {
            crate::trace::network::delivered(tr, self.fabric.topology(), hop.to, hop, wire);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every event is copied into and out of a partition queue, and an event
    /// for another partition through a mailbox too: a frame's hop travels in
    /// its box so that these copies stay small (it was 88 bytes with the hop
    /// beside the box; leaf-spine ran 3.3% more instructions).
    #[test]
    fn cluster_events_stay_small() {
        assert!(
            std::mem::size_of::<ClusterEvent>() <= 24,
            "ClusterEvent grew to {} bytes",
            std::mem::size_of::<ClusterEvent>()
        );
    }
}
