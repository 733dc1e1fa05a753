//! The host server profile (configs/nics/host_*.toml): sockets, cores, clock, memory hierarchy, software costs and messaging paths.
//!
//! The host is not a NIC (no forwarding, traffic manager or switch), so it has
//! its own profile type, loaded the same way as `NicProfile`: a built-in name
//! or a path to the user's own file.

use serde::Deserialize;
use std::path::Path;

use crate::accel::AccelConfig;
use crate::compute::ComputeConfig;
use crate::core_model::CoreModel;
use crate::memory::MemoryConfig;
use crate::messaging::MessagingConfig;
use crate::profile::{model_error, ProfileError};
use crate::profile_file::{Layered, LayeredProfile};
use crate::ranges;

/// A host server's hardware description.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HostProfile {
    /// The profile this one inherits from (merged in at load; `None` after).
    #[serde(default)]
    pub base: Option<String>,
    /// Short identifier, e.g. `host_e5_2620v4`. Not inherited.
    pub name: String,
    /// Human description.
    #[serde(default)]
    pub description: String,
    /// CPU sockets.
    pub sockets: u32,
    /// Cores per socket.
    pub cores_per_socket: u32,
    /// Core clock, GHz.
    pub core_freq_ghz: f64,
    /// Memory hierarchy.
    pub memory: MemoryConfig,
    /// Sustained IPC.
    pub compute: ComputeConfig,
    /// Software costs of accelerated functions (and engines, if any).
    #[serde(default)]
    pub accel: AccelConfig,
    /// Messaging paths (DPDK, RDMA).
    #[serde(default)]
    pub messaging: MessagingConfig,
}

const BUILTINS: &[(&str, &str)] = &[(
    "host_e5_2620v4",
    include_str!("../../configs/nics/host_e5_2620v4.toml"),
)];

/// Names of the built-in host profiles.
pub fn builtin_host_names() -> Vec<&'static str> {
    BUILTINS.iter().map(|(n, _)| *n).collect()
}

impl LayeredProfile for HostProfile {
    const BUILTINS: &'static [(&'static str, &'static str)] = BUILTINS;

    fn from_layers(layers: &Layered) -> Result<HostProfile, ProfileError> {
        let p: HostProfile = layers.deserialize()?;
        let origin = &layers.layers[0].origin;
        p.check_ranges()
            .and_then(|_| p.memory.validate())
            .and_then(|_| p.memory.validate_for_cores(p.cores()))
            .and_then(|_| p.compute.validate())
            .and_then(|_| p.accel.validate())
            .and_then(|_| p.messaging.validate())
            .map_err(|e| layers.locate(model_error(origin, e)))?;
        Ok(p)
    }
}

impl HostProfile {
    /// Total cores.
    pub fn cores(&self) -> u32 {
        self.sockets * self.cores_per_socket
    }

    /// Parses and validates a host profile from TOML text; `origin` names it in errors.
    /// A `base` path is relative to the current directory.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<HostProfile, ProfileError> {
        HostProfile::load_str(text, origin)
    }

    /// The ranges of the top-level values (see `ranges`).
    fn check_ranges(&self) -> Result<(), crate::error::ModelError> {
        let max = ranges::MAX_CORES;
        ranges::count("sockets", self.sockets.into(), 1, 64, "sockets")?;
        ranges::count(
            "cores_per_socket",
            self.cores_per_socket.into(),
            1,
            max,
            "cores",
        )?;
        ranges::count(
            "cores_per_socket",
            u64::from(self.cores()),
            1,
            max,
            "cores in all sockets",
        )?;
        ranges::number(
            "core_freq_ghz",
            self.core_freq_ghz,
            (0.0, ranges::MAX_FREQ_GHZ),
            true,
            "GHz",
        )
    }

    /// A built-in host profile by name.
    pub fn builtin(name: &str) -> Option<HostProfile> {
        HostProfile::load_builtin(name)
    }

    /// A built-in name, or else a path to a host profile file (relative to `base_dir`).
    pub fn resolve(name_or_path: &str, base_dir: &Path) -> Result<HostProfile, ProfileError> {
        HostProfile::load_resolved(name_or_path, base_dir)
    }

    /// The core cost model of this host (all sockets' cores; cores `8k..8k+7` share socket k's L3).
    pub fn core_model(&self) -> Result<CoreModel, crate::error::ModelError> {
        CoreModel::from_parts(
            self.cores() as usize,
            self.core_freq_ghz,
            &self.compute,
            &self.memory,
            &self.accel,
        )
    }
}
