//! Table 2 of iPipe: pointer-chasing latency of each memory level on every NIC and the host, from the cache model.

use sim_core::table::fmt_f64;
use sim_core::{Claim, Table};

use crate::figures::{host, nic, HOST_NAME, NIC_NAMES};
use crate::memory::pointer_chase::measure_levels;
use crate::memory::NicMemory;

/// Table 2 of iPipe (ns), via configs/calibration/ipipe-sigcomm19.toml
/// [memory_latency_ns.*]. CN2350 and CN2360 share the LiquidIO row.
pub const PAPER_NS: [(&str, &str, f64); 16] = [
    ("liquidio_cn2350", "l1", 8.3),
    ("liquidio_cn2350", "l2", 55.8),
    ("liquidio_cn2350", "dram", 115.0),
    ("liquidio_cn2360", "l1", 8.3),
    ("liquidio_cn2360", "l2", 55.8),
    ("liquidio_cn2360", "dram", 115.0),
    ("bluefield_1m332a", "l1", 5.0),
    ("bluefield_1m332a", "l2", 25.6),
    ("bluefield_1m332a", "dram", 132.0),
    ("stingray_ps225", "l1", 1.3),
    ("stingray_ps225", "l2", 25.1),
    ("stingray_ps225", "dram", 85.3),
    ("host_e5_2620v4", "l1", 1.2),
    ("host_e5_2620v4", "l2", 6.0),
    ("host_e5_2620v4", "l3", 22.4),
    ("host_e5_2620v4", "dram", 62.2),
];

/// Pointer-chases every level (the LiquidIO scratchpad too, which has no published latency) of every platform. Columns: platform, level, latency_ns.
pub fn table2() -> (Table, Vec<Claim>) {
    let mut table = Table::new(["platform", "level", "latency_ns"]);
    let mut claims = Vec::new();
    let mut platforms: Vec<(String, crate::memory::MemoryConfig)> = NIC_NAMES
        .iter()
        .map(|n| (n.to_string(), nic(n).memory))
        .collect();
    platforms.push((HOST_NAME.to_string(), host().memory));
    for (name, cfg) in platforms {
        let mut mem = NicMemory::new(&cfg, 1).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (level, ns) in measure_levels(&mut mem) {
            table.push([name.clone(), level.clone(), fmt_f64(ns, 2)]);
            if let Some(&(_, _, paper)) =
                PAPER_NS.iter().find(|(p, l, _)| *p == name && *l == level)
            {
                claims.push(Claim::new(
                    format!("table2.{name}.{level}.latency_ns"),
                    format!("Table 2: pointer-chasing latency of {level} on {name}"),
                    paper,
                    ns,
                    "ns",
                    0.02,
                ));
            }
        }
    }
    (table, claims)
}
