//! `nicsim repro eval`: the paper's three applications on a cluster, iPipe against host-only, swept over request sizes and offered loads at 10GbE and 25GbE (`eval.csv`), and the host cores and latency iPipe saves (`eval_summary.csv`).
//!
//! Each point is one cluster run ([`scenario`]); points run in parallel on
//! rayon and the rows are sorted, so the files do not depend on the thread
//! count. Everything here is a prediction of the models: the paper's
//! application results are not in configs/calibration/ipipe-sigcomm19.toml,
//! so nothing is compared and no claim is made.

pub mod scenario;
pub mod summary;

use crate::error::ReproError;
use rayon::prelude::*;
pub use scenario::{App, Config, Point};
use sim_core::table::fmt_f64;
use sim_core::Table;
use system::run_scenario;

/// `eval.csv`'s columns.
pub const COLUMNS: [&str; 10] = [
    "app",
    "config",
    "nic",
    "link_gbps",
    "request_size",
    "offered_gbps",
    "achieved_gbps",
    "host_cores_used",
    "lat_mean_us",
    "lat_p99_us",
];

/// The NICs: CN2350 at 10GbE, CN2360 at 25GbE (the paper's two LiquidIO cards).
pub const NICS: [(&str, f64); 2] = [("liquidio_cn2350", 10.0), ("liquidio_cn2360", 25.0)];

/// What to sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// NIC profiles and their link speeds.
    pub nics: Vec<(&'static str, f64)>,
    /// Request frame sizes, bytes (an app skips sizes below its own request).
    pub sizes: Vec<u32>,
    /// Offered loads per server as fractions of the link speed.
    pub loads: Vec<f64>,
    /// Servers of the star cluster.
    pub servers: u32,
    /// Simulated time per point, ms.
    pub duration_ms: f64,
    /// Root seed of every point.
    pub seed: u64,
}

impl Sweep {
    /// The full sweep (`--quick`: one NIC, one size, two loads, short runs).
    pub fn new(quick: bool) -> Sweep {
        if quick {
            Sweep {
                nics: vec![NICS[0]],
                sizes: vec![512],
                loads: vec![0.05, 0.2],
                servers: 2,
                duration_ms: 0.6,
                seed: 1,
            }
        } else {
            Sweep {
                nics: NICS.to_vec(),
                sizes: vec![256, 512, 1024, 1500],
                loads: vec![0.05, 0.1, 0.2, 0.4, 0.6, 0.8],
                servers: 2,
                duration_ms: 3.0,
                seed: 1,
            }
        }
    }

    /// Every point, in a fixed order.
    pub fn points(&self) -> Vec<Point> {
        let mut out = Vec::new();
        for app in App::ALL {
            for &(nic, link_gbps) in &self.nics {
                for &size in self
                    .sizes
                    .iter()
                    .filter(|&&s| s >= app.natural_request_bytes())
                {
                    for &load in &self.loads {
                        for config in Config::ALL {
                            out.push(Point {
                                app,
                                config,
                                nic,
                                link_gbps,
                                request_bytes: size,
                                offered_gbps: load * link_gbps,
                                servers: self.servers,
                                duration_ms: self.duration_ms,
                                seed: self.seed,
                            });
                        }
                    }
                }
            }
        }
        out
    }
}

/// One measured point (a row of `eval.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// What ran.
    pub point: Point,
    /// Requests answered (DT, RKV) or taken by the entry actor (RTA), per
    /// server, in Gb/s of request frames.
    pub achieved_gbps: f64,
    /// Busy host core-seconds per simulated second, summed over servers.
    pub host_cores_used: f64,
    /// Mean latency, us.
    pub lat_mean_us: f64,
    /// 99th percentile latency, us.
    pub lat_p99_us: f64,
}

impl Row {
    /// The CSV fields, in [`COLUMNS`] order.
    pub fn fields(&self) -> Vec<String> {
        let p = &self.point;
        vec![
            p.app.name().to_string(),
            p.config.name().to_string(),
            p.nic.to_string(),
            fmt_f64(p.link_gbps, 0),
            p.request_bytes.to_string(),
            fmt_f64(p.offered_gbps, 3),
            fmt_f64(self.achieved_gbps, 3),
            fmt_f64(self.host_cores_used, 3),
            fmt_f64(self.lat_mean_us, 3),
            fmt_f64(self.lat_p99_us, 3),
        ]
    }
}

fn extra(out: &system::RunOutput, key: &str) -> Result<f64, ReproError> {
    out.summary_extra
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.parse().ok())
        .ok_or_else(|| ReproError::generate("eval", format!("cluster summary lacks `{key}`")))
}

/// Runs one point.
///
/// DT and RKV: throughput is the requests the clients got answered over the
/// whole run and latency is end to end at the clients (send to answer,
/// warm-up included: the cluster's client statistics do not exclude it).
/// RTA's stream is one-way, so its throughput is the requests its entry
/// actor (the filter) completed after the warm-up, and its latency runs
/// from the client's send to the filter's end.
pub fn run_point(p: &Point) -> Result<Row, ReproError> {
    let s = scenario::scenario(p)?;
    let out = run_scenario(&s).map_err(|e| ReproError::generate("eval", e))?;
    let bits = 8.0 * f64::from(p.request_bytes);
    let servers = f64::from(p.servers);
    let (achieved_gbps, lat_mean_us, lat_p99_us) = if p.app.answers_clients() {
        let answered = extra(&out, "client_responses")?;
        let secs = p.duration_ms / 1e3;
        (
            answered * bits / secs / servers / 1e9,
            out.summary.lat_mean_us,
            out.summary.lat_p99_us,
        )
    } else {
        let entry = out
            .classes
            .iter()
            .find(|c| c.class == "entry")
            .ok_or_else(|| ReproError::generate("eval", "no `entry` class in the run"))?;
        (
            entry.achieved_mrps * 1e6 * bits / servers / 1e9,
            entry.mean_us,
            entry.p99_us,
        )
    };
    Ok(Row {
        point: p.clone(),
        achieved_gbps,
        host_cores_used: extra(&out, "host_cores_used")?,
        lat_mean_us,
        lat_p99_us,
    })
}

/// Runs every point of `sweep` on the current rayon pool; rows sorted by
/// (app, config, nic, request size, offered load).
pub fn run(sweep: &Sweep) -> Result<Vec<Row>, ReproError> {
    let mut rows = sweep
        .points()
        .par_iter()
        .map(run_point)
        .collect::<Result<Vec<_>, _>>()?;
    rows.sort_by(|a, b| {
        let (p, q) = (&a.point, &b.point);
        (p.app.name(), p.config.name(), p.nic, p.request_bytes)
            .cmp(&(q.app.name(), q.config.name(), q.nic, q.request_bytes))
            .then(p.offered_gbps.total_cmp(&q.offered_gbps))
    });
    Ok(rows)
}

/// `eval.csv`.
pub fn table(rows: &[Row]) -> Table {
    let mut t = Table::new(COLUMNS);
    for r in rows {
        t.push(r.fields());
    }
    t
}
