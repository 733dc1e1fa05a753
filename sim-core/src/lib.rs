//! sim-core: simulated time, the event queue, the engine loop, seeded random streams and statistics.
//!
//! This crate knows nothing of NICs, packets or PCIe: it is the substrate the
//! model crates and the `nicsim` binary build on.

pub mod claim;
pub mod table;
pub mod time;

pub use claim::Claim;
pub use table::Table;
pub use time::{SimDuration, SimTime};
