//! The `Platform` trait: the only way the runtime and actors see the machine.
//!
//! The simulator implements it on top of its core, cache, accelerator, DMA and
//! network models (charging simulated time); a native runtime implements it on
//! real threads (charges are no-ops, `now` reads a monotonic clock). Keeping the
//! trait narrow is what lets the same scheduler and actor code run on both.

use crate::message::{Endpoint, Message};
pub use vocab::{AccelKind, Direction, Side};
use vocab::{SimDuration, SimTime};

/// Kind of a memory access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MemAccess {
    Read,
    Write,
}

/// The machine as seen by the runtime and actors.
///
/// All costs are charged to "the running core": the driver sets up which core
/// that is before calling into the runtime, and turns the total time charged
/// into a completion event.
pub trait Platform {
    /// Current time on the core running this code (simulated or real).
    fn now(&self) -> SimTime;
    /// Which side this code runs on.
    fn side(&self) -> Side;
    /// Charge `cycles` of pure compute to the running core (simulator advances the core's clock; native: no-op).
    fn charge_cycles(&mut self, cycles: u64);
    /// One memory access of `bytes` at simulated address `addr` (goes through the cache model in the simulator).
    fn mem_access(&mut self, addr: u64, bytes: u32, kind: MemAccess);
    /// Run `bytes` through an accelerator engine and wait for it (simulator charges invocation + per-byte time;
    /// a platform without that engine charges the software cost on the core).
    fn accel(&mut self, kind: AccelKind, bytes: u32);
    /// Copy `bytes` across PCIe with a blocking DMA (used by migration and cross-PCIe messages). Returns the time it took.
    fn dma(&mut self, dir: Direction, bytes: u64) -> SimDuration;
    /// Write `data` into host memory at `host_addr` (a persistent copy, such as
    /// a commit record), blocking: from a NIC core it is a DMA write across
    /// PCIe, from a host core a store to its own memory. Returns the time it
    /// took. The platform decides what it keeps of the bytes; the default
    /// charges a NIC-to-host [`Platform::dma`] of `data.len()` bytes and keeps
    /// nothing.
    fn dma_write(&mut self, host_addr: u64, data: &[u8]) -> SimDuration {
        let _ = host_addr;
        self.dma(Direction::NicToHost, data.len() as u64)
    }
    /// Hand a message to the platform for delivery (local mailbox, across PCIe, or network).
    fn send(&mut self, msg: Message);
    /// Time charged so far in the current execution (for the watchdog).
    fn charged_in_exec(&self) -> SimDuration;

    /// The runtime is about to run `msg`'s handler on this core: charge whatever
    /// the machine does before any handler sees a request (the simulator's NIC
    /// packet path: the forwarding cost of the frame that carried it). Called
    /// once per request, before the scheduler's own overhead; the default charges
    /// nothing.
    fn on_request(&mut self, _msg: &Message) {}

    /// Hand a message to the platform with its full destination endpoint.
    ///
    /// `ActorCtx::send` always calls this. For `Endpoint::Actor(a)` the message has
    /// `dst == a`; for `Network`/`Host` destinations `dst` is [`crate::message::NO_ACTOR`]
    /// and the platform must use `dst_endpoint` to route it. The default forwards to
    /// [`Platform::send`], which is enough for platforms that only route between actors.
    fn send_to(&mut self, dst_endpoint: Endpoint, msg: Message) {
        let _ = dst_endpoint;
        self.send(msg);
    }

    /// An empty buffer for a payload this execution is about to send: a
    /// platform that keeps spare allocations (the simulator's node recycles
    /// the payloads of finished requests and transmitted replies) hands one
    /// back, so a send allocates nothing in steady state. The default
    /// allocates nothing until the caller writes.
    fn payload_buffer(&mut self) -> Vec<u8> {
        Vec::new()
    }

    /// The runtime is done with `payload` (a request whose handler ran): a
    /// platform may keep the allocation for [`Platform::payload_buffer`]; the
    /// default frees it. It must charge nothing (the runtime has read the
    /// execution's time already).
    fn recycle_payload(&mut self, payload: Vec<u8>) {
        drop(payload);
    }

    /// [`Platform::charge_cycles`], then [`Platform::charged_in_exec`]: what
    /// `ActorCtx` asks after every charge (for the watchdog), in one call
    /// through `dyn Platform` instead of two. Not meant to be overridden.
    #[inline]
    fn charge_cycles_then_charged(&mut self, cycles: u64) -> SimDuration {
        self.charge_cycles(cycles);
        self.charged_in_exec()
    }

    /// [`Platform::mem_access`], then [`Platform::charged_in_exec`], in one call.
    #[inline]
    fn mem_access_then_charged(&mut self, addr: u64, bytes: u32, kind: MemAccess) -> SimDuration {
        self.mem_access(addr, bytes, kind);
        self.charged_in_exec()
    }

    /// `msg` stamped with [`Platform::now`] as its creation time, handed to
    /// [`Platform::send_to`], then [`Platform::charged_in_exec`]: one call
    /// for what `ActorCtx::send` asks in turn.
    #[inline]
    fn send_stamped_then_charged(
        &mut self,
        dst_endpoint: Endpoint,
        mut msg: Message,
    ) -> SimDuration {
        msg.created_at = self.now();
        self.send_to(dst_endpoint, msg);
        self.charged_in_exec()
    }
}

/// A platform seen as `&mut dyn Platform`, whether its type is known or not:
/// the runtime's dispatch path is generic over the platform (a driver that
/// passes its concrete type gets the per-execution calls inlined) while
/// actors always see `dyn Platform` through their `ActorCtx`.
pub trait AsDynPlatform {
    /// `self` as a trait object.
    fn as_dyn(&mut self) -> &mut dyn Platform;
}

impl<T: Platform> AsDynPlatform for T {
    #[inline]
    fn as_dyn(&mut self) -> &mut dyn Platform {
        self
    }
}

impl AsDynPlatform for dyn Platform + '_ {
    #[inline]
    fn as_dyn(&mut self) -> &mut dyn Platform {
        self
    }
}

/// Appends a send to an execution's outbox (which the driver routes after the
/// handler returns) unless it already holds `capacity` messages. Returns false
/// when full: the platform counts the refusal, so nothing is dropped silently.
#[inline]
pub fn push_bounded(
    outbox: &mut Vec<(Endpoint, Message)>,
    capacity: usize,
    dst: Endpoint,
    msg: Message,
) -> bool {
    if outbox.len() >= capacity {
        return false;
    }
    outbox.push((dst, msg));
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_outbox_refuses_and_keeps_what_it_has() {
        let msg = |id| Message {
            id,
            src: Endpoint::Host,
            dst: 1,
            kind: 0,
            payload: Vec::new(),
            created_at: SimTime::ZERO,
        };
        let mut outbox = Vec::new();
        assert!(push_bounded(&mut outbox, 2, Endpoint::Actor(1), msg(0)));
        assert!(push_bounded(&mut outbox, 2, Endpoint::Host, msg(1)));
        assert!(!push_bounded(&mut outbox, 2, Endpoint::Actor(1), msg(2)));
        let ids: Vec<u64> = outbox.iter().map(|(_, m)| m.id).collect();
        assert_eq!(ids, [0, 1]);
    }
}
