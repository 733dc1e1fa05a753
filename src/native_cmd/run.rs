//! A native run: the open-loop request generator, and starting the runtime, server and client, sending the load and collecting what they saw.

use super::measure::{measure, Measured};
use super::{scenario_rate_rps, NativeOptions, NativeOutput, MAX_NATIVE_REQUESTS};
use crate::scenario::actors::ActorsPlan;
use crate::scenario::Scenario;
use anyhow::{Context, Result};
use native::{register, Client, Epoch, NativeServer, Planned, ServerConfig};
use scheduler::{ActorId, Runtime};
use sim_core::{RngStreams, SimDuration, SimRng};
use std::time::{Duration, Instant};
use system::node::named::Named;
use workloads::actors::registry::{build_actor_of, gen_request, ActorKind};
use workloads::ArrivalProcess;

/// Time given to the threads to start before the first request.
const START_DELAY: Duration = Duration::from_millis(20);
/// How long the run waits for the last responses after the last request.
const DRAIN: Duration = Duration::from_millis(500);

/// Open-loop requests of `plan`'s actors at `rate_rps` for `duration`,
/// starting `start_ns` into the epoch (gaps, picks and payloads from one
/// named RNG stream of the scenario's seed, as the simulator's source draws them).
struct Generator {
    rng: SimRng,
    arrival: ArrivalProcess,
    targets: Vec<(ActorId, ActorKind, f64)>,
    mean_gap_ns: f64,
    next_ns: f64,
    stop_ns: f64,
    /// Payload bytes generated so far (for the mean request size).
    payload_bytes: u64,
    count: u64,
}

impl Iterator for Generator {
    type Item = Planned;
    fn next(&mut self) -> Option<Planned> {
        use rand::Rng;
        use rand_distr::{Distribution, Exp1};
        if self.next_ns >= self.stop_ns || self.targets.is_empty() {
            return None;
        }
        let at_ns = self.next_ns as u64;
        let gap = match self.arrival {
            // on/off is refused before the generator is built
            ArrivalProcess::Constant | ArrivalProcess::OnOff => self.mean_gap_ns,
            ArrivalProcess::Poisson => {
                let x: f64 = Exp1.sample(&mut self.rng);
                x * self.mean_gap_ns
            }
        };
        self.next_ns += gap;
        let u: f64 = self.rng.gen();
        let (dst, kind, _) = *self
            .targets
            .iter()
            .find(|t| u < t.2)
            .unwrap_or(&self.targets[self.targets.len() - 1]);
        let r = gen_request(kind, &mut self.rng);
        self.payload_bytes += r.payload.len() as u64;
        self.count += 1;
        Some(Planned {
            at_ns,
            dst,
            kind: r.kind,
            payload: r.payload,
        })
    }
}

/// Runs `plan` natively and measures it.
pub fn run_native(s: &Scenario, plan: &ActorsPlan, o: NativeOptions) -> Result<NativeOutput> {
    let wall = Instant::now();
    let rate_rps = match o.rate_rps {
        Some(r) => r,
        None => scenario_rate_rps(s, plan)?,
    };
    let expected = rate_rps * o.duration.as_secs_f64();
    if rate_rps.is_nan() || rate_rps <= 0.0 || expected > MAX_NATIVE_REQUESTS as f64 {
        anyhow::bail!(
            "a native run of {:.0} requests/s for {} s would send {expected:.0} requests (limit {MAX_NATIVE_REQUESTS}); lower workload.rate_krps (--set workload.rate_krps=50) or --duration-s",
            rate_rps,
            o.duration.as_secs_f64()
        );
    }
    let epoch = Epoch::start();
    let mut rt =
        Runtime::new(plan.settings.clone(), o.nic_cores, o.host_cores).context("native runtime")?;
    let total_w: f64 = plan.actors.iter().map(|a| a.weight).sum();
    let mut cumulative = 0.0;
    let mut targets = Vec::new();
    for spec in &plan.actors {
        let inner = build_actor_of(spec.kind, &spec.config)?;
        let actor = Box::new(Named::new(spec.name.clone(), inner));
        let id = register(&mut rt, actor, spec.placement, epoch)?;
        cumulative += spec.weight / total_w;
        targets.push((id, spec.kind, cumulative));
    }
    if let Some(last) = targets.last_mut() {
        last.2 = 1.0;
    }
    rt.check_static_names()?;
    let cfg = ServerConfig {
        threads: Some((o.nic_threads as usize, o.host_threads as usize)),
        ..ServerConfig::default()
    };
    let server = NativeServer::start(rt, &cfg, epoch)?;
    let client = Client::bind(server.addr()?, epoch, MAX_NATIVE_REQUESTS as usize)?;
    let start_ns = (epoch.now() + SimDuration::from_ns(START_DELAY.as_nanos() as u64)).as_ns();
    if plan.arrival == ArrivalProcess::OnOff {
        // cmd_native refuses it first; the native client has no burst schedule
        anyhow::bail!("workload.arrival = \"onoff\" is not supported by `nicsim native` (only by simulated runs); set workload.arrival = \"constant\" or \"poisson\"");
    }
    let mut gen = Generator {
        rng: RngStreams::new(s.seed).stream("native/client/0"),
        arrival: plan.arrival,
        targets: targets.clone(),
        mean_gap_ns: 1e9 / rate_rps,
        next_ns: start_ns as f64,
        stop_ns: start_ns as f64 + o.duration.as_ns() as f64,
        payload_bytes: 0,
        count: 0,
    };
    let stop_ns = start_ns + o.duration.as_ns();
    let ol = client.run_open_loop(&mut gen, stop_ns);
    // requests still unanswered after the drain are counted as outstanding
    client.wait_all_answered(DRAIN);
    let report = server.shutdown()?;
    let seen = client.finish(ol.max_lag_ns)?;
    // request datagram bytes: mean payload + the 23 B native header
    let bytes =
        gen.payload_bytes as f64 / gen.count.max(1) as f64 + native::wire::REQUEST_HEADER as f64;
    let warmup = s.warmup.min(o.duration / 2);
    let window = (start_ns + warmup.as_ns(), start_ns + o.duration.as_ns());
    let m = Measured {
        rate_rps,
        bytes,
        window,
        wall,
        not_sent: ol.not_sent,
    };
    Ok(measure(
        s,
        plan,
        m,
        &report.runtime,
        report.counters,
        &seen,
        o,
    ))
}
