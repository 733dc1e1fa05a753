//! Integration tests of nic-models, one module per behaviour (a single test binary keeps link time down).

mod accel_ratios;
mod core_counts;
mod core_model;
mod determinism;
mod l2_cliff;
mod messaging_ratios;
mod steering;
mod table2;
mod vectors;
