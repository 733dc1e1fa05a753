//! The `[pcie]` link profile, the bundle of `[pcie]`/`[dma]`/`[rdma]` tables, and typed validation errors naming the key.
//!
//! Every default below is either a figure from the iPipe paper (via
//! `configs/calibration/ipipe-sigcomm19.toml`), a value from the PCIe base
//! specification, or a derived/assumed value whose derivation is written next
//! to it. `CALIBRATION.md` in this crate walks through the derivations.

use serde::{Deserialize, Serialize};
use sim_core::SimDuration;
use thiserror::Error;

pub use crate::engine_profile::{DmaProfile, RdmaProfile};

/// A profile value that fails validation, naming the table and key.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ProfileError {
    /// A value is outside its accepted range.
    #[error("[{table}] {key} = {value}: {reason}")]
    OutOfRange {
        /// Table name, e.g. `pcie`.
        table: &'static str,
        /// Key name, e.g. `max_payload_bytes`.
        key: &'static str,
        /// The offending value, formatted.
        value: String,
        /// What is accepted, e.g. "must be a power of two in 128..=4096".
        reason: &'static str,
    },
}

pub(crate) fn out_of_range(
    table: &'static str,
    key: &'static str,
    value: impl ToString,
    reason: &'static str,
) -> ProfileError {
    ProfileError::OutOfRange {
        table,
        key,
        value: value.to_string(),
        reason,
    }
}

/// Upper bound of every rate (GT/s, GB/s): far above any PCIe or DMA engine, finite.
pub const MAX_RATE: f64 = 1e6;
/// Upper bound of every latency or cost, ns (one second).
pub const MAX_NS: f64 = 1e9;

pub(crate) fn check_positive_f64(
    table: &'static str,
    key: &'static str,
    v: f64,
) -> Result<(), ProfileError> {
    if v.is_finite() && v > 0.0 && v <= MAX_RATE {
        Ok(())
    } else {
        Err(out_of_range(table, key, v, "must be a number in (0, 1e6]"))
    }
}

pub(crate) fn check_non_negative_f64(
    table: &'static str,
    key: &'static str,
    v: f64,
) -> Result<(), ProfileError> {
    if (0.0..=MAX_NS).contains(&v) {
        Ok(())
    } else {
        Err(out_of_range(
            table,
            key,
            v,
            "must be a number of ns in [0, 1e9] (one second)",
        ))
    }
}

pub(crate) fn check_range_u64(
    table: &'static str,
    key: &'static str,
    v: u64,
    lo: u64,
    hi: u64,
    reason: &'static str,
) -> Result<(), ProfileError> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(out_of_range(table, key, v, reason))
    }
}

/// The PCIe link between a NIC and its host (`[pcie]`). Defaults: Gen3 x8 as
/// on every NIC of the paper's testbed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PcieLinkProfile {
    /// Lanes. Default 8 (paper section 2.2.5: "PCIe Gen3 x8").
    pub lanes: u32,
    /// Per-lane transfer rate, GT/s. Default 8.0 (PCIe 3.0 base spec).
    pub transfer_rate_gt_per_s: f64,
    /// Line-code data bits per block. Default 128 (Gen3 128b/130b).
    pub encoding_data_bits: u32,
    /// Line-code bits on the wire per block. Default 130 (Gen3 128b/130b).
    /// Raw rate = 8 GT/s x 8 lanes x 128/130 / 8 = 7.877 GB/s per direction,
    /// the paper's "7.87 GB/s" (calibration `[pcie] theoretical_gbytes_per_s`).
    pub encoding_line_bits: u32,
    /// Bytes each TLP adds on the wire beyond its payload. Default 24 =
    /// 4-DW header with 64-bit address (16 B) + sequence number (2 B) + LCRC
    /// (4 B) + framing (2 B). A 3-DW header gives 20 B and ECRC adds 4 B, which
    /// spans the paper's 20..28 B (calibration `tlp_overhead_bytes_range`).
    pub tlp_overhead_bytes: u32,
    /// Maximum payload size of a write or completion TLP. Default 256 B, the
    /// MPS that Xeon E5 v4 root ports support (PCIe spec allows 128..4096).
    pub max_payload_bytes: u32,
    /// Maximum read request size. Default 512 B (the PCIe default MRRS).
    pub max_read_request_bytes: u32,
    /// Size of the completion TLPs the host returns for a read. Default 64 B:
    /// the host root complex answers per cache line (read completion boundary
    /// 64 B, host cache line 64 B in Table 2).
    pub read_completion_bytes: u32,
    /// One-way latency of a TLP from the end of its transmission to its
    /// delivery at the far side (PHY, switch/root complex, ordering logic).
    /// This is the one PCIe latency of the model: DMA, RDMA doorbells, the
    /// node's NIC<->host messages and the host messaging paths' crossings
    /// (`pcie_one_way_crossings`) all use it. Default 350 ns: a 700 ns round
    /// trip, inside the paper's 500..2000 ns read as DMA round-trip latency
    /// (calibration `latency_ns_range`). Fitted in CALIBRATION.md: Fig. 8's
    /// read ratio (with `host_read_parallelism = 2`) asks for >= ~340 ns and
    /// Fig. 6's host sends (three crossings each) allow <= ~360 ns.
    pub one_way_latency_ns: f64,
    /// Outstanding non-posted requests the NIC may have (PCIe tags). Default
    /// 32: the 5-bit Tag field without Extended Tag (PCIe base spec).
    pub read_tags: u32,
    /// Posted-request header credits advertised by the host root port.
    /// Default 64 (assumed; enough not to limit Gen3 x8 writes, see docs).
    pub posted_header_credits: u32,
    /// Posted-request data credits (16 B each) advertised by the host root
    /// port. Default 512 (8 KB of buffer; assumed, see docs).
    pub posted_data_credits: u32,
    /// Non-posted (read request) header credits advertised by the host.
    /// Default 32 (assumed; equal to the tag count).
    pub nonposted_header_credits: u32,
    /// From the end of a TLP's transmission until its credits are back at the
    /// sender (receiver drains the buffer, sends UpdateFC). Default 250 ns
    /// (assumed: one host DRAM write of 62.2 ns plus DLLP scheduling).
    pub credit_return_ns: f64,
    /// Host DRAM latency per cache line served to a read. Default 62.2 ns
    /// (Table 2, host E5-2620 v4 DRAM).
    pub host_dram_ns: f64,
    /// Host cache line. Default 64 B (Table 2).
    pub host_cache_line_bytes: u32,
    /// Cache lines of one read request the host fetches concurrently. Default
    /// 2, fitted with the one-way latency to Fig. 8's read pair (a request is
    /// walked two lines at a time; this is what makes the read curve flatter
    /// than the write curve; see CALIBRATION.md).
    pub host_read_parallelism: u32,
}

impl Default for PcieLinkProfile {
    fn default() -> Self {
        PcieLinkProfile {
            lanes: 8,
            transfer_rate_gt_per_s: 8.0,
            encoding_data_bits: 128,
            encoding_line_bits: 130,
            tlp_overhead_bytes: 24,
            max_payload_bytes: 256,
            max_read_request_bytes: 512,
            read_completion_bytes: 64,
            one_way_latency_ns: 350.0,
            read_tags: 32,
            posted_header_credits: 64,
            posted_data_credits: 512,
            nonposted_header_credits: 32,
            credit_return_ns: 250.0,
            host_dram_ns: 62.2,
            host_cache_line_bytes: 64,
            host_read_parallelism: 2,
        }
    }
}

impl PcieLinkProfile {
    /// Raw bandwidth per direction after line coding, GB/s (1e9 B/s).
    pub fn raw_gbytes_per_s(&self) -> f64 {
        self.transfer_rate_gt_per_s * f64::from(self.lanes) * f64::from(self.encoding_data_bits)
            / f64::from(self.encoding_line_bits)
            / 8.0
    }

    /// Payload bandwidth of a stream of full-MPS write TLPs, GB/s: the most a
    /// NIC can write to the host once TLP overhead is paid.
    pub fn effective_write_gbytes_per_s(&self) -> f64 {
        let mps = f64::from(self.max_payload_bytes);
        self.raw_gbytes_per_s() * mps / (mps + f64::from(self.tlp_overhead_bytes))
    }

    /// Payload bandwidth of read completions, GB/s (completions carry
    /// `read_completion_bytes` each, capped by MPS).
    pub fn effective_read_gbytes_per_s(&self) -> f64 {
        let c = f64::from(self.read_completion_bytes.min(self.max_payload_bytes));
        self.raw_gbytes_per_s() * c / (c + f64::from(self.tlp_overhead_bytes))
    }

    /// Wire time of `bytes` on one direction of the link.
    pub fn wire_time(&self, bytes: u64) -> SimDuration {
        SimDuration::for_bytes_at_gbps(bytes, self.raw_gbytes_per_s() * 8.0)
    }

    /// Checks every key; the error names the first bad one.
    pub fn validate(&self) -> Result<(), ProfileError> {
        const T: &str = "pcie";
        let pow2 = |v: u32| v.is_power_of_two();
        check_range_u64(T, "lanes", self.lanes.into(), 1, 32, "must be 1..=32")?;
        if !pow2(self.lanes) {
            return Err(out_of_range(
                T,
                "lanes",
                self.lanes,
                "must be 1, 2, 4, 8, 16 or 32",
            ));
        }
        check_positive_f64(T, "transfer_rate_gt_per_s", self.transfer_rate_gt_per_s)?;
        check_range_u64(
            T,
            "encoding_data_bits",
            self.encoding_data_bits.into(),
            1,
            1024,
            "must be 1..=1024",
        )?;
        if self.encoding_line_bits < self.encoding_data_bits {
            return Err(out_of_range(
                T,
                "encoding_line_bits",
                self.encoding_line_bits,
                "must be >= encoding_data_bits (e.g. 130 for 128b/130b)",
            ));
        }
        check_range_u64(
            T,
            "tlp_overhead_bytes",
            self.tlp_overhead_bytes.into(),
            12,
            64,
            "must be 12..=64 (paper: 20..28)",
        )?;
        if !pow2(self.max_payload_bytes) || !(128..=4096).contains(&self.max_payload_bytes) {
            return Err(out_of_range(
                T,
                "max_payload_bytes",
                self.max_payload_bytes,
                "must be a power of two in 128..=4096",
            ));
        }
        if !pow2(self.max_read_request_bytes)
            || !(128..=4096).contains(&self.max_read_request_bytes)
        {
            return Err(out_of_range(
                T,
                "max_read_request_bytes",
                self.max_read_request_bytes,
                "must be a power of two in 128..=4096",
            ));
        }
        if !pow2(self.read_completion_bytes) || !(32..=4096).contains(&self.read_completion_bytes) {
            return Err(out_of_range(
                T,
                "read_completion_bytes",
                self.read_completion_bytes,
                "must be a power of two in 32..=4096",
            ));
        }
        check_non_negative_f64(T, "one_way_latency_ns", self.one_way_latency_ns)?;
        check_range_u64(
            T,
            "read_tags",
            self.read_tags.into(),
            1,
            2048,
            "must be 1..=2048",
        )?;
        check_range_u64(
            T,
            "posted_header_credits",
            self.posted_header_credits.into(),
            1,
            4096,
            "must be 1..=4096",
        )?;
        let min_data = u64::from(self.max_payload_bytes.div_ceil(16));
        check_range_u64(
            T,
            "posted_data_credits",
            self.posted_data_credits.into(),
            min_data,
            1 << 16,
            "must hold at least one max-payload TLP (max_payload_bytes / 16) and be <= 65536",
        )?;
        check_range_u64(
            T,
            "nonposted_header_credits",
            self.nonposted_header_credits.into(),
            1,
            4096,
            "must be 1..=4096",
        )?;
        check_non_negative_f64(T, "credit_return_ns", self.credit_return_ns)?;
        check_non_negative_f64(T, "host_dram_ns", self.host_dram_ns)?;
        if !pow2(self.host_cache_line_bytes) || !(16..=1024).contains(&self.host_cache_line_bytes) {
            return Err(out_of_range(
                T,
                "host_cache_line_bytes",
                self.host_cache_line_bytes,
                "must be a power of two in 16..=1024",
            ));
        }
        check_range_u64(
            T,
            "host_read_parallelism",
            self.host_read_parallelism.into(),
            1,
            64,
            "must be 1..=64",
        )?;
        Ok(())
    }
}

/// The three tables together, as a NIC profile embeds them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PcieProfiles {
    /// `[pcie]`
    #[serde(default)]
    pub pcie: PcieLinkProfile,
    /// `[dma]`
    #[serde(default)]
    pub dma: DmaProfile,
    /// `[rdma]`: absent on on-path NICs, which have no RDMA path to the host.
    #[serde(default)]
    pub rdma: Option<RdmaProfile>,
}

impl PcieProfiles {
    /// LiquidIO CN2350: Gen3 x8, DMA engines, no RDMA.
    pub fn liquidio_cn2350() -> Self {
        PcieProfiles {
            pcie: PcieLinkProfile::default(),
            dma: DmaProfile::default(),
            rdma: None,
        }
    }

    /// BlueField 1M332A: the same Gen3 x8 link and engine defaults (the paper
    /// gives no separate engine data), plus RDMA verbs.
    pub fn bluefield_1m332a() -> Self {
        PcieProfiles {
            pcie: PcieLinkProfile::default(),
            dma: DmaProfile::default(),
            rdma: Some(RdmaProfile::default()),
        }
    }

    /// Validates all present tables.
    pub fn validate(&self) -> Result<(), ProfileError> {
        self.pcie.validate()?;
        self.dma.validate()?;
        if let Some(r) = &self.rdma {
            r.validate()?;
        }
        Ok(())
    }
}

/// Converts a validated, non-negative nanosecond value.
pub(crate) fn ns(v: f64) -> SimDuration {
    SimDuration::from_ns_f64(v)
}

/// Time to move `bytes` at `gbytes_per_s` (GB/s).
pub(crate) fn at_gbytes(bytes: u64, gbytes_per_s: f64) -> SimDuration {
    SimDuration::for_bytes_at_gbps(bytes, gbytes_per_s * 8.0)
}
