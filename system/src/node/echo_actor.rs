//! The echo application as an actor: it sends every request's payload back to its sender.
//!
//! The echo workload runs on the same node as every other workload: its
//! frames pay the NIC pipeline (MAC, traffic manager or embedded switch,
//! the NIC core's forwarding cost) and reach this actor through the
//! runtime's FCFS queue. The handler itself costs nothing unless the
//! scenario adds per-packet processing (Fig. 4's offloaded-task cost),
//! charged as compute cycles on the core that runs it.

use scheduler::{Actor, ActorCtx, ActorError, Message};

/// The echo actor's name in runtime reports.
pub const ECHO_ACTOR_NAME: &str = "echo";

/// Replies with the request's payload to the request's sender.
#[derive(Debug, Default)]
pub struct EchoActor {
    /// Extra compute per request (the scenario's `processing_us` at the NIC clock).
    processing_cycles: u64,
}

impl EchoActor {
    /// An echo actor that charges `processing_cycles` per request on top of the packet path.
    pub fn new(processing_cycles: u64) -> EchoActor {
        EchoActor { processing_cycles }
    }
}

impl Actor for EchoActor {
    fn name(&self) -> &str {
        ECHO_ACTOR_NAME
    }
    fn init(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        Ok(())
    }
    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        if self.processing_cycles > 0 {
            ctx.compute(self.processing_cycles)?;
        }
        ctx.send(msg.src, msg.kind, msg.payload.clone())
    }
}
