//! The records of published values in the calibration file (Table 2 latencies, echo line-rate core counts, messaging, DMA and RDMA figures, the qualitative implications), as serde reads them.

use serde::Deserialize;
use std::collections::BTreeMap;

/// Table 2: pointer-chasing latency per memory level, ns.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct MemoryLatency {
    /// L1 hit.
    pub l1: f64,
    /// L2 hit.
    pub l2: f64,
    /// L3 hit (the host only).
    pub l3: Option<f64>,
    /// DRAM.
    pub dram: f64,
}

impl MemoryLatency {
    /// The published levels, in order, as (name, ns).
    pub fn levels(&self) -> Vec<(&'static str, f64)> {
        let mut v = vec![("l1", self.l1), ("l2", self.l2)];
        if let Some(l3) = self.l3 {
            v.push(("l3", l3));
        }
        v.push(("dram", self.dram));
        v
    }
}

/// Sec. 2.2.2 (Figs. 2 and 3): NIC cores an echo server needs for line rate.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EchoLineRate {
    /// Packet size (bytes, as a string key) to a core count or `"none"`.
    pub cores_needed: BTreeMap<String, CoresNeeded>,
}

/// A core count, or `"none"`: line rate is not reached with every core.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum CoresNeeded {
    /// Line rate first reached at this many cores.
    Cores(u32),
    /// The string `"none"`.
    Never(String),
}

/// Fig. 6: LiquidIO hardware-assisted send over the host's, averaged over 4 B to 1024 B.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MessagingSpeedup {
    /// Over the host's DPDK send.
    pub vs_dpdk_send: f64,
    /// Over the host's RDMA send.
    pub vs_rdma_send: f64,
}

/// Figs. 7 and 8: per-core DMA on LiquidIO CN2350.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DmaValues {
    /// 2 KB blocking write per core, GB/s.
    pub blocking_write_gbytes_per_s_at_2kb: f64,
    /// 2 KB blocking read per core, GB/s.
    pub blocking_read_gbytes_per_s_at_2kb: f64,
    /// Blocking write throughput, 2 KB over 64 B.
    pub blocking_write_speedup_2kb_over_64b: f64,
    /// Blocking read throughput, 2 KB over 64 B.
    pub blocking_read_speedup_2kb_over_64b: f64,
    /// Non-blocking latency, max over min across payloads (the paper: flat, 1.0).
    pub nonblocking_latency_max_over_min: f64,
}

/// Fig. 9: RDMA on BlueField against blocking DMA on LiquidIO.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RdmaValues {
    /// RDMA latency over blocking DMA latency.
    pub latency_vs_blocking_dma: f64,
}

/// The paper's qualitative implications that claims check (Sec. 2.2).
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Implications {
    /// I2: adding cores that pull from the hardware shared queue costs little latency.
    #[serde(default)]
    pub i2_shared_queue_overhead_small: bool,
    /// I6: non-blocking DMA is significantly better than blocking DMA.
    #[serde(default)]
    pub i6_nonblocking_dma_better: bool,
    /// Table 3: low IPC or high MPKI marks the costly tasks (rate limiter,
    /// packet scheduler, classifier).
    #[serde(default)]
    pub t3_costly_tasks_low_ipc_or_high_mpki: bool,
}
