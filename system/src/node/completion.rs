//! What a node does when a core finishes: route what the handler sent (to actors, maybe across PCIe, or out of the transmit MAC), record the completion; and the policy tick.

use super::accounting::col;
use super::driver::Done;
use super::{Node, NodeEvent};
use crate::frame::Frame;
use crate::world::WorldEvent;
use scheduler::runtime::{CoreId, RUNTIME_MSG_ID_BASE};
use scheduler::{Endpoint, Message, Side};
use sim_core::{Scheduler, SimTime};

impl Node {
    pub(super) fn on_core_done(
        &mut self,
        core: CoreId,
        now: SimTime,
        sched: &mut Scheduler<WorldEvent>,
    ) {
        // the node's buffers, empty between completions: nothing is allocated here
        let Some(r) =
            self.driver
                .finish_into(core, now, &mut self.outbox_buf, &mut self.forwarded_buf)
        else {
            return;
        };
        if !self.forwarded_buf.is_empty() {
            let mut forwarded = std::mem::take(&mut self.forwarded_buf);
            for msg in forwarded.drain(..) {
                // passed on by a NIC core: now it crosses PCIe to its host actor
                self.route_boxed(msg, Side::Nic, now, sched);
            }
            self.forwarded_buf = forwarded;
        }
        let origin = r.request.filter(|p| p.from_wire).map(|p| p.created_at);
        let mut outbox = std::mem::take(&mut self.outbox_buf);
        for (dst, m) in outbox.drain(..) {
            match dst {
                Endpoint::Actor(_) => {
                    self.acct.internal += 1;
                    self.route(m, core.side, now, sched);
                }
                Endpoint::Network { node, port } => {
                    self.transmit(m, (node, port), core.side, origin.unwrap_or(now), now)
                }
                Endpoint::Host => self.acct.egress_host += 1,
            }
        }
        // `take` left an empty `Vec` in its place: nothing to drop
        let empty = std::mem::replace(&mut self.outbox_buf, outbox);
        debug_assert_eq!(empty.capacity(), 0);
        std::mem::forget(empty);
        self.record_completion(&r, core, now);
    }

    /// Sends a reply frame out of the transmit MAC (after crossing PCIe when a
    /// host core sent it). Latency counts from `origin`, the request's creation.
    fn transmit(&mut self, m: Message, to: (u32, u16), from: Side, origin: SimTime, now: SimTime) {
        let wire = Frame::wire_bytes_for(m.payload.len());
        let at_mac = match from {
            Side::Nic => now,
            Side::Host => self
                .pcie
                .host_write_to_nic(now, u64::from(wire))
                .delivered
                .max(now),
        };
        // a cluster node hands the frame to the network (`net.rs`)
        let Some(m) = self.hand_to_network(m, to, at_mac, origin) else {
            return;
        };
        self.driver.recycle_payload(m.payload);
        match self.tx.transmit(at_mac, wire) {
            // A node that conserves messages counts a reply delivered as it
            // is put on the wire when it leaves by the end of the run: the
            // same counts, sums and rows as when its departure is flushed
            // (replies leave in transmit order, and no check reads the
            // delivered count of such a node before the end), without a
            // queue entry per reply. Later ones stay in flight.
            Some(done) if self.request_series && done <= self.stop_at => {
                self.count_delivery(done, origin, wire)
            }
            Some(done) => self.tx_in_flight.push_back((done, origin, wire)),
            None => {
                self.acct.drops_tx += 1;
            }
        }
    }

    fn record_completion(&mut self, r: &Done, core: CoreId, now: SimTime) {
        if r.served {
            self.acct.served += 1;
        }
        let Some(req) = r.request.filter(|p| p.from_wire) else {
            return;
        };
        if !r.served || req.msg_id >= RUNTIME_MSG_ID_BASE {
            return;
        }
        self.acct.completed += 1;
        let latency = now.saturating_since(req.created_at);
        let us = latency.as_us_f64();
        if self.request_series {
            let (c, l) = match core.side {
                Side::Nic => (col::NIC_COMPLETED, col::NIC_LATENCY_SUM_US),
                Side::Host => (col::HOST_COMPLETED, col::HOST_LATENCY_SUM_US),
            };
            // one row lookup for the four columns
            let row = self.series.row_mut(now);
            row[col::COMPLETED] += 1.0;
            row[col::REQ_LATENCY_SUM_US] += us;
            row[c] += 1.0;
            row[l] += us;
        }
        // Throughput counts completions in the measured window and latency
        // the requests created in it, as for frames (see `flush`).
        let class = self
            .class_of_actor
            .get(r.actor as usize)
            .copied()
            .unwrap_or(0);
        if let Some(cs) = self.classes.get_mut(class) {
            if now >= self.warmup_end {
                cs.completed += 1;
            }
            if req.created_at >= self.warmup_end {
                cs.latency.record(latency);
            }
        }
    }

    pub(super) fn on_tick(&mut self, now: SimTime, sched: &mut Scheduler<WorldEvent>) {
        self.driver.runtime_mut().tick(now);
        self.sample_placements(now);
        let next = self.driver.runtime().next_tick_at();
        if next < self.stop_at {
            sched.schedule_at(next, self.ev(NodeEvent::Tick));
        }
    }

    fn sample_placements(&mut self, now: SimTime) {
        use scheduler::policy::NicGroup;
        let rt = self.driver.runtime();
        let counts = rt.placement_counts().map(f64::from);
        let (fcfs, drr) = (rt.cores_in(NicGroup::Fcfs), rt.cores_in(NicGroup::Drr));
        self.series.add(now, col::TICKS, 1.0);
        self.series.add(now, col::ACTORS_FCFS, counts[0]);
        self.series.add(now, col::ACTORS_DRR, counts[1]);
        self.series.add(now, col::ACTORS_HOST, counts[2]);
        self.series.add(now, col::CORES_FCFS, f64::from(fcfs));
        self.series.add(now, col::CORES_DRR, f64::from(drr));
    }
}
