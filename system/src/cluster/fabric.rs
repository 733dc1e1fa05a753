//! The network of a cluster: every link direction and switch, moved one hop per call.
//!
//! Passive and hop-by-hop, so that an event engine keeps causality: the
//! caller schedules each [`Hop`]'s arrival as an event and calls
//! [`Fabric::forward`] when it fires. An endpoint (server NIC or client)
//! puts a frame on its link with [`Fabric::send`]. Switch output ports are
//! the link ends leaving the switch; every drop is counted by reason at the
//! switch and at the port. An optional tap sees every frame a switch port
//! sends (the pcap writer).
//!
//! A fabric drives every link direction, or (a [`Fabric::of_switch`]) only
//! those leaving one switch: the cluster world runs each switch in a
//! partition of its own, each with such a fabric (sharing the topology and
//! routes), and puts them back together for the reports
//! ([`Fabric::absorb_switch`]).

use super::link::{LinkTx, Transit};
use super::routing::Routes;
use super::switch::{Switch, SwitchDrop};
use super::topology::{NodeRef, Topology};
use nic_models::FlowKey;
use sim_core::SimTime;
use std::sync::Arc;

/// `Fabric::slot` of a link direction this fabric does not drive.
const NOT_DRIVEN: u32 = u32::MAX;

/// What crosses the fabric: the parts of a frame the network looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WireFrame {
    /// Unique id (the simulator's frame id).
    pub id: u64,
    /// Source endpoint (server index, or servers + client index).
    pub src: u32,
    /// Destination endpoint.
    pub dst: u32,
    /// Frame bytes without preamble and gap.
    pub bytes: u32,
    /// 5-tuple (ECMP hash, pcap headers).
    pub flow: FlowKey,
}

/// A frame on its way to the next node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hop {
    /// The node it reaches.
    pub to: NodeRef,
    /// The link it crosses and the direction (0: a to b, 1: b to a).
    pub link: usize,
    /// Direction on that link.
    pub dir: usize,
    /// Its timing on that link.
    pub transit: Transit,
    /// The switch output port it left by (`None`: it left an endpoint).
    pub port: Option<u16>,
}

/// Sees every frame a switch port sends: (switch, port, transit, frame).
pub trait PortTap: Send {
    /// One frame left `switch`'s `port`.
    fn sent(&mut self, switch: u32, port: u16, transit: &Transit, frame: &WireFrame);
    /// Flushes what it wrote; the records written and those past its
    /// bound, or the first error.
    fn finish(self: Box<Self>) -> Result<TapTotals, crate::trace::pcap::PcapError>;
}

/// What a [`PortTap`] wrote, and what it did not write because it reached
/// its bound on records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TapTotals {
    /// Records written.
    pub written: u64,
    /// Records not written: the bound was reached.
    pub over_bound: u64,
}

impl std::iter::Sum for TapTotals {
    fn sum<I: Iterator<Item = TapTotals>>(iter: I) -> TapTotals {
        iter.fold(TapTotals::default(), |a, b| TapTotals {
            written: a.written + b.written,
            over_bound: a.over_bound + b.over_bound,
        })
    }
}

/// All links and switches of a topology.
pub struct Fabric {
    topo: Arc<Topology>,
    routes: Arc<Routes>,
    /// The transmitting ends this fabric drives.
    tx: Vec<LinkTx>,
    /// Per link: [a to b, b to a] as an index of `tx` ([`NOT_DRIVEN`]: none).
    slot: Vec<[u32; 2]>,
    /// Per switch, per port: (link, direction out of the switch).
    sw_ports: Vec<Vec<(usize, usize)>>,
    /// Per endpoint: (link, direction out of it).
    ep_link: Vec<(usize, usize)>,
    switches: Vec<Switch>,
    tap: Option<Box<dyn PortTap>>,
}

impl Fabric {
    /// The fabric of `topo` (routes computed here, once).
    pub fn new(topo: Topology) -> Fabric {
        let routes = Routes::compute(&topo);
        let tx: Vec<LinkTx> = topo
            .links
            .iter()
            .flat_map(|l| {
                // A switch end's queue is the switch port buffer; an
                // endpoint's NIC queue is bounded by the same size so that a
                // host cannot queue without limit either.
                let buf = |n: NodeRef| match n {
                    NodeRef::Switch(s) => topo.switches[s as usize].buffer_bytes,
                    _ => super::topology::DEFAULT_SWITCH_BUFFER_BYTES,
                };
                [
                    LinkTx::new(l.rate_gbps, l.propagation, buf(l.a)),
                    LinkTx::new(l.rate_gbps, l.propagation, buf(l.b)),
                ]
            })
            .collect();
        let slot = (0..topo.links.len() as u32)
            .map(|l| [2 * l, 2 * l + 1])
            .collect();
        let dir_out = |node: NodeRef, link: usize| topo.direction_out(node, link);
        let sw_ports = (0..topo.switches.len() as u32)
            .map(|s| {
                let n = NodeRef::Switch(s);
                topo.ports(n)
                    .into_iter()
                    .map(|(l, _)| (l, dir_out(n, l)))
                    .collect()
            })
            .collect();
        let ep_link = topo
            .endpoints()
            .into_iter()
            .map(|e| {
                let (l, _) = topo.ports(e)[0];
                (l, dir_out(e, l))
            })
            .collect();
        let switches = topo
            .switches
            .iter()
            .enumerate()
            .map(|(i, s)| Switch::new(i as u32, s))
            .collect();
        Fabric {
            topo: Arc::new(topo),
            routes: Arc::new(routes),
            tx,
            slot,
            sw_ports,
            ep_link,
            switches,
            tap: None,
        }
    }

    /// A fabric that drives only the link directions leaving switch `s`
    /// (copies of this fabric's), for a partition that runs that switch
    /// alone; it shares this fabric's topology and routes, and has no tap.
    pub fn of_switch(&self, s: u32) -> Fabric {
        let mut tx = Vec::new();
        let mut slot = vec![[NOT_DRIVEN; 2]; self.slot.len()];
        for &(link, dir) in self.ports_of(s) {
            if let Some(t) = self.tx_of(link, dir) {
                slot[link][dir] = tx.len() as u32;
                tx.push(t.clone());
            }
        }
        Fabric {
            topo: self.topo.clone(),
            routes: self.routes.clone(),
            tx,
            slot,
            sw_ports: self.sw_ports.clone(),
            ep_link: self.ep_link.clone(),
            switches: self.switches.clone(),
            tap: None,
        }
    }

    /// Takes back switch `s` and the link directions leaving it from
    /// `other` (its [`Fabric::of_switch`] after a run).
    pub fn absorb_switch(&mut self, s: u32, other: &Fabric) {
        if let (Some(mine), Some(theirs)) = (
            self.switches.get_mut(s as usize),
            other.switches.get(s as usize),
        ) {
            *mine = theirs.clone();
        }
        for &(link, dir) in other.ports_of(s) {
            if let (Some(t), Some(i)) = (other.tx_of(link, dir), self.slot_of(link, dir)) {
                self.tx[i] = t.clone();
            }
        }
    }

    /// The (link, direction) of each port of switch `s`.
    fn ports_of(&self, s: u32) -> &[(usize, usize)] {
        self.sw_ports.get(s as usize).map_or(&[], Vec::as_slice)
    }

    /// Where `tx` holds a link direction, if this fabric drives it.
    fn slot_of(&self, link: usize, dir: usize) -> Option<usize> {
        let i = *self.slot.get(link)?.get(dir)?;
        (i != NOT_DRIVEN).then_some(i as usize)
    }

    /// The transmitting end of a link direction, if this fabric drives it.
    fn tx_of(&self, link: usize, dir: usize) -> Option<&LinkTx> {
        self.tx.get(self.slot_of(link, dir)?)
    }

    fn tx_of_mut(&mut self, link: usize, dir: usize) -> Option<&mut LinkTx> {
        let i = self.slot_of(link, dir)?;
        self.tx.get_mut(i)
    }

    /// Installs the tap that sees every frame a switch port sends.
    pub fn set_tap(&mut self, tap: Box<dyn PortTap>) {
        self.tap = Some(tap);
    }

    /// Removes and returns the tap (to finish its files).
    pub fn take_tap(&mut self) -> Option<Box<dyn PortTap>> {
        self.tap.take()
    }

    /// The topology.
    pub fn topology(&self) -> &Topology {
        &self.topo
    }

    /// The routes.
    pub fn routes(&self) -> &Routes {
        &self.routes
    }

    /// A link direction's transmitting end (`None` when this fabric does
    /// not drive it: see [`Fabric::of_switch`]).
    pub fn link_tx(&self, link: usize, dir: usize) -> Option<&LinkTx> {
        self.tx_of(link, dir)
    }

    /// Puts `tx` in place of a link direction's transmitting end (a cluster
    /// server owns its uplink during the run and hands it back for reports).
    pub fn replace_link_tx(&mut self, link: usize, dir: usize, tx: LinkTx) {
        if let Some(d) = self.tx_of_mut(link, dir) {
            *d = tx;
        }
    }

    /// The transmitting end of endpoint `id`'s link (servers `0..S`, clients after).
    pub fn endpoint_link_tx(&self, id: u32) -> Option<&LinkTx> {
        let &(link, dir) = self.ep_link.get(id as usize)?;
        self.tx_of(link, dir)
    }

    /// A switch.
    pub fn switch(&self, s: u32) -> &Switch {
        &self.switches[s as usize]
    }

    /// Endpoint `frame.src` puts the frame on its link at `ready`
    /// (`LinkLoss`: it left, and a link fault lost it).
    pub fn send(&mut self, ready: SimTime, frame: &WireFrame) -> Result<Hop, SwitchDrop> {
        let (link, dir) = self.ep_link[frame.src as usize];
        let transit = self
            .tx_of_mut(link, dir)
            .ok_or(SwitchDrop::NotDriven)?
            .send(ready, ready, frame.bytes)
            .map_err(|_| SwitchDrop::BufferFull)?;
        if transit.lost {
            return Err(SwitchDrop::LinkLoss);
        }
        Ok(self.hop(link, dir, transit, None))
    }

    /// Switch `s` forwards a frame whose bits arrived over `[first, last]`.
    pub fn forward(
        &mut self,
        s: u32,
        first: SimTime,
        last: SimTime,
        frame: &WireFrame,
    ) -> Result<Hop, SwitchDrop> {
        let sw = &mut self.switches[s as usize];
        let port = sw.route(&self.routes, frame.dst, &frame.flow)?;
        let (link, dir) = self.sw_ports[s as usize][port as usize];
        let i = self.slot[link][dir];
        let tx = self.tx.get_mut(i as usize).ok_or(SwitchDrop::NotDriven)?;
        let transit = sw.queue(tx, first, last, frame.bytes)?;
        if let Some(tap) = self.tap.as_mut() {
            tap.sent(s, port, &transit, frame);
        }
        if transit.lost {
            // the port sent it (the tap saw it); the link lost it
            return Err(SwitchDrop::LinkLoss);
        }
        Ok(self.hop(link, dir, transit, Some(port)))
    }

    fn hop(&self, link: usize, dir: usize, transit: Transit, port: Option<u16>) -> Hop {
        let l = &self.topo.links[link];
        Hop {
            to: if dir == 0 { l.b } else { l.a },
            link,
            dir,
            transit,
            port,
        }
    }

    /// When switch `s` looks at a frame whose bits arrive over `[first, last]`:
    /// half its latency after the header (cut-through) or the last bit
    /// (store-and-forward), see [`super::switch::decision_delay`]. An event
    /// loop schedules the arrival then, so each port sees frames in the order
    /// it can act on them.
    pub fn acts_at(&self, s: u32, first: SimTime, last: SimTime) -> SimTime {
        let spec = &self.topo.switches[s as usize];
        let seen = match spec.forwarding {
            super::spec::Forwarding::CutThrough => first,
            super::spec::Forwarding::StoreAndForward => last,
        };
        seen + super::switch::decision_delay(spec)
    }

    /// Frames dropped by all switches, by reason: (no route, buffer full).
    pub fn drops(&self) -> (u64, u64) {
        self.switches.iter().fold((0, 0), |(a, b), s| {
            (a + s.stats.drops_no_route, b + s.stats.drops_buffer_full)
        })
    }

    /// Gives direction `dir` of `link` a fault process.
    pub fn set_link_fault(&mut self, link: usize, dir: usize, fault: super::faults::LinkFault) {
        if let Some(d) = self.tx_of_mut(link, dir) {
            d.set_fault(fault);
        }
    }

    /// Frames lost on links by faults, over every direction the fabric drives.
    pub fn link_losses(&self) -> u64 {
        self.tx.iter().map(|t| t.stats.drops_link_loss).sum()
    }

    /// Frames refused by endpoint NIC queues (not switches).
    pub fn endpoint_drops(&self) -> u64 {
        self.ep_link
            .iter()
            .filter_map(|&(l, d)| self.tx_of(l, d))
            .map(|t| t.stats.drops_buffer_full)
            .sum()
    }
}
