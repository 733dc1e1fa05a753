//! Pointer-chasing microbenchmark over the cache model: the method behind Table 2 of iPipe.
//!
//! A chain of dependent loads visits every line of a working set once per
//! round in a fixed pseudo-random cyclic order; the mean latency per load is
//! the load-to-use latency of the level that holds the working set. The order
//! is a full-period linear congruential sequence over a power-of-two number of
//! lines (x -> 5x + 1 mod n), so it needs no permutation array and is the same
//! on every run. Because the order is cyclic, LRU gives all hits when a level's
//! sets hold the working set and all misses when they do not: each level is
//! measured cleanly by choosing the working set between its size and the
//! previous level's.

use crate::memory::hierarchy::{NicMemory, SCRATCHPAD_BASE};

/// Result of chasing one working set.
#[derive(Clone, Debug, PartialEq)]
pub struct ChaseResult {
    /// Working set in bytes (rounded to a power-of-two number of lines).
    pub working_set_bytes: u64,
    /// Mean latency per dependent load, ns.
    pub latency_ns: f64,
}

/// Chases `steps` dependent loads on `core` over `working_set_bytes` starting at `base`,
/// after `warmup_steps` unmeasured loads. Caches are flushed first.
pub fn chase(
    mem: &mut NicMemory,
    core: usize,
    base: u64,
    working_set_bytes: u64,
    warmup_steps: u64,
    steps: u64,
) -> ChaseResult {
    mem.flush();
    let line = mem.config().line_bytes;
    // Round the number of lines down to a power of two (at least 1).
    let lines = (working_set_bytes / line).max(1);
    let lines = 1u64 << (63 - lines.leading_zeros());
    let mask = lines - 1;
    let mut x: u64 = 0;
    let next = |x: &mut u64| {
        *x = (x.wrapping_mul(5).wrapping_add(1)) & mask;
        base + *x * line
    };
    for _ in 0..warmup_steps {
        let a = next(&mut x);
        mem.access_line(core, a);
    }
    let mut total_ps: u128 = 0;
    for _ in 0..steps.max(1) {
        let a = next(&mut x);
        total_ps += u128::from(mem.access_line(core, a).0.as_ps());
    }
    ChaseResult {
        working_set_bytes: lines * line,
        latency_ns: total_ps as f64 / steps.max(1) as f64 / 1000.0,
    }
}

/// Measures every level of the hierarchy of `mem` on core 0: the scratchpad (if any),
/// each cache level, then DRAM. Returns `(level name, latency_ns)` in that order.
pub fn measure_levels(mem: &mut NicMemory) -> Vec<(String, f64)> {
    const STEPS: u64 = 20_000;
    let cfg = mem.config().clone();
    let line = cfg.line_bytes;
    let mut out = Vec::new();
    if let Some(s) = &cfg.scratchpad {
        let r = chase(mem, 0, SCRATCHPAD_BASE, s.lines * line, 0, STEPS);
        out.push(("scratchpad".to_string(), r.latency_ns));
    }
    for c in &cfg.caches {
        // Half the level's capacity: fits it (LRU keeps a cyclic set that fits)
        // and, when levels grow by 4x or more, overflows the level before it.
        let ws = c.size_kb * 1024 / 2;
        let lines = (ws / line).max(1);
        let r = chase(mem, 0, 0, ws, lines, STEPS);
        out.push((c.name.clone(), r.latency_ns));
    }
    // DRAM: four times the last level; cyclic, so every load misses every level.
    let llc = cfg.last_level_bytes();
    let r = chase(
        mem,
        0,
        0,
        4 * llc.next_power_of_two(),
        2 * llc / line,
        STEPS,
    );
    out.push(("dram".to_string(), r.latency_ns));
    out
}
