//! Embedded switch of off-path NICs: ordered match rules on flow fields or ingress port steer each packet to NIC cores, the host, or drop.
//!
//! Off-path SmartNICs (BlueField, Stingray) put an eSwitch in front of both
//! the NIC cores and the host; every packet is matched against the rules in
//! order, the first match decides, and unmatched packets take the default
//! action. A rule that targets several NIC cores spreads flows over them by a
//! deterministic hash of the 5-tuple, so a flow always lands on the same core.
//! Every rule counts its hits; the default counts its own.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use crate::error::ModelError;
pub use vocab::flow::{FlowKey, PROTO_UDP};

/// Number of destination ports synthetic flows spread over (see [`synthetic_flow`]).
pub const SYNTHETIC_SERVICES: u32 = 8;

/// The 5-tuple of generated flow number `flow`: UDP from 10.0.0.0/8 +
/// `flow` (source port 1024 + `flow` mod 64512) to 10.255.0.1, destination
/// port 5000 + `flow` mod 8. The eight destination ports act as eight
/// services with 1/8 of the flows each, so a rule on `dst_port` steers a
/// known share of the traffic. (Generated traffic enters on switch port 0.)
pub fn synthetic_flow(flow: u32) -> FlowKey {
    FlowKey {
        src_ip: Ipv4Addr::from(0x0a00_0000u32.wrapping_add(flow & 0x00ff_ffff)),
        dst_ip: Ipv4Addr::new(10, 255, 0, 1),
        src_port: 1024 + (flow % 64512) as u16,
        dst_port: 5000 + (flow % SYNTHETIC_SERVICES) as u16,
        protocol: PROTO_UDP,
    }
}

/// Deterministic 64-bit hash of the 5-tuple (FNV-1a, then a finalizer), used
/// to spread flows over cores: the switch's model of a hardware RSS hash.
pub fn flow_hash(flow: &FlowKey) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    flow.src_ip.octets().into_iter().for_each(&mut eat);
    flow.dst_ip.octets().into_iter().for_each(&mut eat);
    flow.src_port.to_be_bytes().into_iter().for_each(&mut eat);
    flow.dst_port.to_be_bytes().into_iter().for_each(&mut eat);
    eat(flow.protocol);
    // Finalizer (from MurmurHash3): FNV's low bits mix poorly, and the
    // core is chosen by a modulo of the low bits.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// Where a rule sends matching packets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SteerTarget {
    /// To NIC cores (the rule's `cores`, or all cores if empty).
    NicCores,
    /// To the host over PCIe.
    Host,
    /// Dropped (counted).
    Drop,
}

/// One rule (`[[switch.rules]]`); absent fields match anything.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SwitchRule {
    /// Name for reports.
    #[serde(default)]
    pub name: String,
    /// Match on source address.
    pub src_ip: Option<Ipv4Addr>,
    /// Match on destination address.
    pub dst_ip: Option<Ipv4Addr>,
    /// Match on source port.
    pub src_port: Option<u16>,
    /// Match on destination port.
    pub dst_port: Option<u16>,
    /// Match on IP protocol.
    pub protocol: Option<u8>,
    /// Match on ingress port.
    pub ingress_port: Option<u8>,
    /// Where matching packets go.
    pub to: SteerTarget,
    /// NIC cores for `to = "nic_cores"` (empty = all).
    #[serde(default)]
    pub cores: Vec<u32>,
}

impl SwitchRule {
    /// Whether a packet of `flow` that entered on `ingress_port` matches every field this rule sets.
    pub fn matches(&self, flow: &FlowKey, ingress_port: u8) -> bool {
        field_matches(self.src_ip, flow.src_ip)
            && field_matches(self.dst_ip, flow.dst_ip)
            && field_matches(self.src_port, flow.src_port)
            && field_matches(self.dst_port, flow.dst_port)
            && field_matches(self.protocol, flow.protocol)
            && field_matches(self.ingress_port, ingress_port)
    }
}

/// An absent field matches anything; a present one must be equal.
fn field_matches<T: PartialEq>(want: Option<T>, got: T) -> bool {
    match want {
        Some(w) => w == got,
        None => true,
    }
}

fn default_target() -> SteerTarget {
    SteerTarget::Host
}

/// `[switch]` section of an off-path profile.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SwitchConfig {
    /// Action for packets no rule matches (default: the host, as a plain NIC would).
    #[serde(default = "default_target")]
    pub default: SteerTarget,
    /// NIC cores for `default = "nic_cores"` (empty = all).
    #[serde(default)]
    pub default_cores: Vec<u32>,
    /// Rules, first match wins.
    #[serde(default)]
    pub rules: Vec<SwitchRule>,
}

impl Default for SwitchConfig {
    fn default() -> Self {
        SwitchConfig {
            default: SteerTarget::Host,
            default_cores: Vec::new(),
            rules: Vec::new(),
        }
    }
}

/// The switch's decision for one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Steering {
    /// Deliver to this NIC core.
    NicCore(u32),
    /// Deliver to the host.
    Host,
    /// Drop.
    Drop,
}

/// The embedded switch of one off-path NIC.
#[derive(Clone, Debug)]
pub struct EmbeddedSwitch {
    nic_cores: u32,
    config: SwitchConfig,
    rule_hits: Vec<u64>,
    default_hits: u64,
}

impl EmbeddedSwitch {
    /// A switch for a NIC with `nic_cores` cores; every core id in the rules must exist.
    pub fn new(config: SwitchConfig, nic_cores: u32) -> Result<Self, ModelError> {
        let check = |key: String, cores: &[u32]| match cores.iter().find(|&&c| c >= nic_cores) {
            Some(c) => Err(ModelError::InvalidConfig {
                key,
                reason: format!("core {c} does not exist: this NIC has cores 0..{nic_cores}"),
            }),
            None => Ok(()),
        };
        check("switch.default_cores".into(), &config.default_cores)?;
        for (i, r) in config.rules.iter().enumerate() {
            check(format!("switch.rules[{i}].cores"), &r.cores)?;
        }
        Ok(EmbeddedSwitch {
            nic_cores,
            rule_hits: vec![0; config.rules.len()],
            config,
            default_hits: 0,
        })
    }

    /// Appends a rule at the lowest priority (before the default).
    pub fn push_rule(&mut self, rule: SwitchRule) -> Result<(), ModelError> {
        if let Some(c) = rule.cores.iter().find(|&&c| c >= self.nic_cores) {
            return Err(ModelError::InvalidConfig {
                key: "switch.rules.cores".into(),
                reason: format!(
                    "core {c} does not exist: this NIC has cores 0..{}",
                    self.nic_cores
                ),
            });
        }
        self.config.rules.push(rule);
        self.rule_hits.push(0);
        Ok(())
    }

    fn resolve(&self, to: SteerTarget, cores: &[u32], flow: &FlowKey) -> Steering {
        match to {
            SteerTarget::Host => Steering::Host,
            SteerTarget::Drop => Steering::Drop,
            SteerTarget::NicCores => {
                let h = flow_hash(flow);
                if cores.is_empty() {
                    Steering::NicCore((h % u64::from(self.nic_cores)) as u32)
                } else {
                    Steering::NicCore(cores[(h % cores.len() as u64) as usize])
                }
            }
        }
    }

    /// The first rule matching `flow` from `ingress_port` (None: the
    /// default), with the hit counted.
    fn match_counted(&mut self, flow: &FlowKey, ingress_port: u8) -> Option<usize> {
        let i = self
            .config
            .rules
            .iter()
            .position(|r| r.matches(flow, ingress_port));
        match i {
            Some(i) => self.rule_hits[i] += 1,
            None => self.default_hits += 1,
        }
        i
    }

    /// Steers one packet of `flow` that entered on switch port `ingress_port`:
    /// first matching rule, else the default. Counts the hit.
    pub fn steer(&mut self, flow: &FlowKey, ingress_port: u8) -> Steering {
        match self.match_counted(flow, ingress_port) {
            Some(i) => {
                let r = &self.config.rules[i];
                self.resolve(r.to, &r.cores, flow)
            }
            None => self.resolve(self.config.default, &self.config.default_cores, flow),
        }
    }

    /// Like [`EmbeddedSwitch::steer`] but says only where the packet goes,
    /// without hashing it onto a core (for a node whose cores pull from one
    /// shared queue). Counts the hit.
    pub fn classify(&mut self, flow: &FlowKey, ingress_port: u8) -> SteerTarget {
        match self.match_counted(flow, ingress_port) {
            Some(i) => self.config.rules[i].to,
            None => self.config.default,
        }
    }

    /// Hits per rule, in rule order.
    pub fn rule_hits(&self) -> &[u64] {
        &self.rule_hits
    }

    /// Packets that took the default action.
    pub fn default_hits(&self) -> u64 {
        self.default_hits
    }
}
