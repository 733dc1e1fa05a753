//! A switch's partition of the cluster world: one switch and the link directions leaving it (the endpoints' uplinks belong to the endpoints' partitions).
//!
//! A frame whose next hop is another switch is sent to that switch's
//! partition when the switch can act on it; one whose next hop is an
//! endpoint (a server or a client) goes to that endpoint's partition at its
//! last bit's arrival. Both are at least one propagation delay later (the
//! lookahead). Deliveries are counted, traced and recorded here, when the
//! last switch hands the frame to the endpoint's link. After the run,
//! [`NetPart::gather`] puts the switches back into one whole network for
//! the reports.

use super::fabric::{Fabric, Hop, PortTap, WireFrame};
use super::switch::SwitchDrop;
use super::topology::NodeRef;
use super::world::{client_partition, server_partition, switch_partition, ClusterEvent, NetFrame};
use crate::trace::chrome::ChromeTrace;
use sim_core::parallel::Ctx;
use sim_core::SimTime;

/// A switch and the links leaving it (after [`NetPart::gather`]: every switch).
pub struct NetPart {
    /// The switch this partition runs.
    pub switch: u32,
    /// Its fabric ([`Fabric::of_switch`]; after [`NetPart::gather`], the
    /// whole fabric with the endpoints' uplinks as they were before the run).
    pub fabric: Fabric,
    /// Frames that reached an endpoint (server or client) from a switch.
    pub delivered: u64,
    /// Network events (with `--trace`).
    pub trace: Option<ChromeTrace>,
    /// Events that belong to another partition, and frames for a link this
    /// switch does not drive (routing bugs; should stay 0).
    pub misrouted: u64,
    /// Every delivered message, when asked for (tests; `super::record`).
    pub record: Option<super::record::Recorder>,
}

impl NetPart {
    /// Switch `switch` of `fabric` (a [`Fabric::of_switch`]). The trace of
    /// switch 0 names every network track (once for the whole network).
    pub fn new(switch: u32, fabric: Fabric, mut trace: Option<ChromeTrace>) -> NetPart {
        if let Some(tr) = trace.as_mut().filter(|_| switch == 0) {
            crate::trace::network::name_tracks(tr, fabric.topology());
        }
        NetPart {
            switch,
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
                NodeRef::Switch(s) if s == self.switch => self.forward(s, f, ctx),
                // other switches' and endpoints' arrivals go to their
                // partitions: never here
                NodeRef::Switch(_) | NodeRef::Server(_) | NodeRef::Client(_) => self.misrouted += 1,
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
        let next = match self.fabric.forward(s, first, last, &f.wire) {
            Ok(next) => next,
            Err(SwitchDrop::NotDriven) => {
                self.misrouted += 1;
                return;
            }
            // any other drop is counted by the switch and its port
            Err(_) => return,
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
                ctx.send(switch_partition(n), at, ClusterEvent::NetArrive(f));
            }
            NodeRef::Server(i) => {
                let dest = server_partition(self.fabric.topology(), i);
                self.deliver(dest, i, f, next, ctx)
            }
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

    /// The whole network after a run: `whole` (the fabric the switches'
    /// fabrics were cut from) with each switch and the links leaving it
    /// taken back from its partition, counters summed, traces joined in
    /// switch order, and the recorded messages in delivery order (ties in
    /// switch order); with each switch's tap, to finish.
    pub fn gather(mut whole: Fabric, parts: Vec<NetPart>) -> (NetPart, Vec<Box<dyn PortTap>>) {
        let (mut taps, mut records) = (Vec::new(), Vec::new());
        let (mut delivered, mut misrouted) = (0, 0);
        let mut trace: Option<ChromeTrace> = None;
        for mut p in parts {
            whole.absorb_switch(p.switch, &p.fabric);
            taps.extend(p.fabric.take_tap());
            delivered += p.delivered;
            misrouted += p.misrouted;
            match (trace.as_mut(), p.trace.take()) {
                (Some(all), Some(mine)) => all.absorb(mine),
                (None, mine) => trace = mine,
                (Some(_), None) => {}
            }
            records.extend(p.record.take());
        }
        let all = NetPart {
            switch: 0,
            fabric: whole,
            delivered,
            trace,
            misrouted,
            record: super::record::Recorder::join(records),
        };
        (all, taps)
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
