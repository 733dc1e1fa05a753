//! Table 2 of iPipe: pointer-chasing latency of each memory level on every NIC and the host, from the cache model.

use nic_models::memory::pointer_chase::measure_levels;
use nic_models::memory::{MemoryConfig, NicMemory};
use sim_core::table::fmt_f64;
use sim_core::Table;

use crate::claim::{Basis, Claim};
use crate::error::ReproError;
use crate::figure::Figure;
use crate::figures::{host, nic, HOST_NAME, NIC_NAMES};
use crate::Ctx;

/// Accepted relative error: the chase should return the profile's latency
/// almost exactly (2% covers the loop's compute).
pub const TOLERANCE: f64 = 0.02;

/// The figure (no plot).
pub fn table2(ctx: &Ctx<'_>) -> Result<Figure, ReproError> {
    Ok(Figure::new("table2", table2_parts(ctx)?, None))
}

/// The profile key a level's latency is written in: the profiles copy each
/// Table 2 latency into the cache model, so every claim here is an input
/// measured back through the pointer chase.
fn input_key(platform: &str, level: &str) -> String {
    let key = if level == "dram" {
        "memory.dram_latency_ns".to_string()
    } else {
        format!("memory.caches.{level}.latency_ns")
    };
    format!("{key} (configs/nics/{platform}.toml)")
}

/// Pointer-chases every level (the LiquidIO scratchpad too, which has no
/// published latency) of every platform. Columns: platform, level, latency_ns.
pub fn table2_parts(ctx: &Ctx<'_>) -> Result<(Table, Vec<Claim>), ReproError> {
    let mut table = Table::new(["platform", "level", "latency_ns"]);
    let mut claims = Vec::new();
    let mut platforms: Vec<(String, MemoryConfig)> = Vec::new();
    for n in NIC_NAMES {
        platforms.push((n.to_string(), nic("table2", n)?.memory));
    }
    platforms.push((HOST_NAME.to_string(), host("table2")?.memory));
    for (name, cfg) in platforms {
        let paper = ctx.paper.memory_latency(&name)?.levels();
        let mut mem = NicMemory::new(&cfg, 1)
            .map_err(|e| ReproError::generate("table2", format!("{name}: {e}")))?;
        for (level, ns) in measure_levels(&mut mem) {
            table.push([name.clone(), level.clone(), fmt_f64(ns, 2)]);
            if let Some(&(_, paper_ns)) = paper.iter().find(|(l, _)| *l == level) {
                claims.push(Claim::new(
                    format!("table2.{name}.{level}.latency_ns"),
                    format!("Table 2: pointer-chasing latency of {level} on {name}"),
                    paper_ns,
                    ns,
                    "ns",
                    TOLERANCE,
                    Basis::Input(input_key(&name, &level)),
                ));
            }
        }
    }
    Ok((table, claims))
}
