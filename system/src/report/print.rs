//! The readable summary printed after `nicsim run`.

use super::Summary;

/// A short human summary of one run.
pub fn summary_text(s: &Summary) -> String {
    let mut lines = vec![
        format!("scenario {}  (seed {})", s.scenario, s.seed),
        format!("  nic           {} with {} cores", s.nic, s.cores),
        format!(
            "  traffic       {:.0} B per packet (or request), offered {:.3} Gb/s",
            s.packet_size, s.offered_gbps
        ),
    ];
    if s.offered_capped {
        lines.push(format!(
            "  capped        the link carries less: the source sent {:.3} Gb/s (the {:.3} Gb/s line rate at this size)",
            s.source_gbps, s.line_rate_gbps
        ));
    }
    let pct = if s.line_rate_gbps > 0.0 {
        100.0 * s.achieved_gbps / s.line_rate_gbps
    } else {
        0.0
    };
    lines.push(format!(
        "  throughput    {:.3} Gb/s = {:.3} Mpps ({pct:.1}% of the {:.3} Gb/s line rate{})",
        s.achieved_gbps,
        s.achieved_mpps,
        s.line_rate_gbps,
        if s.at_line_rate() {
            ", at line rate"
        } else {
            ""
        }
    ));
    lines.push(format!(
        "  latency       mean {:.3} us, p50 {:.3} us, p99 {:.3} us, p99.9 {:.3} us",
        s.lat_mean_us, s.lat_p50_us, s.lat_p99_us, s.lat_p999_us
    ));
    lines.push(format!(
        "  nic cores     {:.1}% busy",
        100.0 * s.nic_core_util
    ));
    lines.push(accounting_line(s));
    if s.drops > 0 {
        let reasons = drop_reasons(s);
        // a cluster's network drops are on its own `network` line
        let reasons = if reasons.is_empty() {
            "in the network (see below)".to_string()
        } else {
            reasons
        };
        lines.push(format!("  drops         {reasons}"));
    }
    let errors = s.driver_errors + s.model_errors + s.sends_dropped + s.reorders;
    if errors > 0 {
        lines.push(format!(
            "  warning       {} driver errors, {} model errors, {} sends dropped at full outboxes, {} reordered messages",
            s.driver_errors, s.model_errors, s.sends_dropped, s.reorders
        ));
    }
    let speed = if s.wall_time_s > 0.0 {
        s.sim_time_s / s.wall_time_s
    } else {
        f64::INFINITY
    };
    lines.push(format!(
        "  simulation    {:.4} s simulated in {:.3} s wall ({speed:.2}x real time), {} events",
        s.sim_time_s, s.wall_time_s, s.events
    ));
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Where the packets (echo) or messages (actors) went. Echo names what the
/// switch steered to the host (delivered there); actor runs name what
/// crossed PCIe to host actors (then served or dropped there).
fn accounting_line(s: &Summary) -> String {
    let host = if s.workload == "actors" {
        format!("{} crossed PCIe to host actors", s.to_host_actors)
    } else {
        format!("{} to host", s.steered_host)
    };
    format!(
        "  accounting    {} generated, {} delivered, {host}, {} dropped, {} in flight",
        s.generated, s.delivered, s.drops, s.in_flight
    )
}

/// The nonzero drop reasons, e.g. `drops_tm 120, drops_tx 3`.
fn drop_reasons(s: &Summary) -> String {
    let fixed = [
        ("drops_source", s.drops_source),
        ("drops_switch", s.drops_switch),
        ("drops_ingress", s.drops_ingress),
        ("drops_tm", s.drops_tm),
        ("drops_tx", s.drops_tx),
        ("drops_pcie", s.actor_drops.pcie),
    ];
    fixed
        .into_iter()
        .chain(s.actor_drops.runtime_reasons())
        .filter(|(_, n)| *n > 0)
        .map(|(name, n)| format!("{name} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
