//! nicsim: the command-line tool's library: CLI dispatch, sweeps, Slurm scripts, merging, plotting and `nicsim repro`, over the `system` crate.

/// The allocator of the binary, its examples and tests: mimalloc. A run
/// allocates and frees a few small blocks per request (messages, payloads,
/// boxed frames); mimalloc's per-thread free lists take about a quarter of
/// glibc's instructions for that (actors_mix: 4% fewer instructions in all,
/// measured with callgrind), and frees from another thread (a frame made by
/// a switch's partition and dropped by a server's, in a cluster run on
/// several threads) take no shared arena lock. Allocation never changes a
/// result.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod calibrate_host;
pub mod cli;
pub mod input_error;
pub mod merge;
pub mod native_cmd;
pub mod plot;
pub mod probe;
pub mod repro_cmd;
pub mod repro_eval;
pub mod repro_native;
pub mod run_cluster;
pub mod slurm;
pub mod sweep;

/// The paper reproduction (the `repro` crate), under its old path.
pub use ::repro;
pub use system::{frame, node, report, run, scenario, world};
pub use system::{run_scenario, RunOutput, Scenario};
