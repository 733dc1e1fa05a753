//! Scheduling policies: the `SchedulingPolicy` trait, the read-only `PolicyView` the
//! runtime hands it every policy interval, and the `PolicyAction`s it may return.
//!
//! A policy only decides; the runtime applies the actions (checking each one, and
//! counting the ones that do not apply, e.g. a downgrade of an actor already on DRR).
//! Built-in policies: [`HybridPolicy`] (iPipe) and [`FixedPolicy`] (FCFS-only, DRR-only,
//! NIC-only, host-only, static split).

mod fixed;
mod hybrid;

pub use fixed::FixedPolicy;
pub use hybrid::HybridPolicy;

use crate::message::ActorId;
use crate::settings::{PolicyKind, SchedulerSettings};
use crate::stats::LatencySummary;
use vocab::{SimDuration, SimTime};

/// The two NIC core groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NicGroup {
    /// Run to completion from the shared queue.
    Fcfs,
    /// Deficit round robin over per-actor mailboxes.
    Drr,
}

/// Where an actor runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Placement {
    /// NIC, FCFS group.
    NicFcfs,
    /// NIC, DRR group.
    NicDrr,
    /// Host cores.
    Host,
}

impl Placement {
    /// Name used in reports (`nic_fcfs`, `nic_drr`, `host`).
    pub fn as_str(self) -> &'static str {
        match self {
            Placement::NicFcfs => "nic_fcfs",
            Placement::NicDrr => "nic_drr",
            Placement::Host => "host",
        }
    }

    /// True on a NIC group.
    pub fn is_nic(self) -> bool {
        !matches!(self, Placement::Host)
    }
}

/// Life state of an actor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActorStatus {
    /// Receiving and running messages.
    Active,
    /// Being migrated to the host: its requests are buffered.
    Migrating,
    /// Stopped by the watchdog; state kept for inspection, requests dropped (counted).
    Killed,
    /// Removed by `Runtime::delete_actor`; DMOs freed, requests dropped (counted).
    Deleted,
}

/// One actor as the policy sees it (borrowed from the runtime for one
/// tick: a view is built every policy interval, and copying each actor's
/// name into it cost 1% of actors_mix's instructions).
#[derive(Clone, Debug)]
pub struct ActorView<'a> {
    pub id: ActorId,
    pub name: &'a str,
    pub placement: Placement,
    pub status: ActorStatus,
    /// Execution time per message over the window (dispersion = `stddev_ns`).
    pub exec: LatencySummary,
    /// Queueing + execution per message over the window.
    pub sojourn: LatencySummary,
    /// Time since the actor last changed placement (`SimDuration::MAX` if it never did).
    pub since_placement_change: SimDuration,
    /// Messages waiting for it (shared queue entries, mailbox or migration buffer).
    pub queued: u32,
    /// Offered load in cores: arrival rate x mean core time per request (handler plus
    /// overheads charged on the core), smoothed over evaluations.
    /// Unlike served work it keeps growing when the actor is starved.
    pub offered_load_cores: f64,
}

/// One core group as the policy sees it.
#[derive(Clone, Copy, Debug, Default)]
pub struct GroupView {
    /// Cores in the group now.
    pub cores: u32,
    /// Cores executing right now.
    pub busy_cores: u32,
    /// Busy time completed in the last interval / (cores x interval length), in [0, 1+].
    pub utilization: f64,
    /// Queueing + execution latency of requests the group served, over the window.
    pub latency: LatencySummary,
    /// Actors placed in the group.
    pub actors: u32,
    /// Sum of its active actors' offered loads, in cores.
    pub offered_load_cores: f64,
}

/// Everything a policy may read at an evaluation.
#[derive(Clone, Debug)]
pub struct PolicyView<'a> {
    pub now: SimTime,
    pub settings: &'a SchedulerSettings,
    pub actors: Vec<ActorView<'a>>,
    pub fcfs: GroupView,
    pub drr: GroupView,
    pub host: GroupView,
    /// A migration is under way (the runtime runs one at a time).
    pub migration_in_progress: bool,
    /// Time since the last migration ended, if any did.
    pub since_last_migration: Option<SimDuration>,
}

/// A decision the runtime applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyAction {
    /// Move a NIC actor to the given group (downgrade to DRR / upgrade to FCFS).
    SetGroup { actor: ActorId, group: NicGroup },
    /// Move one NIC core from FCFS to DRR.
    MoveCoreToDrr,
    /// Move one NIC core from DRR to FCFS.
    MoveCoreToFcfs,
    /// Start migrating a NIC actor to the host (four steps of the runtime brief).
    MigrateToHost { actor: ActorId },
}

/// A scheduling policy. Implement this to write your own.
pub trait SchedulingPolicy: Send {
    /// Name for reports.
    fn name(&self) -> &str;
    /// Where an actor with this name starts.
    fn initial_placement(&self, actor_name: &str) -> Placement;
    /// How many of the `nic_cores` start in the DRR group.
    fn initial_drr_cores(&self, nic_cores: u32) -> u32;
    /// Called once per policy interval; returns the actions to apply, in order.
    fn evaluate(&mut self, view: &PolicyView<'_>) -> Vec<PolicyAction>;
}

/// The built-in policy selected by `settings.policy`.
pub fn policy_from_settings(settings: &SchedulerSettings) -> Box<dyn SchedulingPolicy> {
    match settings.policy {
        PolicyKind::Hybrid => Box::new(HybridPolicy::new()),
        PolicyKind::Fcfs => Box::new(FixedPolicy::fcfs_only()),
        PolicyKind::NicOnly => Box::new(FixedPolicy::nic_only()),
        PolicyKind::Drr => Box::new(FixedPolicy::drr_only()),
        PolicyKind::HostOnly => Box::new(FixedPolicy::host_only()),
        PolicyKind::Static => Box::new(FixedPolicy::static_split(
            settings.static_host_actors.clone(),
            settings.static_drr_actors.clone(),
            settings.static_drr_cores,
        )),
    }
}
