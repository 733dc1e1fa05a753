//! `NativePlatform`: `scheduler::Platform` on a real thread (monotonic clock, no-op charges, bounded outbox).

use scheduler::{AccelKind, Direction, Endpoint, MemAccess, Message, Platform, Side};
use std::time::Instant;
use vocab::{SimDuration, SimTime};

/// Most messages one execution may send (further sends are dropped and
/// counted): the simulator's bound (`workloads::sim_platform::DEFAULT_OUTBOX_CAPACITY`).
pub const OUTBOX_CAPACITY: usize = 4096;

/// The run's time origin: `now()` is the monotonic time since it, as a `SimTime`.
#[derive(Clone, Copy, Debug)]
pub struct Epoch {
    start: Instant,
}

impl Epoch {
    /// An epoch starting now.
    pub fn start() -> Epoch {
        Epoch {
            start: Instant::now(),
        }
    }
    /// Time since the epoch (saturates after 2^64 ps, about 213 days).
    pub fn now(&self) -> SimTime {
        SimTime::ZERO + since(self.start)
    }
    /// The `Instant` of the epoch.
    pub fn instant(&self) -> Instant {
        self.start
    }
}

/// Real time elapsed since `t`, as a `SimDuration`.
pub fn since(t: Instant) -> SimDuration {
    let ns = t.elapsed().as_nanos();
    SimDuration::from_ns(
        u64::try_from(ns)
            .unwrap_or(u64::MAX / 1_000)
            .min(u64::MAX / 1_000),
    )
}

/// The request a core picked up (from `Platform::on_request`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Picked {
    /// Message id.
    pub id: u64,
    /// Who sent it.
    pub src: Endpoint,
}

/// One worker thread's core seen through `scheduler::Platform`.
///
/// Every cost hook is a no-op: on a real machine the handler's work takes
/// the time itself. `charged_in_exec` is the real time since the execution
/// began, so `ExecOutcome::charged` and the runtime's statistics hold
/// measured times, and the watchdog fires on real overruns.
pub struct NativePlatform<'a> {
    side: Side,
    epoch: Epoch,
    exec_start: Instant,
    outbox: &'a mut Vec<(Endpoint, Message)>,
    dropped_sends: u64,
    picked: Option<Picked>,
}

impl<'a> NativePlatform<'a> {
    /// A platform for one execution on `side`, starting now.
    pub fn new(side: Side, epoch: Epoch, outbox: &'a mut Vec<(Endpoint, Message)>) -> Self {
        NativePlatform {
            side,
            epoch,
            exec_start: Instant::now(),
            outbox,
            dropped_sends: 0,
            picked: None,
        }
    }
    /// Sends refused because the outbox was full.
    pub fn dropped_sends(&self) -> u64 {
        self.dropped_sends
    }
    /// The request the runtime handed this core, if the work was a request.
    pub fn picked(&self) -> Option<Picked> {
        self.picked
    }
}

impl Platform for NativePlatform<'_> {
    fn now(&self) -> SimTime {
        self.epoch.now()
    }
    fn side(&self) -> Side {
        self.side
    }
    fn charge_cycles(&mut self, _cycles: u64) {}
    fn mem_access(&mut self, _addr: u64, _bytes: u32, _kind: MemAccess) {}
    fn accel(&mut self, _kind: AccelKind, _bytes: u32) {}
    /// No PCIe here: both "sides" are this machine's memory, so a DMA is free.
    fn dma(&mut self, _dir: Direction, _bytes: u64) -> SimDuration {
        SimDuration::ZERO
    }
    fn send(&mut self, msg: Message) {
        let dst = Endpoint::Actor(msg.dst);
        self.send_to(dst, msg);
    }
    fn send_to(&mut self, dst_endpoint: Endpoint, msg: Message) {
        if !scheduler::platform::push_bounded(self.outbox, OUTBOX_CAPACITY, dst_endpoint, msg) {
            self.dropped_sends += 1;
        }
    }
    fn charged_in_exec(&self) -> SimDuration {
        since(self.exec_start)
    }
    fn on_request(&mut self, msg: &Message) {
        self.picked = Some(Picked {
            id: msg.id,
            src: msg.src,
        });
    }
}
