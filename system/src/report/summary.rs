//! One run's headline figures: the row of `summary.csv`.

use crate::systems::actor_accounting::ActorDrops;
use sim_core::table::fmt_f64;

/// Headline figures of one run. `wall_time_s` is the only field that is not
/// a function of (scenario, seed); comparisons of runs must leave it out.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Root seed.
    pub seed: u64,
    /// NIC profile name.
    pub nic: String,
    /// NIC cores used.
    pub cores: u32,
    /// Mean frame size, bytes.
    pub packet_size: f64,
    /// Offered load, Gb/s of frame bits.
    pub offered_gbps: f64,
    /// Delivered after warm-up, Gb/s of frame bits.
    pub achieved_gbps: f64,
    /// Line rate at this size, Gb/s of frame bits.
    pub line_rate_gbps: f64,
    /// Delivered after warm-up, million packets per second.
    pub achieved_mpps: f64,
    /// Latency of packets created after warm-up: mean, p50, p99, p99.9, us.
    pub lat_mean_us: f64,
    /// Median latency, us.
    pub lat_p50_us: f64,
    /// 99th percentile latency, us.
    pub lat_p99_us: f64,
    /// 99.9th percentile latency, us.
    pub lat_p999_us: f64,
    /// Drops of every reason over the whole run: the sum of the `drops_*` columns.
    pub drops: u64,
    /// Mean busy fraction of the NIC cores used over the run, service still
    /// in progress at the end included.
    pub nic_core_util: f64,
    /// Simulated time, seconds.
    pub sim_time_s: f64,
    /// Wall-clock time of the simulation, seconds.
    pub wall_time_s: f64,
    /// Events handled by the engine.
    pub events: u64,
    /// Packets generated.
    pub generated: u64,
    /// Packets delivered (whole run).
    pub delivered: u64,
    /// Packets still in the system at the end.
    pub in_flight: u64,
    /// Packets an off-path NIC's switch steered to the host (landed in host memory).
    pub steered_host: u64,
    /// Drops by reason: source backlog, switch rule, ingress FIFO, traffic manager, TX queue.
    pub drops_source: u64,
    /// Switch-rule drops.
    pub drops_switch: u64,
    /// Ingress FIFO drops.
    pub drops_ingress: u64,
    /// Traffic-manager drops.
    pub drops_tm: u64,
    /// TX-queue drops.
    pub drops_tx: u64,
    /// The workload kind: `echo` or `actors`.
    pub workload: String,
    /// What the source actually offered, Gb/s of frame bits: `offered_gbps`
    /// unless the scenario asked for more than the link carries.
    pub source_gbps: f64,
    /// The offered load was capped at the wire (the source cannot put more
    /// bits on the link than it carries).
    pub offered_capped: bool,
    /// Actor runs: drops by reason (all zero for echo).
    pub actor_drops: ActorDrops,
    /// Actor runs: messages that crossed PCIe to host actors.
    pub to_host_actors: u64,
    /// Most packets or messages inside the system at once, checked after
    /// every event (echo counts a transmitted packet as inside until its
    /// delivery is recorded, so its figure is an upper bound).
    pub peak_in_flight: u64,
    /// Actor runs: messages an actor started out of order for their sender.
    pub reorders: u64,
    /// Actor runs: driver calls the runtime refused (model bugs; should be 0).
    pub driver_errors: u64,
    /// Actor runs: cost-model calls that failed inside handlers.
    pub model_errors: u64,
    /// Actor runs: sends refused by a core's full outbox.
    pub sends_dropped: u64,
}

impl Summary {
    /// Column names of `summary.csv`, in order.
    pub fn columns() -> Vec<&'static str> {
        vec![
            "scenario",
            "seed",
            "nic",
            "cores",
            "packet_size",
            "offered_gbps",
            "achieved_gbps",
            "line_rate_gbps",
            "achieved_mpps",
            "lat_mean_us",
            "lat_p50_us",
            "lat_p99_us",
            "lat_p999_us",
            "drops",
            "nic_core_util",
            "sim_time_s",
            "wall_time_s",
            "events",
            "generated",
            "delivered",
            "in_flight",
            "steered_host",
            "drops_source",
            "drops_switch",
            "drops_ingress",
            "drops_tm",
            "drops_tx",
            "workload",
            "source_gbps",
            "offered_capped",
            "drops_pcie",
            "drops_fcfs_queue",
            "drops_mailbox",
            "drops_migration_buffer",
            "drops_host_queue",
            "drops_actor_killed",
            "drops_actor_deleted",
            "drops_unknown_actor",
            "drops_watchdog",
            "to_host_actors",
            "peak_in_flight",
            "reorders",
            "driver_errors",
            "model_errors",
            "sends_dropped",
        ]
    }

    /// The row's cells, formatted with fixed decimals so output is byte-stable.
    pub fn fields(&self) -> Vec<String> {
        vec![
            self.scenario.clone(),
            self.seed.to_string(),
            self.nic.clone(),
            self.cores.to_string(),
            fmt_f64(self.packet_size, 1),
            fmt_f64(self.offered_gbps, 4),
            fmt_f64(self.achieved_gbps, 4),
            fmt_f64(self.line_rate_gbps, 4),
            fmt_f64(self.achieved_mpps, 4),
            fmt_f64(self.lat_mean_us, 3),
            fmt_f64(self.lat_p50_us, 3),
            fmt_f64(self.lat_p99_us, 3),
            fmt_f64(self.lat_p999_us, 3),
            self.drops.to_string(),
            fmt_f64(self.nic_core_util, 4),
            fmt_f64(self.sim_time_s, 6),
            fmt_f64(self.wall_time_s, 3),
            self.events.to_string(),
            self.generated.to_string(),
            self.delivered.to_string(),
            self.in_flight.to_string(),
            self.steered_host.to_string(),
            self.drops_source.to_string(),
            self.drops_switch.to_string(),
            self.drops_ingress.to_string(),
            self.drops_tm.to_string(),
            self.drops_tx.to_string(),
            self.workload.clone(),
            fmt_f64(self.source_gbps, 4),
            self.offered_capped.to_string(),
            self.actor_drops.pcie.to_string(),
            self.actor_drops.fcfs_queue.to_string(),
            self.actor_drops.mailbox.to_string(),
            self.actor_drops.migration_buffer.to_string(),
            self.actor_drops.host_queue.to_string(),
            self.actor_drops.actor_killed.to_string(),
            self.actor_drops.actor_deleted.to_string(),
            self.actor_drops.unknown_actor.to_string(),
            self.actor_drops.watchdog.to_string(),
            self.to_host_actors.to_string(),
            self.peak_in_flight.to_string(),
            self.reorders.to_string(),
            self.driver_errors.to_string(),
            self.model_errors.to_string(),
            self.sends_dropped.to_string(),
        ]
    }

    /// The sum of every `drops_*` column (equals `drops`).
    pub fn drops_by_reason(&self) -> u64 {
        self.drops_source
            + self.drops_switch
            + self.drops_ingress
            + self.drops_tm
            + self.drops_tx
            + self.actor_drops.total()
    }

    /// Whether the run reached line rate (achieved >= 99% of line rate).
    pub fn at_line_rate(&self) -> bool {
        self.achieved_gbps >= 0.99 * self.line_rate_gbps
    }
}
