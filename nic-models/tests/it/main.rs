//! Integration tests of nic-models, one module per behaviour (a single test binary keeps link time down).

mod accel_engines;
mod core_counts;
mod core_model;
mod pointer_chase;
mod profile_files;
mod steering;
mod vectors;
