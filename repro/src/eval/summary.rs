//! `eval_summary.csv`: per application and link speed, the host cores iPipe saves and the latency it removes, at the same application bandwidth.
//!
//! "The same application bandwidth" is a point of the sweep (a request size
//! and an offered load) that BOTH configurations sustain: each achieves at
//! least [`SUSTAINED`] of the offered load. Of those points the one with the
//! highest offered load is taken (ties: the smaller request size), so both
//! configurations move the same requests per second of the same size there.
//! `host_cores_saved` = host-only minus iPipe host cores used;
//! `latency_reduction_us` = host-only minus iPipe mean latency. No
//! interpolation: a point neither configuration was run at is never reported.
//! When no point qualifies the row says so (`matched = none`, values empty).

use super::{Config, Row};
use sim_core::table::fmt_f64;
use sim_core::Table;

/// A configuration sustains a load when it achieves at least this fraction of it.
pub const SUSTAINED: f64 = 0.98;

/// `eval_summary.csv`'s columns.
pub const COLUMNS: [&str; 12] = [
    "app",
    "nic",
    "link_gbps",
    "matched",
    "request_size",
    "offered_gbps",
    "ipipe_host_cores",
    "host_only_host_cores",
    "host_cores_saved",
    "ipipe_lat_mean_us",
    "host_only_lat_mean_us",
    "latency_reduction_us",
];

fn sustained(r: &Row) -> bool {
    r.achieved_gbps >= SUSTAINED * r.point.offered_gbps
}

/// (app, NIC, link Gb/s): one row of the summary.
pub type Group<'a> = (&'a str, &'a str, f64);

/// The matched (iPipe, host-only) pair of every (app, NIC), in row order.
pub fn matched(rows: &[Row]) -> Vec<(Group<'_>, Option<(&Row, &Row)>)> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    for r in rows {
        let g = (r.point.app.name(), r.point.nic, r.point.link_gbps);
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    groups
        .into_iter()
        .map(|g| {
            let in_group = |r: &&Row| (r.point.app.name(), r.point.nic, r.point.link_gbps) == g;
            let best = rows
                .iter()
                .filter(in_group)
                .filter(|r| r.point.config == Config::Ipipe && sustained(r))
                .filter_map(|ip| {
                    rows.iter()
                        .filter(in_group)
                        .find(|h| {
                            h.point.config == Config::HostOnly
                                && h.point.request_bytes == ip.point.request_bytes
                                && h.point.offered_gbps == ip.point.offered_gbps
                        })
                        .filter(|h| sustained(h))
                        .map(|h| (ip, h))
                })
                .max_by(|(a, _), (b, _)| {
                    a.point
                        .offered_gbps
                        .total_cmp(&b.point.offered_gbps)
                        // ties: the smaller size wins (max_by keeps the last maximum)
                        .then(b.point.request_bytes.cmp(&a.point.request_bytes))
                });
            (g, best)
        })
        .collect()
}

/// `eval_summary.csv` from `eval.csv`'s rows.
pub fn table(rows: &[Row]) -> Table {
    let mut t = Table::new(COLUMNS);
    for ((app, nic, link), pair) in matched(rows) {
        let mut f = vec![app.to_string(), nic.to_string(), fmt_f64(link, 0)];
        match pair {
            Some((ip, h)) => f.extend([
                "both_sustain".to_string(),
                ip.point.request_bytes.to_string(),
                fmt_f64(ip.point.offered_gbps, 3),
                fmt_f64(ip.host_cores_used, 3),
                fmt_f64(h.host_cores_used, 3),
                fmt_f64(h.host_cores_used - ip.host_cores_used, 3),
                fmt_f64(ip.lat_mean_us, 3),
                fmt_f64(h.lat_mean_us, 3),
                fmt_f64(h.lat_mean_us - ip.lat_mean_us, 3),
            ]),
            None => {
                f.push("none".to_string());
                f.extend(vec![String::new(); 8]);
            }
        }
        t.push(f);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::super::{App, Point};
    use super::*;

    fn row(config: Config, size: u32, offered: f64, achieved: f64, cores: f64) -> Row {
        Row {
            point: Point {
                app: App::Dt,
                config,
                nic: "liquidio_cn2350",
                link_gbps: 10.0,
                request_bytes: size,
                offered_gbps: offered,
                servers: 2,
                duration_ms: 1.0,
                seed: 1,
            },
            achieved_gbps: achieved,
            host_cores_used: cores,
            lat_mean_us: cores * 10.0,
            lat_p99_us: 0.0,
        }
    }

    #[test]
    fn the_highest_load_both_sustain_is_matched() {
        let rows = [
            row(Config::Ipipe, 256, 1.0, 1.0, 0.0),
            row(Config::HostOnly, 256, 1.0, 0.99, 2.0),
            row(Config::Ipipe, 512, 1.0, 1.0, 0.5),
            row(Config::HostOnly, 512, 1.0, 1.0, 1.5),
            // iPipe sustains 4 Gb/s, host-only does not: not a match
            row(Config::Ipipe, 256, 4.0, 4.0, 1.0),
            row(Config::HostOnly, 256, 4.0, 3.0, 9.0),
        ];
        let m = matched(&rows);
        let (ip, h) = m[0].1.expect("a match");
        // 1 Gb/s at 256 B and 512 B tie: the smaller size
        assert_eq!((ip.point.request_bytes, h.point.request_bytes), (256, 256));
        let t = table(&rows);
        assert_eq!(t.rows[0][8], "2.000");
        assert_eq!(t.rows[0][11], "20.000");
    }

    #[test]
    fn no_common_sustained_point_says_none() {
        let rows = [
            row(Config::Ipipe, 256, 1.0, 0.5, 0.0),
            row(Config::HostOnly, 256, 1.0, 1.0, 2.0),
        ];
        let t = table(&rows);
        assert_eq!(t.rows[0][3], "none");
        assert_eq!(t.rows[0].len(), COLUMNS.len());
    }
}
