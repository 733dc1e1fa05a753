//! Simulated time: re-exports `vocab::time` (`SimTime`, `SimDuration`, integer picoseconds) so sim-core's API is unchanged.

pub use vocab::time::{SimDuration, SimTime};
