//! The capacity probe behind `load_fraction`: each actor's mean NIC-core time per request, measured on a one-core node driver.
//!
//! The probe drives the runtime through the same [`RuntimeDriver`] as the
//! node, so a request pays exactly what it pays in the run: the NIC packet
//! path (forwarding cost of its frame) and the handler, through the cache and
//! accelerator models.

use super::assemble::{assembly, build, driver_for};
use super::RunError;
use crate::frame::{Frame, SOURCE_NODE};
use crate::scenario::actors::{ActorSpec, ActorsPlan};
use crate::scenario::Scenario;
use scheduler::runtime::{CoreId, Runtime};
use scheduler::{Endpoint, Message, PolicyKind, SchedulerSettings, Side};
use sim_core::{RngStreams, SimTime};
use workloads::actors::registry::{gen_request, gen_request_into};
use workloads::sim_platform::SimPlatform;

/// Requests run per actor when measuring its cost for the capacity estimate.
const CAPACITY_PROBE_REQUESTS: u64 = 200;

/// Mean NIC-core time of one request of `spec`, ns (packet path included):
/// the actor run alone on one core of a fresh node, `CAPACITY_PROBE_REQUESTS` times.
fn probe_cost_ns(s: &Scenario, spec: &ActorSpec, seed: u64) -> Result<f64, RunError> {
    let settings = SchedulerSettings {
        policy: PolicyKind::Fcfs,
        ..SchedulerSettings::default()
    };
    let mut rt = Runtime::new(settings, 1, 1).map_err(assembly)?;
    let mut nic_model = s.nic.core_model().map_err(assembly)?;
    let mut rng = RngStreams::new(seed).stream(&format!("capacity/{}", spec.name));
    let id = {
        let mut p = SimPlatform::new(&mut nic_model, 0, Side::Nic).map_err(assembly)?;
        rt.register_actor(build(spec)?, &mut p, SimTime::ZERO)
            .map_err(assembly)?
    };
    // The probe runs only NIC core 0 (FCFS policy: nothing is placed on the
    // host), so it builds no host cost model (whose caches take longer to set
    // up than the 200 probe requests take to run); the run itself builds one.
    let mut driver = driver_for(s, rt, nic_model, None)?;
    let core = CoreId::nic(0);
    let mut now = SimTime::ZERO;
    let mut total_ps = 0u64;
    let mut measured = 0u64;
    let (mut outbox, mut forwarded) = (Vec::new(), Vec::new());
    for i in 0..CAPACITY_PROBE_REQUESTS {
        let req = gen_request(spec.kind, &mut rng);
        let msg = Message {
            id: i,
            src: Endpoint::Network {
                node: SOURCE_NODE,
                port: 0,
            },
            dst: id,
            kind: req.kind,
            payload: req.payload,
            created_at: now,
        };
        if driver.runtime_mut().deliver(msg, now).is_err() {
            return Err(RunError::Assembly(format!(
                "capacity probe: actor `{}` refused a request on an idle core",
                spec.name
            )));
        }
        let Some(done) = driver.dispatch(core, now) else {
            return Err(RunError::Assembly(format!(
                "capacity probe: actor `{}` was not dispatched on an idle core",
                spec.name
            )));
        };
        // the node's finish, into buffers kept across the probe's requests
        // (what the handler sent is dropped, its allocation kept)
        driver.finish_into(core, done, &mut outbox, &mut forwarded);
        outbox.clear();
        forwarded.clear();
        total_ps += done.saturating_since(now).as_ps();
        measured += 1;
        now = done;
    }
    let c = driver.counters();
    if c.runtime_errors + c.platform_errors > 0 {
        return Err(RunError::Assembly(format!(
            "capacity probe of `{}`: the runtime driver reported {c:?}",
            spec.name
        )));
    }
    Ok(total_ps as f64 / 1e3 / measured.max(1) as f64)
}

/// The NIC's capacity for this actor mix, requests per second: cores over
/// the weighted mean cost of one request on one core.
pub fn estimate_nic_capacity_rps(s: &Scenario, plan: &ActorsPlan) -> Result<f64, RunError> {
    let total_w: f64 = plan.actors.iter().map(|a| a.weight).sum();
    let mut mean_ns = 0.0;
    for a in &plan.actors {
        mean_ns += a.weight / total_w * probe_cost_ns(s, a, s.seed)?;
    }
    Ok(f64::from(s.cores) * 1e9 / mean_ns.max(1.0))
}

/// Requests drawn per actor to estimate the mean request size for the wire cap.
const SIZE_PROBE_REQUESTS: u64 = 2048;

/// Mean bytes of one request on the wire (payload + headers + the MAC's
/// preamble and gap), by drawing `SIZE_PROBE_REQUESTS` requests per actor
/// from their own random stream (the run's draws are untouched).
fn mean_wire_bytes(s: &Scenario, plan: &ActorsPlan) -> f64 {
    let total_w: f64 = plan.actors.iter().map(|a| a.weight).sum();
    let mut rng = RngStreams::new(s.seed).stream("traffic/size_probe");
    let mut mean = 0.0;
    // one payload buffer for every draw (the same draws, no allocation each)
    let mut spare = Vec::new();
    for a in &plan.actors {
        let mut bytes = 0u64;
        for _ in 0..SIZE_PROBE_REQUESTS {
            let req = gen_request_into(a.kind, &mut rng, spare);
            bytes += u64::from(Frame::wire_bytes_for(req.payload.len()));
            spare = req.payload;
        }
        mean += a.weight / total_w * bytes as f64 / SIZE_PROBE_REQUESTS as f64;
    }
    mean + f64::from(s.nic.mac.wire_overhead_bytes)
}

/// The request rate the source runs at: the asked rate, capped at what the
/// link carries (requests of the mean size back to back), as the echo
/// source is capped at line rate. Returns (rate, capped).
pub fn source_rate_rps(s: &Scenario, plan: &ActorsPlan, asked_rps: f64) -> (f64, bool) {
    let wire_rps = s.nic.link_gbps * 1e9 / (8.0 * mean_wire_bytes(s, plan));
    if asked_rps > wire_rps {
        (wire_rps, true)
    } else {
        (asked_rps, false)
    }
}
