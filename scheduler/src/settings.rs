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
    /// Most samples kept per group window (FCFS, DRR, host, NIC-wide). Default 4096.
    pub group_window_samples: u32,
    /// Fewest samples a window needs before the policy acts on it. Default 32.
    pub min_samples: u32,
    /// Period of policy evaluation (`Runtime::tick`). Default 100 us.
    pub policy_interval_ns: u64,
    /// Tail_thresh: FCFS group tail (queueing + execution) above which an actor is downgraded.
    /// Follows from the application's latency objective. Default 50 us (above the ~2 us tasks,
    /// below the 34-71 us tasks of iPipe section 2.2.3, so high-dispersion mixes trigger it).
    pub tail_thresh_ns: u64,
    /// alpha: a DRR actor is upgraded when its tail < (1 - alpha) x Tail_thresh. Default 0.2.
    pub upgrade_alpha: f64,
    /// Actors whose execution-time standard deviation is below this are never downgraded
    /// (moving a low-dispersion actor to DRR does not cure head-of-line blocking). Default 1 us.
    pub min_dispersion_ns: u64,
    /// After an actor changes group it stays at least this long. Default 1 ms (hysteresis in time).
    pub placement_cooldown_ns: u64,
    /// Mean_thresh: NIC-wide mean latency (queueing + execution) above which the actor with
    /// the most load is pushed to the host. Follows from the NIC's headroom. Default 100 us.
    pub mean_thresh_ns: u64,
    /// Least time between the end of one migration and the start of the next. Default 2 ms.
    pub migration_cooldown_ns: u64,
    /// Hysteresis of core moves, in cores: a core moves between the NIC groups when the
    /// DRR group's share of the offered load, times the NIC cores, differs from its core
    /// count by more than 0.5 + this. Default 0.25.
    pub core_move_hysteresis: f64,
    /// Fewest cores the FCFS group keeps while it has actors. Default 1.
    pub min_fcfs_cores: u32,
    /// DRR quantum added to an actor's deficit per visit. Default 5 us.
    pub drr_quantum_ns: u64,
    /// Cost charged on a DRR core when it switches to another actor's mailbox (context switch,
    /// mailbox lock, deficit bookkeeping). Not stated in iPipe; 600 cycles = 0.5 us at the
    /// CN2350's 1.2 GHz, our assumption for a software scheduler pass. Default 600.
    pub drr_switch_cost_cycles: u64,
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
            tail_thresh_ns: 50_000,
            upgrade_alpha: 0.2,
            min_dispersion_ns: 1_000,
            placement_cooldown_ns: 1_000_000,
            mean_thresh_ns: 100_000,
            migration_cooldown_ns: 2_000_000,
            core_move_hysteresis: 0.25,
            min_fcfs_cores: 1,
            drr_quantum_ns: 5_000,
            drr_switch_cost_cycles: 600,
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
    #[error("scheduler.{key} names actor `{name}`, which is not registered; fix the name")]
    UnknownStaticActor { key: &'static str, name: String },
}

impl SchedulerSettings {
    /// Check every value; the first problem is returned.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let positive: [(&'static str, u64); 14] = [
            ("window_samples", u64::from(self.window_samples)),
            ("window_ns", self.window_ns),
            ("group_window_samples", u64::from(self.group_window_samples)),
            ("min_samples", u64::from(self.min_samples)),
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
        let fractions: [(&'static str, f64, f64); 2] = [
            ("upgrade_alpha", self.upgrade_alpha, 0.999),
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
        if let Some(name) = self
            .static_host_actors
            .iter()
            .find(|n| self.static_drr_actors.contains(n))
        {
            return Err(SettingsError::StaticConflict { name: name.clone() });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        SchedulerSettings::default().validate().unwrap();
    }

    #[test]
    fn empty_table_gives_defaults_and_keys_override() {
        let s: SchedulerSettings = toml::from_str("").unwrap();
        assert_eq!(s, SchedulerSettings::default());
        let s: SchedulerSettings = toml::from_str(
            "policy = \"drr\"\ntail_mode = \"mean_plus_3sigma\"\ndrr_quantum_ns = 7000",
        )
        .unwrap();
        assert_eq!(s.policy, PolicyKind::Drr);
        assert_eq!(s.tail_mode, TailMode::MeanPlus3Sigma);
        assert_eq!(s.drr_quantum_ns, 7000);
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = toml::from_str::<SchedulerSettings>("tail_thresh = 5").unwrap_err();
        assert!(err.to_string().contains("tail_thresh"), "{err}");
    }

    #[test]
    fn bad_values_name_the_key() {
        let s = SchedulerSettings {
            drr_quantum_ns: 0,
            ..Default::default()
        };
        let err = s.validate().unwrap_err();
        assert!(err.to_string().contains("drr_quantum_ns"));
        let s = SchedulerSettings {
            upgrade_alpha: 1.5,
            ..Default::default()
        };
        assert!(matches!(
            s.validate(),
            Err(SettingsError::OutOfRange {
                key: "upgrade_alpha",
                ..
            })
        ));
        let s = SchedulerSettings {
            static_host_actors: vec!["a".into()],
            static_drr_actors: vec!["a".into()],
            ..Default::default()
        };
        assert!(matches!(
            s.validate(),
            Err(SettingsError::StaticConflict { .. })
        ));
    }
}
