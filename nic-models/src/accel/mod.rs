//! Accelerators: engine configuration and queueing model (`engine`) and the real functions they compute (`functions`).

pub mod engine;
pub mod functions;

pub use engine::{AccelConfig, AccelEngine, AccelKind, AccelTicket, EngineConfig, SoftwareCost};
