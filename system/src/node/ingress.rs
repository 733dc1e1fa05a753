//! A node's receive path: a frame (or a request's bare message) from the wire through the embedded switch and the packet engine to the runtime.

use super::accounting::col;
use super::drops::PCIE_QUEUE_MESSAGES;
use super::{Ingress, Node, NodeEvent};
use crate::frame::{Frame, NodeId};
use crate::world::WorldEvent;
use nic_models::switch::SteerTarget;
use scheduler::{FlowKey, Message};
use sim_core::{Scheduler, SimTime};

impl Node {
    /// The source created `frame` for this node (counted as offered).
    #[inline]
    pub fn offered(&mut self, frame: &Frame) {
        self.offered_at(frame.created_at, frame.wire_bytes);
    }

    /// The source created a frame of `wire_bytes` at `created_at` for this
    /// node (counted as offered): [`Self::offered`] without the frame.
    #[inline]
    pub fn offered_at(&mut self, created_at: SimTime, wire_bytes: u32) {
        self.acct.frames += 1;
        let row = self.series.row_mut(created_at);
        if self.request_series {
            row[col::OFFERED] += 1.0;
        }
        row[col::OFFERED_BYTES] += f64::from(wire_bytes);
    }

    /// The source could not put a frame on its wire (backlog full).
    pub fn dropped_at_source(&mut self) {
        self.acct.drops_source += 1;
        self.node_drops += 1;
    }

    /// Whether this node's NIC cores forward frames in closed form (the echo
    /// workload, [`super::forward`]): [`Self::ingress`] then needs the whole frame.
    #[inline]
    pub fn forwards_in_closed_form(&self) -> bool {
        self.forward.is_some()
    }

    /// The stages before the runtime: the embedded switch (off-path NICs)
    /// and the packet engine's ingress FIFO. `Ok`: when the frame leaves
    /// them for the NIC cores; `Err`: what became of it instead.
    #[inline(always)]
    fn receive_stages(
        &mut self,
        flow: &FlowKey,
        wire_bytes: u32,
        at_nic: SimTime,
    ) -> Result<SimTime, Ingress> {
        if let Some(switch) = &mut self.switch {
            // one shared queue in front of the cores: which core a rule names
            // does not matter here (README, Limitations)
            match switch.classify(flow, 0) {
                SteerTarget::NicCores => {}
                SteerTarget::Drop => {
                    self.acct.drops_switch += 1;
                    self.node_drops += 1;
                    return Err(Ingress::Dropped);
                }
                SteerTarget::Host if self.to_host.len() as u64 >= PCIE_QUEUE_MESSAGES => {
                    // PCIe slower than the link: its queue is bounded too
                    self.acct.drops_pcie += 1;
                    self.node_drops += 1;
                    return Err(Ingress::Dropped);
                }
                SteerTarget::Host => {
                    let landed = self
                        .pcie
                        .device_write_to_host(at_nic, u64::from(wire_bytes));
                    self.to_host.push_back(landed.delivered);
                    return Err(Ingress::ToHost);
                }
            }
        }
        match &mut self.engine {
            None => Ok(at_nic),
            Some((fifo, per_packet)) => match fifo.offer(at_nic, *per_packet) {
                Some(t) => Ok(t),
                None => {
                    self.acct.drops_ingress += 1;
                    self.node_drops += 1;
                    Err(Ingress::Dropped)
                }
            },
        }
    }

    /// The receive path: `frame`'s last bit reached the NIC at `at_nic`.
    pub fn ingress(
        &mut self,
        frame: Frame,
        at_nic: SimTime,
        sched: &mut Scheduler<WorldEvent>,
    ) -> Ingress {
        if self.forward.is_some() {
            // the forwarding path reads the flow, size and creation time only
            return self.ingress_packet(&frame.flow, frame.wire_bytes, frame.created_at, at_nic);
        }
        let at = match self.receive_stages(&frame.flow, frame.wire_bytes, at_nic) {
            Ok(at) => at,
            Err(done) => return done,
        };
        let from = frame.src.node();
        let Some(msg) = frame.msg else {
            // nothing for the runtime to run (a message-less frame reaches
            // only a node with a forwarding path); counted, never silent
            self.acct.drops_ingress += 1;
            self.node_drops += 1;
            return Ingress::Dropped;
        };
        self.arrives(from, msg, at, sched)
    }

    /// [`Self::ingress`] into a node that forwards in closed form
    /// ([`Self::forwards_in_closed_form`]), given what that path reads of
    /// the frame: the echo source's packets come this way without a frame
    /// being built and moved for each (issue 13), and [`Self::ingress`]
    /// sends its frames here.
    #[inline]
    pub fn ingress_packet(
        &mut self,
        flow: &FlowKey,
        wire_bytes: u32,
        created_at: SimTime,
        at_nic: SimTime,
    ) -> Ingress {
        debug_assert!(
            self.forward.is_some(),
            "a packet without a frame needs the forwarding path"
        );
        let at = match self.receive_stages(flow, wire_bytes, at_nic) {
            Ok(at) => at,
            Err(done) => return done,
        };
        // the last commits before this arrival are final (see `forward`)
        self.commit_forwarded(at);
        self.forward_packet(at, flow, created_at, wire_bytes)
    }

    /// [`Self::ingress`] of a frame from node `from` of `wire_bytes` in
    /// `flow` carrying `msg`, given without the frame, on a node that
    /// forwards nothing in closed form ([`Self::forwards_in_closed_form`]
    /// false: a frame with a message then goes exactly this way).
    #[inline]
    pub fn ingress_message(
        &mut self,
        from: NodeId,
        flow: &FlowKey,
        wire_bytes: u32,
        msg: Message,
        at_nic: SimTime,
        sched: &mut Scheduler<WorldEvent>,
    ) -> Ingress {
        debug_assert!(self.forward.is_none(), "a forwarding node needs the frame");
        match self.receive_stages(flow, wire_bytes, at_nic) {
            Ok(at) => self.arrives(from, msg, at, sched),
            Err(done) => done,
        }
    }

    /// `msg` will reach the runtime at `at`: one `Arrive` event.
    #[inline(always)]
    fn arrives(
        &mut self,
        from: NodeId,
        msg: Message,
        at: SimTime,
        sched: &mut Scheduler<WorldEvent>,
    ) -> Ingress {
        self.acct.in_flight_arriving += 1;
        self.arriving.push_back((from, msg));
        // the next arrival is mostly the next event or close: no insertion
        sched.schedule_lane(at, self.ev(NodeEvent::Arrive));
        Ingress::Arrives(at)
    }

    /// An empty payload buffer for a new frame, reused from a finished request
    /// or a transmitted reply when one is spare (the driver keeps them).
    pub fn payload_buffer(&mut self) -> Vec<u8> {
        self.driver.payload_buffer()
    }

    /// Whether the next `Arrive` event is for a frame from the traffic source.
    pub fn next_arrival_from(&self, node: NodeId) -> bool {
        self.arriving.front().is_some_and(|&(from, _)| from == node)
    }
}
