//! Report data: per-actor rows (the binary writes them as actors.csv), placement
//! change events (a time series), per-migration records, per-group latency and counters.
//!
//! Latencies here are queueing + execution inside the runtime: from `deliver` to
//! `complete`, over the whole run (HDR histogram, 2 significant digits).

use super::{CoreId, Runtime};
use crate::message::ActorId;
use crate::policy::{ActorStatus, NicGroup, Placement};
use vocab::{SimDuration, SimTime};

/// One actor's run summary (one row of actors.csv).
#[derive(Clone, Debug, PartialEq)]
pub struct ActorReport {
    pub actor: ActorId,
    pub name: String,
    /// Requests served (handler ran and returned, Ok or error).
    pub requests: u64,
    /// Requests whose handler returned an error other than the watchdog.
    pub failed: u64,
    pub mean_us: f64,
    pub p99_us: f64,
    pub final_placement: Placement,
    pub final_status: ActorStatus,
    pub migrations: u32,
    pub watchdog_kills: u32,
    /// Requests for it that were dropped (full queues, killed).
    pub dropped: u64,
    /// DMO accesses it attempted that were refused.
    pub dmo_refusals: u64,
}

impl ActorReport {
    /// Column names matching `csv_row`.
    pub const CSV_HEADER: [&'static str; 7] = [
        "actor",
        "requests",
        "mean_us",
        "p99_us",
        "final_placement",
        "migrations",
        "watchdog_kills",
    ];

    /// The actors.csv row: actor, requests, mean_us, p99_us, final_placement, migrations, watchdog_kills.
    pub fn csv_row(&self) -> [String; 7] {
        [
            self.name.clone(),
            self.requests.to_string(),
            format!("{:.3}", self.mean_us),
            format!("{:.3}", self.p99_us),
            self.final_placement.as_str().to_string(),
            self.migrations.to_string(),
            self.watchdog_kills.to_string(),
        ]
    }
}

/// An actor changed placement (`from = None` at registration).
#[derive(Clone, Debug, PartialEq)]
pub struct PlacementEvent {
    pub time: SimTime,
    pub actor: ActorId,
    pub name: String,
    pub from: Option<Placement>,
    pub to: Placement,
}

/// A NIC core moved between the FCFS and DRR groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoreMoveEvent {
    pub time: SimTime,
    pub core: CoreId,
    pub from: NicGroup,
    pub to: NicGroup,
}

/// One migration NIC -> host.
#[derive(Clone, Debug, PartialEq)]
pub struct MigrationRecord {
    pub actor: ActorId,
    pub name: String,
    pub from: Placement,
    pub start: SimTime,
    /// `None` while under way.
    pub end: Option<SimTime>,
    pub dmo_bytes: u64,
    pub state_bytes: u64,
    pub mailbox_bytes: u64,
    /// dmo + state + mailbox bytes: the DMA payload.
    pub bytes_moved: u64,
    /// Time of the blocking DMA alone.
    pub dma_time: SimDuration,
    /// Why it failed, if it did.
    pub aborted: Option<String>,
}

impl MigrationRecord {
    /// end - start, if finished.
    pub fn duration(&self) -> Option<SimDuration> {
        self.end.map(|e| e.saturating_since(self.start))
    }
}

/// Runtime-wide counters. Every drop is counted under its reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RuntimeCounters {
    pub delivered: u64,
    pub completed: u64,
    pub failed: u64,
    pub dropped_unknown_actor: u64,
    pub dropped_actor_killed: u64,
    pub dropped_actor_deleted: u64,
    pub dropped_fcfs_queue_full: u64,
    pub dropped_mailbox_full: u64,
    pub dropped_migration_buffer_full: u64,
    pub dropped_host_queue_full: u64,
    pub watchdog_kills: u64,
    /// Requests whose execution the watchdog stopped (neither completed nor dropped).
    pub aborted_by_watchdog: u64,
    pub migrations: u64,
    pub migrations_aborted: u64,
    pub policy_actions_rejected: u64,
    pub events_not_recorded: u64,
    /// Core time charged as scheduler overhead (DRR switches, FCFS dispatch cost), ns.
    pub overhead_ns: u64,
    /// Core time charged by handlers and migration steps, ns.
    pub work_ns: u64,
    /// DRR dispatches that switched the core to another actor.
    pub drr_switches: u64,
    /// Messages a NIC core passed on towards a host actor (`deliver_via_nic`);
    /// each is delivered again where it lands.
    pub forwarded: u64,
}

impl RuntimeCounters {
    /// Requests whose fate is known: completed, dropped or aborted by the watchdog.
    /// Once the driver has drained every event this equals `delivered` (conservation).
    pub fn accounted(&self) -> u64 {
        self.completed + self.dropped() + self.aborted_by_watchdog + self.forwarded
    }

    /// All drops.
    pub fn dropped(&self) -> u64 {
        self.dropped_unknown_actor
            + self.dropped_actor_killed
            + self.dropped_actor_deleted
            + self.dropped_fcfs_queue_full
            + self.dropped_mailbox_full
            + self.dropped_migration_buffer_full
            + self.dropped_host_queue_full
    }

    pub(crate) fn count_drop(&mut self, reason: super::DropReason) {
        use super::DropReason as R;
        match reason {
            R::UnknownActor => self.dropped_unknown_actor += 1,
            R::ActorKilled => self.dropped_actor_killed += 1,
            R::ActorDeleted => self.dropped_actor_deleted += 1,
            R::FcfsQueueFull => self.dropped_fcfs_queue_full += 1,
            R::MailboxFull => self.dropped_mailbox_full += 1,
            R::MigrationBufferFull => self.dropped_migration_buffer_full += 1,
            R::HostQueueFull => self.dropped_host_queue_full += 1,
        }
    }
}

impl Runtime {
    /// One row per actor, in id order.
    pub fn actor_reports(&self) -> Vec<ActorReport> {
        self.actors
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let s = a.run.summary();
                ActorReport {
                    actor: i as ActorId,
                    name: a.name.clone(),
                    requests: s.count,
                    failed: a.failed,
                    mean_us: s.mean_ns / 1_000.0,
                    p99_us: s.p99_ns / 1_000.0,
                    final_placement: a.placement,
                    final_status: a.status,
                    migrations: a.migrations,
                    watchdog_kills: a.watchdog_kills,
                    dropped: a.dropped,
                    dmo_refusals: self.dmos.refused_by(i as ActorId),
                }
            })
            .collect()
    }

    /// Actors placed on the NIC FCFS group, the NIC DRR group and the host, now
    /// (what `actor_reports` gives as `final_placement`, without building the
    /// reports: the node samples it at every policy tick).
    pub fn placement_counts(&self) -> [u32; 3] {
        let mut counts = [0u32; 3];
        for a in &self.actors {
            counts[match a.placement {
                Placement::NicFcfs => 0,
                Placement::NicDrr => 1,
                Placement::Host => 2,
            }] += 1;
        }
        counts
    }

    /// Run-wide latency quantile of one actor, nanoseconds (e.g. 0.999).
    pub fn actor_latency_quantile_ns(&self, actor: ActorId, q: f64) -> Option<u64> {
        self.actors
            .get(actor as usize)
            .map(|a| a.run.quantile_ns(q))
    }

    /// Placement changes, in time order (registration first).
    pub fn placement_events(&self) -> &[PlacementEvent] {
        &self.placement_events
    }

    /// Core moves between the NIC groups, in time order.
    pub fn core_move_events(&self) -> &[CoreMoveEvent] {
        &self.core_moves
    }

    /// Migrations, in start order.
    pub fn migrations(&self) -> &[MigrationRecord] {
        &self.migrations
    }

    /// Counters.
    pub fn counters(&self) -> &RuntimeCounters {
        &self.counters
    }

    /// Every drop plus every request aborted by the watchdog
    /// (`counters().dropped() + counters().aborted_by_watchdog`), in one read:
    /// kept with each of those counts rather than summed.
    #[inline]
    pub fn drops_and_aborts(&self) -> u64 {
        debug_assert_eq!(
            self.drops_and_aborts,
            self.counters.dropped() + self.counters.aborted_by_watchdog
        );
        self.drops_and_aborts
    }
}
