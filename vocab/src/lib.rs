//! vocab: the types the iPipe scheduler and the simulator's models both speak (time, side, direction, accelerator, flow).
//!
//! The scheduler must not depend on the simulator (`scheduler/tests/it/dependencies.rs`),
//! yet it and the models talk about the same things: instants and spans of time,
//! which side of PCIe code runs on, which way data crosses PCIe, which accelerator
//! an actor calls, which flow a packet belongs to. Defining each once here removes
//! the parallel enums and the conversions between them. This crate depends on
//! nothing but serde, so depending on it never pulls a simulator crate in.

pub mod accel;
pub mod direction;
pub mod flow;
pub mod hdr_bins;
pub mod ring;
pub mod round;
pub mod side;
pub mod time;

pub use accel::AccelKind;
pub use direction::Direction;
pub use flow::FlowKey;
pub use side::Side;
pub use time::{SimDuration, SimTime};
