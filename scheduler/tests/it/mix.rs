//! The study mix used by the policy tests: three low-dispersion actors (~2 us) and one
//! high-dispersion actor (2-71 us, the spread of iPipe section 2.2.3's tasks) on 8 NIC
//! cores and 2 host cores of the fake platform.

use crate::actors::Worker;
use crate::harness::{poisson_mix, Driver};
use scheduler::{ActorId, PolicyKind, SchedulerSettings, SimTime};

pub const NIC_CORES: u32 = 8;
pub const HOST_CORES: u32 = 2;
pub const LIGHT_CYCLES: u64 = 2_000;
pub const HEAVY_CYCLES: (u64, u64) = (2_000, 71_000);
/// Share of the offered work (core time) that the heavy actor brings.
pub const HEAVY_WORK_SHARE: f64 = 0.35;

pub struct MixResult {
    pub driver: Driver,
    pub light: Vec<ActorId>,
    pub heavy: ActorId,
    pub offered: usize,
}

impl MixResult {
    /// Exact p99 of queueing + execution over completed requests of `actors` that
    /// arrived at or after `warmup`.
    pub fn p99_ns_after(&self, actors: &[ActorId], warmup: SimTime) -> u64 {
        let mut v: Vec<u64> = self
            .driver
            .log
            .completions
            .iter()
            .filter(|c| actors.contains(&c.actor) && c.at - c.sojourn >= warmup)
            .map(|c| c.sojourn.as_ns())
            .collect();
        assert!(!v.is_empty());
        v.sort_unstable();
        v[((v.len() as f64 * 0.99).ceil() as usize).clamp(1, v.len()) - 1]
    }

    /// Requests completed by `until`.
    pub fn completed_by(&self, until: SimTime) -> usize {
        self.driver
            .log
            .completions
            .iter()
            .filter(|c| c.at <= until)
            .count()
    }
}

/// Run the mix at `load` (fraction of the NIC's 8 cores) for `duration`.
pub fn run_mix(settings: SchedulerSettings, load: f64, duration: SimTime, seed: u64) -> MixResult {
    let mut d = Driver::new(settings, NIC_CORES, HOST_CORES);
    let light: Vec<ActorId> = (0..3)
        .map(|i| {
            d.register(Box::new(Worker::new(
                &format!("light{i}"),
                LIGHT_CYCLES,
                LIGHT_CYCLES,
                seed + i,
            )))
        })
        .collect();
    let heavy = d.register(Box::new(Worker::new(
        "heavy",
        HEAVY_CYCLES.0,
        HEAVY_CYCLES.1,
        seed + 100,
    )));
    // request costs, in us of NIC core time (each exec also touches one DMO line: +10 ns)
    let light_us = LIGHT_CYCLES as f64 / 1_000.0 + 0.01;
    let heavy_us = (HEAVY_CYCLES.0 + HEAVY_CYCLES.1) as f64 / 2_000.0 + 0.01;
    let work_per_us = load * f64::from(NIC_CORES);
    let heavy_rate = HEAVY_WORK_SHARE * work_per_us / heavy_us;
    let light_rate = (1.0 - HEAVY_WORK_SHARE) * work_per_us / light_us;
    let mut targets: Vec<(ActorId, f64)> = light.iter().map(|&a| (a, light_rate / 3.0)).collect();
    targets.push((heavy, heavy_rate));
    let arrivals = poisson_mix(seed, light_rate + heavy_rate, duration, &targets);
    let offered = arrivals.len();
    d.add_arrivals(arrivals);
    d.run(duration);
    MixResult {
        driver: d,
        light,
        heavy,
        offered,
    }
}

pub fn settings(policy: PolicyKind) -> SchedulerSettings {
    SchedulerSettings {
        policy,
        ..SchedulerSettings::default()
    }
}
