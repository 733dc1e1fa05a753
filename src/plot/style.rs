//! Plot styling: a distinct colour and marker per line, tick label text, and axis labels with units.

use plotters::style::RGBColor;

/// Line colours: the Tableau 10 palette, distinguishable and readable on white.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Point markers, told apart without colour (print, colour blindness).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Square,
    TriangleUp,
    Diamond,
    TriangleDown,
    Plus,
}

/// All markers, in the order lines use them.
pub const MARKERS: [Marker; 6] = [
    Marker::Circle,
    Marker::Square,
    Marker::TriangleUp,
    Marker::Diamond,
    Marker::TriangleDown,
    Marker::Plus,
];

/// Most lines one chart draws: every line gets its own colour + marker pair.
pub const MAX_LINES: usize = PALETTE.len() * MARKERS.len();

/// The (colour, marker) of line `i`. Colour cycles fastest and the marker shifts
/// by one per line and once more per colour cycle, so neighbouring lines differ
/// in both, and the pairs of lines 0..MAX_LINES are all distinct: from colour
/// c = i % 10 and marker m = (i % 10 + i / 10) % 6, i / 10 = (m - c) mod 6.
pub fn style_of(i: usize) -> (RGBColor, Marker) {
    let c = i % PALETTE.len();
    let m = (c + i / PALETTE.len()) % MARKERS.len();
    (PALETTE[c], MARKERS[m])
}

impl Marker {
    /// Polygon vertices in pixels around the point (`None` for the circle).
    pub fn vertices(self) -> Option<Vec<(i32, i32)>> {
        Some(match self {
            Marker::Circle => return None,
            Marker::Square => vec![(-3, -3), (3, -3), (3, 3), (-3, 3)],
            Marker::TriangleUp => vec![(0, -4), (4, 3), (-4, 3)],
            Marker::Diamond => vec![(0, -5), (4, 0), (0, 5), (-4, 0)],
            Marker::TriangleDown => vec![(0, 4), (4, -3), (-4, -3)],
            Marker::Plus => vec![
                (-1, -4),
                (1, -4),
                (1, -1),
                (4, -1),
                (4, 1),
                (1, 1),
                (1, 4),
                (-1, 4),
                (-1, 1),
                (-4, 1),
                (-4, -1),
                (-1, -1),
            ],
        })
    }
}

/// Tick labels as plain numbers without float noise (`2`, `2.5`, `0.125`,
/// `1000`), switching to `1e7` / `2e-5` outside 1e-4..1e6 so labels stay short.
pub fn tick(v: &f64) -> String {
    let v = *v;
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-4..1e6).contains(&a) {
        let s = format!("{v:.3e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mant = mant.trim_end_matches('0').trim_end_matches('.');
        return format!("{mant}e{exp}");
    }
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// Axis labels of the columns nicsim writes, with units.
const KNOWN: &[(&str, &str)] = &[
    ("achieved_gbps", "achieved throughput (Gb/s)"),
    ("offered_gbps", "offered load (Gb/s)"),
    ("line_rate_gbps", "line rate (Gb/s)"),
    ("traffic.rate_gbps", "offered load (Gb/s)"),
    ("achieved_mpps", "achieved packet rate (Mpps)"),
    ("lat_mean_us", "mean latency (us)"),
    ("lat_p50_us", "median latency (us)"),
    ("lat_p99_us", "p99 latency (us)"),
    ("lat_p999_us", "p99.9 latency (us)"),
    ("p99_us", "p99 latency (us)"),
    ("latency_us", "latency (us)"),
    ("cores", "NIC cores"),
    ("nic.cores", "NIC cores"),
    ("packet_size", "packet size (bytes)"),
    ("traffic.packet_size", "packet size (bytes)"),
    ("payload_bytes", "payload (bytes)"),
    ("processing_us", "processing per packet (us)"),
    ("workload.processing_us", "processing per packet (us)"),
    ("nic_core_util", "NIC core utilization (0-1)"),
    ("load_fraction", "offered load (fraction of line rate)"),
    ("drops", "dropped packets"),
    ("sim_time_s", "simulated time (s)"),
    ("wall_time_s", "wall time (s)"),
    ("working_set_kb", "working set (KiB)"),
    ("lookup_ns", "lookup time (ns)"),
    ("throughput_gbytes_per_s", "throughput (GB/s)"),
];

/// Unit suffixes of column names (units in names is a project rule).
const SUFFIXES: &[(&str, &str)] = &[
    ("_gbps", "Gb/s"),
    ("_mpps", "Mpps"),
    ("_krps", "krps"),
    ("_us", "us"),
    ("_ns", "ns"),
    ("_ms", "ms"),
    ("_s", "s"),
    ("_bytes", "bytes"),
    ("_kb", "KiB"),
];

/// The axis label of a column: a known name with its unit, else a unit suffix
/// written out (`foo_us` -> `foo (us)`), else the raw column name.
pub fn axis_label(column: &str) -> String {
    if let Some((_, label)) = KNOWN.iter().find(|(k, _)| *k == column) {
        return (*label).to_string();
    }
    for (suffix, unit) in SUFFIXES {
        if let Some(stem) = column.strip_suffix(suffix).filter(|s| !s.is_empty()) {
            return format!("{} ({unit})", stem.replace('_', " "));
        }
    }
    column.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_lines_have_distinct_colour_marker_pairs() {
        let pairs: Vec<_> = (0..MAX_LINES).map(style_of).collect();
        for i in 0..pairs.len() {
            for j in 0..i {
                assert_ne!(pairs[i], pairs[j], "lines {j} and {i}");
            }
        }
        assert_ne!(
            style_of(0).1,
            style_of(1).1,
            "neighbours differ in marker too"
        );
    }

    #[test]
    fn ticks_and_labels_read_as_numbers_and_units() {
        assert_eq!(tick(&2.5), "2.5");
        assert_eq!(tick(&1000.0), "1000");
        assert_eq!(tick(&0.001), "0.001");
        assert_eq!(tick(&1e7), "1e7");
        assert_eq!(tick(&2e-5), "2e-5");
        assert_eq!(tick(&-0.0), "0");
        assert_eq!(axis_label("lat_p99_us"), "p99 latency (us)");
        assert_eq!(axis_label("queue_wait_ns"), "queue wait (ns)");
        assert_eq!(axis_label("mystery"), "mystery");
    }
}
