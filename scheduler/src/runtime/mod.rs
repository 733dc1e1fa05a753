//! The `Runtime`: a passive state machine that holds actors, queues, cores and
//! statistics, and is driven by a platform driver with time passed in as a value.
//!
//! This file holds the state, construction, message delivery and accessors.
//! `dispatch.rs`: what a free core runs next and its execution (`outcome.rs`: how
//! it ended; `complete.rs`: completion); `drr.rs`:
//! the deficit round robin; `control.rs`: policy evaluation, group changes and core
//! moves; `migration.rs`: the four migration steps; `report.rs`: report data;
//! `types.rs`: ids, errors and per-actor/core/group state; `register.rs`:
//! actor registration; `lifecycle.rs`: kill and delete.

mod complete;
mod control;
mod dispatch;
mod drr;
mod lifecycle;
mod migration;
mod outcome;
mod poll;
mod register;
mod report;
mod types;

pub use outcome::{ExecOutcome, OutcomeKind};
pub use report::{ActorReport, CoreMoveEvent, MigrationRecord, PlacementEvent, RuntimeCounters};
pub use types::{CoreId, Delivered, DropReason, GroupKind, RuntimeError};

pub(crate) use types::{ActorSlot, CoreSlot, GroupState, MigrationPhase, Queued};

use crate::actor::Actor;
use crate::dmo::DmoTable;
use crate::message::{ActorId, Message};
use crate::platform::Side;
use crate::policy::{policy_from_settings, ActorStatus, NicGroup, Placement, SchedulingPolicy};
use crate::settings::SchedulerSettings;
use crate::stats::SlidingWindow;
use std::collections::VecDeque;
use vocab::{SimDuration, SimTime};

/// Most placement events and migration records kept (further ones are counted, not stored).
pub const MAX_RECORDED_EVENTS: usize = 100_000;

/// Message ids assigned by actors start here, so they never collide with the
/// driver's ids for external requests (which should stay below 2^48).
pub const RUNTIME_MSG_ID_BASE: u64 = 1 << 48;

/// The iPipe runtime: NIC side (FCFS + DRR groups) and host side in one state machine.
pub struct Runtime {
    pub(crate) settings: SchedulerSettings,
    pub(crate) policy: Box<dyn SchedulingPolicy>,
    pub(crate) actors: Vec<ActorSlot>,
    pub(crate) nic_cores: Vec<CoreSlot>,
    pub(crate) host_cores: Vec<CoreSlot>,
    pub(crate) fcfs_queue: VecDeque<Queued>,
    pub(crate) host_queue: VecDeque<Queued>,
    pub(crate) drr_ring: Vec<ActorId>,
    /// Messages in the actors' DRR mailboxes, summed (only actors on the
    /// ring hold any): `drr_has_work` in one comparison, asked after every
    /// event and for every idle DRR core.
    pub(crate) drr_queued: usize,
    pub(crate) drr_cursor: usize,
    pub(crate) drr_fresh_visit: bool,
    pub(crate) move_out_queue: VecDeque<ActorId>,
    pub(crate) move_in_queue: VecDeque<ActorId>,
    pub(crate) dmos: DmoTable,
    pub(crate) next_msg_id: u64,
    pub(crate) fcfs: GroupState,
    pub(crate) drr: GroupState,
    pub(crate) host: GroupState,
    /// `counters.dropped() + counters.aborted_by_watchdog`, kept with every
    /// such count (a node reads it after every event; see `drops_and_aborts`).
    pub(crate) drops_and_aborts: u64,
    pub(crate) next_tick_at: SimTime,
    pub(crate) last_tick_at: SimTime,
    pub(crate) last_migration_end: Option<SimTime>,
    pub(crate) migrations: Vec<MigrationRecord>,
    pub(crate) placement_events: Vec<PlacementEvent>,
    pub(crate) core_moves: Vec<CoreMoveEvent>,
    pub(crate) counters: RuntimeCounters,
}

impl Runtime {
    /// A runtime with the built-in policy named by `settings.policy`.
    pub fn new(
        settings: SchedulerSettings,
        nic_cores: u32,
        host_cores: u32,
    ) -> Result<Runtime, RuntimeError> {
        let policy = policy_from_settings(&settings);
        Runtime::with_policy(settings, policy, nic_cores, host_cores)
    }

    /// A runtime with a user-supplied policy (settings still give windows, quanta, bounds).
    pub fn with_policy(
        settings: SchedulerSettings,
        policy: Box<dyn SchedulingPolicy>,
        nic_cores: u32,
        host_cores: u32,
    ) -> Result<Runtime, RuntimeError> {
        settings.validate()?;
        if nic_cores == 0 || host_cores == 0 {
            return Err(RuntimeError::NoCores {
                nic: nic_cores,
                host: host_cores,
            });
        }
        let drr_cores = policy.initial_drr_cores(nic_cores).min(nic_cores);
        let nic = (0..nic_cores)
            .map(|i| CoreSlot {
                id: CoreId::nic(i),
                // the highest-numbered cores form the DRR group
                group: if i >= nic_cores - drr_cores {
                    NicGroup::Drr
                } else {
                    NicGroup::Fcfs
                },
                busy: None,
                last_actor: None,
            })
            .collect();
        let host = (0..host_cores)
            .map(|i| CoreSlot {
                id: CoreId::host(i),
                group: NicGroup::Fcfs,
                busy: None,
                last_actor: None,
            })
            .collect();
        let age = SimDuration::from_ns(settings.window_ns);
        let group = |s: &SchedulerSettings| GroupState {
            window: SlidingWindow::new(s.group_window_samples, age),
            busy_in_interval_ns: 0,
        };
        Ok(Runtime {
            dmos: DmoTable::new(
                settings.nic_dmo_capacity_bytes,
                settings.host_dmo_capacity_bytes,
            ),
            fcfs: group(&settings),
            drr: group(&settings),
            host: group(&settings),
            drops_and_aborts: 0,
            next_tick_at: SimTime::ZERO + SimDuration::from_ns(settings.policy_interval_ns),
            settings,
            policy,
            actors: Vec::new(),
            nic_cores: nic,
            host_cores: host,
            fcfs_queue: VecDeque::new(),
            host_queue: VecDeque::new(),
            drr_ring: Vec::new(),
            drr_queued: 0,
            drr_cursor: 0,
            drr_fresh_visit: true,
            move_out_queue: VecDeque::new(),
            move_in_queue: VecDeque::new(),
            next_msg_id: RUNTIME_MSG_ID_BASE,
            last_tick_at: SimTime::ZERO,
            last_migration_end: None,
            migrations: Vec::new(),
            placement_events: Vec::new(),
            core_moves: Vec::new(),
            counters: RuntimeCounters::default(),
        })
    }

    /// A request for actor `msg.dst` reaches the runtime at `now`. It goes to the
    /// FCFS shared queue, the actor's DRR mailbox, its migration buffer, or the host
    /// queue, by the actor's current placement. Full queues drop and count.
    ///
    /// A driver that models PCIe should call [`Runtime::side_of`] first and, for a
    /// host actor, deliver at the time the message reaches host memory.
    // inlined: once per message (measured, issue 13)
    #[inline(always)]
    pub fn deliver(&mut self, msg: Message, now: SimTime) -> Result<Delivered, DropReason> {
        self.counters.delivered += 1;
        let Some(slot) = self.actors.get_mut(msg.dst as usize) else {
            self.counters.dropped_unknown_actor += 1;
            self.drops_and_aborts += 1;
            return Err(DropReason::UnknownActor);
        };
        slot.arrivals_in_interval += 1;
        let q = Queued {
            msg,
            arrived_at: now,
            forward: false,
        };
        let s = &self.settings;
        let (verdict, queue, cap) = match (slot.status, slot.placement) {
            (ActorStatus::Killed, _) => {
                slot.dropped += 1;
                self.counters.dropped_actor_killed += 1;
                self.drops_and_aborts += 1;
                return Err(DropReason::ActorKilled);
            }
            (ActorStatus::Deleted, _) => {
                slot.dropped += 1;
                self.counters.dropped_actor_deleted += 1;
                self.drops_and_aborts += 1;
                return Err(DropReason::ActorDeleted);
            }
            (ActorStatus::Migrating, _) => (
                Delivered::MigrationBuffer,
                &mut slot.migration_buffer,
                s.migration_buffer_capacity,
            ),
            (ActorStatus::Active, Placement::NicFcfs) => (
                Delivered::FcfsQueue,
                &mut self.fcfs_queue,
                s.fcfs_queue_capacity,
            ),
            (ActorStatus::Active, Placement::NicDrr) => {
                (Delivered::Mailbox, &mut slot.mailbox, s.mailbox_capacity)
            }
            (ActorStatus::Active, Placement::Host) => (
                Delivered::HostQueue,
                &mut self.host_queue,
                s.host_queue_capacity,
            ),
        };
        if queue.len() >= cap as usize {
            slot.dropped += 1;
            let reason = match verdict {
                Delivered::FcfsQueue => DropReason::FcfsQueueFull,
                Delivered::Mailbox => DropReason::MailboxFull,
                Delivered::MigrationBuffer => DropReason::MigrationBufferFull,
                Delivered::HostQueue => DropReason::HostQueueFull,
            };
            self.counters.count_drop(reason);
            self.drops_and_aborts += 1;
            return Err(reason);
        }
        queue.push_back(q);
        if verdict == Delivered::Mailbox {
            self.drr_queued += 1;
        }
        Ok(verdict)
    }

    /// The side a message to `actor` must reach now (`Nic` while it migrates: the NIC
    /// buffers its requests). `None` for an unknown actor.
    #[inline]
    pub fn side_of(&self, actor: ActorId) -> Option<Side> {
        self.actors.get(actor as usize).map(|a| {
            if a.placement == Placement::Host && a.status != ActorStatus::Migrating {
                Side::Host
            } else {
                Side::Nic
            }
        })
    }

    /// Current placement of an actor.
    pub fn placement_of(&self, actor: ActorId) -> Option<Placement> {
        self.actors.get(actor as usize).map(|a| a.placement)
    }

    /// Current status of an actor.
    pub fn status_of(&self, actor: ActorId) -> Option<ActorStatus> {
        self.actors.get(actor as usize).map(|a| a.status)
    }

    /// Actor id by name.
    pub fn actor_id(&self, name: &str) -> Option<ActorId> {
        self.actors
            .iter()
            .position(|a| a.name == name)
            .map(|i| i as ActorId)
    }

    /// Borrow an actor's code and state (e.g. to inspect a killed actor).
    pub fn actor(&self, actor: ActorId) -> Option<&dyn Actor> {
        self.actors.get(actor as usize).map(|a| a.actor.as_ref())
    }

    /// The DMO table (inspection, refusal counts).
    pub fn dmos(&self) -> &DmoTable {
        &self.dmos
    }

    /// The settings in force.
    pub fn settings(&self) -> &SchedulerSettings {
        &self.settings
    }

    /// The policy's name.
    pub fn policy_name(&self) -> &str {
        self.policy.name()
    }

    /// NIC cores currently in `group`.
    pub fn cores_in(&self, group: NicGroup) -> u32 {
        self.nic_cores.iter().filter(|c| c.group == group).count() as u32
    }

    /// Idle cores, NIC first then host, in index order: offer each to `run_next`.
    pub fn idle_cores(&self) -> Vec<CoreId> {
        self.nic_cores
            .iter()
            .chain(self.host_cores.iter())
            .filter(|c| c.busy.is_none())
            .map(|c| c.id)
            .collect()
    }

    /// Messages waiting anywhere in the runtime (queues, mailboxes, buffers).
    pub fn queued_messages(&self) -> usize {
        self.fcfs_queue.len()
            + self.host_queue.len()
            + self
                .actors
                .iter()
                .map(|a| a.mailbox.len() + a.migration_buffer.len())
                .sum::<usize>()
    }

    pub(crate) fn core_mut(&mut self, core: CoreId) -> Result<&mut CoreSlot, RuntimeError> {
        let cores = match core.side {
            Side::Nic => &mut self.nic_cores,
            Side::Host => &mut self.host_cores,
        };
        // a match, not `ok_or`: that builds (and drops) the error on every call
        match cores.get_mut(core.index as usize) {
            Some(slot) => Ok(slot),
            None => Err(RuntimeError::UnknownCore(core)),
        }
    }

    pub(crate) fn record_placement(
        &mut self,
        now: SimTime,
        actor: ActorId,
        from: Option<Placement>,
        to: Placement,
    ) {
        if self.placement_events.len() < MAX_RECORDED_EVENTS {
            self.placement_events.push(PlacementEvent {
                time: now,
                actor,
                name: self.actors[actor as usize].name.clone(),
                from,
                to,
            });
        } else {
            self.counters.events_not_recorded += 1;
        }
    }
}
