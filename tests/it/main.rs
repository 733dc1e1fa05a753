//! Integration tests of the nicsim binary crate: one test binary, one module per behaviour.

mod bad_input;
mod common;
mod conservation;
mod determinism;
mod echo_calibration;
