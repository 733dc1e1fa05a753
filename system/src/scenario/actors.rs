//! Validation of actor workloads: the actors, their load, the host and the runtime settings.

use super::checker::Checker;
use super::error::ScenarioError;
use super::schema::{ActorEntry, ActorsWorkload, HostSection};
use nic_models::host::HostProfile;
use nic_models::ProfileError;
use scheduler::SchedulerSettings;
use std::path::Path;
use workloads::actors::registry::{build_actor, ActorKind};
use workloads::apps::workload::AppWorkload;
use workloads::ArrivalProcess;

/// Default host profile.
pub const DEFAULT_HOST: &str = "host_e5_2620v4";
/// Default offered load as a fraction of the NIC's capacity.
pub const DEFAULT_LOAD_FRACTION: f64 = 0.5;

/// How much traffic the actors get.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OfferedLoad {
    /// A fraction of the NIC's estimated capacity (measured before the run).
    Fraction(f64),
    /// Absolute, thousands of requests per second.
    Krps(f64),
}

/// One validated actor.
#[derive(Clone, Debug, PartialEq)]
pub struct ActorSpec {
    /// Unique name.
    pub name: String,
    /// Kind.
    pub kind: ActorKind,
    /// Share of requests (normalised later).
    pub weight: f64,
    /// Reporting class.
    pub class: String,
    /// The actor's settings table.
    pub config: toml::Table,
    /// Initial placement overriding the policy's, if given.
    pub placement: Option<scheduler::policy::Placement>,
    /// Requests for it are zero-padded to this many frame bytes, if given
    /// (`workload.actors[].request_bytes`).
    pub request_bytes: Option<u32>,
    /// The actor's timer (`timer_us` + `timer_kind`), if any.
    pub timer: Option<ActorTimer>,
}

/// A per-actor timer: the node delivers an empty `kind` message every `period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActorTimer {
    /// Time between two timer messages (the first one after one period).
    pub period: sim_core::SimDuration,
    /// Message kind of each one.
    pub kind: u16,
}

/// Shortest timer period, us: one message per microsecond per actor already
/// outnumbers most request rates; shorter would let one key explode a run's
/// event count.
pub const MIN_TIMER_US: f64 = 1.0;
/// Longest timer period, us (one hour, the longest run).
pub const MAX_TIMER_US: f64 = 3.6e9;

/// A validated actor workload.
#[derive(Clone, Debug)]
pub struct ActorsPlan {
    /// The actors.
    pub actors: Vec<ActorSpec>,
    /// Offered load.
    pub load: OfferedLoad,
    /// Arrival process.
    pub arrival: ArrivalProcess,
    /// Mean burst and silence of `"onoff"` arrivals (set with the cluster
    /// check, scenario::onoff::actor_periods).
    pub onoff: Option<workloads::OnOff>,
    /// Host profile.
    pub host: HostProfile,
    /// Host cores for the runtime.
    pub host_cores: u32,
    /// Runtime settings.
    pub settings: SchedulerSettings,
    /// Application request settings (`[workload.app]`), every key resolved;
    /// `None`: clients use each kind's own generator.
    pub app: Option<AppWorkload>,
}

/// Checks an actor workload on a NIC with `nic_cores` cores; `c` names the
/// file and line (or the `--set`) of each error.
pub(super) fn validate_actors(
    c: &Checker<'_>,
    w: &ActorsWorkload,
    host: Option<&HostSection>,
    settings: Option<&SchedulerSettings>,
    base_dir: &Path,
    nic_cores: u32,
) -> Result<ActorsPlan, ScenarioError> {
    let err = |key: &str, message: String, fix: &str| c.err(key, message, fix);
    if w.actors.is_empty() {
        return Err(err(
            "workload.actors",
            "no actors declared".into(),
            "add [[workload.actors]] entries with name and kind",
        ));
    }
    let mut actors = Vec::with_capacity(w.actors.len());
    for (i, e) in w.actors.iter().enumerate() {
        actors.push(validate_entry(i, e, &actors, &err)?);
    }
    if actors.iter().all(|a| a.weight == 0.0) {
        return Err(err(
            "workload.actors[0].weight",
            "every actor has weight 0, so no request would be sent".into(),
            "give at least one actor a positive weight (the actors clients send to)",
        ));
    }
    let app = validate_app(c, w, &actors)?;
    let tuple_rate = w.app.as_ref().and_then(|a| a.tuple_rate_per_us);
    // its range is checked with the other [workload.app] values
    if tuple_rate.is_some() && (w.load_fraction.is_some() || w.rate_krps.is_some()) {
        return Err(err(
            "workload.app.tuple_rate_per_us",
            "sets the offered load, and so does workload.rate_krps / load_fraction".into(),
            "keep one of them",
        ));
    }
    let load = match (w.load_fraction, w.rate_krps) {
        _ if tuple_rate.is_some() => {
            let batch = app.as_ref().map_or(1, |a| a.tuples_per_batch);
            // tuples/us -> batches (requests) per second, in thousands
            OfferedLoad::Krps(tuple_rate.unwrap_or(1.0) * 1e3 / f64::from(batch))
        }
        (Some(_), Some(_)) => {
            return Err(err(
                "workload.rate_krps",
                "both load_fraction and rate_krps are set".into(),
                "keep one of them (a --set of either replaces the other)",
            ))
        }
        (None, Some(r)) if r > 0.0 && r.is_finite() => OfferedLoad::Krps(r),
        (None, Some(r)) => {
            return Err(err(
                "workload.rate_krps",
                format!("must be positive, got {r}"),
                "use a positive rate",
            ))
        }
        (f, None) => {
            let f = f.unwrap_or(DEFAULT_LOAD_FRACTION);
            if !(f > 0.0 && f <= 10.0) {
                return Err(err(
                    "workload.load_fraction",
                    format!("must be in (0, 10], got {f}"),
                    "use e.g. 0.8 for 80% of the NIC's capacity",
                ));
            }
            OfferedLoad::Fraction(f)
        }
    };
    let host_name = host
        .and_then(|h| h.profile.clone())
        .unwrap_or_else(|| DEFAULT_HOST.to_string());
    let host_profile = HostProfile::resolve(&host_name, base_dir).map_err(|e| match e {
        ProfileError::Unknown { name, known } => err(
            "host.profile",
            format!("unknown host `{name}`"),
            &format!("use a built-in host ({known}) or a path"),
        ),
        e @ ProfileError::Io { .. } => err(
            "host.profile",
            e.to_string(),
            "give a path relative to the scenario's directory, or a built-in host (see nicsim list)",
        ),
        other => err("host.profile", other.to_string(), "fix the host profile"),
    })?;
    let host_cores = host.and_then(|h| h.cores).unwrap_or(host_profile.cores());
    if host_cores == 0 || host_cores > host_profile.cores() {
        return Err(err(
            "host.cores",
            format!(
                "must be 1..={} for {}, got {host_cores}",
                host_profile.cores(),
                host_profile.name
            ),
            "lower host.cores",
        ));
    }
    let settings = settings.cloned().unwrap_or_default();
    let names: Vec<&str> = actors.iter().map(|a| a.name.as_str()).collect();
    settings
        .validate_for(nic_cores, &names)
        .map_err(|e| c.err(&format!("scheduler.{}", e.key()), e.to_string(), e.fix()))?;
    // host_only runs charge the host profile's `dpdk` path as the host stack
    // (system/src/node/host_stack.rs): without one they would silently pay nothing
    if settings.policy == scheduler::PolicyKind::HostOnly
        && host_profile.messaging.path("dpdk").is_none()
    {
        return Err(c.err(
            "host.profile",
            format!(
                "policy host_only charges the host stack from the host profile's `dpdk` messaging path, and host profile `{}` has none",
                host_profile.name
            ),
            "add a [[messaging.paths]] entry named \"dpdk\" to the host profile (see host_e5_2620v4.toml), or use another policy",
        ));
    }
    Ok(ActorsPlan {
        actors,
        load,
        arrival: w.arrival.unwrap_or(ArrivalProcess::Poisson),
        onoff: None,
        host: host_profile,
        host_cores,
        settings,
        app,
    })
}

/// Checks `[workload.app]`: each value in range, and every app actor that
/// holds a key space (`key_count` in its config) large enough for the
/// clients' keys.
fn validate_app(
    c: &Checker<'_>,
    w: &ActorsWorkload,
    actors: &[ActorSpec],
) -> Result<Option<AppWorkload>, ScenarioError> {
    let Some(settings) = &w.app else {
        return Ok(None);
    };
    let app = settings.workload();
    app.validate().map_err(|e| {
        c.err(
            &format!("workload.app.{}", e.key),
            e.reason.clone(),
            "see [workload.app] in the README's scenario reference",
        )
    })?;
    for a in actors {
        let holds = match a.kind.name() {
            "rta_counter" | "rta_ranker" | "dt_participant" => a
                .config
                .get("key_count")
                .and_then(toml::Value::as_integer)
                .or_else(|| {
                    a.kind
                        .default_config()
                        .get("key_count")
                        .and_then(toml::Value::as_integer)
                }),
            _ => None,
        };
        if let Some(n) = holds.filter(|&n| n < i64::from(app.key_count)) {
            return Err(c.err(
                "workload.app.key_count",
                format!(
                    "{} keys, but actor `{}` ({}) holds keys 0..{n} only",
                    app.key_count,
                    a.name,
                    a.kind.name()
                ),
                format!(
                    "lower workload.app.key_count to {n}, or set key_count = {} in the actor's config",
                    app.key_count
                ),
            ));
        }
    }
    Ok(Some(app))
}

fn validate_entry(
    i: usize,
    e: &ActorEntry,
    earlier: &[ActorSpec],
    err: &dyn Fn(&str, String, &str) -> ScenarioError,
) -> Result<ActorSpec, ScenarioError> {
    let at = |k: &str| format!("workload.actors[{i}].{k}");
    if e.name.is_empty() || earlier.iter().any(|a| a.name == e.name) {
        return Err(err(
            &at("name"),
            format!("actor names must be unique and non-empty, got `{}`", e.name),
            "rename the actor",
        ));
    }
    let kind: ActorKind = e.kind.parse().map_err(|_| {
        err(
            &at("kind"),
            format!("unknown actor kind `{}`", e.kind),
            &format!("use one of: {}", ActorKind::valid_names()),
        )
    })?;
    let weight = e.weight.unwrap_or(1.0);
    // 0 is allowed: an application's internal actor (a participant, a log, a
    // ranker) that only other actors send to, never the clients
    if !(weight >= 0.0 && weight.is_finite()) {
        return Err(err(
            &at("weight"),
            format!("must be 0 or positive, got {weight}"),
            "use a positive share, or 0 for an actor only other actors send to",
        ));
    }
    use scheduler::policy::Placement;
    let placement = match e.placement.as_deref() {
        None => None,
        Some("nic_fcfs") => Some(Placement::NicFcfs),
        Some("nic_drr") => Some(Placement::NicDrr),
        Some("host") => Some(Placement::Host),
        Some(other) => {
            return Err(err(
                &at("placement"),
                format!("unknown placement `{other}`"),
                "use \"nic_fcfs\", \"nic_drr\" or \"host\"",
            ))
        }
    };
    if let Some(b) = e.request_bytes {
        if !(64..=9216).contains(&b) {
            return Err(err(
                &at("request_bytes"),
                format!("must be 64..=9216 frame bytes, got {b}"),
                "use a frame size in 64..=9216 (the kind's own request is padded to it)",
            ));
        }
    }
    let timer = validate_timer(e, &at, err)?;
    let config = e.config.clone().unwrap_or_default();
    build_actor(&e.kind, &config)
        .map_err(|x| err(&at("config"), x.to_string(), "fix the actor's settings"))?;
    Ok(ActorSpec {
        name: e.name.clone(),
        kind,
        weight,
        class: e.class.clone().unwrap_or_else(|| kind.name().to_string()),
        config,
        placement,
        request_bytes: e.request_bytes,
        timer,
    })
}

/// `timer_us` and `timer_kind`: both or neither; the period in
/// [`MIN_TIMER_US`, `MAX_TIMER_US`].
fn validate_timer(
    e: &ActorEntry,
    at: &dyn Fn(&str) -> String,
    err: &dyn Fn(&str, String, &str) -> ScenarioError,
) -> Result<Option<ActorTimer>, ScenarioError> {
    match (e.timer_us, e.timer_kind) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(err(
            &at("timer_kind"),
            "timer_us is set but timer_kind is not".into(),
            "add timer_kind = the message kind the actor expects (e.g. 20482 for RKV_TICK)",
        )),
        (None, Some(_)) => Err(err(
            &at("timer_us"),
            "timer_kind is set but timer_us is not".into(),
            "add timer_us = the period in microseconds, or remove timer_kind",
        )),
        (Some(us), Some(kind)) => {
            if !(MIN_TIMER_US..=MAX_TIMER_US).contains(&us) {
                return Err(err(
                    &at("timer_us"),
                    format!("must be {MIN_TIMER_US}..={MAX_TIMER_US:e} us, got {us}"),
                    "use a period of at least 1 us (e.g. 50 for a heartbeat tick)",
                ));
            }
            Ok(Some(ActorTimer {
                period: sim_core::SimDuration::from_us_f64(us),
                kind,
            }))
        }
    }
}
