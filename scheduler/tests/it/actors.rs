//! Test actors: a worker with a configurable cost range and a DMO working set, a
//! runaway actor for the watchdog, and a snooping actor for DMO isolation.

use crate::harness::Rng;
use scheduler::{Actor, ActorCtx, ActorError, DmoHandle, MemAccess, Message, Side};
use std::sync::{Arc, Mutex};

/// What a worker saw, in execution order: (message id, side it ran on).
pub type SeenLog = Arc<Mutex<Vec<(u64, Side)>>>;

/// Charges a cost drawn uniformly from [lo, hi] cycles, touches its DMO, and counts.
pub struct Worker {
    pub name: String,
    pub lo_cycles: u64,
    pub hi_cycles: u64,
    pub dmo_bytes: u32,
    pub rng: Rng,
    pub dmo: Option<DmoHandle>,
    pub handled: u64,
    pub seen: SeenLog,
}

impl Worker {
    pub fn new(name: &str, lo_cycles: u64, hi_cycles: u64, seed: u64) -> Worker {
        Worker {
            name: name.to_string(),
            lo_cycles,
            hi_cycles,
            dmo_bytes: 4096,
            rng: Rng::new(seed),
            dmo: None,
            handled: 0,
            seen: Arc::default(),
        }
    }

    pub fn with_dmo_bytes(mut self, bytes: u32) -> Worker {
        self.dmo_bytes = bytes;
        self
    }

    pub fn log(&self) -> SeenLog {
        Arc::clone(&self.seen)
    }
}

impl Actor for Worker {
    fn name(&self) -> &str {
        &self.name
    }

    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let h = ctx.dmo_alloc(self.dmo_bytes)?;
        ctx.dmo_write(h, 0, &self.handled.to_le_bytes())?;
        self.dmo = Some(h);
        Ok(())
    }

    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let cost = self.rng.range(self.lo_cycles, self.hi_cycles);
        ctx.compute(cost)?;
        let h = self
            .dmo
            .ok_or_else(|| ActorError::Invalid("no DMO".into()))?;
        ctx.dmo_touch(h, 0, 64, MemAccess::Write)?;
        self.handled += 1;
        self.seen
            .lock()
            .map_err(|_| ActorError::Invalid("poisoned".into()))?
            .push((msg.id, ctx.side()));
        Ok(())
    }

    fn migrate_out(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<Vec<u8>, ActorError> {
        Ok(self.handled.to_le_bytes().to_vec())
    }

    fn migrate_in(&mut self, state: &[u8], _ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let bytes: [u8; 8] = state
            .try_into()
            .map_err(|_| ActorError::Invalid("bad state".into()))?;
        if u64::from_le_bytes(bytes) != self.handled {
            return Err(ActorError::Invalid("state mismatch".into()));
        }
        Ok(())
    }
}

/// Spins forever in `compute` chunks; `swallow` makes it ignore the watchdog error.
pub struct Runaway {
    pub swallow: bool,
    pub calls: Arc<Mutex<u64>>,
}

impl Actor for Runaway {
    fn name(&self) -> &str {
        "runaway"
    }

    fn init(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        Ok(())
    }

    fn exec(&mut self, _msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        if let Ok(mut c) = self.calls.lock() {
            *c += 1;
        }
        // Bounded so a broken watchdog fails the test instead of hanging it.
        for _ in 0..1_000_000 {
            match ctx.compute(10_000) {
                Ok(()) => {}
                Err(e) if !self.swallow => return Err(e),
                Err(_) => break,
            }
        }
        Ok(())
    }
}

/// Tries to read and write a DMO it does not own.
pub struct Snoop {
    pub victim: DmoHandle,
}

impl Actor for Snoop {
    fn name(&self) -> &str {
        "snoop"
    }

    fn init(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        Ok(())
    }

    fn exec(&mut self, _msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let mut buf = [0u8; 8];
        let read = ctx.dmo_read(self.victim, 0, &mut buf);
        let write = ctx.dmo_write(self.victim, 0, &[0xff; 8]);
        ctx.compute(100)?;
        read.and(write)
    }
}

/// Costs drawn from [lo, hi] cycles until `calm_from`, then `lo` only: a
/// high-dispersion actor that becomes low-dispersion.
pub struct Phased {
    pub inner: Worker,
    pub calm_from: scheduler::SimTime,
}

impl Actor for Phased {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        self.inner.init(ctx)
    }
    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        if ctx.now() >= self.calm_from {
            self.inner.hi_cycles = self.inner.lo_cycles;
        }
        self.inner.exec(msg, ctx)
    }
}

/// Forwards each request to `next` (another actor) and replies to the sender.
pub struct Forwarder {
    pub next: scheduler::ActorId,
}

impl Actor for Forwarder {
    fn name(&self) -> &str {
        "forwarder"
    }
    fn init(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        Ok(())
    }
    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        ctx.compute(500)?;
        ctx.send(
            scheduler::Endpoint::Actor(self.next),
            1,
            msg.payload.clone(),
        )?;
        ctx.send(msg.src, 2, b"ack".to_vec())
    }
}
