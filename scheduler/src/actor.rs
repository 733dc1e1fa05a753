//! The `Actor` trait and `ActorCtx`, the handle through which actor code reaches
//! the platform, its DMOs and other actors.
//!
//! Every charging call on `ActorCtx` (compute, DMO access, accelerator, send) checks
//! the watchdog afterwards: once the time charged in the current execution
//! exceeds the budget, it returns `ActorError::WatchdogExpired` and every later
//! call fails at once without charging. The runtime also checks after `exec`
//! returns, so an actor that swallows the error is still stopped. (On one
//! simulated thread an actor that loops forever *without* calling the context
//! cannot be preempted; that is a documented limit of cooperative checking.)

use crate::dmo::{DmoError, DmoHandle, DmoTable};
use crate::message::{ActorId, Endpoint, Message, NO_ACTOR};
use crate::platform::{AccelKind, MemAccess, Platform, Side};
use thiserror::Error;
use vocab::{SimDuration, SimTime};

/// Why an actor handler failed.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ActorError {
    #[error("watchdog expired: execution exceeded its time budget")]
    WatchdogExpired,
    #[error("DMO access refused: {0}")]
    Dmo(#[from] DmoError),
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error("destination mailbox full")]
    MailboxFull,
}

/// An iPipe actor: private state, handlers for init, one message, migration and delete.
pub trait Actor: Send {
    /// Stable name, used in reports and static placement.
    fn name(&self) -> &str;
    /// Called once when the actor is registered, on its initial side.
    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError>;
    /// Handle one message, run to completion.
    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError>;
    /// Serialize state that is not in DMOs (DMOs move by the runtime). Default: empty.
    fn migrate_out(&mut self, ctx: &mut ActorCtx<'_>) -> Result<Vec<u8>, ActorError> {
        let _ = ctx;
        Ok(Vec::new())
    }
    /// Restore state serialized by `migrate_out`, on the new side.
    fn migrate_in(&mut self, state: &[u8], ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let _ = (state, ctx);
        Ok(())
    }
    /// Called when the actor is removed; its DMOs are freed by the runtime afterwards.
    fn delete(&mut self, ctx: &mut ActorCtx<'_>) {
        let _ = ctx;
    }
}

/// What an actor sees while one of its handlers runs.
pub struct ActorCtx<'a> {
    platform: &'a mut dyn Platform,
    dmos: &'a mut DmoTable,
    actor: ActorId,
    next_msg_id: &'a mut u64,
    watchdog: SimDuration,
    expired: bool,
    sent: u64,
}

impl<'a> ActorCtx<'a> {
    /// A context for `actor`, with no watchdog limit. `next_msg_id` is the sender-side
    /// message id counter (incremented for each message sent).
    pub fn new(
        platform: &'a mut dyn Platform,
        dmos: &'a mut DmoTable,
        actor: ActorId,
        next_msg_id: &'a mut u64,
    ) -> ActorCtx<'a> {
        ActorCtx {
            platform,
            dmos,
            actor,
            next_msg_id,
            watchdog: SimDuration::MAX,
            expired: false,
            sent: 0,
        }
    }

    /// Set the watchdog budget: the most time this execution may charge.
    pub fn with_watchdog(mut self, budget: SimDuration) -> ActorCtx<'a> {
        self.watchdog = budget;
        self
    }

    /// The running actor.
    pub fn id(&self) -> ActorId {
        self.actor
    }

    /// Current time on the running core.
    pub fn now(&self) -> SimTime {
        self.platform.now()
    }

    /// The side the actor runs on.
    pub fn side(&self) -> Side {
        self.platform.side()
    }

    /// True once the watchdog fired in this execution.
    pub fn watchdog_expired(&self) -> bool {
        self.expired
    }

    /// Messages sent in this execution.
    pub fn messages_sent(&self) -> u64 {
        self.sent
    }

    #[inline]
    fn before_charge(&self) -> Result<(), ActorError> {
        if self.expired {
            Err(ActorError::WatchdogExpired)
        } else {
            Ok(())
        }
    }

    #[inline]
    fn after_charge(&mut self) -> Result<(), ActorError> {
        let charged = self.platform.charged_in_exec();
        self.check_charged(charged)
    }

    /// [`Self::after_charge`] with the time charged so far already read.
    #[inline]
    fn check_charged(&mut self, charged: SimDuration) -> Result<(), ActorError> {
        if charged > self.watchdog {
            self.expired = true;
            Err(ActorError::WatchdogExpired)
        } else {
            Ok(())
        }
    }

    /// Charge `cycles` of pure compute.
    #[inline]
    pub fn compute(&mut self, cycles: u64) -> Result<(), ActorError> {
        self.before_charge()?;
        let charged = self.platform.charge_cycles_then_charged(cycles);
        self.check_charged(charged)
    }

    /// Allocate a zero-filled DMO of `bytes` on the current side, owned by this actor.
    pub fn dmo_alloc(&mut self, bytes: u32) -> Result<DmoHandle, ActorError> {
        self.before_charge()?;
        let side = self.platform.side();
        Ok(self.dmos.alloc(self.actor, side, bytes)?)
    }

    /// Read real bytes from an owned DMO and charge the memory access.
    pub fn dmo_read(
        &mut self,
        h: DmoHandle,
        offset: u32,
        buf: &mut [u8],
    ) -> Result<(), ActorError> {
        self.before_charge()?;
        let addr = self.dmos.read(self.actor, h, offset, buf)?;
        self.platform
            .mem_access(addr, buf.len() as u32, MemAccess::Read);
        self.after_charge()
    }

    /// Write real bytes into an owned DMO and charge the memory access.
    pub fn dmo_write(&mut self, h: DmoHandle, offset: u32, data: &[u8]) -> Result<(), ActorError> {
        self.before_charge()?;
        let addr = self.dmos.write(self.actor, h, offset, data)?;
        self.platform
            .mem_access(addr, data.len() as u32, MemAccess::Write);
        self.after_charge()
    }

    /// Charge an access to an owned DMO without moving bytes (for modelled working sets).
    #[inline]
    pub fn dmo_touch(
        &mut self,
        h: DmoHandle,
        offset: u32,
        bytes: u32,
        kind: MemAccess,
    ) -> Result<(), ActorError> {
        self.before_charge()?;
        let addr = self.dmos.check(self.actor, h, offset, bytes)?;
        let charged = self.platform.mem_access_then_charged(addr, bytes, kind);
        self.check_charged(charged)
    }

    /// Write `data` into host memory at `host_addr` with a blocking DMA (iPipe's
    /// DMA primitive: how an actor persists records to host memory without a
    /// host core). Costed by the platform (`Platform::dma_write`): a PCIe write
    /// from a NIC core, a memory store from a host core.
    pub fn dma(&mut self, host_addr: u64, data: &[u8]) -> Result<(), ActorError> {
        self.before_charge()?;
        self.platform.dma_write(host_addr, data);
        self.after_charge()
    }

    /// Run `bytes` through an accelerator engine.
    pub fn accel(&mut self, kind: AccelKind, bytes: u32) -> Result<(), ActorError> {
        self.before_charge()?;
        self.platform.accel(kind, bytes);
        self.after_charge()
    }

    /// An empty buffer to build a payload to [`ActorCtx::send`] in: a
    /// recycled allocation when the platform keeps spare ones
    /// ([`Platform::payload_buffer`]), so a reply costs no allocation.
    #[inline]
    pub fn payload_buffer(&mut self) -> Vec<u8> {
        self.platform.payload_buffer()
    }

    /// Send a message. Actor destinations get `dst = id`; network and host
    /// destinations get `dst = NO_ACTOR` and are routed by the platform through
    /// [`Platform::send_to`].
    #[inline]
    pub fn send(&mut self, dst: Endpoint, kind: u16, payload: Vec<u8>) -> Result<(), ActorError> {
        self.before_charge()?;
        let id = *self.next_msg_id;
        *self.next_msg_id += 1;
        let msg = Message {
            id,
            src: Endpoint::Actor(self.actor),
            dst: match dst {
                Endpoint::Actor(a) => a,
                _ => NO_ACTOR,
            },
            kind,
            payload,
            // stamped with the platform's `now` by the call below
            created_at: SimTime::ZERO,
        };
        self.sent += 1;
        let charged = self.platform.send_stamped_then_charged(dst, msg);
        self.check_charged(charged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::Direction;

    /// 1 cycle = 1 ns; memory access = 10 ns; records sends.
    #[derive(Default)]
    struct Fake {
        charged: u64,
        sent: Vec<(Endpoint, Message)>,
        accesses: Vec<(u64, u32, MemAccess)>,
    }

    impl Platform for Fake {
        fn now(&self) -> SimTime {
            SimTime::from_ns(self.charged)
        }
        fn side(&self) -> Side {
            Side::Nic
        }
        fn charge_cycles(&mut self, cycles: u64) {
            self.charged += cycles;
        }
        fn mem_access(&mut self, addr: u64, bytes: u32, kind: MemAccess) {
            self.charged += 10;
            self.accesses.push((addr, bytes, kind));
        }
        fn accel(&mut self, _kind: AccelKind, bytes: u32) {
            self.charged += u64::from(bytes);
        }
        fn dma(&mut self, _dir: Direction, bytes: u64) -> SimDuration {
            self.charged += bytes;
            SimDuration::from_ns(bytes)
        }
        fn send(&mut self, msg: Message) {
            self.sent.push((Endpoint::Actor(msg.dst), msg));
        }
        fn send_to(&mut self, dst: Endpoint, msg: Message) {
            self.sent.push((dst, msg));
        }
        fn charged_in_exec(&self) -> SimDuration {
            SimDuration::from_ns(self.charged)
        }
    }

    #[test]
    fn watchdog_fires_once_budget_exceeded_and_stays_fired() {
        let mut p = Fake::default();
        let mut t = DmoTable::new(1 << 20, 1 << 20);
        let mut ids = 0;
        let mut ctx =
            ActorCtx::new(&mut p, &mut t, 1, &mut ids).with_watchdog(SimDuration::from_ns(100));
        assert!(ctx.compute(60).is_ok());
        assert!(ctx.compute(40).is_ok()); // exactly at budget is fine
        assert_eq!(ctx.compute(1), Err(ActorError::WatchdogExpired));
        assert!(ctx.watchdog_expired());
        // later calls fail without charging more
        assert_eq!(ctx.compute(1_000), Err(ActorError::WatchdogExpired));
        assert_eq!(p.charged, 101);
    }

    #[test]
    fn dmo_calls_charge_memory_and_check_owner() {
        let mut p = Fake::default();
        let mut t = DmoTable::new(1 << 20, 1 << 20);
        let foreign = t.alloc(7, Side::Nic, 8).unwrap();
        let mut ids = 0;
        let mut ctx = ActorCtx::new(&mut p, &mut t, 1, &mut ids);
        let h = ctx.dmo_alloc(64).unwrap();
        ctx.dmo_write(h, 0, b"abc").unwrap();
        let mut buf = [0u8; 3];
        ctx.dmo_read(h, 0, &mut buf).unwrap();
        assert_eq!(&buf, b"abc");
        ctx.dmo_touch(h, 0, 64, MemAccess::Read).unwrap();
        assert!(matches!(
            ctx.dmo_write(foreign, 0, b"x"),
            Err(ActorError::Dmo(DmoError::NotOwner { actor: 1, .. }))
        ));
        assert_eq!(p.accesses.len(), 3);
        assert_eq!(p.accesses[0].2, MemAccess::Write);
        assert_eq!(t.refused_by(1), 1);
    }

    #[test]
    fn send_assigns_ids_and_routes_endpoints() {
        let mut p = Fake::default();
        let mut t = DmoTable::new(1 << 20, 1 << 20);
        let mut ids = 500;
        let mut ctx = ActorCtx::new(&mut p, &mut t, 3, &mut ids);
        ctx.send(Endpoint::Actor(4), 1, vec![1]).unwrap();
        ctx.send(Endpoint::Network { node: 9, port: 80 }, 2, vec![])
            .unwrap();
        assert_eq!(ctx.messages_sent(), 2);
        assert_eq!(ids, 502);
        assert_eq!(p.sent[0].1.dst, 4);
        assert_eq!(p.sent[0].1.id, 500);
        assert_eq!(p.sent[0].1.src, Endpoint::Actor(3));
        assert_eq!(p.sent[1].0, Endpoint::Network { node: 9, port: 80 });
        assert_eq!(p.sent[1].1.dst, NO_ACTOR);
    }
}
