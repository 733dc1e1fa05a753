//! Integration tests of the scheduler runtime, driven by a fake platform and a fake
//! event loop (see `harness.rs`); one module per behaviour.

mod actors;
mod harness;
mod mix;

mod dependencies;
mod determinism;
mod drr;
mod hybrid_rules;
mod isolation;
mod messaging;
mod migration;
mod policies;
mod settings;
mod watchdog;
