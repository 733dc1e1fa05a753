//! Figs. 4 and 5 come from the echo runs of the server model: their columns, the knee, and predicted claims when the calibration file states the paper's values.

use crate::ctx;
use repro::figures::echo::{headroom, knee_us, latency};
use repro::{Ctx, Paper};

#[test]
fn fig4_has_its_columns_and_every_curve_leaves_line_rate() {
    let f = headroom(&ctx()).expect("fig4");
    assert_eq!(
        f.table.columns,
        [
            "nic",
            "packet_size",
            "processing_us",
            "achieved_gbps",
            "line_rate_gbps"
        ]
    );
    // the built-in calibration data has no Fig. 4 values: no claim
    assert!(f.claims.is_empty());
    for nic in ["liquidio_cn2350", "stingray_ps225"] {
        for size in ["256", "1024"] {
            let curve: Vec<(f64, f64, f64)> = f
                .table
                .rows
                .iter()
                .filter(|r| r[0] == nic && r[1] == size)
                .map(|r| {
                    (
                        r[2].parse().unwrap(),
                        r[3].parse().unwrap(),
                        r[4].parse().unwrap(),
                    )
                })
                .collect();
            assert!(curve.len() > 5, "{nic} {size}");
            let last = curve.last().unwrap();
            assert!(last.1 < 0.6 * last.2, "{nic} {size}: {last:?}");
            // throughput never rises with more processing
            for w in curve.windows(2) {
                assert!(w[1].1 <= w[0].1 * 1.01, "{nic} {size}: {w:?}");
            }
        }
    }
}

#[test]
fn the_knee_is_the_last_point_at_line_rate() {
    let c = [(0.0, 10.0, 10.0), (1.0, 9.95, 10.0), (2.0, 8.0, 10.0)];
    assert_eq!(knee_us(&c), Some(1.0));
    assert_eq!(knee_us(&[(0.0, 5.0, 10.0)]), None);
}

#[test]
fn fig5_has_its_columns_for_6_and_12_cores() {
    let f = latency(&ctx()).expect("fig5");
    assert_eq!(
        f.table.columns,
        ["packet_size", "cores", "lat_mean_us", "lat_p99_us"]
    );
    assert_eq!(f.table.rows.len(), 8);
    for r in &f.table.rows {
        let (mean, p99): (f64, f64) = (r[2].parse().unwrap(), r[3].parse().unwrap());
        assert!(p99 >= mean && mean > 0.0, "{r:?}");
    }
}

#[test]
fn stated_paper_values_become_predicted_claims() {
    // plumbing only: a calibration copy with made-up Fig. 4/5 values (not the paper's)
    let text = format!(
        "{}\n[fig4_knee_us.liquidio_cn2350]\n\"256\" = 1.0\n[fig5_p99_us]\n\"512B_6cores\" = 10.0\n",
        include_str!("../../../configs/calibration/ipipe-sigcomm19.toml")
    );
    let paper = Paper::parse(&text, "test copy").expect("parses");
    let ctx = Ctx {
        paper: &paper,
        quick: true,
    };
    let f4 = headroom(&ctx).expect("fig4");
    assert_eq!(f4.claims.len(), 1);
    assert_eq!(f4.claims[0].basis.kind(), "predicted");
    assert_eq!(f4.claims[0].claim_id, "fig4.liquidio_cn2350.256B.knee_us");
    let f5 = latency(&ctx).expect("fig5");
    // the stated p99 and the I2 implication (12 over 6 cores), both predicted
    assert_eq!(f5.claims.len(), 2);
    assert!(f5.claims.iter().all(|c| c.basis.kind() == "predicted"));
    let i2 = f5
        .claims
        .iter()
        .find(|c| c.claim_id.starts_with("i2."))
        .expect("I2 claim");
    assert!(i2.pass(), "{i2:?}");
}
