//! Fig. 7: the table has one row per operation and payload, and the flatness claims hold by construction.

use repro::figures::pcie::{fig7_parts, PAYLOADS};

#[test]
fn fig7_table_and_claims() {
    let (table, claims) = fig7_parts(&crate::ctx()).unwrap();
    assert_eq!(table.columns, ["op", "payload_bytes", "latency_us"]);
    assert_eq!(table.rows.len(), 4 * PAYLOADS.len());
    assert_eq!(claims.len(), 2);
    crate::assert_all_pass(&claims);
    assert!(claims.iter().all(|c| c.basis.kind() == "structural"));
}
