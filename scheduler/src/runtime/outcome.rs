//! How an execution ended (`OutcomeKind`) and what the driver keeps of it until the core is free (`ExecOutcome`).

use super::{CoreId, GroupKind};
use crate::actor::ActorError;
use crate::message::{ActorId, Message};
use vocab::{SimDuration, SimTime};

/// How an execution ended.
#[derive(Clone, Debug, PartialEq)]
pub enum OutcomeKind {
    /// The handler returned Ok.
    Done,
    /// The handler returned an error (not the watchdog): counted, the actor goes on.
    Failed(ActorError),
    /// The watchdog fired: the actor is stopped, its state kept, its queued requests dropped.
    WatchdogKilled,
    /// The actor had been killed before this request ran; nothing executed.
    Skipped,
    /// Step 3 done: bytes moved over DMA and the DMA's duration.
    MigratedOut {
        dmo_bytes: u64,
        state_bytes: u64,
        mailbox_bytes: u64,
        dma_time: SimDuration,
    },
    /// Step 4 done.
    MigratedIn,
    /// A migration step failed; the actor stays on the NIC and its buffered requests
    /// go back to its queue in order.
    MigrationAborted(String),
    /// A NIC core passed the message on towards its host actor.
    Forwarded,
}

/// Result of an execution (`Runtime::run_next`): the driver completes it at `completes_at()`.
#[derive(Clone, Debug)]
pub struct ExecOutcome {
    pub core: CoreId,
    pub actor: ActorId,
    pub dispatched_at: SimTime,
    /// Total time charged through the platform (overhead + work).
    pub charged: SimDuration,
    /// Time charged by the handler alone.
    pub exec_time: SimDuration,
    /// For requests: when the message reached the runtime, its id and stats group.
    pub arrived_at: Option<SimTime>,
    pub msg_id: Option<u64>,
    pub group: Option<GroupKind>,
    pub drr_reserved_ns: i64,
    pub kind: OutcomeKind,
    /// `Forwarded`: the message, for the driver to carry to the host and deliver there.
    /// Boxed: forwards are a minority of executions, and an unboxed message
    /// would make every outcome 56 bytes larger (moved per execution).
    pub forwarded: Option<Box<Message>>,
}

impl ExecOutcome {
    /// When the core becomes free: `dispatched_at + charged`.
    #[inline]
    pub fn completes_at(&self) -> SimTime {
        self.dispatched_at + self.charged
    }

    /// An outcome of nothing on `core` (a slot for [`Runtime::run_checked_into`]
    /// to write into before any execution): no actor, no time, `Skipped`.
    pub fn placeholder(core: CoreId) -> ExecOutcome {
        ExecOutcome {
            core,
            actor: 0,
            dispatched_at: SimTime::ZERO,
            charged: SimDuration::ZERO,
            exec_time: SimDuration::ZERO,
            arrived_at: None,
            msg_id: None,
            group: None,
            drr_reserved_ns: 0,
            kind: OutcomeKind::Skipped,
            forwarded: None,
        }
    }
}
