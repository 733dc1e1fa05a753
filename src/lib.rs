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

/// Turns transparent huge pages off for this process; true if it did.
///
/// Why: mimalloc asks the kernel for huge pages on its arenas, and every
/// worker thread of a cluster run on several threads starts with a heap
/// of its own, so a run faults in fresh 2 MiB pages that the kernel
/// zeroes whole, however little of them the thread uses. On the 2-core
/// development VM (README, "Speed"), eighteen leaf-spine runs (nine on one
/// thread, nine on two) took 0.20-0.41 s of system time with huge pages
/// and 0.06-0.22 s without (four series each), with one-thread runs as
/// fast either way. Called first thing
/// by the binary and the speed example; never changes a result.
///
/// mimalloc is also built with its `no_thp` feature, so it never asks for
/// huge pages (`madvise`) at all: the arena it maps before `main` (Rust's
/// runtime allocates first) used to get huge pages on a kernel whose THP
/// mode is `madvise`, and zeroing them took 5% of a 64 B echo run of the
/// binary (`perf`: `clear_page_erms` under `do_huge_pmd_anonymous_page`,
/// 385-1,297 samples in eight runs against 43-60 without). This call still
/// matters where the kernel's mode is `always`.
pub fn use_small_pages() -> bool {
    #[cfg(target_os = "linux")]
    {
        // refused only by kernels older than 3.15: huge pages then stay on,
        // which costs speed, not correctness
        nix::sys::prctl::set_thp_disable(true).is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

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
