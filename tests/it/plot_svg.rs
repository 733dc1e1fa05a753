//! `line_plot` and `nicsim plot` write an SVG with one line per series; bad columns and PNG get clear errors.

use nicsim::plot::line_plot;
use sim_core::Table;

use super::sweep_support::{run, tmpdir};

fn table() -> Table {
    let mut t = Table::new(["cores", "size", "gbps"]);
    for (c, s, g) in [
        (1, 64, 2.0),
        (2, 64, 4.0),
        (4, 64, 7.5),
        (1, 1500, 9.0),
        (2, 1500, 18.0),
        (4, 1500, 25.0),
    ] {
        t.push([c.to_string(), s.to_string(), g.to_string()]);
    }
    t
}

#[test]
fn writes_an_svg_with_one_line_per_series() {
    let dir = tmpdir("plot_svg");
    let out = dir.join("fig").join("tput.svg");
    line_plot(&table(), "cores", "gbps", Some("size"), "Throughput", &out).unwrap();
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.starts_with("<svg"), "an SVG document");
    let thick = svg
        .lines()
        .filter(|l| l.starts_with("<polyline") && l.contains("stroke-width=\"2\""))
        .count();
    assert_eq!(thick, 2 + 2, "two series lines and two legend marks");
    assert_eq!(
        svg.matches("<circle").count(),
        6 + 2,
        "one marker per point and per legend entry"
    );
    for want in ["Throughput", "size=64", "size=1500", "cores", "gbps"] {
        assert!(svg.contains(want), "missing {want}");
    }
}

#[test]
fn the_cli_plots_a_csv_and_refuses_unknown_columns_and_formats() {
    let dir = tmpdir("plot_cli");
    let csv = dir.join("r.csv");
    std::fs::write(&csv, "cores,gbps\n1,2.0\n2,3.5\n").unwrap();
    let c = csv.to_str().unwrap();
    let (ok, err) = run(&["plot", c, "--x", "cores", "--y", "gbps"]);
    assert!(ok, "{err}");
    assert!(
        std::fs::metadata(dir.join("r.svg")).unwrap().len() > 1000,
        "default output next to the CSV"
    );
    let (ok, err) = run(&["plot", c, "--x", "core", "--y", "gbps"]);
    assert!(
        !ok && err.contains("no column `core`") && err.contains("cores, gbps"),
        "{err}"
    );
    let png = dir.join("r.png");
    let (ok, err) = run(&[
        "plot",
        c,
        "--x",
        "cores",
        "--y",
        "gbps",
        "--out",
        png.to_str().unwrap(),
    ]);
    let have_rsvg = std::process::Command::new("rsvg-convert")
        .arg("--version")
        .output()
        .is_ok();
    if have_rsvg {
        assert!(ok, "{err}");
        assert!(
            std::fs::read(&png).unwrap().starts_with(b"\x89PNG"),
            "a PNG file"
        );
    } else {
        assert!(!ok && err.contains("apt-get install librsvg2-bin"), "{err}");
    }
    // Without rsvg-convert on the PATH: a clear error with the fix.
    let o = super::sweep_support::nicsim()
        .args([
            "plot",
            c,
            "--x",
            "cores",
            "--y",
            "gbps",
            "--out",
            png.to_str().unwrap(),
        ])
        .env("PATH", "")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("apt-get install librsvg2-bin"),
        "{err}"
    );
    let pdf = dir.join("r.pdf");
    let (ok, err) = run(&[
        "plot",
        c,
        "--x",
        "cores",
        "--y",
        "gbps",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("Fix"), "{err}");
}

#[test]
fn log_y_plots_positive_values_and_refuses_zero() {
    let dir = tmpdir("plot_log");
    let out = dir.join("log.svg");
    nicsim::plot::line_plot_with(&table(), "cores", "gbps", Some("size"), "t", &out, true).unwrap();
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(
        svg.contains(">\n10\n<") || svg.contains(">10<"),
        "a decade tick label: {svg}"
    );
    let mut t = table();
    t.rows[0][2] = "0".into();
    let e = nicsim::plot::line_plot_with(&t, "cores", "gbps", Some("size"), "t", &out, true)
        .unwrap_err();
    assert!(e.to_string().contains("Fix: drop --log-y"), "{e}");
}
