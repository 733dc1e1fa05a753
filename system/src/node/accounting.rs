//! What a node counts: where every frame and request is, drops by place, per-class latency, and the time-series columns.

use sim_core::LatencyHistogram;

/// Time-series columns of a node (sums per window).
pub mod col {
    /// Frames the source created for this node.
    pub const OFFERED: usize = 0;
    /// Their wire bytes.
    pub const OFFERED_BYTES: usize = 1;
    /// Frames whose last bit left the node's transmit MAC (this column and
    /// the next two: echo workload only, see `Node::count_delivery`).
    pub const DELIVERED_PKTS: usize = 2;
    /// Their wire bytes.
    pub const DELIVERED_BYTES: usize = 3;
    /// Sum of their latencies (request creation to last bit out), us.
    pub const LATENCY_SUM_US: usize = 4;
    /// Requests from the wire whose handler ended.
    pub const COMPLETED: usize = 5;
    /// Sum of their latencies (creation to handler end), us.
    pub const REQ_LATENCY_SUM_US: usize = 6;
    /// Completed on NIC cores.
    pub const NIC_COMPLETED: usize = 7;
    /// Their latency sum, us.
    pub const NIC_LATENCY_SUM_US: usize = 8;
    /// Completed on host cores.
    pub const HOST_COMPLETED: usize = 9;
    /// Their latency sum, us.
    pub const HOST_LATENCY_SUM_US: usize = 10;
    /// Drops of every reason.
    pub const DROPS: usize = 11;
    /// Policy ticks in the window (to average the placement samples).
    pub const TICKS: usize = 12;
    /// Actors in the NIC FCFS group, summed over ticks.
    pub const ACTORS_FCFS: usize = 13;
    /// Actors in the NIC DRR group, summed over ticks.
    pub const ACTORS_DRR: usize = 14;
    /// Actors on the host, summed over ticks.
    pub const ACTORS_HOST: usize = 15;
    /// NIC core busy time, us.
    pub const NIC_BUSY_US: usize = 16;
    /// NIC cores in the FCFS group, summed over ticks.
    pub const CORES_FCFS: usize = 17;
    /// NIC cores in the DRR group, summed over ticks.
    pub const CORES_DRR: usize = 18;
    /// Names, in order.
    pub const NAMES: [&str; 19] = [
        "offered",
        "offered_bytes",
        "delivered_pkts",
        "delivered_bytes",
        "latency_sum_us",
        "completed",
        "req_latency_sum_us",
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

/// What a run conserves, place by place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conserve {
    /// Frames (the echo workload): every frame from the source is echoed
    /// (its reply's last bit left), steered to the host, dropped, or inside.
    Frames,
    /// Messages to actors (actor workloads): every request from the wire and
    /// every message an actor sends another is served (its handler ran and
    /// returned), steered to the host by the switch, dropped, or inside.
    Messages,
}

/// The node's own counts (the runtime keeps its drop reasons and queue
/// depths in `RuntimeCounters`); each place is counted on its own, so a
/// conservation check sums independent counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accounting {
    /// Frames the source created.
    pub frames: u64,
    /// Messages actors sent to other actors.
    pub internal: u64,
    /// Messages the node's timer service delivered (`node::timer`).
    pub timer: u64,
    /// Dropped at the source's transmit backlog (offered above the wire's rate).
    pub drops_source: u64,
    /// Dropped by an embedded-switch rule.
    pub drops_switch: u64,
    /// Refused because their PCIe direction held `PCIE_QUEUE_MESSAGES` already.
    pub drops_pcie: u64,
    /// Dropped at the packet engine's ingress FIFO.
    pub drops_ingress: u64,
    /// Frames the forwarding path's traffic manager refused (queue full; the
    /// runtime counts its own FCFS queue drops).
    pub drops_tm: u64,
    /// Reply frames dropped at the full transmit queue.
    pub drops_tx: u64,
    /// Steered to the host by the embedded switch and landed in host memory.
    pub steered_host: u64,
    /// Messages whose handler ran and returned (Ok or an actor error).
    pub served: u64,
    /// Of those, requests from the wire (for latency and throughput).
    pub completed: u64,
    /// Frames whose last bit left the transmit MAC.
    pub delivered: u64,
    /// Messages actors sent to the host application (outside the actor world).
    pub egress_host: u64,
    /// Messages on PCIe now, NIC to host.
    pub in_pcie_to_host: u64,
    /// Messages on PCIe now, host to NIC.
    pub in_pcie_to_nic: u64,
    /// Messages that crossed PCIe to host actors and landed in host memory.
    pub to_host_actors: u64,
    /// Frames on their way to the runtime (arrival event pending).
    pub in_flight_arriving: u64,
    /// Most frames or messages inside the node at once (after every event).
    pub peak_in_flight: u64,
}

impl Accounting {
    /// Messages on PCIe in either direction.
    pub fn in_pcie(&self) -> u64 {
        self.in_pcie_to_host + self.in_pcie_to_nic
    }
}

/// Per-class results after warm-up.
#[derive(Clone, Default)]
pub struct ClassStats {
    /// Requests completed after warm-up (whenever they were created).
    pub completed: u64,
    /// Latency from creation to completion of requests created after warm-up.
    pub latency: LatencyHistogram,
}
