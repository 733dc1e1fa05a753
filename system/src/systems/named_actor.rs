//! Wraps an actor with the identity and per-request NIC costs its scenario entry gives it.
//!
//! Two things the actor's own code does not know: its instance name (several
//! actors of one kind need distinct names), and the NIC's per-packet
//! forwarding cost (the "execution tax") that a NIC core pays to receive a
//! request from the network and send its reply. Charging the tax inside the
//! handler makes it part of the actor's measured execution time, so the
//! scheduler's load estimates and core shares see the real cost of running
//! the actor on the NIC; on the host the tax is not charged.

use crate::systems::actors::Tax;
use scheduler::{Actor, ActorCtx, ActorError, Endpoint, Message, Side};

/// An actor that answers to `name`, pays the NIC tax on network requests,
/// and otherwise behaves exactly as `inner`.
pub struct NamedActor {
    name: String,
    inner: Box<dyn Actor>,
    tax: Option<(Tax, u64)>,
}

impl NamedActor {
    /// Wraps `inner` under `name`, with no tax.
    pub fn new(name: impl Into<String>, inner: Box<dyn Actor>) -> Self {
        NamedActor {
            name: name.into(),
            inner,
            tax: None,
        }
    }

    /// Charges `tax` for every network request run on a NIC core, counting
    /// `overhead_bytes` of headers on top of the payload.
    pub fn with_nic_tax(mut self, tax: Tax, overhead_bytes: u64) -> Self {
        self.tax = Some((tax, overhead_bytes));
        self
    }
}

impl Actor for NamedActor {
    fn name(&self) -> &str {
        &self.name
    }
    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        self.inner.init(ctx)
    }
    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        if let Some((tax, overhead)) = self.tax {
            if ctx.side() == Side::Nic && matches!(msg.src, Endpoint::Network { .. }) {
                ctx.compute(tax.cycles(msg.payload.len() as u64 + overhead))?;
            }
        }
        self.inner.exec(msg, ctx)
    }
    fn migrate_out(&mut self, ctx: &mut ActorCtx<'_>) -> Result<Vec<u8>, ActorError> {
        self.inner.migrate_out(ctx)
    }
    fn migrate_in(&mut self, state: &[u8], ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        self.inner.migrate_in(state, ctx)
    }
    fn delete(&mut self, ctx: &mut ActorCtx<'_>) {
        self.inner.delete(ctx)
    }
}
