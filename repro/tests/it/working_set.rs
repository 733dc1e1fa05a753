//! Working-set sweep: key-value lookups slow down sharply once the working set exceeds L2 (the LLC on the host), on every platform.

use nic_models::{HostProfile, NicProfile};
use repro::figures::working_set::{lookup_ns, working_set_table};

/// Lookup time well inside the last-level cache vs well beyond it.
fn cliff(model: &mut nic_models::CoreModel, llc_bytes: u64) -> (f64, f64) {
    let inside = lookup_ns(model, llc_bytes / 4, 1).unwrap();
    let beyond = lookup_ns(model, llc_bytes * 8, 1).unwrap();
    (inside, beyond)
}

#[test]
fn every_nic_shows_the_l2_cliff() {
    for name in nic_models::profile::builtin_names() {
        let p = NicProfile::builtin(name).unwrap();
        let l2 = p.memory.caches.iter().find(|c| c.name == "l2").unwrap();
        let mut m = p.core_model().unwrap();
        let (inside, beyond) = cliff(&mut m, l2.size_kb * 1024);
        assert!(
            beyond > 1.4 * inside,
            "{name}: {inside:.1} ns inside L2 vs {beyond:.1} ns beyond: no cliff"
        );
        // Inside L2 a lookup costs about two L2 hits plus compute; beyond it, DRAM dominates.
        assert!(beyond > 1.5 * p.memory.dram_latency_ns, "{name}: {beyond}");
    }
}

#[test]
fn host_cliff_is_at_its_l3() {
    let h = HostProfile::builtin("host_e5_2620v4").unwrap();
    let mut m = h.core_model().unwrap();
    let (inside, beyond) = cliff(&mut m, h.memory.last_level_bytes());
    assert!(beyond > 1.4 * inside, "{inside} vs {beyond}");
}

#[test]
fn sweep_covers_64kb_to_64mb_on_every_platform_and_grows() {
    let t = working_set_table().unwrap();
    assert_eq!(t.columns, ["platform", "working_set_kb", "lookup_ns"]);
    assert_eq!(t.rows.len(), 5 * 11);
    let ns = t.numbers("lookup_ns").unwrap();
    for (platform_rows, platform_ns) in t.rows.chunks(11).zip(ns.chunks(11)) {
        assert_eq!(platform_rows[0][1], "64");
        assert_eq!(platform_rows[10][1], "65536");
        // Larger working sets never make lookups cheaper (2% slack for sampling noise).
        for w in platform_ns.windows(2) {
            assert!(
                w[1] >= 0.98 * w[0],
                "{}: {:?}",
                platform_rows[0][0],
                platform_ns
            );
        }
        assert!(
            platform_ns[10] > 2.0 * platform_ns[0],
            "{}",
            platform_rows[0][0]
        );
    }
}
