//! Types of the runtime: core ids, delivery verdicts, errors, and the per-actor,
//! per-core and per-group state the runtime keeps.

use crate::actor::{Actor, ActorError};
use crate::message::{ActorId, Message};
use crate::pair_window::PairWindow;
use crate::platform::Side;
use crate::policy::{ActorStatus, NicGroup, Placement};
use crate::settings::SettingsError;
use crate::stats::{RunStats, SlidingWindow};
use std::collections::VecDeque;
use thiserror::Error;
use vocab::SimTime;

/// A core the runtime schedules: NIC cores `0..nic_cores`, host cores `0..host_cores`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CoreId {
    pub side: Side,
    pub index: u32,
}

impl CoreId {
    /// NIC core `index`.
    pub const fn nic(index: u32) -> CoreId {
        CoreId {
            side: Side::Nic,
            index,
        }
    }

    /// Host core `index`.
    pub const fn host(index: u32) -> CoreId {
        CoreId {
            side: Side::Host,
            index,
        }
    }
}

/// Statistics group a request is served in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupKind {
    Fcfs,
    Drr,
    Host,
}

/// Where `deliver` put a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivered {
    /// NIC FCFS shared queue.
    FcfsQueue,
    /// The actor's DRR mailbox.
    Mailbox,
    /// The migrating actor's buffer.
    MigrationBuffer,
    /// The host shared queue.
    HostQueue,
}

/// Why a message was dropped (every drop is counted in `RuntimeCounters`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropReason {
    UnknownActor,
    ActorKilled,
    ActorDeleted,
    FcfsQueueFull,
    MailboxFull,
    MigrationBufferFull,
    HostQueueFull,
}

/// Errors of the runtime's driver-facing calls.
#[derive(Debug, Error)]
pub enum RuntimeError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("core counts: the runtime needs at least one NIC core and one host core (got {nic} NIC, {host} host)")]
    NoCores { nic: u32, host: u32 },
    #[error("actor name `{0}` is registered twice; actor names must be unique")]
    DuplicateActor(String),
    #[error("actor `{name}` failed to initialise: {source}")]
    InitFailed { name: String, source: ActorError },
    #[error("{0:?} does not exist")]
    UnknownCore(CoreId),
    #[error("actor {0} does not exist")]
    UnknownActor(ActorId),
    #[error("actor {0} has executions in flight or is migrating; retry after they complete")]
    ActorBusy(ActorId),
    #[error("{0:?} completed work it was not running")]
    CoreNotBusy(CoreId),
}

/// A message waiting in a queue, with the time it reached the runtime.
#[derive(Clone, Debug)]
pub(crate) struct Queued {
    pub(crate) msg: Message,
    pub(crate) arrived_at: SimTime,
    /// Only passing through a NIC core on its way to a host actor
    /// (`Runtime::deliver_via_nic`): no handler runs on the NIC.
    pub(crate) forward: bool,
}

/// Where a migration is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MigrationPhase {
    /// Step 1-2: requests buffered, waiting for in-flight executions to finish.
    Draining,
    /// Step 3 queued: a NIC core will run migrate_out and the DMA.
    AwaitingMoveOut,
    /// Step 3 running on a NIC core.
    MovingOut,
    /// Step 4 queued: a host core will run migrate_in.
    AwaitingMoveIn,
    /// Step 4 running on a host core.
    MovingIn,
}

pub(crate) struct ActorSlot {
    pub(crate) actor: Box<dyn Actor>,
    pub(crate) name: String,
    pub(crate) placement: Placement,
    pub(crate) status: ActorStatus,
    pub(crate) phase: Option<MigrationPhase>,
    pub(crate) mailbox: VecDeque<Queued>,
    pub(crate) migration_buffer: VecDeque<Queued>,
    pub(crate) migrated_state: Vec<u8>,
    pub(crate) deficit_ns: i64,
    pub(crate) in_flight: u32,
    /// Its execution times (`a`) and sojourn times (`b`) of the last
    /// requests, one ring for both (`pair_window.rs`).
    pub(crate) windows: PairWindow,
    /// Core time per request (handler + scheduler overhead + whatever the driver charged
    /// before it, e.g. the NIC's forwarding cost), exponentially averaged; 0 = unknown.
    pub(crate) core_time_ewma_ns: f64,
    pub(crate) run: RunStats,
    pub(crate) failed: u64,
    /// Requests delivered for it since the last policy evaluation.
    pub(crate) arrivals_in_interval: u64,
    /// Offered load in cores (arrival rate x mean execution time), smoothed over evaluations.
    pub(crate) offered_load_cores: f64,
    pub(crate) dropped: u64,
    pub(crate) migrations: u32,
    pub(crate) watchdog_kills: u32,
    /// Last placement change by the policy (`None`: still where it was registered,
    /// so the first move is not held back by `placement_cooldown_ns`).
    pub(crate) placed_at: Option<SimTime>,
}

pub(crate) struct CoreSlot {
    pub(crate) id: CoreId,
    /// NIC cores only.
    pub(crate) group: NicGroup,
    pub(crate) busy: Option<(ActorId, GroupKind)>,
    pub(crate) last_actor: Option<ActorId>,
}

pub(crate) struct GroupState {
    pub(crate) window: SlidingWindow,
    pub(crate) busy_in_interval_ns: u64,
}
