//! RKV (placeholder while being written).
