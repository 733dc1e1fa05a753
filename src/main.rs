//! nicsim: the command-line entry point.
fn main() {}
