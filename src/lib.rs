//! nicsim library: everything the `nicsim` binary does, callable from tests and examples.

pub mod merge;
pub mod plot;
pub mod slurm;
pub mod sweep;
