//! Figure generators of the characterization results this crate owns: Table 2, Table 3's accelerator rows, Fig. 6 and the working-set sweep.
//!
//! Each generator returns a `Table` (for CSV and plots) and the paper's
//! `Claim`s set beside the simulated values. They read the built-in profiles,
//! so a changed profile changes the figures.

pub mod fig6;
pub mod table2;
pub mod table3_accel;
pub mod working_set;

pub use fig6::fig6;
pub use table2::table2;
pub use table3_accel::table3_accel;
pub use working_set::working_set;

use crate::host::HostProfile;
use crate::profile::NicProfile;
use sim_core::{Claim, Table};

/// A figure generator.
pub type Generator = fn() -> (Table, Vec<Claim>);

/// Every generator of this module with its repro id.
pub const GENERATORS: [(&str, Generator); 4] = [
    ("table2", table2),
    ("table3_accel", table3_accel),
    ("fig6", fig6),
    ("working_set", working_set),
];

/// Built-in NIC profile names in report order.
pub const NIC_NAMES: [&str; 4] = [
    "liquidio_cn2350",
    "liquidio_cn2360",
    "bluefield_1m332a",
    "stingray_ps225",
];

/// Built-in host profile used by the figures.
pub const HOST_NAME: &str = "host_e5_2620v4";

/// A built-in NIC profile; built-ins are checked by tests, so absence is a build bug.
pub(crate) fn nic(name: &str) -> NicProfile {
    NicProfile::builtin(name).unwrap_or_else(|| panic!("built-in NIC profile {name} must parse"))
}

/// The built-in host profile.
pub(crate) fn host() -> HostProfile {
    HostProfile::builtin(HOST_NAME)
        .unwrap_or_else(|| panic!("built-in host profile {HOST_NAME} must parse"))
}
