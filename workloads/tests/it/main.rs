//! Integration tests of the workloads crate: one module per behaviour.

mod common;
mod table3;
