//! The readable summary printed after `nicsim run`.

use super::Summary;
use std::fmt::Write;

/// A short human summary of one run.
pub fn summary_text(s: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "scenario {}  (seed {})", s.scenario, s.seed);
    let _ = writeln!(out, "  nic           {} with {} cores", s.nic, s.cores);
    let _ = writeln!(
        out,
        "  traffic       {:.0} B per packet (or request), offered {:.3} Gb/s",
        s.packet_size, s.offered_gbps
    );
    let pct = if s.line_rate_gbps > 0.0 {
        100.0 * s.achieved_gbps / s.line_rate_gbps
    } else {
        0.0
    };
    let _ = writeln!(
        out,
        "  throughput    {:.3} Gb/s = {:.3} Mpps ({pct:.1}% of the {:.3} Gb/s line rate{})",
        s.achieved_gbps,
        s.achieved_mpps,
        s.line_rate_gbps,
        if s.at_line_rate() {
            ", at line rate"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "  latency       mean {:.2} us, p50 {:.2} us, p99 {:.2} us, p99.9 {:.2} us",
        s.lat_mean_us, s.lat_p50_us, s.lat_p99_us, s.lat_p999_us
    );
    let _ = writeln!(out, "  nic cores     {:.1}% busy", 100.0 * s.nic_core_util);
    let _ = writeln!(
        out,
        "  accounting    {} generated, {} delivered, {} to host, {} dropped, {} in flight",
        s.generated, s.delivered, s.steered_host, s.drops, s.in_flight
    );
    let speed = if s.wall_time_s > 0.0 {
        s.sim_time_s / s.wall_time_s
    } else {
        f64::INFINITY
    };
    let _ = writeln!(
        out,
        "  simulation    {:.4} s simulated in {:.3} s wall ({speed:.2}x real time), {} events",
        s.sim_time_s, s.wall_time_s, s.events
    );
    out
}
