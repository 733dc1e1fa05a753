//! `PcieSystem`: one NIC's link, DMA engines and (off-path NICs) RDMA engine behind the API the system assembly calls.
//!
//! Every method takes the current simulated time and returns instants; the
//! caller schedules its own events at them. Calls should come in
//! nondecreasing `now` order (as an event loop makes them): resources are
//! reserved first come, first served.

use sim_core::{SimDuration, SimTime};

use crate::dma::{DmaCommand, DmaCompletion, DmaEngines, DmaError, DmaKind, DmaStats};
use crate::link::{LinkStats, PcieLink, PostedWrite};
use crate::profile::{PcieProfiles, ProfileError};
use crate::rdma::{RdmaCompletion, RdmaEngine, RdmaStats, RdmaVerb};
use crate::transfer_costs::TransferCosts;
use vocab::Direction;

/// All counters of one NIC's host path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PcieStats {
    /// The link.
    pub link: LinkStats,
    /// The DMA engines.
    pub dma: DmaStats,
    /// The RDMA engine (zero on NICs without one).
    pub rdma: RdmaStats,
}

/// One NIC's connection to its host.
#[derive(Debug, Clone)]
pub struct PcieSystem {
    profiles: PcieProfiles,
    link: PcieLink,
    dma: DmaEngines,
    rdma: Option<RdmaEngine>,
}

impl PcieSystem {
    /// Builds an idle system after validating the profiles.
    pub fn new(profiles: &PcieProfiles) -> Result<Self, ProfileError> {
        profiles.validate()?;
        Ok(PcieSystem {
            link: PcieLink::new(profiles.pcie.clone()),
            dma: DmaEngines::new(profiles.dma.clone()),
            rdma: profiles.rdma.clone().map(RdmaEngine::new),
            profiles: profiles.clone(),
        })
    }

    /// The profiles this system was built from.
    pub fn profiles(&self) -> &PcieProfiles {
        &self.profiles
    }

    /// Whether RDMA verbs are available (off-path NICs).
    pub fn has_rdma(&self) -> bool {
        self.rdma.is_some()
    }

    /// Any DMA command (scatter-gather, with or without completion word).
    pub fn submit(
        &mut self,
        now: SimTime,
        core: usize,
        cmd: &DmaCommand,
    ) -> Result<DmaCompletion, DmaError> {
        self.advance(now);
        self.dma.submit(now, core, cmd, &mut self.link)
    }

    /// Blocking write of `bytes` to host memory: returns when the core sees
    /// the completion word (the core is busy until then).
    pub fn blocking_write(
        &mut self,
        now: SimTime,
        core: usize,
        bytes: u64,
    ) -> Result<SimTime, DmaError> {
        let cmd = DmaCommand::new(DmaKind::Write, bytes).with_completion_word();
        Ok(self.submit(now, core, &cmd)?.core_resume())
    }

    /// Blocking read of `bytes` from host memory into NIC memory.
    pub fn blocking_read(
        &mut self,
        now: SimTime,
        core: usize,
        bytes: u64,
    ) -> Result<SimTime, DmaError> {
        let cmd = DmaCommand::new(DmaKind::Read, bytes).with_completion_word();
        Ok(self.submit(now, core, &cmd)?.core_resume())
    }

    /// Non-blocking write: the core is free at `core_free`; the data is in
    /// host memory at `data_done` (when a NIC-to-host message arrives).
    pub fn nonblocking_write(
        &mut self,
        now: SimTime,
        core: usize,
        bytes: u64,
    ) -> Result<DmaCompletion, DmaError> {
        self.submit(now, core, &DmaCommand::new(DmaKind::Write, bytes))
    }

    /// Non-blocking read: the core is free at `core_free`; the data is in NIC
    /// memory at `data_done`.
    pub fn nonblocking_read(
        &mut self,
        now: SimTime,
        core: usize,
        bytes: u64,
    ) -> Result<DmaCompletion, DmaError> {
        self.submit(now, core, &DmaCommand::new(DmaKind::Read, bytes))
    }

    /// The NIC's packet hardware (not a core, not a DMA command) writes
    /// `bytes` into host memory: a packet that an off-path NIC's switch
    /// steers to the host, or an on-path NIC's output unit delivering to a
    /// host ring. Posted TLPs straight onto the link; `delivered` is when the
    /// host can see the data.
    #[inline]
    pub fn device_write_to_host(&mut self, now: SimTime, bytes: u64) -> PostedWrite {
        // a posted write uses its direction's wire and credits alone
        self.link.advance_lane(Direction::NicToHost, now);
        self.link.posted_write(Direction::NicToHost, now, bytes)
    }

    /// The host writes `bytes` into NIC memory (a host-to-NIC message pushed
    /// with posted writes, or a doorbell): posted TLPs on the downstream
    /// direction, sharing the wire with read completions.
    #[inline]
    pub fn host_write_to_nic(&mut self, now: SimTime, bytes: u64) -> PostedWrite {
        // a posted write uses its direction's wire and credits alone
        self.link.advance_lane(Direction::HostToNic, now);
        self.link.posted_write(Direction::HostToNic, now, bytes)
    }

    /// One-sided RDMA write from ARM memory to host memory.
    pub fn rdma_write(
        &mut self,
        now: SimTime,
        core: usize,
        bytes: u64,
    ) -> Result<RdmaCompletion, DmaError> {
        self.rdma(now, core, RdmaVerb::Write, bytes)
    }

    /// One-sided RDMA read from host memory to ARM memory.
    pub fn rdma_read(
        &mut self,
        now: SimTime,
        core: usize,
        bytes: u64,
    ) -> Result<RdmaCompletion, DmaError> {
        self.rdma(now, core, RdmaVerb::Read, bytes)
    }

    /// Any RDMA verb.
    pub fn rdma(
        &mut self,
        now: SimTime,
        core: usize,
        verb: RdmaVerb,
        bytes: u64,
    ) -> Result<RdmaCompletion, DmaError> {
        self.advance(now);
        let engine = self.rdma.as_mut().ok_or(DmaError::RdmaNotConfigured)?;
        engine.post(now, core, verb, bytes, &mut self.dma, &mut self.link)
    }

    /// Lets every timeline forget reservations that ended before `now`.
    /// Called by every operation; calls must come in nondecreasing `now`.
    fn advance(&mut self, now: SimTime) {
        self.link.advance(now);
        self.dma.advance(now);
        if let Some(r) = self.rdma.as_mut() {
            r.advance(now);
        }
    }

    /// Earliest instant at or after `now` at which `core` can issue a DMA
    /// command without it being dropped for a full queue.
    pub fn next_dma_issue_time(&mut self, core: usize, now: SimTime) -> SimTime {
        self.dma.next_issue_time(core, now)
    }

    /// Earliest instant at or after `now` at which `core` can post an RDMA
    /// verb without it being dropped (`now` if there is no RDMA engine).
    pub fn next_rdma_post_time(&mut self, core: usize, now: SimTime) -> SimTime {
        match self.rdma.as_mut() {
            Some(r) => r.next_post_time(core, now),
            None => now,
        }
    }

    /// Time to move `bytes` across an idle link and idle engines, as one
    /// blocking DMA from core 0 (on an off-path NIC, one RDMA verb): the cost
    /// of moving an actor's state during migration. Computed on a fresh copy
    /// of the model, so it neither depends on nor disturbs the current load.
    pub fn transfer_cost(&self, bytes: u64, dir: Direction) -> SimDuration {
        crate::transfer_costs::unloaded_transfer_cost(&self.profiles, bytes, dir)
    }

    /// [`Self::transfer_cost`] of this system's model, remembered per size
    /// (for a caller that charges many transfers: [`TransferCosts`]).
    pub fn transfer_costs(&self) -> TransferCosts {
        TransferCosts::of_valid(self.profiles.clone())
    }

    /// All counters so far.
    pub fn stats(&self) -> PcieStats {
        PcieStats {
            link: self.link.stats(),
            dma: self.dma.stats(),
            rdma: self.rdma.as_ref().map(|r| r.stats()).unwrap_or_default(),
        }
    }

    /// The link, for inspection.
    pub fn link(&self) -> &PcieLink {
        &self.link
    }
}
