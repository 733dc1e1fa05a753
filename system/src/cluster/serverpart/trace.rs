//! A server partition's trace output (`--trace`): the runtime's queue as a counter track, core slices and the PCIe crossings they caused.

use super::ServerPart;
use crate::node::NodeEvent;
use crate::trace::chrome::{Track, HOST_TID_BASE};
use scheduler::Side;
use sim_core::SimTime;

impl ServerPart {
    /// With a trace: the runtime's queued messages as a counter track, on change.
    pub(super) fn trace_queue(&mut self, now: SimTime) {
        let Some(tr) = self.trace.as_mut() else {
            return;
        };
        let q = self.node.0.driver().runtime().queued_messages() as u64;
        if q != self.traced_queue {
            self.traced_queue = q;
            tr.counter(self.index, "queued messages", now, q);
        }
    }

    /// Traces one staged node event (scheduled at `at` during the event at
    /// `now`); `sender` is the slice that sent what crossed PCIe during it.
    pub(super) fn trace_staged(
        &mut self,
        now: SimTime,
        at: SimTime,
        ev: &NodeEvent,
        sender: Option<(u32, SimTime)>,
    ) {
        if let (NodeEvent::Crossed(msg, _), Some(tr), Some(from)) =
            (ev, self.trace.as_mut(), sender)
        {
            self.pcie_flows.crossed(tr, self.index, from, msg.id);
        }
        if let (NodeEvent::CoreDone(core), Some(tr)) = (ev, self.trace.as_mut()) {
            let tid = match core.side {
                Side::Nic => core.index,
                Side::Host => HOST_TID_BASE + core.index,
            };
            let track = Track {
                pid: self.index,
                tid,
            };
            let run = self
                .node
                .0
                .driver()
                .running()
                .find(|r| r.outcome.core == *core && r.started == now);
            let actor = run.map(|r| r.outcome.actor);
            let msg_id = run.and_then(|r| r.request.as_ref()).map(|q| q.msg_id);
            self.pcie_flows.slice(tr, self.index, tid, now, msg_id);
            let name = actor
                .and_then(|a| self.names.get(a as usize))
                .map_or("exec", String::as_str);
            let args = [("actor", actor.map_or(u64::MAX, u64::from))];
            tr.slice(track, "exec", name, now, at, &args);
        }
    }
}
