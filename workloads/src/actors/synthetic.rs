//! The body the two synthetic actors (fixed cost, variable cost) share: one line of state, a charged cost, an optional reply.

use super::fixed_cost::ns_to_cycles;
use super::kinds;
use super::wire::{handles_in, handles_out};
use scheduler::{ActorCtx, ActorError, DmoHandle, MemAccess, Message};

/// One cache line of per-actor state (a request counter), so a synthetic
/// actor has a DMO to migrate, and the handler every synthetic actor runs.
#[derive(Debug, Default)]
pub struct SyntheticBody {
    state: Option<DmoHandle>,
}

impl SyntheticBody {
    /// Allocates the state line.
    pub fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        self.state = Some(ctx.dmo_alloc(128)?);
        Ok(())
    }

    /// Touches the state, charges `ns` at `core_freq_mhz`, and replies with
    /// the request id when `reply` is set.
    pub fn exec(
        &mut self,
        msg: &Message,
        ctx: &mut ActorCtx<'_>,
        ns: u64,
        core_freq_mhz: u64,
        reply: bool,
    ) -> Result<(), ActorError> {
        if let Some(h) = self.state {
            ctx.dmo_touch(h, 0, 8, MemAccess::Write)?;
        }
        ctx.compute(ns_to_cycles(ns, core_freq_mhz))?;
        if reply {
            let mut payload = ctx.payload_buffer();
            payload.extend_from_slice(&msg.id.to_le_bytes());
            ctx.send(msg.src, kinds::REPLY, payload)?;
        }
        Ok(())
    }

    /// The state's handle, serialized for migration.
    pub fn migrate_out(&self) -> Vec<u8> {
        handles_out(&[self.state])
    }

    /// Restores the handle after migration.
    pub fn migrate_in(&mut self, state: &[u8]) -> Result<(), ActorError> {
        handles_in(state, &mut [&mut self.state])
    }
}

/// Implements `scheduler::Actor` for a synthetic actor type that has `cfg`
/// (with `core_freq_mhz` and `reply`), `body: SyntheticBody` and
/// `cost_ns_for(&[u8]) -> u64`: one definition for both synthetic actors.
macro_rules! synthetic_actor {
    ($ty:ty, $name:literal) => {
        impl scheduler::Actor for $ty {
            fn name(&self) -> &str {
                $name
            }

            fn init(
                &mut self,
                ctx: &mut scheduler::ActorCtx<'_>,
            ) -> Result<(), scheduler::ActorError> {
                self.body.init(ctx)
            }

            fn exec(
                &mut self,
                msg: &scheduler::Message,
                ctx: &mut scheduler::ActorCtx<'_>,
            ) -> Result<(), scheduler::ActorError> {
                let ns = self.cost_ns_for(&msg.payload);
                self.body
                    .exec(msg, ctx, ns, self.cfg.core_freq_mhz, self.cfg.reply)
            }

            fn migrate_out(
                &mut self,
                _ctx: &mut scheduler::ActorCtx<'_>,
            ) -> Result<Vec<u8>, scheduler::ActorError> {
                Ok(self.body.migrate_out())
            }

            fn migrate_in(
                &mut self,
                state: &[u8],
                _ctx: &mut scheduler::ActorCtx<'_>,
            ) -> Result<(), scheduler::ActorError> {
                self.body.migrate_in(state)
            }
        }
    };
}
pub(crate) use synthetic_actor;
