//! NIC hardware profiles: the data file format under `configs/nics/`, loading, built-ins and validation.
//!
//! A profile is plain TOML with every key known (unknown keys are errors).
//! Scenarios name a built-in profile (`nic.profile = "liquidio_cn2350"`) or
//! give a path to a user's own file (`nic.profile = "my_nic.toml"`). A file
//! may inherit from another (`base = "liquidio_cn2350"`) and change only some
//! keys (`profile_file`). Every numeric value has a documented range
//! (`ranges`), checked at load.

use serde::Deserialize;
use std::path::Path;

use crate::accel::AccelConfig;
use crate::compute::ComputeConfig;
use crate::error::ModelError;
use crate::memory::MemoryConfig;
use crate::messaging::MessagingConfig;
pub use crate::profile_file::{line_col, ProfileError, MAX_BASE_DEPTH};
use crate::profile_file::{Layered, LayeredProfile};
use crate::ranges;
use crate::switch::SwitchConfig;

/// Whether the NIC cores sit on every packet's path.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum NicKind {
    /// Cores on every packet's path, with a hardware traffic manager (LiquidIO).
    OnPath,
    /// An embedded switch steers packets to NIC cores or the host (BlueField, Stingray).
    OffPath,
}

/// Per-packet forwarding cost on one NIC core: `per_packet_ns + per_byte_ns * size`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ForwardingProfile {
    /// Fixed core time per packet (receive, parse, rewrite, send), ns.
    pub per_packet_ns: f64,
    /// Core time per byte of packet (touching the payload in the packet buffer), ns/B.
    pub per_byte_ns: f64,
    /// NIC-wide ceiling of the packet engine (ingress parse and steering), Mpps; absent = none.
    #[serde(default)]
    pub packet_engine_mpps: Option<f64>,
    /// Packets the packet engine can buffer before the ingress FIFO drops.
    #[serde(default = "default_ingress_fifo")]
    pub ingress_fifo_packets: u32,
    /// Bytes of per-flow state the forwarding handler reads and updates for
    /// every packet, through the cache model at the flow's address (a flow
    /// table); 0 = none. Adds to `per_packet_ns` what the cache charges.
    #[serde(default)]
    pub flow_state_bytes: u32,
}

fn default_ingress_fifo() -> u32 {
    1024
}

/// The on-path traffic manager: a bounded shared queue feeding the cores.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TrafficManagerProfile {
    /// Bound of the shared queue in packets; arrivals beyond it are dropped and counted.
    pub queue_packets: u32,
    /// Time for a waiting (idle, polling) core to be handed a queued work
    /// entry, ns. A busy core prefetches its next entry asynchronously, so
    /// this adds latency at low load and never limits throughput. Default 0.
    #[serde(default)]
    pub get_work_ns: f64,
    /// Added to `get_work_ns` for every further core polling the queue at the
    /// same moment (arbitration among requesters), ns. Default 0.
    #[serde(default)]
    pub contention_ns: f64,
}

/// The Ethernet MAC and port.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MacProfile {
    /// Preamble + start delimiter + inter-frame gap, bytes per frame on the wire (IEEE 802.3: 8 + 12).
    #[serde(default = "default_wire_overhead")]
    pub wire_overhead_bytes: u32,
    /// Fixed MAC + PHY latency each way, ns.
    #[serde(default)]
    pub latency_ns: f64,
    /// Bound of the transmit queue in packets; overflow is a counted drop.
    #[serde(default = "default_tx_queue")]
    pub tx_queue_packets: u32,
    /// PCS block period, ns (10GBASE-R: 64b/66b blocks of 64 data bits,
    /// 6.4 ns): a frame's first bit waits for the next block boundary, so the
    /// PHY latency varies with the frame's phase by up to one block. Average
    /// rate is kept (deficit idle count), so only latency changes. 0 = none.
    #[serde(default)]
    pub pcs_block_ns: f64,
}

fn default_wire_overhead() -> u32 {
    20
}
fn default_tx_queue() -> u32 {
    4096
}

impl Default for MacProfile {
    fn default() -> Self {
        MacProfile {
            wire_overhead_bytes: default_wire_overhead(),
            latency_ns: 0.0,
            tx_queue_packets: default_tx_queue(),
            pcs_block_ns: 0.0,
        }
    }
}

/// A NIC's hardware description.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NicProfile {
    /// The profile this one inherits from (a built-in name or a path); its
    /// keys are already merged in, so this is `None` once loaded.
    #[serde(default)]
    pub base: Option<String>,
    /// Short identifier, e.g. `liquidio_cn2350`. Not inherited: every file names itself.
    pub name: String,
    /// Human description.
    #[serde(default)]
    pub description: String,
    /// On-path or off-path.
    pub kind: NicKind,
    /// Port speed, Gb/s.
    pub link_gbps: f64,
    /// Number of NIC cores.
    pub cores: u32,
    /// Core clock, GHz.
    pub core_freq_ghz: f64,
    /// Per-packet forwarding cost.
    pub forwarding: ForwardingProfile,
    /// Hardware traffic manager (on-path NICs; off-path NICs use it as the
    /// NIC-memory packet queue in front of the cores).
    pub traffic_manager: TrafficManagerProfile,
    /// MAC and port.
    #[serde(default)]
    pub mac: MacProfile,
    /// Memory hierarchy: caches, scratchpad, packet buffer, DRAM (`memory::hierarchy`).
    pub memory: MemoryConfig,
    /// Sustained IPC of the cores (`compute`).
    pub compute: ComputeConfig,
    /// Accelerator engines and software costs (`accel::engine`); default: none.
    #[serde(default)]
    pub accel: AccelConfig,
    /// Messaging paths (`messaging`); default: none.
    #[serde(default)]
    pub messaging: MessagingConfig,
    /// Embedded switch rules (off-path NICs only; `switch`). Absent on an
    /// off-path NIC means the default switch: everything to the host.
    #[serde(default)]
    pub switch: Option<SwitchConfig>,
    /// The attachment to the host, the profile's one PCIe description:
    /// the link (`[pcie]`, pcie-model's keys); absent: the defaults of the
    /// NIC's kind (see [`NicProfile::pcie_profiles`]).
    #[serde(default)]
    pub pcie: Option<pcie_model::PcieLinkProfile>,
    /// The DMA engines (`[dma]`); absent: the kind's defaults.
    #[serde(default)]
    pub dma: Option<pcie_model::DmaProfile>,
    /// One-sided RDMA verbs (`[rdma]`); absent: the kind's defaults.
    #[serde(default)]
    pub rdma: Option<pcie_model::RdmaProfile>,
}

/// Built-in profiles, compiled into the binary from `configs/nics/`.
const BUILTINS: &[(&str, &str)] = &[
    (
        "liquidio_cn2350",
        include_str!("../../configs/nics/liquidio_cn2350.toml"),
    ),
    (
        "liquidio_cn2360",
        include_str!("../../configs/nics/liquidio_cn2360.toml"),
    ),
    (
        "bluefield_1m332a",
        include_str!("../../configs/nics/bluefield_1m332a.toml"),
    ),
    (
        "stingray_ps225",
        include_str!("../../configs/nics/stingray_ps225.toml"),
    ),
];

/// Names of the built-in profiles.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTINS.iter().map(|(n, _)| *n).collect()
}

/// A model-section error as a profile error naming the file.
pub fn model_error(origin: &str, e: ModelError) -> ProfileError {
    match e {
        ModelError::InvalidConfig { key, reason } => ProfileError::Invalid {
            origin: origin.to_string(),
            line: None,
            key,
            problem: reason,
        },
        other => ProfileError::Invalid {
            origin: origin.to_string(),
            line: None,
            key: String::new(),
            problem: other.to_string(),
        },
    }
}

impl LayeredProfile for NicProfile {
    const BUILTINS: &'static [(&'static str, &'static str)] = BUILTINS;

    fn from_layers(layers: &Layered) -> Result<NicProfile, ProfileError> {
        let profile: NicProfile = layers.deserialize()?;
        profile
            .validate(&layers.layers[0].origin)
            .map_err(|e| layers.locate(e))?;
        Ok(profile)
    }
}

impl NicProfile {
    /// Parses and validates a profile from TOML text; `origin` names it in
    /// errors. A `base` path is relative to the current directory.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<NicProfile, ProfileError> {
        NicProfile::load_str(text, origin)
    }

    /// A built-in profile by name.
    pub fn builtin(name: &str) -> Option<NicProfile> {
        NicProfile::load_builtin(name)
    }

    /// A built-in name, or else a path to a profile file (relative to `base_dir`).
    /// A file's `base` path is relative to that file.
    pub fn resolve(name_or_path: &str, base_dir: &Path) -> Result<NicProfile, ProfileError> {
        NicProfile::load_resolved(name_or_path, base_dir)
    }

    /// The PCIe, DMA and RDMA models of this NIC's host attachment: the
    /// LiquidIO CN2350's DMA engines for on-path NICs, BlueField's DMA and
    /// RDMA verbs for off-path NICs (the two the paper measured, Figs. 7 to
    /// 10), each table replaced by the profile's own `[pcie]`, `[dma]` or
    /// `[rdma]` when it has one.
    pub fn pcie_profiles(&self) -> pcie_model::PcieProfiles {
        let mut p = match self.kind {
            NicKind::OnPath => pcie_model::PcieProfiles::liquidio_cn2350(),
            NicKind::OffPath => pcie_model::PcieProfiles::bluefield_1m332a(),
        };
        if let Some(link) = &self.pcie {
            p.pcie = link.clone();
        }
        if let Some(dma) = &self.dma {
            p.dma = dma.clone();
        }
        if let Some(rdma) = &self.rdma {
            p.rdma = Some(rdma.clone());
        }
        p
    }

    /// Checks every value against its documented range (`ranges`); errors
    /// name the key, the range and the value.
    pub fn validate(&self, origin: &str) -> Result<(), ProfileError> {
        if let Err(pcie_model::ProfileError::OutOfRange {
            table,
            key,
            value,
            reason,
        }) = self.pcie_profiles().validate()
        {
            return Err(ProfileError::Invalid {
                origin: origin.to_string(),
                line: None,
                key: format!("{table}.{key}"),
                problem: format!("{reason}, got {value}"),
            });
        }
        if self.kind == NicKind::OnPath && self.switch.is_some() {
            return Err(ProfileError::Invalid {
                origin: origin.to_string(),
                line: None,
                key: "switch".into(),
                problem: "on-path NICs have no embedded switch: remove [switch] or set kind = \"off-path\""
                    .into(),
            });
        }
        let sections = self
            .check_ranges()
            .and_then(|_| self.memory.validate())
            .and_then(|_| self.memory.validate_for_cores(self.cores))
            .and_then(|_| crate::memory::packet_ring::check_per_packet(self))
            .and_then(|_| self.compute.validate())
            .and_then(|_| self.accel.validate())
            .and_then(|_| self.messaging.validate())
            .and_then(|_| {
                crate::switch::EmbeddedSwitch::new(
                    self.switch.clone().unwrap_or_default(),
                    self.cores,
                )
                .map(|_| ())
            });
        sections.map_err(|e| model_error(origin, e))
    }

    /// The ranges of the top-level, `[forwarding]`, `[traffic_manager]` and `[mac]` values.
    fn check_ranges(&self) -> Result<(), ModelError> {
        use ranges::{cost_ns, count, number, per_byte_ns, queue};
        number(
            "link_gbps",
            self.link_gbps,
            (0.0, ranges::MAX_LINK_GBPS),
            true,
            "Gb/s (the port speed, e.g. 10, 25 or 100)",
        )?;
        count("cores", self.cores.into(), 1, ranges::MAX_CORES, "cores")?;
        number(
            "core_freq_ghz",
            self.core_freq_ghz,
            (0.0, ranges::MAX_FREQ_GHZ),
            true,
            "GHz",
        )?;
        let f = &self.forwarding;
        cost_ns("forwarding.per_packet_ns", f.per_packet_ns)?;
        per_byte_ns("forwarding.per_byte_ns", f.per_byte_ns)?;
        if let Some(p) = f.packet_engine_mpps {
            number(
                "forwarding.packet_engine_mpps",
                p,
                (0.0, ranges::MAX_MPPS),
                true,
                "Mpps (or remove the key for no ceiling)",
            )?;
        }
        queue(
            "forwarding.ingress_fifo_packets",
            f.ingress_fifo_packets.into(),
        )?;
        count(
            "forwarding.flow_state_bytes",
            f.flow_state_bytes.into(),
            0,
            4096,
            "bytes (0 = no per-flow state)",
        )?;
        queue(
            "traffic_manager.queue_packets",
            self.traffic_manager.queue_packets.into(),
        )?;
        cost_ns(
            "traffic_manager.get_work_ns",
            self.traffic_manager.get_work_ns,
        )?;
        cost_ns(
            "traffic_manager.contention_ns",
            self.traffic_manager.contention_ns,
        )?;
        queue("mac.tx_queue_packets", self.mac.tx_queue_packets.into())?;
        count(
            "mac.wire_overhead_bytes",
            self.mac.wire_overhead_bytes.into(),
            0,
            1024,
            "bytes",
        )?;
        cost_ns("mac.latency_ns", self.mac.latency_ns)?;
        cost_ns("mac.pcs_block_ns", self.mac.pcs_block_ns)
    }

    /// Line rate in packets per second for frames of `packet_size` bytes.
    pub fn line_rate_pps(&self, packet_size: u32) -> f64 {
        self.link_gbps * 1e9 / ((packet_size + self.mac.wire_overhead_bytes) as f64 * 8.0)
    }

    /// Line rate counted in frame bytes (without preamble and gap), Gb/s.
    pub fn line_rate_gbps(&self, packet_size: u32) -> f64 {
        self.line_rate_pps(packet_size) * packet_size as f64 * 8.0 / 1e9
    }
}

#[cfg(test)]
mod tests;
