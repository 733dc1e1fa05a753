//! `on_us` / `off_us` of bursty (`arrival = "onoff"`) arrivals: one check for the echo traffic (`traffic.*`) and the actor workload (`workload.*`).

use super::checker::Checker;
use super::error::{num, ScenarioError};
use sim_core::SimDuration;
use workloads::OnOff;

/// Longest mean on or off period, us (one hour: the longest run).
pub(super) const MAX_PERIOD_US: f64 = 3.6e9;

/// The mean burst and silence of `section.arrival = "onoff"` (`onoff`):
/// both keys required and in (0, [`MAX_PERIOD_US`]]; with another arrival
/// either key is refused (it would be silently ignored).
pub(super) fn periods(
    c: &Checker<'_>,
    section: &str,
    onoff: bool,
    on_us: Option<f64>,
    off_us: Option<f64>,
) -> Result<Option<OnOff>, ScenarioError> {
    let on_key = format!("{section}.on_us");
    let off_key = format!("{section}.off_us");
    let arrival = format!("{section}.arrival = \"onoff\"");
    if !onoff {
        for (key, v) in [(&on_key, on_us), (&off_key, off_us)] {
            if v.is_some() {
                return Err(c.err(
                    key,
                    format!("is only used with {arrival}"),
                    format!("remove {key} or set {arrival}"),
                ));
            }
        }
        return Ok(None);
    }
    let period = |key: &str, v: Option<f64>| -> Result<SimDuration, ScenarioError> {
        match v {
            None => Err(c.err(
                key,
                format!("is required with {arrival}"),
                format!("set {key} (mean period in us, e.g. 10)"),
            )),
            Some(us) if us > 0.0 && us <= MAX_PERIOD_US => Ok(SimDuration::from_ns_f64(us * 1e3)),
            Some(us) => Err(c.err(
                key,
                format!("must be in (0, {MAX_PERIOD_US}] us, got {}", num(us)),
                "use a positive mean period in us",
            )),
        }
    };
    Ok(Some(OnOff {
        on: period(&on_key, on_us)?,
        off: period(&off_key, off_us)?,
    }))
}

/// `workload.arrival = "onoff"` of an actor workload, with `workload.on_us` /
/// `workload.off_us`: bursts of the one-server request source or of open-loop
/// cluster clients (`clients`). Refused with closed-loop clients, which send
/// when answered, not on a schedule.
pub(super) fn actor_periods(
    c: &Checker<'_>,
    w: &super::schema::ActorsWorkload,
    clients: Option<&super::cluster::ClientPlan>,
) -> Result<Option<OnOff>, ScenarioError> {
    let onoff = w.arrival == Some(workloads::ArrivalProcess::OnOff);
    if onoff && clients.is_some_and(|p| p.closed.is_some()) {
        return Err(c.err(
            "workload.arrival",
            "closed-loop clients (cluster.client_outstanding) send when answered, not in bursts",
            "remove workload.arrival = \"onoff\" or cluster.client_outstanding",
        ));
    }
    periods(c, "workload", onoff, w.on_us, w.off_us)
}
