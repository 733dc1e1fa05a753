//! `SimPlatform`: the simulator's `scheduler::Platform` for one core, charging time from nic-models' `CoreModel`.
//!
//! Every charge advances the core's clock (`sim_core::SimTime`, picoseconds,
//! so many small charges lose no rounding): `charge_cycles` through the
//! model's clock, `mem_access` through its cache hierarchy, `accel` through
//! its engines (queueing included), `dma` at a simple documented cost. `send`
//! collects outgoing messages in a bounded outbox for the driver; overflow is
//! a counted drop. The driver brackets each handler with `begin_exec` /
//! `end_exec`, which gives the watchdog its `charged_in_exec` and the driver
//! the service time.
//!
//! The platform either owns the `CoreModel` (one core alone, as in Table 3)
//! or borrows it (`SimPlatform<&mut CoreModel>`), so a multicore driver can
//! run several cores over one model whose L2 they share.
//!
//! The runtime sees the same `SimTime`/`SimDuration` types as the engine (from
//! `vocab`), so nothing is converted. The times it is shown are still whole
//! nanoseconds (`now` and `charged_in_exec` rounded down, `dma` rounded up, as
//! when the runtime kept its own nanosecond type): that keeps every output
//! byte-identical across the change of type. The core's own clock stays exact.

use nic_models::{CoreModel, ModelError};
use pcie_model::{PcieProfiles, PcieSystem};
use scheduler::{AccelKind, Direction, Endpoint, MemAccess, Message, Platform, Side};
use sim_core::{SimDuration, SimTime};
use std::borrow::BorrowMut;
use std::mem::ManuallyDrop;
use std::sync::Arc;

/// What `SimPlatform::dma` charges for `bytes` in direction `dir` when no
/// PCIe model is wired in: the same blocking transfer on an idle copy of the
/// default PCIe model (`PcieProfiles::liquidio_cn2350`), so this fallback uses
/// the model's one PCIe latency (`[pcie] one_way_latency_ns`) rather than a
/// constant of its own (it used a fixed 1 us plus 2.1 / 1.4 GB/s).
pub fn dma_duration(dir: Direction, bytes: u64) -> SimDuration {
    match PcieSystem::new(&PcieProfiles::liquidio_cn2350()) {
        Ok(m) => m.transfer_cost(bytes, dir),
        // The built-in profiles are valid; MAX makes a broken build obvious.
        Err(_) => SimDuration::MAX,
    }
}
/// Default bound of the outbox, messages.
pub const DEFAULT_OUTBOX_CAPACITY: usize = 4096;

/// One simulated core seen through `scheduler::Platform`.
pub struct SimPlatform<M: BorrowMut<CoreModel> = CoreModel> {
    model: M,
    /// The core's index (`u32`, with `side` next to it, keeps the struct
    /// small: see `Collected`).
    core: u32,
    side: Side,
    clock: SimTime,
    exec_start: SimTime,
    outbox_capacity: usize,
    dropped_sends: u64,
    model_errors: u64,
    dma_bytes: u64,
    cycle_scale: f64,
    dma_model: Option<Arc<PcieSystem>>,
    /// Sends and host writes, allocated on the first one. Dropped by hand
    /// (`Drop` below) only when allocated: the node builds and drops a
    /// platform per execution, and the field's drop glue was a call each time.
    collected: ManuallyDrop<Option<Box<Collected>>>,
}

impl<M: BorrowMut<CoreModel>> Drop for SimPlatform<M> {
    #[inline]
    fn drop(&mut self) {
        if self.collected.is_some() {
            drop(ManuallyDrop::into_inner(std::mem::take(
                &mut self.collected,
            )));
        }
    }
}

/// What a platform used on its own (Table 3, tests) collects for its
/// caller. A driver that routes sends and host writes itself (the node's
/// `NodePlatform`) never touches it, so it stays unallocated and the
/// platform small (under 128 bytes) enough to be moved without a `memcpy`
/// call; the node builds and moves one per execution.
#[derive(Default)]
struct Collected {
    outbox: Vec<(Endpoint, Message)>,
    /// Host-memory writes of this execution (`Platform::dma_write`), in
    /// order, bounded like the outbox.
    host_writes: Vec<(u64, Vec<u8>)>,
}

impl<M: BorrowMut<CoreModel>> SimPlatform<M> {
    /// A platform for core `core` of `model` on `side`, clock at zero.
    pub fn new(model: M, core: usize, side: Side) -> Result<SimPlatform<M>, ModelError> {
        let cores = model.borrow().cores();
        let index = match u32::try_from(core) {
            Ok(i) if core < cores => i,
            _ => return Err(ModelError::NoSuchCore { core, cores }),
        };
        Ok(SimPlatform {
            model,
            core: index,
            side,
            clock: SimTime::ZERO,
            exec_start: SimTime::ZERO,
            outbox_capacity: DEFAULT_OUTBOX_CAPACITY,
            dropped_sends: 0,
            model_errors: 0,
            dma_bytes: 0,
            cycle_scale: 1.0,
            dma_model: None,
            collected: ManuallyDrop::new(None),
        })
    }

    /// Costs `dma` through the PCIe model (a blocking DMA on an unloaded link,
    /// `PcieSystem::transfer_cost`) instead of the fixed constants.
    pub fn with_dma_model(mut self, model: Arc<PcieSystem>) -> SimPlatform<M> {
        self.dma_model = Some(model);
        self
    }

    /// Sets the outbox bound (sends beyond it are dropped and counted).
    pub fn with_outbox_capacity(mut self, capacity: usize) -> SimPlatform<M> {
        self.outbox_capacity = capacity;
        self
    }

    /// Multiplies every `charge_cycles` by `scale` (default 1: cycles are this core's).
    /// Actor cycle constants are calibrated on the CN2350; to run them on a core that
    /// does more per cycle, use [`cycle_scale_between`] (e.g. 0.5 on the host).
    pub fn with_cycle_scale(mut self, scale: f64) -> SimPlatform<M> {
        self.set_cycle_scale(scale);
        self
    }

    /// [`Self::with_cycle_scale`] in place: a driver that builds a platform
    /// per execution sets the scale where the platform lies, not moving it.
    #[inline]
    pub fn set_cycle_scale(&mut self, scale: f64) {
        self.cycle_scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
    }

    /// The cost model.
    pub fn model(&self) -> &CoreModel {
        self.model.borrow()
    }

    /// The core this platform charges.
    pub fn core(&self) -> usize {
        self.core as usize
    }

    /// The core's clock.
    #[inline]
    pub fn clock(&self) -> SimTime {
        self.clock
    }

    /// Moves the core's clock forward to `t` (idle time); never backwards.
    #[inline]
    pub fn advance_to(&mut self, t: SimTime) {
        self.clock = self.clock.max(t);
    }

    /// Starts a handler execution: `charged_in_exec` restarts from zero.
    #[inline]
    pub fn begin_exec(&mut self) {
        self.exec_start = self.clock;
    }

    /// Ends a handler execution and returns the time it charged.
    pub fn end_exec(&mut self) -> SimDuration {
        let d = self.clock.saturating_since(self.exec_start);
        self.exec_start = self.clock;
        d
    }

    /// Time charged in the current execution (exact, unlike `charged_in_exec`'s whole ns).
    pub fn charged_in_exec_exact(&self) -> SimDuration {
        self.clock.saturating_since(self.exec_start)
    }

    /// Takes the messages sent so far, in send order, with their destinations.
    pub fn take_outbox(&mut self) -> Vec<(Endpoint, Message)> {
        self.collected
            .as_mut()
            .map(|c| std::mem::take(&mut c.outbox))
            .unwrap_or_default()
    }

    /// Sends refused because the outbox was full.
    pub fn dropped_sends(&self) -> u64 {
        self.dropped_sends
    }

    /// Model operations refused (e.g. an accelerator queue full); each charged nothing.
    pub fn model_errors(&self) -> u64 {
        self.model_errors
    }

    /// Bytes moved by `dma`.
    pub fn dma_bytes(&self) -> u64 {
        self.dma_bytes
    }

    /// Charges a write of `bytes` into host memory at `host_addr`: a NIC-to-host
    /// DMA from a NIC core, a store through the cache model from a host core.
    /// Returns the time charged.
    pub fn charge_host_write(&mut self, host_addr: u64, bytes: u32) -> SimDuration {
        match self.side {
            Side::Nic => self.dma(Direction::NicToHost, u64::from(bytes)),
            Side::Host => {
                let before = self.clock;
                self.mem_access(host_addr, bytes, MemAccess::Write);
                self.clock.saturating_since(before)
            }
        }
    }

    /// Charges a DMA of `bytes` that takes `d` (costed by the caller's PCIe
    /// model): counted in `dma_bytes`, the clock advanced; returns `d` in
    /// whole nanoseconds, rounded up, as [`Platform::dma`] does.
    #[inline]
    pub fn charge_dma(&mut self, bytes: u64, d: SimDuration) -> SimDuration {
        self.dma_bytes += bytes;
        self.clock += d;
        d.ceil_ns()
    }

    /// Takes the host-memory writes made so far, in order: `(host_addr, bytes)`.
    pub fn take_host_writes(&mut self) -> Vec<(u64, Vec<u8>)> {
        self.collected
            .as_mut()
            .map(|c| std::mem::take(&mut c.host_writes))
            .unwrap_or_default()
    }

    #[inline]
    fn charge(&mut self, r: Result<SimDuration, ModelError>) {
        match r {
            Ok(d) => self.clock += d,
            Err(_) => self.model_errors += 1,
        }
    }
}

impl<M: BorrowMut<CoreModel>> Platform for SimPlatform<M> {
    #[inline]
    fn now(&self) -> SimTime {
        self.clock.floor_ns()
    }

    fn side(&self) -> Side {
        self.side
    }

    // always inlined into the node platform's (the dispatch path is large
    // enough that the compiler left it out of line otherwise)
    #[inline(always)]
    fn charge_cycles(&mut self, cycles: u64) {
        let core = self.core as usize;
        // At scale 1 (every NIC core) the float round trip is the identity
        // below 2^53 cycles: skip it.
        let cycles = if self.cycle_scale == 1.0 && cycles < (1 << 53) {
            cycles
        } else {
            nic_models::compute::round_to_u64(
                nic_models::compute::u64_to_f64(cycles) * self.cycle_scale,
            )
        };
        let r = self.model.borrow_mut().cycles(core, cycles);
        self.charge(r);
    }

    // inlined into the node platform's (every memory access of a handler)
    #[inline(always)]
    fn mem_access(&mut self, addr: u64, bytes: u32, kind: MemAccess) {
        let core = self.core as usize;
        let write = kind == MemAccess::Write;
        let r = self.model.borrow_mut().mem_access(core, addr, bytes, write);
        self.charge(r);
    }

    fn accel(&mut self, kind: AccelKind, bytes: u32) {
        let (core, now) = (self.core as usize, self.clock);
        let r = self.model.borrow_mut().accel(core, kind, bytes, now);
        self.charge(r);
    }

    fn dma(&mut self, dir: Direction, bytes: u64) -> SimDuration {
        let d = match &self.dma_model {
            Some(m) => m.transfer_cost(bytes, dir),
            None => dma_duration(dir, bytes),
        };
        self.charge_dma(bytes, d)
    }

    fn dma_write(&mut self, host_addr: u64, data: &[u8]) -> SimDuration {
        let d = self.charge_host_write(host_addr, data.len().min(u32::MAX as usize) as u32);
        let capacity = self.outbox_capacity;
        let writes = &mut self.collected.get_or_insert_with(Box::default).host_writes;
        if writes.len() >= capacity {
            // bounded like the outbox; counted with the refused sends
            self.dropped_sends += 1;
        } else {
            writes.push((host_addr, data.to_vec()));
        }
        d
    }

    fn send(&mut self, msg: Message) {
        let dst = Endpoint::Actor(msg.dst);
        self.send_to(dst, msg);
    }

    fn send_to(&mut self, dst_endpoint: Endpoint, msg: Message) {
        if !scheduler::platform::push_bounded(
            &mut self.collected.get_or_insert_with(Box::default).outbox,
            self.outbox_capacity,
            dst_endpoint,
            msg,
        ) {
            self.dropped_sends += 1;
        }
    }

    #[inline]
    fn charged_in_exec(&self) -> SimDuration {
        self.clock.saturating_since(self.exec_start).floor_ns()
    }
}

/// Cycle scale for running actors calibrated on `from` on a core of `to`: the ratio of
/// their sustained IPCs (same work, fewer cycles on a wider core). The clock ratio is
/// applied by the model itself.
pub fn cycle_scale_between(from: &CoreModel, to: &CoreModel) -> f64 {
    from.clock().ipc / to.clock().ipc
}

/// The host cost model (2 x 8 Xeon E5-2620 v4 cores at 2.1 GHz), from
/// configs/nics/host_e5_2620v4.toml through nic-models' built-in host profiles.
pub fn host_e5_2620v4_model() -> Result<CoreModel, ModelError> {
    nic_models::host::HostProfile::builtin("host_e5_2620v4")
        .ok_or_else(|| ModelError::InvalidConfig {
            key: "host_e5_2620v4".into(),
            reason:
                "built-in host profile missing or invalid: check configs/nics/host_e5_2620v4.toml"
                    .into(),
        })?
        .core_model()
}

/// The LiquidIO CN2350 cost model (12 cores at 1.2 GHz sharing one L2), from
/// configs/nics/liquidio_cn2350.toml through nic-models' built-in profiles.
pub fn liquidio_cn2350_model() -> Result<CoreModel, ModelError> {
    nic_models::NicProfile::builtin("liquidio_cn2350")
        .ok_or_else(|| ModelError::InvalidConfig {
            key: "liquidio_cn2350".into(),
            reason: "built-in profile missing or invalid: check configs/nics/liquidio_cn2350.toml"
                .into(),
        })?
        .core_model()
}
