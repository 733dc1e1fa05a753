//! Benchmark models shared by the criterion benches, the examples and `examples/speed/` of the nicsim package.
//!
//! They live in the library (not in a bench file) so every driver measures
//! exactly the same model.

pub mod hold;
pub mod ping;
