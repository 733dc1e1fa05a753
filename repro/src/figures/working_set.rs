//! Working-set sweep (iPipe implication I5): key-value lookups over 64 KB to 64 MB through the cache model on every NIC and the host.
//!
//! The store is a hash table of `n` 64 B items plus an 8 B bucket slot each
//! (working set = 72 n bytes). A lookup hashes the key (50 instructions),
//! reads the bucket slot, reads the item and compares the key (20
//! instructions). Keys are uniform random from a fixed-seed generator. Before
//! measuring, the table is touched once in address order (capped at twice the
//! last-level cache, beyond which the cache holds little of it anyway), so
//! small tables start cache-resident as a long-running store's would.

use nic_models::{CoreModel, ModelError};
use sim_core::table::fmt_f64;
use sim_core::Table;

use crate::error::ReproError;
use crate::figure::{Figure, PlotSpec};
use crate::figures::{host, nic, HOST_NAME, NIC_NAMES};
use crate::Ctx;

/// Working sets of the sweep, KiB: 64 KiB to 64 MiB, doubling.
pub const WORKING_SETS_KB: [u64; 11] = [
    64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536,
];

/// Bytes per item (value + key) and per bucket slot.
pub const ITEM_BYTES: u64 = 64;
/// Bytes per bucket slot.
pub const SLOT_BYTES: u64 = 8;
/// Lookups measured per point.
pub const LOOKUPS: u64 = 20_000;

/// Deterministic 64-bit generator (splitmix64).
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Mean lookup time in ns on core 0 of `model` for a working set of `ws_bytes`
/// (an error only if the model has no core 0).
pub fn lookup_ns(model: &mut CoreModel, ws_bytes: u64, seed: u64) -> Result<f64, ModelError> {
    model.memory_mut().flush();
    let items = (ws_bytes / (ITEM_BYTES + SLOT_BYTES)).max(1);
    let slots_base: u64 = 0;
    let items_base: u64 = (items * SLOT_BYTES).next_multiple_of(4096);
    let line = model.memory().config().line_bytes;
    let llc = model.memory().config().last_level_bytes();
    // Warm-up: touch slots then items in address order, at most 2 x LLC bytes.
    let mut budget = 2 * llc;
    for (base, len) in [
        (slots_base, items * SLOT_BYTES),
        (items_base, items * ITEM_BYTES),
    ] {
        let len = len.min(budget);
        budget -= len;
        let mut a = base;
        while a < base + len {
            // Warm-up only fills the caches; its time is not measured.
            model.memory_mut().access_line(0, a);
            a += line;
        }
    }
    let mut rng = seed;
    let mut total_ps: u128 = 0;
    for _ in 0..LOOKUPS {
        let k = splitmix(&mut rng) % items;
        let mut t = model.compute(0, 50)?.as_ps();
        t += model
            .mem_access(0, slots_base + k * SLOT_BYTES, SLOT_BYTES as u32, false)?
            .as_ps();
        t += model
            .mem_access(0, items_base + k * ITEM_BYTES, ITEM_BYTES as u32, false)?
            .as_ps();
        t += model.compute(0, 20)?.as_ps();
        total_ps += u128::from(t);
    }
    Ok(total_ps as f64 / LOOKUPS as f64 / 1000.0)
}

/// The sweep with its plot; the paper states no number for it, so no claims.
pub fn working_set(_ctx: &Ctx<'_>) -> Result<Figure, ReproError> {
    let plot = PlotSpec {
        x: "working_set_kb",
        y: "lookup_ns",
        series: &["platform"],
        title: "working set vs lookup time".into(),
        log_y: false,
    };
    Ok(Figure::new(
        "working_set",
        (working_set_table()?, Vec::new()),
        Some(plot),
    ))
}

/// Columns: platform, working_set_kb, lookup_ns.
pub fn working_set_table() -> Result<Table, ReproError> {
    let fail = |name: &str, e: &dyn std::fmt::Display| {
        ReproError::generate("working_set", format!("{name}: {e}"))
    };
    let mut table = Table::new(["platform", "working_set_kb", "lookup_ns"]);
    let mut models: Vec<(String, CoreModel)> = Vec::new();
    for n in NIC_NAMES {
        let m = nic("working_set", n)?
            .core_model()
            .map_err(|e| fail(n, &e))?;
        models.push((n.to_string(), m));
    }
    let h = host("working_set")?
        .core_model()
        .map_err(|e| fail(HOST_NAME, &e))?;
    models.push((HOST_NAME.to_string(), h));
    for (name, model) in &mut models {
        for (i, &kb) in WORKING_SETS_KB.iter().enumerate() {
            let ns =
                lookup_ns(model, kb * 1024, 0x5EED_0000 + i as u64).map_err(|e| fail(name, &e))?;
            table.push([name.clone(), kb.to_string(), fmt_f64(ns, 2)]);
        }
    }
    Ok(table)
}
