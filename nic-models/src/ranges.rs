//! The documented valid range of every numeric profile value, and the checks that enforce them at load.
//!
//! Ranges are wide (far beyond any real NIC) but finite, so that no profile
//! can make a run hang or allocate without bound: a 1e9 Gb/s port would
//! generate ~1e15 packets per simulated second, a 2^40 KiB cache would
//! allocate its tag array up front. NaN and infinities are refused
//! everywhere. configs/nics/README.md lists the same table for users.

use crate::error::ModelError;

/// Port speed, Gb/s: `(0, MAX_LINK_GBPS]` (800GbE is the fastest Ethernet today).
pub const MAX_LINK_GBPS: f64 = 1_000.0;
/// NIC or host cores: `1..=MAX_CORES`.
pub const MAX_CORES: u64 = 1_024;
/// Core clock, GHz: `(0, MAX_FREQ_GHZ]`.
pub const MAX_FREQ_GHZ: f64 = 10.0;
/// Any fixed cost or latency, ns: `[0, MAX_COST_NS]` (one second).
pub const MAX_COST_NS: f64 = 1e9;
/// Any per-byte cost, ns/B: `[0, MAX_PER_BYTE_NS]` (1 ms per byte).
pub const MAX_PER_BYTE_NS: f64 = 1e6;
/// Any queue or buffer bound, entries: `1..=MAX_QUEUE` (memory is allocated as it fills).
pub const MAX_QUEUE: u64 = 1 << 20;
/// One cache level, KiB: `1..=MAX_CACHE_KB` (1 GiB).
pub const MAX_CACHE_KB: u64 = 1 << 20;
/// Cache lines of every level and instance together (tag arrays are allocated
/// up front, 16 B per line): at most 4 Mi lines, 64 MiB of tags.
pub const MAX_CACHE_LINES_TOTAL: u64 = 1 << 22;
/// Ways of one cache level: `1..=MAX_WAYS`.
pub const MAX_WAYS: u64 = 1_024;
/// Sustained instructions per cycle: `(0, MAX_IPC]`.
pub const MAX_IPC: f64 = 16.0;
/// Packet-engine ceiling, Mpps: `(0, MAX_MPPS]`.
pub const MAX_MPPS: f64 = 1e6;
/// Accelerator units per engine: `1..=MAX_UNITS`.
pub const MAX_UNITS: u64 = 1_024;

/// `v` must be a finite number in `[lo, hi]` (`(lo, hi]` when `open_low`).
/// The error gives the range and unit, the value, and what to write instead.
pub(crate) fn number(
    key: &str,
    v: f64,
    (lo, hi): (f64, f64),
    open_low: bool,
    unit: &str,
) -> Result<(), ModelError> {
    let low_ok = if open_low { v > lo } else { v >= lo };
    if v.is_finite() && low_ok && v <= hi {
        return Ok(());
    }
    let open = if open_low { "(" } else { "[" };
    Err(ModelError::InvalidConfig {
        key: key.to_string(),
        reason: format!(
            "must be a number in {open}{lo}, {hi}] {unit}, got {v}: write a value in that range"
        ),
    })
}

/// `v` must be in `lo..=hi`.
pub(crate) fn count(key: &str, v: u64, lo: u64, hi: u64, unit: &str) -> Result<(), ModelError> {
    if (lo..=hi).contains(&v) {
        return Ok(());
    }
    Err(ModelError::InvalidConfig {
        key: key.to_string(),
        reason: format!("must be {lo}..={hi} {unit}, got {v}: write a value in that range"),
    })
}

/// A fixed cost or latency, ns.
pub(crate) fn cost_ns(key: &str, v: f64) -> Result<(), ModelError> {
    number(key, v, (0.0, MAX_COST_NS), false, "ns")
}

/// A latency that must take some time, ns.
pub(crate) fn latency_ns(key: &str, v: f64) -> Result<(), ModelError> {
    number(key, v, (0.0, MAX_COST_NS), true, "ns")
}

/// A per-byte cost, ns/B.
pub(crate) fn per_byte_ns(key: &str, v: f64) -> Result<(), ModelError> {
    number(key, v, (0.0, MAX_PER_BYTE_NS), false, "ns/B")
}

/// A queue or buffer bound.
pub(crate) fn queue(key: &str, v: u64) -> Result<(), ModelError> {
    count(key, v, 1, MAX_QUEUE, "entries")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_outside_the_range_or_not_finite_are_refused() {
        let link = |v| number("link_gbps", v, (0.0, MAX_LINK_GBPS), true, "Gb/s");
        assert!(link(10.0).is_ok());
        assert!(link(MAX_LINK_GBPS).is_ok());
        for bad in [0.0, -1.0, 1e9, f64::NAN, f64::INFINITY] {
            let e = link(bad).unwrap_err().to_string();
            assert!(
                e.contains("link_gbps") && e.contains("(0, 1000] Gb/s"),
                "{e}"
            );
        }
        assert!(cost_ns("x", 0.0).is_ok());
        assert!(latency_ns("x", 0.0).is_err());
        assert!(queue("q", 0).is_err());
        assert!(queue("q", MAX_QUEUE).is_ok());
    }
}
