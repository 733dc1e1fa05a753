//! Checking a parsed scenario's values and resolving every default into a `Scenario`.

use super::actors::{validate_actors, ActorsPlan};
use super::checker::Checker;
use super::error::{num, ScenarioError};
use super::peers::resolve_peers;
use super::schema::*;
use super::traffic::resolve_traffic;
pub use super::traffic::Traffic;
use nic_models::{NicProfile, ProfileError};
use sim_core::SimDuration;
use std::path::Path;

/// Longest run accepted, milliseconds (one simulated hour).
const MAX_DURATION_MS: f64 = 3_600_000.0;
/// Most time-series rows a run may produce.
const MAX_WINDOWS: f64 = 100_000.0;

/// A validated scenario with every default filled in.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Name (output directory, `scenario` column).
    pub name: String,
    /// Root seed.
    pub seed: u64,
    /// Simulated time to run.
    pub duration: SimDuration,
    /// Leading time excluded from measurements.
    pub warmup: SimDuration,
    /// The NIC's profile (with `tm_queue_packets` applied).
    pub nic: NicProfile,
    /// NIC cores used.
    pub cores: u32,
    /// Traffic.
    pub traffic: Traffic,
    /// The application.
    pub workload: WorkloadSection,
    /// For actor workloads: the actors, load, host and runtime settings.
    pub actors: Option<ActorsPlan>,
    /// Time-series window.
    pub window: SimDuration,
    /// `[cluster]`: several servers (None: the one-server system).
    pub cluster: Option<super::cluster::ClusterPlan>,
    /// The file with every default written out (for `resolved.toml`).
    pub resolved: ScenarioFile,
}

impl Scenario {
    pub(super) fn from_file(
        file: ScenarioFile,
        c: Checker<'_>,
        base_dir: impl AsRef<Path>,
        default_name: Option<String>,
    ) -> Result<Scenario, ScenarioError> {
        let c = &c;
        let mut resolved = file.clone();
        if let Some(problem) = file.name.as_deref().and_then(super::names::problem) {
            return Err(c.err(
                "name",
                format!("{problem}; the name becomes the directory results/<name>/"),
                "use letters, digits, `_`, `-` and `.` (not first), at most 100 characters, no `/`",
            ));
        }

        let duration_ms = file.duration_ms.unwrap_or(DEFAULT_DURATION_MS);
        if !(duration_ms > 0.0 && duration_ms <= MAX_DURATION_MS) {
            return Err(c.err(
                "duration_ms",
                format!(
                    "must be in (0, {MAX_DURATION_MS}] ms, got {}",
                    num(duration_ms)
                ),
                "give a positive duration such as 10",
            ));
        }
        let warmup_ms = file.warmup_ms.unwrap_or(duration_ms * 0.1);
        if !(warmup_ms >= 0.0 && warmup_ms < duration_ms) {
            return Err(c.err(
                "warmup_ms",
                format!("must be >= 0 and below duration_ms ({duration_ms}), got {warmup_ms}"),
                "shorten the warm-up",
            ));
        }

        let nic = resolve_profile(c, &file.nic.profile, base_dir.as_ref())?;
        let mut nic = nic;
        let cores = file.nic.cores.unwrap_or(nic.cores);
        if cores == 0 || cores > nic.cores {
            return Err(c.err(
                "nic.cores",
                format!(
                    "must be between 1 and {} (the {} has {} cores), got {cores}",
                    nic.cores, nic.name, nic.cores
                ),
                format!("set nic.cores to 1..={}", nic.cores),
            ));
        }
        if let Some(q) = file.nic.tm_queue_packets {
            if q == 0 {
                return Err(c.err(
                    "nic.tm_queue_packets",
                    "must be at least 1",
                    "remove it to use the profile's bound",
                ));
            }
            nic.traffic_manager.queue_packets = q;
        }
        if let Some(rules) = &file.nic.switch_rules {
            if nic.kind == nic_models::NicKind::OnPath {
                return Err(c.err(
                    "nic.switch_rules",
                    format!(
                        "the {} is an on-path NIC and has no embedded switch",
                        nic.name
                    ),
                    "remove nic.switch_rules, or use an off-path NIC such as stingray_ps225",
                ));
            }
            let mut config = nic.switch.clone().unwrap_or_default();
            config.rules.splice(0..0, rules.iter().cloned());
            nic.switch = Some(config);
        }
        if let Some(config) = &nic.switch {
            nic_models::switch::EmbeddedSwitch::new(config.clone(), cores).map_err(|e| {
                c.err(
                    "nic.switch_rules",
                    e.to_string(),
                    "name only cores the scenario uses",
                )
            })?;
        }

        let traffic = resolve_traffic(c, &file.traffic, &nic)?;

        let mut actors = match &file.workload {
            WorkloadSection::Echo(e) => {
                if !(e.processing_us >= 0.0 && e.processing_us.is_finite()) {
                    return Err(c.err(
                        "workload.processing_us",
                        format!("must be >= 0 us, got {}", num(e.processing_us)),
                        "use 0 for plain echo",
                    ));
                }
                if file.scheduler.is_some() || file.host.is_some() {
                    let key = if file.scheduler.is_some() {
                        "scheduler"
                    } else {
                        "host"
                    };
                    return Err(c.err(
                        key,
                        "applies only to actor workloads",
                        "remove it, or set workload.kind = \"actors\"",
                    ));
                }
                None
            }
            WorkloadSection::Actors(w) => Some(validate_actors(
                c,
                w,
                file.host.as_ref(),
                file.scheduler.as_ref(),
                base_dir.as_ref(),
                cores,
            )?),
        };

        let duration_us = duration_ms * 1000.0;
        // The default window is 1 ms, or the whole run when that is shorter
        // (a default, written to resolved.toml; a value the user gives is
        // checked, never adjusted).
        let window_us = file
            .output
            .window_us
            .unwrap_or(DEFAULT_WINDOW_US.min(duration_us));
        let fewest_us = (duration_us / MAX_WINDOWS).ceil();
        if !(window_us > 0.0 && window_us.is_finite()) {
            return Err(c.err(
                "output.window_us",
                format!(
                    "must be a positive number of microseconds, got {}",
                    num(window_us)
                ),
                format!(
                    "use e.g. {}",
                    fewest_us.max(DEFAULT_WINDOW_US.min(duration_us))
                ),
            ));
        }
        if duration_us / window_us > MAX_WINDOWS {
            return Err(c.err(
                "output.window_us",
                format!(
                    "{} us gives {:.0} windows over the {duration_ms} ms run, more than the {MAX_WINDOWS} allowed",
                    num(window_us),
                    (duration_us / window_us).ceil()
                ),
                format!("use at least {fewest_us} us (duration_ms x 1000 / 100000)"),
            ));
        }
        if window_us > duration_us {
            // One window longer than the run would report nothing but a
            // partial window: the time series would show no traffic.
            return Err(c.err(
                "output.window_us",
                format!(
                    "{} us is longer than the run ({duration_us} us): the time series would have no complete window",
                    num(window_us)
                ),
                format!("use at most {duration_us} us (the default is {DEFAULT_WINDOW_US})"),
            ));
        }

        super::assembly::check(c, &nic, cores, actors.as_ref())?;
        let mut cluster = match &file.cluster {
            Some(section) => Some(super::cluster::validate_cluster(
                c,
                section,
                &nic,
                cores,
                actors.as_ref(),
                open_loop_rate_key(&file),
                base_dir.as_ref(),
            )?),
            None => None,
        };
        if let (WorkloadSection::Actors(w), Some(plan)) = (&file.workload, actors.as_mut()) {
            let clients = cluster.as_ref().map(|p| &p.clients);
            plan.onoff = super::onoff::actor_periods(c, w, clients)?;
        }
        match (&file.faults, cluster.as_mut()) {
            (Some(f), Some(plan)) => {
                let duration = SimDuration::from_us_f64(duration_ms * 1000.0);
                plan.faults = super::faults::validate_faults(c, f, &plan.topology, duration)?;
            }
            (Some(f), None) => {
                let key = match (&f.crash, &f.link) {
                    (Some(_), _) => "faults.crash",
                    (None, Some(_)) => "faults.link",
                    (None, None) => "faults",
                };
                return Err(c.err(
                    key,
                    "applies only to cluster scenarios",
                    "add a [cluster] section (see configs/cluster_star.toml), or remove [faults]",
                ));
            }
            (None, _) => {}
        }
        if let Some(plan) = actors.as_mut() {
            resolve_peers(c, plan, cluster.as_mut())?;
        }

        let name = file
            .name
            .clone()
            .or(default_name)
            .unwrap_or_else(|| "scenario".to_string());
        resolved.name = Some(name.clone());
        resolved.seed = Some(file.seed.unwrap_or(DEFAULT_SEED));
        resolved.duration_ms = Some(duration_ms);
        resolved.warmup_ms = Some(warmup_ms);
        resolved.nic.cores = Some(cores);
        resolved.nic.tm_queue_packets = Some(nic.traffic_manager.queue_packets);
        if resolved.traffic.size_mix.is_none() {
            resolved.traffic.packet_size =
                Some(file.traffic.packet_size.unwrap_or(DEFAULT_PACKET_SIZE));
        }
        resolved.traffic.rate_gbps = Some(file.traffic.rate_gbps.unwrap_or_default());
        resolved.traffic.arrival = Some(traffic.arrival);
        if let Some(p) = traffic.onoff {
            resolved.traffic.on_us = Some(p.on.as_us_f64());
            resolved.traffic.off_us = Some(p.off.as_us_f64());
        }
        resolved.traffic.flows = Some(traffic.flows);
        resolved.output.window_us = Some(window_us);
        if let Some(plan) = &actors {
            resolved.scheduler = Some(plan.settings.clone());
            resolved.host = Some(super::schema::HostSection {
                profile: Some(plan.host.name.clone()),
                cores: Some(plan.host_cores),
            });
            if let WorkloadSection::Actors(w) = &mut resolved.workload {
                if w.rate_krps.is_none() {
                    w.load_fraction = Some(
                        w.load_fraction
                            .unwrap_or(super::actors::DEFAULT_LOAD_FRACTION),
                    );
                }
                w.arrival = Some(plan.arrival);
                w.app = w.app.as_ref().map(|a| a.resolved());
                for e in &mut w.actors {
                    e.weight = Some(e.weight.unwrap_or(1.0));
                }
            }
        }

        Ok(Scenario {
            name,
            seed: file.seed.unwrap_or(DEFAULT_SEED),
            duration: SimDuration::from_us_f64(duration_ms * 1000.0),
            warmup: SimDuration::from_us_f64(warmup_ms * 1000.0),
            nic,
            cores,
            traffic,
            workload: file.workload.clone(),
            actors,
            window: SimDuration::from_us_f64(window_us),
            cluster,
            resolved,
        })
    }

    /// The scenario with another seed (`--seed`, sweep repetitions).
    pub fn with_seed(mut self, seed: u64) -> Scenario {
        self.seed = seed;
        self.resolved.seed = Some(seed);
        self
    }

    /// `resolved.toml`: the scenario with every default written out.
    pub fn resolved_toml(&self) -> String {
        let body = toml::to_string(&self.resolved)
            .unwrap_or_else(|e| format!("# cannot serialize: {e}\n"));
        format!(
            "# Scenario `{}` with every default filled in (written by nicsim).\n{body}",
            self.name
        )
    }
}

fn resolve_profile(
    c: &Checker<'_>,
    name: &str,
    base_dir: &Path,
) -> Result<NicProfile, ScenarioError> {
    NicProfile::resolve(name, base_dir).map_err(|e| match &e {
        ProfileError::Unknown { name, known } => c.err(
            "nic.profile",
            format!("unknown NIC `{name}`"),
            format!("use a built-in profile ({known}) or a path to a profile .toml"),
        ),
        ProfileError::Io { .. } => c.err(
            "nic.profile",
            e.to_string(),
            format!(
                "give a path relative to the scenario's directory, or a built-in profile ({})",
                nic_models::profile::builtin_names().join(", ")
            ),
        ),
        other => c.err(
            "nic.profile",
            other.to_string(),
            "fix the profile file (format in configs/nics/README.md)",
        ),
    })
}

/// The workload's open-loop rate key the file sets, if any (closed-loop
/// cluster clients refuse one: they set their own rate).
fn open_loop_rate_key(file: &ScenarioFile) -> Option<&'static str> {
    match &file.workload {
        WorkloadSection::Actors(a) if a.rate_krps.is_some() => Some("workload.rate_krps"),
        WorkloadSection::Actors(a) if a.load_fraction.is_some() => Some("workload.load_fraction"),
        _ => None,
    }
}
