//! Where every message of the actor system is, counted place by place, and the per-actor order check.
//!
//! `generated` counts every message that enters the system for an actor:
//! requests from the network plus messages actors send to other actors. At
//! any instant each of them is exactly one of
//! - delivered: its handler ran and returned (Ok or an actor error);
//! - dropped, under one reason: the PCIe queue towards the other side was
//!   full (this driver's bound), or one of the runtime's reasons (FCFS queue,
//!   DRR mailbox, migration buffer or host queue full, actor killed or
//!   deleted, unknown actor, execution stopped by the watchdog);
//! - in flight: crossing PCIe, queued in the runtime, or running on a core.
//!
//! [`ActorAccounting`] holds the driver's own counts; the runtime's counters
//! supply the runtime's drop reasons and queue depths. The conservation test
//! and the swarm test check the sum of these independent counts.

use scheduler::runtime::RuntimeCounters;
use scheduler::{ActorId, Endpoint, Message};
use std::collections::BTreeMap;

/// Bound of each direction of the PCIe crossing, messages in flight. A
/// message that finds it full is dropped and counted (`drops_pcie`). 4096
/// matches the largest runtime queue a crossing feeds (the FCFS queue) and is
/// our choice, not an iPipe figure: the paper gives no DMA ring size.
pub const PCIE_QUEUE_MESSAGES: u64 = 4096;

/// The driver's counts (the runtime keeps its own in `RuntimeCounters`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ActorAccounting {
    /// Messages that entered the system for an actor (network requests + actor-to-actor).
    pub generated: u64,
    /// Of those, requests from the network.
    pub generated_external: u64,
    /// Handlers that ran and returned (Ok or an actor error).
    pub delivered: u64,
    /// Of those, handlers that returned an actor error.
    pub failed: u64,
    /// Messages refused because their PCIe direction was full.
    pub drops_pcie: u64,
    /// Messages on PCIe now, NIC to host.
    pub in_pcie_to_host: u64,
    /// Messages on PCIe now, host to NIC.
    pub in_pcie_to_nic: u64,
    /// Messages that crossed PCIe to host actors and landed in host memory.
    pub to_host_actors: u64,
    /// Messages actors sent out of the system (replies, replicas).
    pub egress: u64,
    /// Sends refused by a core's full outbox (never entered the system).
    pub sends_dropped: u64,
    /// Cost-model calls that failed inside handlers (charged nothing).
    pub model_errors: u64,
    /// Driver calls the runtime refused (`next_dispatch`, `complete`): model bugs, counted.
    pub driver_errors: u64,
    /// Messages started out of order for their (sender, actor) pair.
    pub reorders: u64,
    /// Most messages inside the system at once (checked after every event).
    pub peak_in_flight: u64,
}

impl ActorAccounting {
    /// Messages on PCIe in either direction.
    pub fn in_pcie(&self) -> u64 {
        self.in_pcie_to_host + self.in_pcie_to_nic
    }

    /// Every drop: the driver's PCIe drops, the runtime's drops and the
    /// executions the watchdog stopped.
    pub fn drops(&self, rt: &RuntimeCounters) -> u64 {
        self.drops_pcie + rt.dropped() + rt.aborted_by_watchdog
    }
}

/// Checks that each actor starts the messages of one sender in the order
/// they were created. Message ids grow with creation time (network requests
/// below `RUNTIME_MSG_ID_BASE`, actor messages above it, each from one
/// counter), so within one (sender, actor) pair ids must be started in
/// increasing order. Memory: one entry per pair that exchanged a message.
#[derive(Debug, Default)]
pub struct OrderCheck {
    last: BTreeMap<(u64, ActorId), u64>,
}

impl OrderCheck {
    /// Records that `msg` starts now; true when it is out of order.
    pub fn started(&mut self, msg: &Message) -> bool {
        let sender = match msg.src {
            Endpoint::Actor(a) => u64::from(a),
            // every network source is one sender: their ids come from one counter
            _ => u64::MAX,
        };
        match self.last.insert((sender, msg.dst), msg.id) {
            Some(prev) => msg.id < prev,
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
    /// The drops of a run from the driver's and the runtime's counts.
    pub fn of(acct: &ActorAccounting, rt: &RuntimeCounters) -> ActorDrops {
        ActorDrops {
            pcie: acct.drops_pcie,
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
    fn order_is_per_sender_and_actor() {
        let net = Endpoint::Network { node: 0, port: 0 };
        let mut c = OrderCheck::default();
        assert!(!c.started(&msg(5, net, 0)));
        assert!(
            !c.started(&msg(3, net, 1)),
            "another actor has its own order"
        );
        assert!(!c.started(&msg(2, Endpoint::Actor(1), 0)), "another sender");
        assert!(!c.started(&msg(9, net, 0)));
        assert!(c.started(&msg(7, net, 0)), "7 after 9 for the same pair");
    }
}
