//! `--trace-window START..END`: parsing a simulated-time window such as `1ms..1.5ms`, `200us..`, `..50000ns`.

use sim_core::{SimDuration, SimTime};

/// A parsed window, `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// First instant kept.
    pub start: SimTime,
    /// First instant no longer kept (`SimTime::MAX`: open).
    pub end: SimTime,
}

/// One bound: a number with a unit `ns`, `us` or `ms`.
fn bound(text: &str) -> Result<SimTime, String> {
    let t = text.trim();
    let (num, scale_ns) = if let Some(n) = t.strip_suffix("ns") {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix("us") {
        (n, 1e3)
    } else if let Some(n) = t.strip_suffix("ms") {
        (n, 1e6)
    } else {
        return Err(format!(
            "`{t}` has no unit; write e.g. 1.5ms, 200us or 5000ns"
        ));
    };
    let x: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("`{t}` is not a number with a unit (e.g. 1.5ms)"))?;
    let ns = x * scale_ns;
    // One simulated hour is the longest run.
    if !(ns.is_finite() && (0.0..=3.6e12).contains(&ns)) {
        return Err(format!("`{t}` must be between 0 and one hour"));
    }
    Ok(SimTime::ZERO + SimDuration::from_ns_f64(ns))
}

/// Parses `START..END` (either side may be empty: open).
pub fn parse_window(text: &str) -> Result<Window, String> {
    let (a, b) = text
        .split_once("..")
        .ok_or_else(|| format!("`{text}` is not START..END; write e.g. 1ms..1.5ms"))?;
    let start = if a.trim().is_empty() {
        SimTime::ZERO
    } else {
        bound(a)?
    };
    let end = if b.trim().is_empty() {
        SimTime::MAX
    } else {
        bound(b)?
    };
    if end <= start {
        return Err(format!("`{text}` is empty: END must be after START"));
    }
    Ok(Window { start, end })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(n: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_ns(n)
    }

    #[test]
    fn windows_parse_with_units_and_open_ends() {
        assert_eq!(
            parse_window("1ms..1.5ms"),
            Ok(Window {
                start: ns(1_000_000),
                end: ns(1_500_000)
            })
        );
        assert_eq!(
            parse_window("200us.."),
            Ok(Window {
                start: ns(200_000),
                end: SimTime::MAX
            })
        );
        assert_eq!(
            parse_window("..5000ns"),
            Ok(Window {
                start: SimTime::ZERO,
                end: ns(5000)
            })
        );
    }

    #[test]
    fn bad_windows_say_how_to_write_one() {
        for bad in [
            "1ms",
            "1..2ms",
            "2ms..1ms",
            "-1ms..2ms",
            "xms..1ms",
            "1ms..2h",
        ] {
            let e = parse_window(bad).expect_err(bad);
            assert!(
                e.contains("e.g.") || e.contains("END must be after") || e.contains("between 0"),
                "{bad}: {e}"
            );
        }
    }
}
