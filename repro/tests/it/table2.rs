//! Table 2 reproduced within 2% by pointer chasing over the cache model.

use repro::figures::table2::table2_parts;

#[test]
fn every_table2_latency_within_two_percent() {
    let (table, claims) = table2_parts(&crate::ctx()).unwrap();
    assert_eq!(claims.len(), 16, "one claim per published Table 2 cell");
    crate::assert_all_pass(&claims);
    assert!(claims.iter().all(|c| c.basis.kind() == "input"));
    assert_eq!(table.columns, ["platform", "level", "latency_ns"]);
    // LiquidIO also reports its scratchpad (no published latency, so no claim).
    assert!(table
        .rows
        .iter()
        .any(|r| r[0] == "liquidio_cn2350" && r[1] == "scratchpad"));
}
