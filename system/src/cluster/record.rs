//! An optional record of every message the network delivers to an endpoint (server or client), for tests that check what applications computed across servers.
//!
//! Off by default (`ClusterOptions::record_messages`); on, each switch's
//! partition appends one [`NetMessage`] per frame it hands to a server or a
//! client, in delivery order, up to [`MAX_RECORDED`] (later ones are counted
//! in [`Recorder::overflow`], never silently lost); after the run the
//! switches' records are joined in delivery order ([`Recorder::join`]). Messages between actors of
//! one server never reach the network and are not recorded.

use scheduler::{Endpoint, Message};
use sim_core::SimTime;

/// Most messages kept (about 100 bytes each plus payload).
pub const MAX_RECORDED: usize = 1 << 21;

/// One delivered message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetMessage {
    /// When its last bit reached the endpoint.
    pub at: SimTime,
    /// Its source: `Network { node, port }` (an actor's port, or a client's).
    pub src: Endpoint,
    /// The endpoint it reached (topology id: servers `0..S`, clients `S..`).
    pub dst_node: u32,
    /// The UDP port it was sent to (an actor's port on a server).
    pub dst_port: u16,
    /// Message kind.
    pub kind: u16,
    /// Payload.
    pub payload: Vec<u8>,
}

/// The record.
#[derive(Debug, Default)]
pub struct Recorder {
    /// Delivered messages, in delivery order.
    pub messages: Vec<NetMessage>,
    /// Deliveries not kept because the record was full.
    pub overflow: u64,
}

impl Recorder {
    /// Notes `msg` reaching `dst_node` port `dst_port` at `at`.
    pub fn delivered(&mut self, at: SimTime, msg: &Message, dst_node: u32, dst_port: u16) {
        if self.messages.len() >= MAX_RECORDED {
            self.overflow += 1;
            return;
        }
        self.messages.push(NetMessage {
            at,
            src: msg.src,
            dst_node,
            dst_port,
            kind: msg.kind,
            payload: msg.payload.clone(),
        });
    }

    /// The records of several switches as one, in delivery order (ties in
    /// the order given), keeping the earliest [`MAX_RECORDED`]; `None` when
    /// none was kept.
    pub fn join(parts: Vec<Recorder>) -> Option<Recorder> {
        if parts.is_empty() {
            return None;
        }
        let mut all = Recorder::default();
        for p in parts {
            all.messages.extend(p.messages);
            all.overflow += p.overflow;
        }
        // stable: equal times keep switch order
        all.messages.sort_by_key(|m| m.at);
        if all.messages.len() > MAX_RECORDED {
            all.overflow += (all.messages.len() - MAX_RECORDED) as u64;
            all.messages.truncate(MAX_RECORDED);
        }
        Some(all)
    }
}
