//! `nicsim repro eval`: runs the applications sweep (`repro::eval`), writes eval.csv and eval_summary.csv, and renders the host-cores and latency plots.

use anyhow::Result;
use repro::eval::{self, App, Config, Row, Sweep};
use sim_core::table::fmt_f64;
use sim_core::Table;
use std::path::Path;
use system::report::write::write_table_csv;

/// Offered load (fraction of the link) of the host-cores-vs-size plots: in
/// both the quick and the full sweep.
pub const PLOT_LOAD: f64 = 0.2;
/// Request size of the latency-vs-throughput plots: in both sweeps.
pub const PLOT_SIZE: u32 = 512;

/// What one eval run wrote.
pub struct EvalRun {
    /// eval.csv's rows.
    pub rows: Vec<Row>,
    /// Files written, relative to the output directory.
    pub files: Vec<String>,
}

/// Runs the sweep on `threads` worker threads (0: rayon's default) and
/// writes everything into `out`.
pub fn run(quick: bool, threads: usize, out: &Path) -> Result<EvalRun> {
    repro::check_out_dir(out)?;
    let sweep = Sweep::new(quick);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let rows = pool.install(|| eval::run(&sweep))?;
    let mut files = Vec::new();
    write_table_csv(&out.join("eval.csv"), &eval::table(&rows))?;
    files.push("eval.csv".to_string());
    write_table_csv(&out.join("eval_summary.csv"), &eval::summary::table(&rows))?;
    files.push("eval_summary.csv".to_string());
    for &(nic, link) in &sweep.nics {
        let name = format!("eval_host_cores_{}gbe.svg", fmt_f64(link, 0));
        crate::plot::line_plot_with(
            &host_cores_table(&rows, nic),
            "request_size",
            "host_cores_used",
            Some("series"),
            &format!(
                "host cores used vs request size, {nic} ({}GbE), load {PLOT_LOAD} of the link",
                fmt_f64(link, 0)
            ),
            &out.join(&name),
            false,
        )?;
        files.push(name);
    }
    for app in App::ALL {
        let name = format!("eval_latency_{}.svg", app.name());
        crate::plot::line_plot_with(
            &latency_table(&rows, app),
            "offered_gbps",
            "lat_mean_us",
            Some("series"),
            &format!(
                "{}: mean latency vs offered load per server, {PLOT_SIZE} B requests",
                app.name()
            ),
            &out.join(&name),
            true,
        )?;
        files.push(name);
    }
    Ok(EvalRun { rows, files })
}

fn is_load(r: &Row, fraction: f64) -> bool {
    (r.point.offered_gbps - fraction * r.point.link_gbps).abs() < 1e-9
}

/// Host cores used per request size at [`PLOT_LOAD`] on `nic`, one line per app and configuration.
fn host_cores_table(rows: &[Row], nic: &str) -> Table {
    let mut t = Table::new(["request_size", "host_cores_used", "series"]);
    for r in rows
        .iter()
        .filter(|r| r.point.nic == nic && is_load(r, PLOT_LOAD))
    {
        t.push([
            r.point.request_bytes.to_string(),
            fmt_f64(r.host_cores_used, 3),
            format!("{} {}", r.point.app.name(), r.point.config.name()),
        ]);
    }
    t
}

/// Mean latency against offered load of `app` at [`PLOT_SIZE`], one line per
/// configuration and NIC. The x axis is the offered load, not the achieved
/// throughput: past saturation the achieved throughput falls (eval.csv), and
/// a line over it would fold back on itself.
fn latency_table(rows: &[Row], app: App) -> Table {
    let mut t = Table::new(["offered_gbps", "lat_mean_us", "series"]);
    for r in rows
        .iter()
        .filter(|r| r.point.app == app && r.point.request_bytes == PLOT_SIZE)
    {
        let cfg = match r.point.config {
            Config::Ipipe => "ipipe",
            Config::HostOnly => "host_only",
        };
        t.push([
            fmt_f64(r.point.offered_gbps, 3),
            fmt_f64(r.lat_mean_us, 3),
            format!("{cfg} {}GbE", fmt_f64(r.point.link_gbps, 0)),
        ]);
    }
    t
}
