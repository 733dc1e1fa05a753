//! Reports: the summary row, atomic CSV/TOML output, and the readable console summary.

pub mod print;
pub mod set;
pub mod summary;
pub mod write;

pub use summary::Summary;
