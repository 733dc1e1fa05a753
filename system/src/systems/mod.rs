//! System assembly: the simulated systems a scenario can describe, built from model crates and driven by the engine.

pub mod actor_accounting;
pub mod actor_parts;
pub mod actors;
pub mod echo;
pub mod named_actor;
