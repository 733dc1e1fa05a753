//! Determinism: every generator gives identical tables twice, and lookups depend only on the seed.

use nic_models::NicProfile;
use repro::figures::working_set::lookup_ns;
use repro::figures::{fig6, pcie, table2, table3_accel};

#[test]
fn generators_give_identical_tables_twice() {
    let ctx = crate::ctx();
    assert_eq!(table2::table2(&ctx).unwrap(), table2::table2(&ctx).unwrap());
    let p = crate::paper();
    assert_eq!(
        table3_accel::table3_accel(p).unwrap(),
        table3_accel::table3_accel(p).unwrap()
    );
    assert_eq!(fig6::fig6(&ctx).unwrap(), fig6::fig6(&ctx).unwrap());
    assert_eq!(pcie::fig7(&ctx).unwrap(), pcie::fig7(&ctx).unwrap());
    assert_eq!(pcie::fig8(&ctx).unwrap(), pcie::fig8(&ctx).unwrap());
    assert_eq!(pcie::fig9(&ctx).unwrap(), pcie::fig9(&ctx).unwrap());
    assert_eq!(pcie::fig10_table(true), pcie::fig10_table(true));
}

#[test]
fn lookups_depend_only_on_the_seed() {
    let p = NicProfile::builtin("bluefield_1m332a").unwrap();
    let a = lookup_ns(&mut p.core_model().unwrap(), 4 << 20, 7).unwrap();
    let mut reused = p.core_model().unwrap();
    lookup_ns(&mut reused, 64 << 10, 3).unwrap(); // earlier use of the same model must not leak in
    let b = lookup_ns(&mut reused, 4 << 20, 7).unwrap();
    assert_eq!(a.to_bits(), b.to_bits());
    let c = lookup_ns(&mut p.core_model().unwrap(), 4 << 20, 8).unwrap();
    assert_ne!(
        a.to_bits(),
        c.to_bits(),
        "a different seed draws different keys"
    );
}
