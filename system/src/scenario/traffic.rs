//! The offered traffic: frame sizes or a size mix, the rate against the link's line rate, arrivals and flows.

use super::checker::Checker;
use super::error::{num, ScenarioError};
use super::schema::{RateSetting, TrafficSection, DEFAULT_FLOWS, DEFAULT_PACKET_SIZE};
use nic_models::NicProfile;
use workloads::{ArrivalProcess, OnOff, SizeMix};

/// Ethernet frame size bounds (IEEE 802.3 minimum; common jumbo maximum).
const MIN_FRAME: u32 = 64;
const MAX_FRAME: u32 = 9216;

/// The offered traffic, resolved.
#[derive(Clone, Debug)]
pub struct Traffic {
    /// Sizes to draw from.
    pub sizes: SizeMix,
    /// Mean frame size, bytes.
    pub mean_size: f64,
    /// Offered Gb/s of frame bits.
    pub offered_gbps: f64,
    /// Line rate for this size mix, Gb/s of frame bits.
    pub line_rate_gbps: f64,
    /// Arrival process.
    pub arrival: ArrivalProcess,
    /// Burst and silence means of `"onoff"` arrivals.
    pub onoff: Option<OnOff>,
    /// Flows.
    pub flows: u32,
}

/// Checks `[traffic]` against the NIC and resolves its defaults.
pub(super) fn resolve_traffic(
    c: &Checker<'_>,
    t: &TrafficSection,
    nic: &NicProfile,
) -> Result<Traffic, ScenarioError> {
    let check_size = |key: &str, s: u32| {
        if (MIN_FRAME..=MAX_FRAME).contains(&s) {
            Ok(())
        } else {
            Err(c.err(
                key,
                format!("frame size must be {MIN_FRAME}..={MAX_FRAME} bytes, got {s}"),
                "use an Ethernet frame size such as 64, 256 or 1500",
            ))
        }
    };
    let sizes = match (&t.packet_size, &t.size_mix) {
        (Some(_), Some(_)) => {
            return Err(c.err(
                "traffic.size_mix",
                "both packet_size and size_mix are set",
                "keep one of them",
            ))
        }
        (_, Some(mix)) => {
            if mix.is_empty() {
                return Err(c.err(
                    "traffic.size_mix",
                    "is empty",
                    "give at least one { size, weight } entry",
                ));
            }
            for e in mix {
                check_size("traffic.size_mix", e.size)?;
                if !(e.weight > 0.0 && e.weight.is_finite()) {
                    return Err(c.err(
                        "traffic.size_mix",
                        format!("weight must be positive, got {}", e.weight),
                        "use positive weights",
                    ));
                }
            }
            SizeMix::weighted(mix)
        }
        (size, None) => {
            let s = size.unwrap_or(DEFAULT_PACKET_SIZE);
            check_size("traffic.packet_size", s)?;
            SizeMix::fixed(s)
        }
    };
    let mean_size = sizes.mean_bytes();
    let overhead = nic.mac.wire_overhead_bytes as f64;
    let line_rate_gbps = nic.link_gbps * mean_size / (mean_size + overhead);
    let offered_gbps = match t.rate_gbps.unwrap_or_default() {
        RateSetting::Line(_) => line_rate_gbps,
        RateSetting::Gbps(g) => {
            if !(g > 0.0 && g.is_finite()) {
                return Err(c.err(
                    "traffic.rate_gbps",
                    format!("must be a positive rate, got {}", num(g)),
                    "use a positive number of Gb/s or \"line\"",
                ));
            }
            if g > line_rate_gbps * 1.000_001 {
                return Err(c.err(
                    "traffic.rate_gbps",
                    format!("{} Gb/s exceeds the {} Gb/s link's line rate ({line_rate_gbps:.3} Gb/s of frames at this size)", num(g), nic.link_gbps),
                    "use \"line\" or a lower rate",
                ));
            }
            g
        }
    };
    let flows = t.flows.unwrap_or(DEFAULT_FLOWS);
    if flows == 0 {
        return Err(c.err("traffic.flows", "must be at least 1", "use 1 or more flows"));
    }
    let arrival = t.arrival.unwrap_or_default();
    let onoff = resolve_onoff(c, t, arrival, offered_gbps, line_rate_gbps)?;
    Ok(Traffic {
        sizes,
        mean_size,
        offered_gbps,
        line_rate_gbps,
        arrival,
        onoff,
        flows,
    })
}

/// `traffic.on_us` and `traffic.off_us`: required with `"onoff"`, refused
/// otherwise; the burst's peak rate must fit the wire.
fn resolve_onoff(
    c: &Checker<'_>,
    t: &TrafficSection,
    arrival: ArrivalProcess,
    offered_gbps: f64,
    line_rate_gbps: f64,
) -> Result<Option<OnOff>, ScenarioError> {
    let onoff = arrival == ArrivalProcess::OnOff;
    let Some(periods) = super::onoff::periods(c, "traffic", onoff, t.on_us, t.off_us)? else {
        return Ok(None);
    };
    let peak = periods.peak_gbps(offered_gbps);
    if peak > line_rate_gbps * 1.000_001 {
        return Err(c.err(
            "traffic.off_us",
            format!(
                "bursts would need {peak:.3} Gb/s to average {offered_gbps:.3} Gb/s, above the {line_rate_gbps:.3} Gb/s line rate"
            ),
            "shorten traffic.off_us, lengthen traffic.on_us, or lower traffic.rate_gbps",
        ));
    }
    Ok(Some(periods))
}
