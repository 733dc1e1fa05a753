//! Flow arrows for messages that cross PCIe inside a server (NIC core to host core and back) in the Chrome trace.
//!
//! A message an actor sends from a core to an actor on the other side
//! crosses PCIe (`NodeEvent::Crossed`). Its arrow starts (`s`) at the
//! sending execution's slice and ends (`f`) at the slice of the execution
//! that handles it, on whichever core picks it up. Flow ids are
//! `2^62 | server << 50 | message id` (message ids stay below 2^50: the
//! runtime's start at 2^48), so they never meet the network's frame ids
//! (below 2^52). Messages that cross from the NIC's receive path (not from
//! a core) have no sending slice and get no arrow. Pending arrows are
//! bounded: past [`MAX_PENDING`] the oldest (lowest message id) is
//! forgotten (its `s` stays without an `f`, which viewers draw as nothing)
//! and counted in the trace's `unfinished_flows` metadata.

use super::chrome::{ChromeTrace, Track, HOST_TID_BASE};
use scheduler::runtime::CoreId;
use scheduler::Side;
use sim_core::SimTime;
use std::collections::{BTreeMap, BTreeSet};

/// Most arrows waiting for their receiving slice.
pub const MAX_PENDING: usize = 4096;
const CAT: &str = "pcie";

/// The trace thread id of a core.
pub fn tid(core: CoreId) -> u32 {
    match core.side {
        Side::Nic => core.index,
        Side::Host => HOST_TID_BASE + core.index,
    }
}

/// One server's PCIe arrows in flight.
#[derive(Debug, Default)]
pub struct PcieFlows {
    /// Start of the latest slice per core track.
    slice_start: BTreeMap<u32, SimTime>,
    /// Messages whose arrow has started (ids grow with send order).
    pending: BTreeSet<u64>,
}

impl PcieFlows {
    fn flow_id(server: u32, msg_id: u64) -> u64 {
        (1 << 62) | (u64::from(server) << 50) | (msg_id & ((1 << 50) - 1))
    }

    /// A slice started on core track `tid` at `at`; if it runs a message
    /// whose arrow is pending, the arrow ends here.
    pub fn slice(
        &mut self,
        tr: &mut ChromeTrace,
        server: u32,
        tid: u32,
        at: SimTime,
        msg_id: Option<u64>,
    ) {
        self.slice_start.insert(tid, at);
        let Some(id) = msg_id else {
            return;
        };
        if self.pending.remove(&id) {
            tr.flow_end(
                Self::flow_id(server, id),
                Track { pid: server, tid },
                CAT,
                at,
            );
        }
    }

    /// Where the slice of the execution on `core` began (the sender of what
    /// it sends when it finishes).
    pub fn sender(&self, core: CoreId) -> Option<(u32, SimTime)> {
        let t = tid(core);
        self.slice_start.get(&t).map(|&at| (t, at))
    }

    /// Message `msg_id`, sent by the slice `from` = (track, start), crosses PCIe.
    pub fn crossed(
        &mut self,
        tr: &mut ChromeTrace,
        server: u32,
        from: (u32, SimTime),
        msg_id: u64,
    ) {
        let (tid, at) = from;
        if self.pending.len() >= MAX_PENDING && self.pending.pop_first().is_some() {
            tr.unfinished_flows += 1;
        }
        self.pending.insert(msg_id);
        tr.flow_start(
            Self::flow_id(server, msg_id),
            Track { pid: server, tid },
            CAT,
            at,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::SimDuration;

    #[test]
    fn an_arrow_joins_the_sending_and_the_receiving_slice_once() {
        let t = |ns| SimTime::ZERO + SimDuration::from_ns(ns);
        let mut tr = ChromeTrace::new(SimTime::ZERO, SimTime::MAX, 1000);
        let mut f = PcieFlows::default();
        let nic = CoreId {
            side: Side::Nic,
            index: 2,
        };
        f.slice(&mut tr, 1, tid(nic), t(100), Some(5));
        let from = f.sender(nic).expect("started");
        assert_eq!(from, (2, t(100)));
        f.crossed(&mut tr, 1, from, 77);
        f.slice(&mut tr, 1, HOST_TID_BASE + 3, t(900), Some(77));
        // a second execution of the same id draws nothing more
        f.slice(&mut tr, 1, HOST_TID_BASE + 3, t(1900), Some(77));
        let json: serde_json::Value = serde_json::from_str(&tr.to_json()).expect("json");
        let events = json["traceEvents"].as_array().expect("events");
        let id = (1u64 << 62) | (1 << 50) | 77;
        let flow: Vec<&serde_json::Value> = events
            .iter()
            .filter(|e| e["id"].as_u64() == Some(id))
            .collect();
        assert_eq!(flow.len(), 2, "{flow:?}");
        assert_eq!(flow[0]["ph"], "s");
        assert_eq!(flow[0]["tid"], 2);
        assert_eq!(flow[1]["ph"], "f");
        assert_eq!(flow[1]["tid"], 1003);
    }
}
