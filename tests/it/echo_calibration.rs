//! Echo servers follow the paper's core-scaling data (iPipe Sec. 2.2.2, Figs. 2 and 3).
//!
//! CN2350 at 10GbE: 64 B and 128 B never reach line rate; 256 B first
//! reaches it at 10 cores; 1500 B at 3 cores. Stingray PS225 at 25GbE: 64 B
//! and 128 B never with 8 cores; 256 B at 3; 1500 B at 1.
//! "Reaches" = achieved >= 0.99 x line rate.

use crate::common::{quickstart, run};

/// Fewest cores (1..=12) at which `size` reaches line rate on the CN2350, if any.
fn cores_to_line_rate(size: u32) -> Option<u32> {
    cores_to_line_rate_on("liquidio_cn2350", 12, size)
}

/// Fewest cores (1..=max) at which `size` reaches line rate on `nic`, if any.
fn cores_to_line_rate_on(nic: &str, max: u32, size: u32) -> Option<u32> {
    (1..=max).find(|&cores| {
        let s = quickstart(&[
            &format!("nic.profile={nic}"),
            &format!("nic.cores={cores}"),
            &format!("traffic.packet_size={size}"),
            "duration_ms=2",
            "warmup_ms=0.5",
        ]);
        run(&s).summary.at_line_rate()
    })
}

#[test]
fn small_packets_never_reach_line_rate() {
    assert_eq!(cores_to_line_rate(64), None);
    assert_eq!(cores_to_line_rate(128), None);
}

#[test]
fn packets_of_256_bytes_need_ten_cores() {
    assert_eq!(cores_to_line_rate(256), Some(10));
}

#[test]
fn packets_of_1500_bytes_need_three_cores() {
    assert_eq!(cores_to_line_rate(1500), Some(3));
}

#[test]
fn below_line_rate_throughput_scales_linearly_with_cores() {
    let at = |cores: u32| {
        let s = quickstart(&[
            &format!("nic.cores={cores}"),
            "traffic.packet_size=64",
            "duration_ms=2",
            "warmup_ms=0.5",
        ]);
        run(&s).summary.achieved_mpps
    };
    let (one, six) = (at(1), at(6));
    assert!(
        (six / one - 6.0).abs() < 0.05,
        "1 core {one} Mpps, 6 cores {six} Mpps"
    );
}

#[test]
fn stingray_follows_fig3() {
    let on = |size| cores_to_line_rate_on("stingray_ps225", 8, size);
    assert_eq!(on(64), None);
    assert_eq!(on(128), None);
    assert_eq!(on(256), Some(3));
    assert_eq!(on(1500), Some(1));
}
