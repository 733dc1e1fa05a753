//! Integration tests of the nicsim binary crate: one test binary, one module per behaviour.

mod bad_input;
mod cluster_faults;
mod cluster_run;
mod cluster_topo;
mod cluster_trace;
mod common;
mod conservation;
mod determinism;
mod echo_calibration;
mod latency;
mod native_cmd;
mod output_set;
mod overload;
mod plot_svg;
mod policies;
mod repro;
mod slurm_script;
mod swarm;
mod sweep_configs;
mod sweep_expand;
mod sweep_kill;
mod sweep_limits;
mod sweep_merge;
mod sweep_resume;
mod sweep_support;
