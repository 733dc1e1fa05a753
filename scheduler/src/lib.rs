//! scheduler: the iPipe actor runtime (actors, DMOs, messages, policies), independent of the simulator.
//!
//! The same code runs in the simulator (simulated time, simulated cores) and, later,
//! on real threads. It sees the machine only through [`Platform`] and never reads a
//! clock: time is passed in as a [`SimTime`] value (integer picoseconds, the same type
//! the simulator's engine uses; it and the other shared types come from the `vocab`
//! crate, so there is no conversion at the seam). It must never depend on `sim-core`
//! or a model crate (`tests/it/dependencies.rs` checks cargo metadata).
//!
//! # Pieces
//! - [`Actor`] / [`ActorCtx`]: actor code and what it may touch (compute, DMOs,
//!   accelerators, messages), with the watchdog checked on every charging call.
//! - [`DmoTable`]: distributed memory objects, owner-checked, movable NIC <-> host.
//! - [`Runtime`]: a passive state machine (queues, cores, statistics, migrations).
//! - [`SchedulingPolicy`]: what decides placement; [`HybridPolicy`] (iPipe) and
//!   [`FixedPolicy`] (FCFS-only, DRR-only, NIC-only, host-only, static split) built in.
//! - [`SchedulerSettings`]: every threshold, window, quantum, bound (a scenario's
//!   `[scheduler]` table; `deny_unknown_fields`; defaults documented on each field).
//!
//! # How a driver uses the runtime
//! The driver (the simulator's event loop, or a native thread pool) owns time and
//! cores. It numbers cores [`CoreId::nic`]`(0..nic_cores)` and
//! [`CoreId::host`]`(0..host_cores)` and makes these calls:
//!
//! 1. Setup: [`Runtime::new`]`(settings, nic_cores, host_cores)` (or
//!    [`Runtime::with_policy`] for a user policy), then [`Runtime::register_actor`]
//!    (or [`Runtime::register_actor_at`] to override the policy's initial placement)
//!    for each actor (ids 0, 1, 2, ... in order; `init` runs on the platform given,
//!    its DMOs are then placed on the actor's side at no cost), then
//!    [`Runtime::check_static_names`].
//! 2. A request arrives at time `t`: [`Runtime::deliver`]`(msg, t)`. It goes to the
//!    FCFS shared queue, the actor's DRR mailbox, its migration buffer or the host
//!    queue; a full queue drops it and counts the drop. To model PCIe, ask
//!    [`Runtime::side_of`] first and deliver host-bound requests when they reach host
//!    memory (routing is re-decided at `deliver`, so a late request is never lost).
//! 3. After every `deliver`, `finish` and `tick`, offer each free core (e.g. from
//!    [`Runtime::idle_cores`]) to the single entry point
//!    [`Runtime::run_next`]`(core, t, &mut platform)`, with that core's platform at
//!    time `t` and its per-execution charge counter at zero. It picks the core's
//!    next work and runs it at once (decision and execution are one call);
//!    `Some(outcome)`: schedule a completion event at
//!    [`ExecOutcome::completes_at`] (= `t` + time charged through the platform:
//!    [`Platform::on_request`], the scheduler overhead, then the handler). Messages
//!    the actor sent through the platform are the driver's to deliver (step 2) at
//!    their arrival times. [`Runtime::has_work`] says cheaply whether any offer can
//!    succeed.
//! 4. At the completion event: [`Runtime::finish`]`(outcome, t)`; the core is free.
//! 5. At [`Runtime::next_tick_at`]: [`Runtime::tick`]`(t)` evaluates the policy
//!    (downgrade/upgrade, core moves, push-to-host) and returns the actions applied.
//! 6. At the end: [`Runtime::actor_reports`] (actors.csv rows:
//!    [`ActorReport::CSV_HEADER`], [`ActorReport::csv_row`]),
//!    [`Runtime::placement_events`], [`Runtime::core_move_events`],
//!    [`Runtime::migrations`], [`Runtime::counters`].
//!
//! # Guarantees
//! - Per-actor order: one actor's requests are executed in the order `deliver`
//!   accepted them, across downgrades, upgrades and migration (queued requests move
//!   with the actor, in order; a migrating actor's buffer is forwarded in order).
//!   Completions may finish out of order when an actor runs on several cores at once.
//! - Concurrency: an actor may have several executions in flight (several FCFS, DRR
//!   or host cores). `execute` runs one handler to completion and takes `&mut self`,
//!   so handlers never overlap in memory; a native driver keeps that by calling the
//!   runtime from one thread (or under a lock).
//! - Determinism: no clock, no randomness, no hash-order iteration; the same calls
//!   in the same order give the same results. `idle_cores` lists NIC cores then
//!   host cores, by index.
//! - Conservation: every delivered request ends completed, dropped (counted by
//!   reason) or aborted by the watchdog: [`RuntimeCounters::accounted`] equals
//!   `delivered` once the driver has drained its events.
//! - Bounds: every queue has a capacity; statistics windows are bounded by count and
//!   age; run-wide latencies use fixed-size HDR histograms; event logs stop at
//!   [`runtime::MAX_RECORDED_EVENTS`] (further events are counted).
//! - Group isolation: FCFS cores never run DRR actors; DRR cores run the FCFS queue
//!   only when they have no DRR work (`drr_cores_serve_fcfs_when_idle`). One
//!   migration runs at a time, NIC -> host only.
//!
//! # Settings (`[scheduler]` table; every key optional)
//! | key | default | meaning |
//! |---|---|---|
//! | `policy` | `hybrid` | `hybrid`, `fcfs`, `drr`, `nic_only`, `host_only`, `static` |
//! | `tail_mode` | `p99` | window tail: measured `p99` or `mean_plus_3sigma` |
//! | `window_samples` / `group_window_samples` | 1024 / 4096 | window bounds (count) |
//! | `window_ns` | 2 ms | window bound (age) |
//! | `min_samples` | 32 | samples a window needs before the policy acts on it |
//! | `policy_interval_ns` | 100 us | period of `tick` |
//! | `tail_thresh_ns` | 30 us | Tail_thresh: FCFS group tail that triggers a downgrade |
//! | `upgrade_alpha` | 0.2 | upgrade when an actor's tail < (1 - alpha) Tail_thresh |
//! | `min_dispersion_ns` | 1 us | least exec stddev for a downgrade |
//! | `placement_cooldown_ns` | 1 ms | least time between two group changes of an actor |
//! | `mean_thresh_ns` | 100 us | Mean_thresh: group mean latency meaning overload |
//! | `overload_util` | 0.95 | overload also needs offered load >= this x group cores |
//! | `overload_evaluations` | 5 | consecutive overloaded evaluations before push-to-host |
//! | `load_smoothing` | 0.1 | EWMA weight of the newest interval in offered loads |
//! | `migration_cooldown_ns` | 2 ms | least time between migrations |
//! | `fcfs_target_util` | 0.75 | utilization the FCFS group is sized for |
//! | `core_move_hysteresis` | 0.25 | cores of slack before a core returns to FCFS |
//! | `min_fcfs_cores` | 1 | FCFS floor while it has actors |
//! | `drr_quantum_ns` | 5 us | DRR quantum per visit |
//! | `drr_switch_cost_cycles` | 600 | charged when a DRR core switches actor |
//! | `drr_cores_serve_fcfs_when_idle` | true | work-conserving DRR cores |
//! | `drr_initial_cost_ns` | 2 us | expected cost before an actor has samples |
//! | `fcfs_dispatch_cost_cycles` | 0 | charged per FCFS dispatch |
//! | `watchdog_ns` | 1 ms | most time one message may charge |
//! | `fcfs_queue_capacity` / `mailbox_capacity` | 4096 / 1024 | queue bounds (messages) |
//! | `migration_buffer_capacity` / `host_queue_capacity` | 4096 / 8192 | queue bounds |
//! | `nic_dmo_capacity_bytes` / `host_dmo_capacity_bytes` | 2 GiB / 16 GiB | DMO memory |
//! | `static_host_actors` / `static_drr_actors` / `static_drr_cores` | [] / [] / 0 | `static` split |
//!
//! # Example
//! ```
//! use scheduler::*;
//!
//! /// A platform where a cycle takes 1 ns and everything else is free.
//! struct Plat { side: Side, now: SimTime, charged: u64 }
//! impl Platform for Plat {
//!     fn now(&self) -> SimTime { self.now + SimDuration::from_ns(self.charged) }
//!     fn side(&self) -> Side { self.side }
//!     fn charge_cycles(&mut self, cycles: u64) { self.charged += cycles }
//!     fn mem_access(&mut self, _: u64, _: u32, _: MemAccess) {}
//!     fn accel(&mut self, _: AccelKind, _: u32) {}
//!     fn dma(&mut self, _: Direction, _: u64) -> SimDuration { SimDuration::ZERO }
//!     fn send(&mut self, _: Message) {}
//!     fn charged_in_exec(&self) -> SimDuration { SimDuration::from_ns(self.charged) }
//! }
//!
//! struct Echo;
//! impl Actor for Echo {
//!     fn name(&self) -> &str { "echo" }
//!     fn init(&mut self, _: &mut ActorCtx<'_>) -> Result<(), ActorError> { Ok(()) }
//!     fn exec(&mut self, m: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
//!         ctx.compute(2_000)?;
//!         ctx.send(m.src, 0, m.payload.clone())
//!     }
//! }
//!
//! let mut rt = Runtime::new(SchedulerSettings::default(), 2, 1).unwrap();
//! let mut p = Plat { side: Side::Nic, now: SimTime::ZERO, charged: 0 };
//! let echo = rt.register_actor(Box::new(Echo), &mut p, SimTime::ZERO).unwrap();
//! let msg = Message {
//!     id: 1, src: Endpoint::Network { node: 7, port: 80 }, dst: echo, kind: 0,
//!     payload: b"hi".to_vec(), created_at: SimTime::ZERO,
//! };
//! rt.deliver(msg, SimTime::from_ns(100)).unwrap();
//! let core = rt.idle_cores()[0];
//! let mut p = Plat { side: core.side, now: SimTime::from_ns(100), charged: 0 };
//! let outcome = rt.run_next(core, SimTime::from_ns(100), &mut p).unwrap().unwrap();
//! assert_eq!(outcome.completes_at(), SimTime::from_ns(2_100));
//! rt.finish(outcome, SimTime::from_ns(2_100)).unwrap();
//! let report = &rt.actor_reports()[0];
//! assert_eq!((report.requests, report.mean_us), (1, 2.0));
//! ```

pub mod actor;
pub mod dmo;
pub mod message;
mod moments;
pub mod pair_window;
pub mod platform;
pub mod policy;
mod ring;
mod run_stats;
pub mod runtime;
pub mod settings;
pub mod stats;

pub use actor::{Actor, ActorCtx, ActorError};
pub use dmo::{DmoError, DmoHandle, DmoTable};
pub use message::{ActorId, Endpoint, Message, NO_ACTOR};
pub use platform::{AsDynPlatform, MemAccess, Platform};
pub use policy::{
    policy_from_settings, ActorStatus, ActorView, FixedPolicy, GroupView, HybridPolicy, NicGroup,
    Placement, PolicyAction, PolicyView, SchedulingPolicy,
};
pub use runtime::{
    ActorReport, CoreId, CoreMoveEvent, Delivered, DropReason, ExecOutcome, GroupKind,
    MigrationRecord, OutcomeKind, PlacementEvent, Runtime, RuntimeCounters, RuntimeError,
};
pub use settings::{PolicyKind, SchedulerSettings, SettingsError, TailMode};
pub use stats::{LatencySummary, RunStats, SlidingWindow};
/// The vocabulary shared with the simulator (and the crate itself, for its other items).
pub use vocab::{self, AccelKind, Direction, FlowKey, Side, SimDuration, SimTime};
