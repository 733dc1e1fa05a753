//! `SchedulerSettings`: every threshold, window, quantum and hysteresis of the runtime,
//! read from a scenario's `[scheduler]` table, with documented defaults and validation.
//!
//! Durations are integer nanoseconds (`*_ns`), costs on a core are cycles (`*_cycles`),
//! capacities are counts or bytes. Defaults that the iPipe paper does not state are
//! our choices; each says why next to it.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Which scheduling policy the runtime uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// iPipe's hybrid: FCFS and DRR groups on the NIC, downgrade/upgrade, core moves, push to host.
    Hybrid,
    /// Every actor on the NIC FCFS group, never moved.
    Fcfs,
    /// Every actor on the NIC DRR group (all NIC cores run DRR), never moved.
    Drr,
    /// Every actor on the NIC FCFS group (alias of `fcfs`, named for placement studies).
    NicOnly,
    /// Every actor on the host.
    HostOnly,
    /// The split given by `static_host_actors` / `static_drr_actors`; others on NIC FCFS.
    Static,
}

/// How a window's tail latency is estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TailMode {
    /// Measured 99th percentile of the window's samples.
    P99,
    /// mean + 3 x standard deviation (the estimate in the iPipe paper's notes).
    #[serde(rename = "mean_plus_3sigma")]
    MeanPlus3Sigma,
}

/// All runtime settings. Missing keys take the defaults below; unknown keys are errors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SchedulerSettings {
    /// Policy. Default `hybrid`.
    pub policy: PolicyKind,
    /// Tail estimate used by the policy. Default `p99` (measured; `mean_plus_3sigma` is the paper's estimate).
    pub tail_mode: TailMode,
    /// Most samples kept per actor window. Default 1024 (bounded memory, enough for a stable p99).
    pub window_samples: u32,
    /// Samples older than this are dropped from every window. Default 2 ms (20 policy intervals).
    pub window_ns: u64,
    /// Most samples kept per group window (FCFS, DRR, host). Default 4096.
    pub group_window_samples: u32,
    /// Fewest samples a window needs before the policy acts on it. Default 32.
    pub min_samples: u32,
    /// Period of policy evaluation (`Runtime::tick`). Default 100 us.
    pub policy_interval_ns: u64,
    /// Tail_thresh: FCFS group tail (queueing + execution) above which an actor is downgraded.
    /// Follows from the application's latency objective. Default 30 us: 15x the ~2 us tasks and
    /// below the 34-71 us tasks of iPipe section 2.2.3 (Table 3), so a mix containing such tasks
    /// triggers it even when they are only a few percent of requests (the group p99 then sits
    /// inside the costly tasks' own spread; 50 us proved too close to it in our tests).
    pub tail_thresh_ns: u64,
    /// alpha: a DRR actor is upgraded when its tail < (1 - alpha) x Tail_thresh. Default 0.2.
    pub upgrade_alpha: f64,
    /// Actors whose execution-time standard deviation is below this are never downgraded
    /// (moving a low-dispersion actor to DRR does not cure head-of-line blocking). Default 1 us.
    pub min_dispersion_ns: u64,
    /// After an actor changes group it stays at least this long. Default 1 ms (hysteresis in time).
    pub placement_cooldown_ns: u64,
    /// Mean_thresh: when the mean latency (queueing + execution) of a NIC group (FCFS or DRR)
    /// exceeds it, the NIC is overloaded and the actor with the most load is pushed to the
    /// host. Follows from the NIC's headroom. Default 100 us.
    pub mean_thresh_ns: u64,
    /// A NIC group counts as overloaded (push-to-host) only if its load (the larger of its
    /// actors' offered load and its cores' busy time in the last interval, which includes
    /// forwarding host-bound frames on an on-path NIC) is at least this fraction of its
    /// cores, besides its mean latency exceeding Mean_thresh. Default 0.95.
    pub overload_util: f64,
    /// Consecutive policy evaluations a group must be overloaded before push-to-host.
    /// Default 5 (500 us at the default interval: transients after a downgrade or a burst
    /// do not move actors across PCIe).
    pub overload_evaluations: u32,
    /// Weight of the newest policy interval in each actor's smoothed offered load (EWMA).
    /// Default 0.1 (memory of about 10 intervals = 1 ms: a costly actor at a few requests
    /// per interval would otherwise look 50% noisy).
    pub load_smoothing: f64,
    /// Least time between the end of one migration and the start of the next. Default 2 ms.
    pub migration_cooldown_ns: u64,
    /// Utilization the FCFS group is sized for: it wants offered load / this cores. It is
    /// the latency-critical group, so it keeps headroom; cores beyond what it wants may go
    /// to DRR (which takes every core FCFS does not want). Default 0.75 (our choice: an M/D/c queue at 75% keeps waits within a few
    /// service times for the group sizes of a 12-core NIC).
    pub fcfs_target_util: f64,
    /// Hysteresis of core moves, in cores: a core returns to FCFS only when FCFS has fewer
    /// than its want minus this. Default 0.25.
    pub core_move_hysteresis: f64,
    /// Fewest cores the FCFS group keeps while it has actors. Default 1.
    pub min_fcfs_cores: u32,
    /// DRR quantum added to an actor's deficit per visit. Default 5 us.
    pub drr_quantum_ns: u64,
    /// Cost charged on a DRR core when it switches to another actor's mailbox (context switch,
    /// mailbox lock, deficit bookkeeping). Not stated in iPipe; 600 cycles = 0.5 us at the
    /// CN2350's 1.2 GHz, our assumption for a software scheduler pass. Default 600.
    pub drr_switch_cost_cycles: u64,
    /// A DRR core with no DRR work serves the FCFS shared queue (work conservation; FCFS
    /// cores never serve DRR mailboxes). Our choice, not stated in iPipe: without it a
    /// partition of cores by load share leaves the FCFS group saturated whenever the
    /// DRR group has slack. Default true.
    pub drr_cores_serve_fcfs_when_idle: bool,
    /// Expected cost of an actor before its window has samples (DRR deficit test). Default 2 us.
    pub drr_initial_cost_ns: u64,
    /// Cost charged per FCFS dispatch. The on-path NIC's hardware shared queue makes it ~free. Default 0.
    pub fcfs_dispatch_cost_cycles: u64,
    /// Watchdog: most time one message's execution may charge. Default 1 ms (14x the costliest
    /// iPipe task, 71 us).
    pub watchdog_ns: u64,
    /// Bound of the NIC FCFS shared queue (messages). Default 4096.
    pub fcfs_queue_capacity: u32,
    /// Bound of each DRR mailbox (messages). Default 1024.
    pub mailbox_capacity: u32,
    /// Bound of a migrating actor's buffer (messages). Default 4096.
    pub migration_buffer_capacity: u32,
    /// Bound of the host shared queue (messages). Default 8192.
    pub host_queue_capacity: u32,
    /// NIC memory for DMOs. Default 2 GiB (half of the CN2350's 4 GB on-board DRAM, our assumption).
    pub nic_dmo_capacity_bytes: u64,
    /// Host memory for DMOs. Default 16 GiB.
    pub host_dmo_capacity_bytes: u64,
    /// `static` policy: actor names placed on the host.
    pub static_host_actors: Vec<String>,
    /// `static` policy: actor names placed on the NIC DRR group.
    pub static_drr_actors: Vec<String>,
    /// `static` policy: NIC cores in the DRR group. Default 0 (becomes 1 if any DRR actor).
    pub static_drr_cores: u32,
}

impl Default for SchedulerSettings {
    fn default() -> Self {
        SchedulerSettings {
            policy: PolicyKind::Hybrid,
            tail_mode: TailMode::P99,
            window_samples: 1024,
            window_ns: 2_000_000,
            group_window_samples: 4096,
            min_samples: 32,
            policy_interval_ns: 100_000,
            tail_thresh_ns: 30_000,
            upgrade_alpha: 0.2,
            min_dispersion_ns: 1_000,
            placement_cooldown_ns: 1_000_000,
            mean_thresh_ns: 100_000,
            overload_util: 0.95,
            overload_evaluations: 5,
            load_smoothing: 0.1,
            migration_cooldown_ns: 2_000_000,
            fcfs_target_util: 0.75,
            core_move_hysteresis: 0.25,
            min_fcfs_cores: 1,
            drr_quantum_ns: 5_000,
            drr_switch_cost_cycles: 600,
            drr_cores_serve_fcfs_when_idle: true,
            drr_initial_cost_ns: 2_000,
            fcfs_dispatch_cost_cycles: 0,
            watchdog_ns: 1_000_000,
            fcfs_queue_capacity: 4096,
            mailbox_capacity: 1024,
            migration_buffer_capacity: 4096,
            host_queue_capacity: 8192,
            nic_dmo_capacity_bytes: 2 << 30,
            host_dmo_capacity_bytes: 16 << 30,
            static_host_actors: Vec::new(),
            static_drr_actors: Vec::new(),
            static_drr_cores: 0,
        }
    }
}

/// A setting that cannot work, naming the key and the fix.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum SettingsError {
    #[error("scheduler.{key} = {value}: must be greater than zero")]
    MustBePositive { key: &'static str, value: u64 },
    #[error("scheduler.{key} = {value}: must be within [{min}, {max}]")]
    OutOfRange {
        key: &'static str,
        value: f64,
        min: f64,
        max: f64,
    },
    #[error(
        "scheduler: actor `{name}` is in both static_host_actors and static_drr_actors; keep one"
    )]
    StaticConflict { name: String },
    #[error("scheduler.{key} names actor `{name}`, which is not one of the scenario's actors")]
    UnknownStaticActor { key: &'static str, name: String },
    #[error("scheduler.{key} = {value}: the NIC has only {nic_cores} cores")]
    MoreCoresThanNic {
        key: &'static str,
        value: u32,
        nic_cores: u32,
    },
}

impl SettingsError {
    /// The `[scheduler]` key at fault (without the `scheduler.` prefix).
    pub fn key(&self) -> &'static str {
        match self {
            SettingsError::MustBePositive { key, .. }
            | SettingsError::OutOfRange { key, .. }
            | SettingsError::UnknownStaticActor { key, .. }
            | SettingsError::MoreCoresThanNic { key, .. } => key,
            SettingsError::StaticConflict { .. } => "static_drr_actors",
        }
    }

    /// How to fix it, in one phrase.
    pub fn fix(&self) -> String {
        match self {
            SettingsError::MustBePositive { key, .. } => {
                format!("set scheduler.{key} to 1 or more, or remove it for the default")
            }
            SettingsError::OutOfRange { key, min, max, .. } => {
                format!("set scheduler.{key} within [{min}, {max}], or remove it for the default")
            }
            SettingsError::StaticConflict { name } => {
                format!("list `{name}` in only one of static_host_actors and static_drr_actors")
            }
            SettingsError::UnknownStaticActor { key, .. } => {
                format!("list only names of [[workload.actors]] entries in scheduler.{key}")
            }
            SettingsError::MoreCoresThanNic { key, nic_cores, .. } => {
                format!("set scheduler.{key} to at most {nic_cores} (nic.cores)")
            }
        }
    }
}

impl SchedulerSettings {
    /// Check every value; the first problem is returned.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let positive: [(&'static str, u64); 15] = [
            ("window_samples", u64::from(self.window_samples)),
            ("window_ns", self.window_ns),
            ("group_window_samples", u64::from(self.group_window_samples)),
            ("min_samples", u64::from(self.min_samples)),
            ("overload_evaluations", u64::from(self.overload_evaluations)),
            ("policy_interval_ns", self.policy_interval_ns),
            ("tail_thresh_ns", self.tail_thresh_ns),
            ("mean_thresh_ns", self.mean_thresh_ns),
            ("drr_quantum_ns", self.drr_quantum_ns),
            ("drr_initial_cost_ns", self.drr_initial_cost_ns),
            ("watchdog_ns", self.watchdog_ns),
            ("fcfs_queue_capacity", u64::from(self.fcfs_queue_capacity)),
            ("mailbox_capacity", u64::from(self.mailbox_capacity)),
            (
                "migration_buffer_capacity",
                u64::from(self.migration_buffer_capacity),
            ),
            ("host_queue_capacity", u64::from(self.host_queue_capacity)),
        ];
        for (key, value) in positive {
            if value == 0 {
                return Err(SettingsError::MustBePositive { key, value });
            }
        }
        let fractions: [(&'static str, f64, f64); 5] = [
            ("load_smoothing", self.load_smoothing, 1.0),
            ("overload_util", self.overload_util, 4.0),
            ("upgrade_alpha", self.upgrade_alpha, 0.999),
            ("fcfs_target_util", self.fcfs_target_util, 1.0),
            ("core_move_hysteresis", self.core_move_hysteresis, 64.0),
        ];
        for (key, value, max) in fractions {
            if !(value.is_finite() && (0.0..=max).contains(&value)) {
                return Err(SettingsError::OutOfRange {
                    key,
                    value,
                    min: 0.0,
                    max,
                });
            }
        }
        for (key, value) in [
            ("fcfs_target_util", self.fcfs_target_util),
            ("load_smoothing", self.load_smoothing),
        ] {
            if value < 0.05 {
                return Err(SettingsError::OutOfRange {
                    key,
                    value,
                    min: 0.05,
                    max: 1.0,
                });
            }
        }
        if let Some(name) = self
            .static_host_actors
            .iter()
            .find(|n| self.static_drr_actors.contains(n))
        {
            return Err(SettingsError::StaticConflict { name: name.clone() });
        }
        Ok(())
    }

    /// [`validate`](Self::validate), plus the checks that need the system: core
    /// counts that cannot exceed the NIC's `nic_cores` (refused rather than
    /// clamped), and static lists that name only the given actors (a typo
    /// would otherwise leave the actor on the NIC).
    pub fn validate_for(&self, nic_cores: u32, actor_names: &[&str]) -> Result<(), SettingsError> {
        self.validate()?;
        for (key, value) in [
            ("min_fcfs_cores", self.min_fcfs_cores),
            ("static_drr_cores", self.static_drr_cores),
        ] {
            if value > nic_cores {
                return Err(SettingsError::MoreCoresThanNic {
                    key,
                    value,
                    nic_cores,
                });
            }
        }
        let lists = [
            ("static_host_actors", &self.static_host_actors),
            ("static_drr_actors", &self.static_drr_actors),
        ];
        for (key, names) in lists {
            if let Some(name) = names.iter().find(|n| !actor_names.contains(&n.as_str())) {
                return Err(SettingsError::UnknownStaticActor {
                    key,
                    name: name.clone(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
