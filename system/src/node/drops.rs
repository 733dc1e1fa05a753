//! Drop reasons of messages to actors, the bound of the PCIe crossing, and the per-actor order check.
//!
//! A message for an actor (a request from the wire, or a message one actor
//! sends another) ends delivered (its handler ran and returned), dropped
//! under one reason — the PCIe queue towards the other side was full (the
//! node's bound), or one of the runtime's reasons (FCFS queue, DRR mailbox,
//! migration buffer or host queue full, actor killed or deleted, unknown
//! actor, execution stopped by the watchdog) — or is still in flight.

use scheduler::runtime::RuntimeCounters;
use scheduler::{ActorId, Endpoint, Message};
use std::collections::BTreeMap;

/// Bound of each direction of the PCIe crossing, messages in flight. A
/// message that finds it full is dropped and counted (`drops_pcie`). 4096
/// matches the largest runtime queue a crossing feeds (the FCFS queue) and is
/// our choice, not an iPipe figure: the paper gives no DMA ring size.
pub const PCIE_QUEUE_MESSAGES: u64 = 4096;

/// Checks that each actor starts the requests that came from the network in
/// the order they were created. Their ids come from one counter and grow with
/// creation time, and every queue between the wire and a core is FIFO (also
/// across a migration, whose buffer is replayed in order), so an actor must
/// start them in increasing id order.
///
/// Messages from actors are not checked: an actor may run on several cores at
/// once (FCFS), and two of its executions may finish, and so send, in the
/// other order than they started; their messages then legitimately arrive out
/// of id order, which is not a reordering by the runtime. Memory: per network
/// source, one slot per actor id up to the largest that saw a request (ids
/// below 4096), and one map entry per pair beyond.
#[derive(Debug, Default)]
pub struct OrderCheck {
    /// Network senders, sorted, each with the last id started per
    /// destination actor below [`DENSE_ACTORS`] (indexed by actor id): one
    /// look-up per dispatch, where a map keyed by the pair cost a tree walk.
    senders: Vec<(u64, Vec<Option<u64>>)>,
    /// Index in `senders` of the last sender looked up (a one-server run has one).
    last: usize,
    /// Pairs whose actor id is `DENSE_ACTORS` or more.
    sparse: BTreeMap<(u64, ActorId), u64>,
}

/// Actor ids below this are tracked in per-sender vectors (runtimes number
/// their actors from 0); larger ones in a map.
const DENSE_ACTORS: ActorId = 4096;

impl OrderCheck {
    /// Records that `msg` starts now; true when it is out of order.
    pub fn started(&mut self, msg: &Message) -> bool {
        self.started_id(msg.src, msg.dst, msg.id)
    }

    /// Records that message `id` from `src` to `dst` starts now; true when it
    /// is a network request started after a later one.
    #[inline(always)]
    pub fn started_id(&mut self, src: Endpoint, dst: ActorId, id: u64) -> bool {
        // a network source (the one-server source, a cluster client or a
        // peer server's actor port) numbers its messages from one counter
        let sender = match src {
            Endpoint::Network { node, port } => (u64::from(node) << 16) | u64::from(port),
            Endpoint::Actor(_) | Endpoint::Host => return false,
        };
        // the common case inline (the last sender again, an actor it has
        // reached before); the rest out of line
        if let Some((s, per_actor)) = self.senders.get_mut(self.last) {
            if *s == sender {
                if let Some(last_id) = per_actor.get_mut(dst as usize) {
                    return match last_id.replace(id) {
                        Some(prev) => id < prev,
                        None => false,
                    };
                }
            }
        }
        self.started_slow(sender, dst, id)
    }

    /// [`Self::started_id`] for a new sender, a sender other than the last, a
    /// destination beyond its vector, or a sparse actor id.
    #[inline(never)]
    fn started_slow(&mut self, sender: u64, dst: ActorId, id: u64) -> bool {
        if dst >= DENSE_ACTORS {
            return match self.sparse.insert((sender, dst), id) {
                Some(prev) => id < prev,
                None => false,
            };
        }
        let i = match self.senders.get(self.last) {
            Some(&(s, _)) if s == sender => self.last,
            _ => {
                let i = match self.senders.binary_search_by_key(&sender, |&(s, _)| s) {
                    Ok(i) => i,
                    Err(i) => {
                        self.senders.insert(i, (sender, Vec::new()));
                        i
                    }
                };
                self.last = i;
                i
            }
        };
        let per_actor = &mut self.senders[i].1;
        let d = dst as usize;
        if per_actor.len() <= d {
            per_actor.resize(d + 1, None);
        }
        match per_actor[d].replace(id) {
            Some(prev) => id < prev,
            None => false,
        }
    }
}

/// Per-reason drop counts of an actor run, for the summary's columns
/// (`pcie` also counts echo's host-steered packets refused by a full PCIe queue).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ActorDrops {
    /// PCIe queue full.
    pub pcie: u64,
    /// NIC FCFS shared queue full.
    pub fcfs_queue: u64,
    /// DRR mailbox full.
    pub mailbox: u64,
    /// Migration buffer full (and buffered requests the host queue refused).
    pub migration_buffer: u64,
    /// Host shared queue full.
    pub host_queue: u64,
    /// The actor had been killed by the watchdog.
    pub actor_killed: u64,
    /// The actor had been deleted.
    pub actor_deleted: u64,
    /// No such actor.
    pub unknown_actor: u64,
    /// The watchdog stopped the execution.
    pub watchdog: u64,
}

impl ActorDrops {
    /// The drops of a run from the node's PCIe drops and the runtime's counts.
    pub fn of(drops_pcie: u64, rt: &RuntimeCounters) -> ActorDrops {
        ActorDrops {
            pcie: drops_pcie,
            fcfs_queue: rt.dropped_fcfs_queue_full,
            mailbox: rt.dropped_mailbox_full,
            migration_buffer: rt.dropped_migration_buffer_full,
            host_queue: rt.dropped_host_queue_full,
            actor_killed: rt.dropped_actor_killed,
            actor_deleted: rt.dropped_actor_deleted,
            unknown_actor: rt.dropped_unknown_actor,
            watchdog: rt.aborted_by_watchdog,
        }
    }

    /// The runtime's reasons (every one but PCIe) with their column names,
    /// in `summary.csv` order.
    pub fn runtime_reasons(&self) -> [(&'static str, u64); 8] {
        [
            ("drops_fcfs_queue", self.fcfs_queue),
            ("drops_mailbox", self.mailbox),
            ("drops_migration_buffer", self.migration_buffer),
            ("drops_host_queue", self.host_queue),
            ("drops_actor_killed", self.actor_killed),
            ("drops_actor_deleted", self.actor_deleted),
            ("drops_unknown_actor", self.unknown_actor),
            ("drops_watchdog", self.watchdog),
        ]
    }

    /// Sum of every reason.
    pub fn total(&self) -> u64 {
        self.pcie
            + self.fcfs_queue
            + self.mailbox
            + self.migration_buffer
            + self.host_queue
            + self.actor_killed
            + self.actor_deleted
            + self.unknown_actor
            + self.watchdog
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::SimTime;

    fn msg(id: u64, src: Endpoint, dst: ActorId) -> Message {
        Message {
            id,
            src,
            dst,
            kind: 0,
            payload: Vec::new(),
            created_at: SimTime::ZERO,
        }
    }

    #[test]
    fn network_requests_are_checked_per_actor() {
        let net = Endpoint::Network { node: 0, port: 0 };
        let mut c = OrderCheck::default();
        assert!(!c.started(&msg(5, net, 0)));
        assert!(
            !c.started(&msg(3, net, 1)),
            "another actor has its own order"
        );
        assert!(!c.started(&msg(9, net, 0)));
        assert!(c.started(&msg(7, net, 0)), "7 after 9 for the same actor");
        let other = Endpoint::Network { node: 3, port: 1 };
        assert!(
            !c.started(&msg(6, other, 0)),
            "each network source (a cluster client, a peer server) numbers its own"
        );
        assert!(
            c.started(&msg(4, other, 0)),
            "4 after 6 from the same source"
        );
    }

    #[test]
    fn large_actor_ids_and_many_senders_are_checked_too() {
        let mut c = OrderCheck::default();
        for node in [9, 2, 5, 2, 9] {
            let net = Endpoint::Network { node, port: 0 };
            for dst in [0, 70_000] {
                assert!(!c.started(&msg(u64::from(node) * 10, net, dst)));
                assert!(c.started(&msg(1, net, dst)), "node {node}, actor {dst}");
                // put the later id back for the next round
                assert!(!c.started(&msg(u64::from(node) * 10, net, dst)));
            }
        }
    }

    #[test]
    fn messages_from_actors_are_not_checked() {
        // An actor running on two cores may send 12 (from the execution that
        // finished first) before 11: not a runtime reordering.
        let mut c = OrderCheck::default();
        let a = Endpoint::Actor(1);
        assert!(!c.started(&msg(12, a, 0)));
        assert!(!c.started(&msg(11, a, 0)));
        let net = Endpoint::Network { node: 0, port: 0 };
        assert!(!c.started(&msg(5, net, 0)), "actor messages leave no trace");
    }
}

/// Errors and drops the driver saw; each reaches the run's outputs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DriverCounters {
    /// Calls the runtime refused (unknown core, completing a core that was not busy).
    pub runtime_errors: u64,
    /// Cores whose platform could not be built (core index beyond the cost model).
    pub platform_errors: u64,
    /// Cost-model operations refused during executions (each charged nothing).
    pub model_errors: u64,
    /// Messages sent beyond the outbox bound of one execution.
    pub dropped_sends: u64,
    /// Dispatches at an earlier simulated time than the one before (the
    /// ordering argument in the module doc needs this to stay zero).
    pub out_of_order_dispatches: u64,
    /// Messages an actor started out of order for their sender.
    pub reorders: u64,
    /// Writes actors made into host memory (`ActorCtx::dma`), and their bytes.
    pub host_writes: u64,
    pub host_write_bytes: u64,
    /// PCIe time those writes charged NIC cores, ps (from a host core a write
    /// is a memory store, charged through the cache model).
    pub host_write_ps: u64,
}
