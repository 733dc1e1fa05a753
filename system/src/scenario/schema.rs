//! The scenario file format: every key, its unit and its default (serde structs, unknown keys refused).
//!
//! The README's scenario reference is written from this file; keep them together.

use serde::{Deserialize, Serialize};
use workloads::{ArrivalProcess, EchoConfig, SizeWeight};

/// Default root seed.
pub const DEFAULT_SEED: u64 = 1;
/// Default simulated duration, milliseconds.
pub const DEFAULT_DURATION_MS: f64 = 10.0;
/// Default packet size when neither `packet_size` nor `size_mix` is given.
pub const DEFAULT_PACKET_SIZE: u32 = 256;
/// Default number of flows the generator spreads packets over.
pub const DEFAULT_FLOWS: u32 = 1024;
/// Default time-series window, microseconds.
pub const DEFAULT_WINDOW_US: f64 = 1000.0;

/// A whole scenario file.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Scenario name; default: the file's stem. Names the default output directory.
    #[serde(default)]
    pub name: Option<String>,
    /// Root seed of every random stream in the run (default 1); any u64.
    /// Seeds above i64::MAX (TOML's largest integer) are written as a quoted
    /// decimal string, e.g. `seed = "18446744073709551615"`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::seed::optional"
    )]
    pub seed: Option<u64>,
    /// Simulated time to run, milliseconds (default 10).
    #[serde(default)]
    pub duration_ms: Option<f64>,
    /// Leading time excluded from throughput and latency, milliseconds (default: 10% of duration).
    #[serde(default)]
    pub warmup_ms: Option<f64>,
    /// The NIC under test.
    pub nic: NicSection,
    /// The offered traffic.
    #[serde(default)]
    pub traffic: TrafficSection,
    /// What the NIC cores run.
    #[serde(default)]
    pub workload: WorkloadSection,
    /// Output settings.
    #[serde(default)]
    pub output: OutputSection,
    /// The iPipe runtime's policy and its settings (actor workloads only).
    #[serde(default)]
    pub scheduler: Option<scheduler::SchedulerSettings>,
    /// The host server (actor workloads only).
    #[serde(default)]
    pub host: Option<HostSection>,
    /// Several servers, clients and switches (absent: one server, as always).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<crate::cluster::spec::ClusterSection>,
    /// Server crashes and faulty links (cluster scenarios only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faults: Option<super::faults::FaultsSection>,
}

/// `[host]`: the host server behind the NIC.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HostSection {
    /// Built-in host profile name or a path (default `host_e5_2620v4`).
    #[serde(default)]
    pub profile: Option<String>,
    /// Host cores given to the runtime (default: all the profile has).
    #[serde(default)]
    pub cores: Option<u32>,
}

/// `[nic]`: which hardware profile, and how much of it.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NicSection {
    /// Built-in profile name (see `nicsim list`) or a path to a profile TOML,
    /// relative to the scenario file.
    pub profile: String,
    /// NIC cores used (default: all the profile has).
    #[serde(default)]
    pub cores: Option<u32>,
    /// Override of the traffic manager's queue bound, packets (default: the profile's).
    #[serde(default)]
    pub tm_queue_packets: Option<u32>,
    /// Off-path NICs: embedded-switch rules tried before the profile's own,
    /// e.g. `[{ dst_port = 5000, to = "host" }]`. Generated flows use UDP
    /// destination ports 5000..=5007 (1/8 of the flows each).
    #[serde(default)]
    pub switch_rules: Option<Vec<nic_models::switch::SwitchRule>>,
}

/// The word `"line"`: offer the link's full line rate.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LineRate {
    /// Line rate.
    Line,
}

/// An offered rate: a number of Gb/s of frame bits, or `"line"`.
/// (Deserialized by hand so that a bad value says what is accepted.)
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
#[serde(untagged)]
pub enum RateSetting {
    /// `"line"`.
    Line(LineRate),
    /// Gb/s of frame bits (preamble and gap not counted).
    Gbps(f64),
}

impl<'de> Deserialize<'de> for RateSetting {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = RateSetting;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number of Gb/s or \"line\"")
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<RateSetting, E> {
                Ok(RateSetting::Gbps(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RateSetting, E> {
                Ok(RateSetting::Gbps(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RateSetting, E> {
                Ok(RateSetting::Gbps(v as f64))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RateSetting, E> {
                match v {
                    "line" => Ok(RateSetting::Line(LineRate::Line)),
                    other => Err(E::invalid_value(serde::de::Unexpected::Str(other), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl Default for RateSetting {
    fn default() -> Self {
        RateSetting::Line(LineRate::Line)
    }
}

/// `[traffic]`: the packet generator.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct TrafficSection {
    /// Frame size in bytes, 64..=9216 (default 256). Exclusive with `size_mix`.
    #[serde(default)]
    pub packet_size: Option<u32>,
    /// Weighted size mix, e.g. `[{ size = 64, weight = 7 }, { size = 1500, weight = 1 }]`.
    #[serde(default)]
    pub size_mix: Option<Vec<SizeWeight>>,
    /// Offered rate: Gb/s of frame bits, or `"line"` (default).
    #[serde(default)]
    pub rate_gbps: Option<RateSetting>,
    /// `"constant"` (default), `"poisson"` or `"onoff"` inter-arrival gaps.
    #[serde(default)]
    pub arrival: Option<ArrivalProcess>,
    /// `"onoff"`: mean length of a burst, us (exponential).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_us: Option<f64>,
    /// `"onoff"`: mean silence between bursts, us (exponential).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub off_us: Option<f64>,
    /// Number of flows packets are spread over (default 1024).
    #[serde(default)]
    pub flows: Option<u32>,
}

/// `[workload]`: the application on the NIC cores.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum WorkloadSection {
    /// Echo every packet back (default).
    Echo(EchoConfig),
    /// Requests to iPipe actors, scheduled by the runtime on NIC and host cores.
    Actors(ActorsWorkload),
}

/// `[workload]` with `kind = "actors"`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ActorsWorkload {
    /// Offered load as a fraction of the NIC's estimated capacity (default 0.5).
    /// Exclusive with `rate_krps`.
    #[serde(default)]
    pub load_fraction: Option<f64>,
    /// Offered load in thousands of requests per second.
    #[serde(default)]
    pub rate_krps: Option<f64>,
    /// Inter-arrival gaps (default `"poisson"`; `"onoff"`: bursts, open loop only).
    #[serde(default)]
    pub arrival: Option<ArrivalProcess>,
    /// `"onoff"`: mean length of a burst (of the source or each client), us (exponential).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_us: Option<f64>,
    /// `"onoff"`: mean silence between bursts, us (exponential).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub off_us: Option<f64>,
    /// The actors, each with its share of the requests.
    pub actors: Vec<ActorEntry>,
    /// Application request settings (`[workload.app]`; default: each kind's
    /// own generator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<workloads::apps::workload::AppSettings>,
}

/// One `[[workload.actors]]` entry.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ActorEntry {
    /// Unique name (actors.csv, static placement lists).
    pub name: String,
    /// Actor kind (`nicsim list` shows them).
    pub kind: String,
    /// Relative share of the requests (default 1).
    #[serde(default)]
    pub weight: Option<f64>,
    /// Label for grouping results, e.g. `"low"` / `"high"` dispersion (default: the kind).
    #[serde(default)]
    pub class: Option<String>,
    /// Initial placement: `"nic_fcfs"`, `"nic_drr"` or `"host"` (default: the
    /// policy's choice). The policy may move the actor later.
    #[serde(default)]
    pub placement: Option<String>,
    /// Frame bytes of each request made for this actor, 64..=9216: its kind's
    /// request is zero-padded to `request_bytes - 64` payload bytes (longer
    /// requests stay as they are). Default: the kind's own size.
    #[serde(default)]
    pub request_bytes: Option<u32>,
    /// The actor's own settings (see its kind's docs); default: its defaults.
    #[serde(default)]
    pub config: Option<toml::Table>,
}

impl Default for WorkloadSection {
    fn default() -> Self {
        WorkloadSection::Echo(EchoConfig::default())
    }
}

/// `[output]`: what gets written.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct OutputSection {
    /// Length of one time-series window, microseconds (default 1000).
    #[serde(default)]
    pub window_us: Option<f64>,
}
