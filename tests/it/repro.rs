//! `nicsim repro` through the binary: plots are rendered, a failing claim exits 1, and an unknown ID, a bad calibration file or an unwritable --out exit 2 naming what is wrong.

use crate::common::{nicsim, repo, scratch};
use std::path::Path;

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn calibration_text() -> String {
    std::fs::read_to_string(repo().join("configs/calibration/ipipe-sigcomm19.toml")).unwrap()
}

#[test]
fn quick_repro_renders_plots_and_reports_counts_by_basis() {
    let dir = scratch("repro-bin-quick");
    let o = nicsim(
        &dir,
        &["repro", "fig6", "fig7", "table2", "--quick", "--out", "out"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for id in ["fig6", "fig7"] {
        let svg = std::fs::read_to_string(dir.join(format!("out/{id}.svg"))).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("<polyline"),
            "{id}.svg"
        );
    }
    assert!(!dir.join("out/table2.svg").exists(), "table2 is a table");
    // 2 fitted (fig6), 2 structural (fig7), 16 inputs (table2).
    assert!(
        stdout(&o)
            .contains("20 claims: 20 pass (16 input, 2 fitted, 2 structural, 0 predicted), 0 fail"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_failing_claim_exits_one_after_writing_its_files() {
    let dir = scratch("repro-bin-fail");
    // The paper says 55.8 ns; the profile keeps 55.8 ns: the claim must fail.
    let perturbed = calibration_text().replacen("l2 = 55.8", "l2 = 80.0", 1);
    std::fs::write(dir.join("perturbed.toml"), perturbed).unwrap();
    let o = nicsim(
        &dir,
        &[
            "repro",
            "table2",
            "--quick",
            "--out",
            "out",
            "--calibration",
            "perturbed.toml",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("table2.liquidio_cn2350.l2.latency_ns") && err.contains("claims.csv"),
        "{err}"
    );
    let claims = std::fs::read_to_string(dir.join("out/claims.csv")).unwrap();
    let failing: Vec<&str> = claims.lines().filter(|l| l.contains(",false,")).collect();
    // CN2350 and CN2360 share the LiquidIO row.
    assert_eq!(failing.len(), 2, "{failing:?}");
    assert!(stdout(&o).contains("2 fail (2 input,"), "{}", stdout(&o));
}

#[test]
fn unknown_id_exits_two_naming_it() {
    let dir = scratch("repro-bin-unknown");
    let o = nicsim(&dir, &["repro", "fig99", "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("`fig99`") && err.contains("--list"), "{err}");
    assert!(!dir.join("out").exists(), "nothing written for a bad ID");
}

#[test]
fn missing_or_invalid_calibration_file_exits_two_naming_the_path() {
    let dir = scratch("repro-bin-calibration");
    let o = nicsim(&dir, &["repro", "fig6", "--calibration", "nope.toml"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("nope.toml") && err.contains("Fix:"), "{err}");

    let bad = calibration_text().replace("vs_dpdk_send = 4.6", "vs_dpdk_send = \"fast\"");
    std::fs::write(dir.join("bad.toml"), bad).unwrap();
    let o = nicsim(&dir, &["repro", "fig6", "--calibration", "bad.toml"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("bad.toml") && err.contains("vs_dpdk_send") && err.contains("line"),
        "{err}"
    );
}

#[test]
fn unwritable_out_exits_two_naming_the_path() {
    let dir = scratch("repro-bin-out");
    std::fs::write(dir.join("file"), b"x").unwrap();
    let out = Path::new("file").join("sub");
    let o = nicsim(&dir, &["repro", "fig6", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains(&out.display().to_string()) && err.contains("--out"),
        "{err}"
    );
}
