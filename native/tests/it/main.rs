//! Integration tests of the native driver: conservation, the actors' functional results on real threads, and that no code path in `scheduler/` or the actors is native-only.

mod apps;
mod conservation;
mod no_native_path;
mod support;
