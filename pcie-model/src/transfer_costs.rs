//! `TransferCosts`: the unloaded cost of one PCIe transfer by size and direction (what `PcieSystem::transfer_cost` answers), worked out once per size.
//!
//! Why: an actor's DMA (a transaction log write, a migration) is charged
//! what the same transfer costs on an idle copy of its NIC's PCIe model.
//! Working that out builds a fresh `PcieSystem` (links with hundreds of
//! credit units each) per transfer: 9.4% of the instructions of
//! `configs/cluster_dt.toml`, whose servers log every transaction. The cost
//! is a pure function of the profiles, the size and the direction, so a
//! memo of the sizes seen returns exactly what recomputing would, and a
//! node no longer keeps a whole `PcieSystem` clone (44 KiB of credit
//! timelines, `dhat` on the leaf-spine example) just to read its profiles.

use crate::profile::{PcieProfiles, ProfileError};
use crate::system::PcieSystem;
use sim_core::{SimDuration, SimTime};
use std::collections::BTreeMap;
use vocab::Direction;

/// Most distinct (size, direction) pairs a [`TransferCosts`] remembers:
/// past it, a new size is computed and not remembered (a run with more
/// distinct DMA sizes than this pays for the others each time, as before).
pub const MAX_REMEMBERED_SIZES: usize = 4_096;

/// What one blocking transfer of `bytes` in `dir` takes on an idle copy of
/// the model built from `profiles`: one DMA from core 0, or on an off-path
/// NIC one RDMA verb. `SimDuration::MAX` if the profiles are invalid.
pub fn unloaded_transfer_cost(profiles: &PcieProfiles, bytes: u64, dir: Direction) -> SimDuration {
    let Ok(mut fresh) = PcieSystem::new(profiles) else {
        return SimDuration::MAX;
    };
    let done = match (fresh.has_rdma(), dir) {
        (false, Direction::NicToHost) => fresh.blocking_write(SimTime::ZERO, 0, bytes),
        (false, Direction::HostToNic) => fresh.blocking_read(SimTime::ZERO, 0, bytes),
        (true, Direction::NicToHost) => fresh
            .rdma_write(SimTime::ZERO, 0, bytes)
            .map(|c| c.completed),
        (true, Direction::HostToNic) => fresh
            .rdma_read(SimTime::ZERO, 0, bytes)
            .map(|c| c.completed),
    };
    // A fresh system has empty queues, so neither call can be refused.
    done.map_or(SimDuration::MAX, |t| t.since_start())
}

/// [`unloaded_transfer_cost`] for one set of profiles, remembered per
/// (size, direction).
#[derive(Debug, Clone)]
pub struct TransferCosts {
    profiles: PcieProfiles,
    remembered: BTreeMap<(u64, Direction), SimDuration>,
}

impl TransferCosts {
    /// Costs on the model these profiles build (validated here).
    pub fn new(profiles: &PcieProfiles) -> Result<Self, ProfileError> {
        profiles.validate()?;
        Ok(Self::of_valid(profiles.clone()))
    }

    /// Costs on the model of profiles already validated (a built system's).
    pub(crate) fn of_valid(profiles: PcieProfiles) -> Self {
        TransferCosts {
            profiles,
            remembered: BTreeMap::new(),
        }
    }

    /// What moving `bytes` in `dir` takes on an idle link and idle engines.
    pub fn cost(&mut self, bytes: u64, dir: Direction) -> SimDuration {
        if let Some(&d) = self.remembered.get(&(bytes, dir)) {
            return d;
        }
        let d = unloaded_transfer_cost(&self.profiles, bytes, dir);
        if self.remembered.len() < MAX_REMEMBERED_SIZES {
            self.remembered.insert((bytes, dir), d);
        }
        d
    }

    /// How many sizes are remembered (at most [`MAX_REMEMBERED_SIZES`]).
    pub fn remembered(&self) -> usize {
        self.remembered.len()
    }
}
