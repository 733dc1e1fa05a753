//! The actor system's plain data: time-series columns, traffic targets, per-class results and the NIC forwarding tax.

use scheduler::ActorId;
use sim_core::LatencyHistogram;
use workloads::actors::registry::ActorKind;

/// Time-series columns (sums per window).
pub mod col {
    /// Requests created.
    pub const OFFERED: usize = 0;
    /// External requests completed.
    pub const COMPLETED: usize = 1;
    /// Sum of their latencies, us.
    pub const LATENCY_SUM_US: usize = 2;
    /// Completed on NIC cores.
    pub const NIC_COMPLETED: usize = 3;
    /// Their latency sum, us.
    pub const NIC_LATENCY_SUM_US: usize = 4;
    /// Completed on host cores.
    pub const HOST_COMPLETED: usize = 5;
    /// Their latency sum, us.
    pub const HOST_LATENCY_SUM_US: usize = 6;
    /// Requests dropped.
    pub const DROPS: usize = 7;
    /// Policy ticks in the window (to average the placement samples).
    pub const TICKS: usize = 8;
    /// Actors in the NIC FCFS group, summed over ticks.
    pub const ACTORS_FCFS: usize = 9;
    /// Actors in the NIC DRR group, summed over ticks.
    pub const ACTORS_DRR: usize = 10;
    /// Actors on the host, summed over ticks.
    pub const ACTORS_HOST: usize = 11;
    /// NIC core busy time, us.
    pub const NIC_BUSY_US: usize = 12;
    /// NIC cores in the FCFS group, summed over ticks.
    pub const CORES_FCFS: usize = 13;
    /// NIC cores in the DRR group, summed over ticks.
    pub const CORES_DRR: usize = 14;
    /// Names, in order.
    pub const NAMES: [&str; 15] = [
        "offered",
        "completed",
        "latency_sum_us",
        "nic_completed",
        "nic_latency_sum_us",
        "host_completed",
        "host_latency_sum_us",
        "drops",
        "ticks",
        "actors_fcfs",
        "actors_drr",
        "actors_host",
        "nic_busy_us",
        "cores_fcfs",
        "cores_drr",
    ];
}

/// One actor as the traffic source sees it.
#[derive(Clone, Debug)]
pub struct Target {
    /// Runtime id.
    pub id: ActorId,
    /// Kind (for request payloads).
    pub kind: ActorKind,
    /// Cumulative normalised weight.
    pub cumulative: f64,
    /// Reporting class index.
    pub class: usize,
}

/// Per-class results after warm-up.
#[derive(Clone, Default)]
pub struct ClassStats {
    /// Requests completed.
    pub completed: u64,
    /// Latency from creation to completion.
    pub latency: LatencyHistogram,
}

/// The NIC's per-packet forwarding cost ("execution tax") charged on the NIC
/// core before each network request: `(per_packet_ns + per_byte_ns * bytes)`
/// converted to cycles at the NIC clock.
#[derive(Clone, Copy, Debug)]
pub struct Tax {
    /// Fixed part, ns.
    pub per_packet_ns: f64,
    /// Per byte of request, ns.
    pub per_byte_ns: f64,
    /// NIC clock, GHz.
    pub freq_ghz: f64,
}

impl Tax {
    /// Cycles for a request of `bytes`.
    pub fn cycles(&self, bytes: u64) -> u64 {
        ((self.per_packet_ns + self.per_byte_ns * bytes as f64) * self.freq_ghz).round() as u64
    }
}
