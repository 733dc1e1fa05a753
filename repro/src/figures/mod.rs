//! The figure generators, one module per figure family, and the built-in profiles they read.
//!
//! Each generator reads the built-in profiles, so a changed profile changes
//! the figures, and takes its paper values from [`crate::Ctx::paper`].

pub mod echo;
pub mod fig6;
pub mod pcie;
pub mod policies;
pub mod table2;
pub mod table3;
pub mod table3_accel;
pub mod table3_tasks;
pub mod working_set;

use crate::error::ReproError;
use nic_models::{HostProfile, NicProfile};

/// Built-in NIC profile names in report order.
pub const NIC_NAMES: [&str; 4] = [
    "liquidio_cn2350",
    "liquidio_cn2360",
    "bluefield_1m332a",
    "stingray_ps225",
];

/// Built-in host profile used by the figures.
pub const HOST_NAME: &str = "host_e5_2620v4";

/// A built-in NIC profile (figure `id` names the error).
pub fn nic(id: &str, name: &str) -> Result<NicProfile, ReproError> {
    NicProfile::builtin(name)
        .ok_or_else(|| ReproError::generate(id, format!("built-in NIC profile {name} is missing")))
}

/// The built-in host profile.
pub fn host(id: &str) -> Result<HostProfile, ReproError> {
    HostProfile::builtin(HOST_NAME).ok_or_else(|| {
        ReproError::generate(id, format!("built-in host profile {HOST_NAME} is missing"))
    })
}
