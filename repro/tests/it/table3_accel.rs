//! Table 3 accelerator rows: MD5 and AES speedups over the host within 10%.

use nic_models::AccelKind;
use repro::figures::table3_accel::table3_accel;

#[test]
fn md5_and_aes_speedups_within_ten_percent() {
    let (table, claims) = table3_accel(crate::paper()).unwrap();
    assert_eq!(claims.len(), 2);
    crate::assert_all_pass(&claims);
    // One row per accelerator kind.
    assert_eq!(table.rows.len(), AccelKind::ALL.len());
    assert!(table.rows.iter().all(|r| r[0].starts_with("accel_")));
}
