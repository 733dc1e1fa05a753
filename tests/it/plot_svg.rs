//! `line_plot` and `nicsim plot` write an SVG with one line per series; bad columns and PNG get clear errors.

use nicsim::plot::line_plot;
use sim_core::Table;

use super::sweep_support::{rejects, run, run_bounded, tmpdir};

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
    // Line 0 has circle markers, line 1 squares: one per point and per legend entry.
    assert_eq!(svg.matches("<circle").count(), 3 + 1, "circles");
    assert_eq!(svg.matches("<polygon").count(), 3 + 1, "squares");
    for want in ["Throughput", "size=64", "size=1500", "NIC cores", "gbps"] {
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

/// Whether the SVG has a `<text>` element whose content is exactly `label`.
fn has_text(svg: &str, label: &str) -> bool {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>').map(|(_, rest)| rest))
        .filter_map(|rest| rest.split_once("</text>").map(|(body, _)| body.trim()))
        .any(|body| body == label)
}

#[test]
fn non_finite_cells_are_skipped_with_a_counted_warning() {
    let dir = tmpdir("plot_inf");
    std::fs::write(dir.join("inf.csv"), "x,y\n1,1\n2,inf\n3,NaN\n4,2\n").unwrap();
    let (code, _, err) = run_bounded(
        &dir,
        &["plot", "inf.csv", "--x", "x", "--y", "y", "--out", "i.svg"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("skipped 2 row(s)") && err.contains("first at line 3"),
        "{err}"
    );
    let svg = std::fs::read_to_string(dir.join("i.svg")).unwrap();
    assert_eq!(svg.matches("<circle").count(), 2, "the two finite points");

    std::fs::write(dir.join("all.csv"), "x,y\ninf,1\n").unwrap();
    rejects(
        &dir,
        &["plot", "all.csv", "--x", "x", "--y", "y", "--out", "a.svg"],
        &["all.csv", "nothing to plot", "Fix"],
    );
    std::fs::write(dir.join("text.csv"), "x,y\n1,1\n2,fast\n").unwrap();
    rejects(
        &dir,
        &["plot", "text.csv", "--x", "x", "--y", "y", "--out", "t.svg"],
        &["text.csv:3: key `y`", "`fast` is not a number", "Fix"],
    );
    rejects(
        &dir,
        &["plot", "text.csv", "--x", "x", "--y", "z", "--out", "t.svg"],
        &["text.csv:1: key `z`", "no column `z`", "Fix"],
    );
}

#[test]
fn extreme_data_gives_a_plot_or_a_clear_error_never_a_hang() {
    let dir = tmpdir("plot_extreme");
    let ok_cases = [
        ("one", "x,y\n1,1\n", false),
        ("one_log", "x,y\n1,1\n", true),
        ("flat_huge", "x,y\n1e300,1e300\n2e300,1e300\n", false),
        ("close", "x,y\n1e15,1\n1.000000000000001e15,2\n", false),
        ("decades", "x,y\n1,1e-300\n2,1e300\n", true),
        ("negative", "x,y\n-5,-1e6\n5,-2e6\n", false),
    ];
    for (name, csv, log) in ok_cases {
        std::fs::write(dir.join(format!("{name}.csv")), csv).unwrap();
        let (c, o) = (format!("{name}.csv"), format!("{name}.svg"));
        let mut args = vec!["plot", &c, "--x", "x", "--y", "y", "--out", &o];
        if log {
            args.push("--log-y");
        }
        let (code, _, err) = run_bounded(&dir, &args);
        assert_eq!(code, Some(0), "{name}: {err}");
        assert!(dir.join(&o).is_file(), "{name}");
    }
    let bad_cases = [
        (
            "wide",
            "x,y\n-1e308,1\n1e308,2\n",
            false,
            "wider than a plot axis",
        ),
        ("zero_log", "x,y\n1,0\n2,5\n", true, "Fix: drop --log-y"),
        (
            "negative_log",
            "x,y\n1,-3\n2,5\n",
            true,
            "Fix: drop --log-y",
        ),
        (
            "subnormal_log",
            "x,y\n1,5e-324\n2,5\n",
            true,
            "beyond what a log axis",
        ),
    ];
    for (name, csv, log, want) in bad_cases {
        std::fs::write(dir.join(format!("{name}.csv")), csv).unwrap();
        let (c, o) = (format!("{name}.csv"), format!("{name}.svg"));
        let mut args = vec!["plot", &c, "--x", "x", "--y", "y", "--out", &o];
        if log {
            args.push("--log-y");
        }
        rejects(&dir, &args, &[&c, want]);
    }
    // One line per distinct series value, at most 60.
    let mut many = String::from("x,y,s\n");
    for i in 0..100 {
        many += &format!("{i},{i},{i}\n");
    }
    std::fs::write(dir.join("many.csv"), many).unwrap();
    rejects(
        &dir,
        &[
            "plot", "many.csv", "--x", "x", "--y", "y", "--series", "s", "--out", "m.svg",
        ],
        &["key `s`", "more than 60 distinct values", "Fix"],
    );
}

#[test]
fn lines_get_distinct_colour_and_marker_pairs() {
    use nicsim::plot::style::style_of;
    let pairs: Vec<(String, String)> = (0..40)
        .map(|i| {
            let (c, m) = style_of(i);
            (format!("{c:?}"), format!("{m:?}"))
        })
        .collect();
    let distinct: std::collections::BTreeSet<_> = pairs.iter().collect();
    assert_eq!(
        distinct.len(),
        40,
        "no colour+marker pair repeats in 40 lines"
    );
    // In the SVG: 12 series use all 10 colours and more than one marker shape.
    let mut t = Table::new(["s", "x", "y"]);
    for s in 0..12 {
        for x in 0..3 {
            t.push([s.to_string(), x.to_string(), (s * 10 + x).to_string()]);
        }
    }
    let dir = tmpdir("plot_styles");
    let out = dir.join("s.svg");
    line_plot(&t, "x", "y", Some("s"), "styles", &out).unwrap();
    let svg = std::fs::read_to_string(&out).unwrap();
    let fills: std::collections::BTreeSet<&str> = svg
        .split("fill=\"")
        .skip(1)
        .filter_map(|f| f.split('"').next())
        .filter(|f| f.starts_with('#') && *f != "#FFFFFF" && *f != "#000000")
        .collect();
    assert!(fills.len() >= 10, "{fills:?}");
    assert!(svg.contains("<circle") && svg.contains("<polygon"));
}

#[test]
fn log_axes_label_decades_and_subdivisions_and_axes_name_units() {
    let mut t = Table::new(["nic.cores", "lat_p99_us"]);
    for (c, l) in [(1, 4.0), (4, 40.0), (8, 400.0), (12, 2000.0)] {
        t.push([c.to_string(), l.to_string()]);
    }
    let dir = tmpdir("plot_log_ticks");
    let out = dir.join("l.svg");
    nicsim::plot::line_plot_with(&t, "nic.cores", "lat_p99_us", None, "t", &out, true).unwrap();
    let svg = std::fs::read_to_string(&out).unwrap();
    for label in ["5", "10", "20", "50", "100", "200", "500", "1000", "2000"] {
        assert!(has_text(&svg, label), "log tick {label} labelled");
    }
    assert!(has_text(&svg, "NIC cores"), "x axis label");
    assert!(has_text(&svg, "p99 latency (us)"), "y axis label");
    let labels = nicsim::plot::style::axis_label;
    assert_eq!(labels("achieved_gbps"), "achieved throughput (Gb/s)");
    assert_eq!(
        labels("some_column"),
        "some_column",
        "unknown: the raw name"
    );
}

#[test]
fn unreadable_tables_exit_2_naming_file_and_line() {
    let dir = tmpdir("plot_unreadable");
    std::fs::write(dir.join("ragged.csv"), "x,y\n1,2\n3\n").unwrap();
    rejects(
        &dir,
        &["plot", "ragged.csv", "--x", "x", "--y", "y"],
        &["ragged.csv:3:", "not a well-formed CSV", "Fix"],
    );
    rejects(
        &dir,
        &["plot", ".", "--x", "x", "--y", "y"],
        &["is a directory", "Fix"],
    );
    rejects(
        &dir,
        &["plot", "missing.csv", "--x", "x", "--y", "y"],
        &["missing.csv", "cannot read", "Fix"],
    );
}
