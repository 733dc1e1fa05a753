//! `[dma]` and `[rdma]` tables: the NIC's DMA engines and its RDMA verbs, with cited defaults and validation.
//!
//! Derivations of the defaults are in `CALIBRATION.md`.

use serde::{Deserialize, Serialize};

use crate::profile::{check_non_negative_f64, check_positive_f64, check_range_u64, ProfileError};

/// The NIC's DMA engines (`[dma]`). Defaults: LiquidIO CN2350, calibrated on
/// the paper's Figs. 7 and 8 (derivations in CALIBRATION.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DmaProfile {
    /// DMA engines, each with its own command queue; core `c` issues to
    /// engine `c % engines`. Default 8 (assumed: the paper does not give the
    /// count; 8 engines x 2.1 GB/s exceed the link, so 12 cores can fill it).
    pub engines: u32,
    /// Commands each engine's queue holds before an issue is refused (counted
    /// drop). Default 64 (assumed).
    pub queue_depth: u32,
    /// Core time to enqueue one DMA instruction word: the whole latency of a
    /// non-blocking operation (calibration: "non-blocking operations only
    /// enqueue a DMA instruction word"). Default 60 ns (assumed: a few stores
    /// and a doorbell CSR write on a 1.2 GHz cnMIPS core).
    pub issue_ns: f64,
    /// Engine time to fetch and decode one command. Default 240 ns, derived
    /// from the 2 KB / 64 B write ratio of 8.7x (CALIBRATION.md).
    pub command_overhead_ns: f64,
    /// Extra engine time per scatter-gather segment beyond the first.
    /// Default 20 ns (assumed: one pointer fetch from L2).
    pub segment_overhead_ns: f64,
    /// Rate at which an engine moves payload between NIC memory and the
    /// link. Default 2.8 GB/s, derived from 2.1 GB/s at 2 KB (CALIBRATION.md).
    pub datapath_gbytes_per_s: f64,
    /// Bytes an engine gathers from NIC memory into its staging buffer before
    /// handing them to the link as back-to-back TLPs. Default 1024 (assumed:
    /// eight LiquidIO 128 B cache lines).
    pub burst_bytes: u32,
    /// Read requests (of up to max_read_request_bytes) one engine keeps in
    /// flight: its completion-buffer slots. Default 3, fitted with
    /// `[pcie] one_way_latency_ns` and `host_read_parallelism` to Fig. 8's
    /// 2 KB read rate of 1.4 GB/s (model 1.52) and 2 KB / 64 B read ratio of
    /// 6.0 (model 6.34) on the pipelined loop (CALIBRATION.md).
    pub read_slots_per_engine: u32,
    /// Writing the completion word into NIC memory where the polling core
    /// sees it. Default 55.8 ns (Table 2, LiquidIO L2 latency).
    pub completion_word_ns: f64,
}

impl Default for DmaProfile {
    fn default() -> Self {
        DmaProfile {
            engines: 8,
            queue_depth: 64,
            issue_ns: 60.0,
            command_overhead_ns: 240.0,
            segment_overhead_ns: 20.0,
            datapath_gbytes_per_s: 2.8,
            burst_bytes: 1024,
            read_slots_per_engine: 3,
            completion_word_ns: 55.8,
        }
    }
}

impl DmaProfile {
    /// Checks every key; the error names the first bad one.
    pub fn validate(&self) -> Result<(), ProfileError> {
        const T: &str = "dma";
        check_range_u64(T, "engines", self.engines.into(), 1, 256, "must be 1..=256")?;
        check_range_u64(
            T,
            "queue_depth",
            self.queue_depth.into(),
            1,
            1 << 20,
            "must be 1..=1048576",
        )?;
        check_non_negative_f64(T, "issue_ns", self.issue_ns)?;
        check_non_negative_f64(T, "command_overhead_ns", self.command_overhead_ns)?;
        check_non_negative_f64(T, "segment_overhead_ns", self.segment_overhead_ns)?;
        check_positive_f64(T, "datapath_gbytes_per_s", self.datapath_gbytes_per_s)?;
        check_range_u64(
            T,
            "read_slots_per_engine",
            self.read_slots_per_engine.into(),
            1,
            1024,
            "must be 1..=1024",
        )?;
        check_non_negative_f64(T, "completion_word_ns", self.completion_word_ns)?;
        Ok(())
    }
}

/// One-sided RDMA verbs from the cores of an off-path NIC to host memory
/// (`[rdma]`). Defaults: BlueField 1M332A (calibration `[rdma.bluefield_1m332a]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RdmaProfile {
    /// Core time in the verbs library per operation: build the work-queue
    /// entry, copy it into the doorbell page and ring the doorbell (store
    /// barrier). Default 575 ns, fitted: the one free fixed cost of a verb,
    /// solved so that the 64 B RDMA latency is twice the 64 B blocking DMA
    /// latency (calibration `latency_vs_blocking_dma = 2.0`, CALIBRATION.md)
    /// once the doorbell crossing (`[pcie] one_way_latency_ns`), the CQE write
    /// and the poll below are paid.
    pub post_overhead_ns: f64,
    /// NIC time to decode a work-queue entry once the doorbell has crossed
    /// the link. Default 0 (assumption: the WQE travels inside the doorbell
    /// write, as mlx5's BlueFlame does, so the NIC fetches nothing; the
    /// crossing itself is `[pcie] one_way_latency_ns`).
    pub wqe_fetch_ns: f64,
    /// Writing the completion-queue entry to ARM memory. Default 132 ns
    /// (Table 2, BlueField DRAM latency).
    pub cqe_write_ns: f64,
    /// Core time to poll the completion queue and consume the entry. Default
    /// 192 ns = one read of the CQE line the NIC just wrote, a miss to DRAM
    /// (Table 2, BlueField DRAM 132 ns), plus 60 ns of ibv_poll_cq
    /// bookkeeping (assumption, the host profile's `poll_cq_processing`).
    pub poll_overhead_ns: f64,
    /// Rate of the extra copy between ARM memory and the NIC datapath that an
    /// off-path NIC makes for every payload. Default 2.8 GB/s: the same
    /// datapath rate as `[dma] datapath_gbytes_per_s` (CALIBRATION.md).
    pub nic_memory_gbytes_per_s: f64,
    /// Work requests one send queue holds; posting to a full queue is a
    /// counted refusal. Default 128 (assumed).
    pub send_queue_depth: u32,
}

impl Default for RdmaProfile {
    fn default() -> Self {
        RdmaProfile {
            post_overhead_ns: 575.0,
            wqe_fetch_ns: 0.0,
            cqe_write_ns: 132.0,
            poll_overhead_ns: 192.0,
            nic_memory_gbytes_per_s: 2.8,
            send_queue_depth: 128,
        }
    }
}

impl RdmaProfile {
    /// Checks every key; the error names the first bad one.
    pub fn validate(&self) -> Result<(), ProfileError> {
        const T: &str = "rdma";
        check_non_negative_f64(T, "post_overhead_ns", self.post_overhead_ns)?;
        check_non_negative_f64(T, "wqe_fetch_ns", self.wqe_fetch_ns)?;
        check_non_negative_f64(T, "cqe_write_ns", self.cqe_write_ns)?;
        check_non_negative_f64(T, "poll_overhead_ns", self.poll_overhead_ns)?;
        check_positive_f64(T, "nic_memory_gbytes_per_s", self.nic_memory_gbytes_per_s)?;
        check_range_u64(
            T,
            "send_queue_depth",
            self.send_queue_depth.into(),
            1,
            1 << 20,
            "must be 1..=1048576",
        )?;
        Ok(())
    }
}
