//! The NIC's attachment to the host (`[host_link]` in a profile): PCIe link, how NIC cores reach host memory (DMA or RDMA verbs), and published DMA/RDMA figures.
//!
//! This is data for the PCIe/DMA/RDMA models in pcie-model and for the
//! platform adapters: the NIC models themselves do not time PCIe traffic.
//! Values and their sources are in the profiles.

use serde::Deserialize;

use crate::error::{positive, ModelError};

/// How NIC cores move data to and from host memory.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HostCommunication {
    /// DMA engines driven by the NIC cores (LiquidIO).
    Dma,
    /// One-sided RDMA verbs from the NIC cores (BlueField, Stingray).
    RdmaVerbs,
}

/// `[host_link]` section of a NIC profile.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HostLinkConfig {
    /// DMA or RDMA verbs.
    pub host_communication: HostCommunication,
    /// PCIe generation.
    pub pcie_generation: u8,
    /// PCIe lanes.
    pub pcie_lanes: u8,
    /// Theoretical link bandwidth, GB/s.
    pub pcie_gbytes_per_s: f64,
    /// Round-trip latency of a PCIe read, ns.
    pub pcie_round_trip_ns: f64,
    /// Published blocking DMA write throughput at 2 KB, GB/s (LiquidIO, Fig. 7).
    #[serde(default)]
    pub dma_blocking_write_gbytes_per_s_at_2kb: Option<f64>,
    /// Published blocking DMA read throughput at 2 KB, GB/s (LiquidIO, Fig. 8).
    #[serde(default)]
    pub dma_blocking_read_gbytes_per_s_at_2kb: Option<f64>,
    /// Published one-sided RDMA latency relative to LiquidIO's blocking DMA (BlueField, Fig. 9).
    #[serde(default)]
    pub rdma_latency_vs_blocking_dma: Option<f64>,
}

impl HostLinkConfig {
    /// Checks the values; errors name the key.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.pcie_lanes == 0 || self.pcie_generation == 0 {
            return Err(ModelError::InvalidConfig {
                key: "host_link.pcie_lanes / pcie_generation".into(),
                reason: "must be at least 1".into(),
            });
        }
        positive("host_link.pcie_gbytes_per_s", self.pcie_gbytes_per_s)?;
        positive("host_link.pcie_round_trip_ns", self.pcie_round_trip_ns)?;
        for (k, v) in [
            (
                "dma_blocking_write_gbytes_per_s_at_2kb",
                self.dma_blocking_write_gbytes_per_s_at_2kb,
            ),
            (
                "dma_blocking_read_gbytes_per_s_at_2kb",
                self.dma_blocking_read_gbytes_per_s_at_2kb,
            ),
            (
                "rdma_latency_vs_blocking_dma",
                self.rdma_latency_vs_blocking_dma,
            ),
        ] {
            if let Some(v) = v {
                positive(&format!("host_link.{k}"), v)?;
            }
        }
        Ok(())
    }

    /// Time to move `bytes` at the theoretical link bandwidth, ns (no latency, no TLP overhead).
    pub fn transfer_ns(&self, bytes: u64) -> f64 {
        bytes as f64 / self.pcie_gbytes_per_s
    }
}
