//! Gives an actor the instance name its scenario entry declares (several actors of one kind need distinct names).

use scheduler::{Actor, ActorCtx, ActorError, Message};

/// An actor that answers to `name` and otherwise behaves exactly as `inner`.
pub struct Named {
    name: String,
    inner: Box<dyn Actor>,
}

impl Named {
    /// Wraps `inner` under `name`.
    pub fn new(name: impl Into<String>, inner: Box<dyn Actor>) -> Self {
        Named {
            name: name.into(),
            inner,
        }
    }
}

impl Actor for Named {
    fn name(&self) -> &str {
        &self.name
    }
    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        self.inner.init(ctx)
    }
    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
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
