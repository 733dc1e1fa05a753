//! DT (placeholder while being written).
