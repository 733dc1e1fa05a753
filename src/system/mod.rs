//! System assembly: the simulated systems a scenario can describe, built from model crates and driven by the engine.

pub mod echo;
