//! Criterion bench of the hold model (filled in with the event queue).
fn main() {}
