//! scheduler: the iPipe actor runtime (actors, DMOs, messages, policies), independent of the simulator.
//!
//! The crate sees the machine only through [`Platform`]; it must never depend on
//! `sim-core` or a model crate (a test checks cargo metadata).

pub mod actor;
pub mod dmo;
pub mod message;
pub mod platform;
pub mod policy;
pub mod runtime;
pub mod settings;
pub mod stats;
pub mod time;

pub use actor::{Actor, ActorCtx, ActorError};
pub use dmo::{DmoError, DmoHandle, DmoTable};
pub use message::{ActorId, Endpoint, Message, NO_ACTOR};
pub use platform::{AccelKind, DmaDirection, MemAccess, Platform, Side};
pub use policy::{
    ActorStatus, ActorView, FixedPolicy, GroupView, HybridPolicy, NicGroup, Placement,
    PolicyAction, PolicyView, SchedulingPolicy,
};
pub use runtime::{
    ActorReport, CoreId, Delivered, Dispatch, DropReason, ExecOutcome, GroupKind, GroupReport,
    MigrationRecord, OutcomeKind, PlacementEvent, Runtime, RuntimeCounters, RuntimeError, Work,
};
pub use settings::{PolicyKind, SchedulerSettings, SettingsError, TailMode};
pub use stats::{LatencySummary, RunStats, SlidingWindow};
pub use time::Nanos;
