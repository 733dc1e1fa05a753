//! Firewall actor: first-match 5-tuple wildcard rules (prefixes, port ranges, protocol) kept in a DMO.
//!
//! Per packet the actor scans the rule table in order, reading one 32-byte
//! rule at a time from the DMO, until a rule matches; no match takes the
//! default action. Allowed packets are forwarded to `forward_node`; denied
//! packets are dropped. Per-rule hit counters (and the default's) live in a
//! second DMO.

use super::registry::{build_from, default_table, KindDescriptor};
use super::wire::{
    dmo_get_u64, dmo_put_u64, handles_in, handles_out, le_u32, FlowKey, FlowKeyWire, PacketDesc,
};
use super::{kinds, ConfigError, Request};
use rand::Rng;
use scheduler::{Actor, ActorCtx, ActorError, DmoHandle, Endpoint, Message};
use serde::Deserialize;

/// Fixed compute per packet: parse, counters, forward. Derived (about 200 instructions); not from
/// the paper, which gives no time for this task (prediction only).
pub const BASE_CYCLES: u64 = 300;
/// Compute per rule checked (four masked compares and two range checks). Derived, about 30 instructions.
pub const PER_RULE_CYCLES: u64 = 16;

/// Bytes of one rule in the DMO.
const RULE_BYTES: u32 = 32;

/// One rule as written in a config file, e.g.
/// `{ src = "10.66.0.0/16", dst = "any", sport = "any", dport = "23", proto = "tcp", action = "deny" }`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// Source prefix `a.b.c.d/len` or `any`.
    #[serde(default = "any")]
    pub src: String,
    /// Destination prefix or `any`.
    #[serde(default = "any")]
    pub dst: String,
    /// Source port `p`, `lo-hi` or `any`.
    #[serde(default = "any")]
    pub sport: String,
    /// Destination port `p`, `lo-hi` or `any`.
    #[serde(default = "any")]
    pub dport: String,
    /// `tcp`, `udp`, `any` or a protocol number.
    #[serde(default = "any")]
    pub proto: String,
    /// `allow` or `deny`.
    pub action: String,
}

fn any() -> String {
    "any".into()
}

/// Configuration of [`Firewall`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FirewallConfig {
    /// Rules, first match wins. Default: deny telnet (tcp/23), deny 10.66.0.0/16, allow tcp 80 and 443,
    /// allow udp 53, allow tcp 1024-65535 from 10.0.0.0/8 to 192.168.0.0/24.
    pub rules: Vec<RuleConfig>,
    /// Action when no rule matches: `allow` or `deny`. Default `deny`.
    pub default_action: String,
    /// Network node allowed packets go to. Default 200.
    pub forward_node: u32,
    /// Port on that node. Default 0.
    pub forward_port: u16,
}

fn rule(src: &str, dport: &str, proto: &str, action: &str) -> RuleConfig {
    RuleConfig {
        src: src.into(),
        dst: "any".into(),
        sport: "any".into(),
        dport: dport.into(),
        proto: proto.into(),
        action: action.into(),
    }
}

impl Default for FirewallConfig {
    fn default() -> Self {
        let mut internal = rule("10.0.0.0/8", "1024-65535", "tcp", "allow");
        internal.dst = "192.168.0.0/24".into();
        FirewallConfig {
            rules: vec![
                rule("any", "23", "tcp", "deny"),
                rule("10.66.0.0/16", "any", "any", "deny"),
                rule("any", "80", "tcp", "allow"),
                rule("any", "443", "tcp", "allow"),
                rule("any", "53", "udp", "allow"),
                internal,
            ],
            default_action: "deny".into(),
            forward_node: 200,
            forward_port: 0,
        }
    }
}

/// A parsed rule: masked addresses, inclusive port ranges, protocol (0 = any), allow flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub src: (u32, u32),
    pub dst: (u32, u32),
    pub sport: (u16, u16),
    pub dport: (u16, u16),
    pub proto: u8,
    pub allow: bool,
}

fn parse_prefix(key: &str, s: &str) -> Result<(u32, u32), ConfigError> {
    if s == "any" {
        return Ok((0, 0));
    }
    let bad = || ConfigError::new(key, format!("`{s}` is not `a.b.c.d/len` or `any`"));
    let (ip, len) = s.split_once('/').unwrap_or((s, "32"));
    let octets: Vec<u8> = ip
        .split('.')
        .map(|o| o.parse().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let len: u32 = len.parse().map_err(|_| bad())?;
    if octets.len() != 4 || len > 32 {
        return Err(bad());
    }
    let addr = u32::from_be_bytes([octets[0], octets[1], octets[2], octets[3]]);
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    Ok((addr & mask, mask))
}

fn parse_ports(key: &str, s: &str) -> Result<(u16, u16), ConfigError> {
    if s == "any" {
        return Ok((0, u16::MAX));
    }
    let bad = || ConfigError::new(key, format!("`{s}` is not a port, `lo-hi` or `any`"));
    let (lo, hi) = s.split_once('-').unwrap_or((s, s));
    let (lo, hi): (u16, u16) = (
        lo.parse().map_err(|_| bad())?,
        hi.parse().map_err(|_| bad())?,
    );
    if lo > hi {
        return Err(bad());
    }
    Ok((lo, hi))
}

fn parse_action(key: &str, s: &str) -> Result<bool, ConfigError> {
    match s {
        "allow" => Ok(true),
        "deny" => Ok(false),
        _ => Err(ConfigError::new(
            key,
            format!("`{s}` is not `allow` or `deny`"),
        )),
    }
}

impl Rule {
    /// Parses a config rule; `i` names it in errors.
    pub fn parse(i: usize, r: &RuleConfig) -> Result<Rule, ConfigError> {
        let k = |f: &str| format!("rules[{i}].{f}");
        let proto = match r.proto.as_str() {
            "any" => 0,
            "tcp" => super::wire::PROTO_TCP,
            "udp" => super::wire::PROTO_UDP,
            n => n.parse().map_err(|_| {
                ConfigError::new(k("proto"), format!("`{n}` is not tcp, udp, any or 1..255"))
            })?,
        };
        Ok(Rule {
            src: parse_prefix(&k("src"), &r.src)?,
            dst: parse_prefix(&k("dst"), &r.dst)?,
            sport: parse_ports(&k("sport"), &r.sport)?,
            dport: parse_ports(&k("dport"), &r.dport)?,
            proto,
            allow: parse_action(&k("action"), &r.action)?,
        })
    }

    /// Whether the rule matches a flow key.
    pub fn matches(&self, k: &FlowKey) -> bool {
        u32::from(k.src_ip) & self.src.1 == self.src.0
            && u32::from(k.dst_ip) & self.dst.1 == self.dst.0
            && (self.sport.0..=self.sport.1).contains(&k.src_port)
            && (self.dport.0..=self.dport.1).contains(&k.dst_port)
            && (self.proto == 0 || self.proto == k.protocol)
    }

    fn encode(&self) -> [u8; RULE_BYTES as usize] {
        let mut b = [0u8; RULE_BYTES as usize];
        for (i, v) in [self.src.0, self.src.1, self.dst.0, self.dst.1]
            .iter()
            .enumerate()
        {
            b[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
        }
        for (i, v) in [self.sport.0, self.sport.1, self.dport.0, self.dport.1]
            .iter()
            .enumerate()
        {
            b[16 + 2 * i..18 + 2 * i].copy_from_slice(&v.to_le_bytes());
        }
        b[24] = self.proto;
        b[25] = u8::from(self.allow);
        b
    }

    fn decode(b: &[u8]) -> Rule {
        let p = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]);
        Rule {
            src: (le_u32(b, 0), le_u32(b, 4)),
            dst: (le_u32(b, 8), le_u32(b, 12)),
            sport: (p(16), p(18)),
            dport: (p(20), p(22)),
            proto: b[24],
            allow: b[25] != 0,
        }
    }
}

/// Matches packets against first-match wildcard rules; forwards allowed ones.
#[derive(Debug)]
pub struct Firewall {
    cfg: FirewallConfig,
    rules: Vec<Rule>,
    default_allow: bool,
    table: Option<DmoHandle>,
    /// Hit counter per rule, then the default's: u64 each.
    hits: Option<DmoHandle>,
}

impl Firewall {
    /// A firewall; errors name the bad rule field.
    pub fn new(cfg: FirewallConfig) -> Result<Firewall, ConfigError> {
        let rules = cfg
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| Rule::parse(i, r))
            .collect::<Result<Vec<_>, _>>()?;
        if rules.len() > 4096 {
            return Err(ConfigError::new("rules", "at most 4096 rules"));
        }
        let default_allow = parse_action("default_action", &cfg.default_action)?;
        Ok(Firewall {
            cfg,
            rules,
            default_allow,
            table: None,
            hits: None,
        })
    }

    /// Hits per rule in order, then the default action's (reads the counters DMO).
    pub fn hit_counts(&self, ctx: &mut ActorCtx<'_>) -> Result<Vec<u64>, ActorError> {
        let h = self
            .hits
            .ok_or_else(|| ActorError::Invalid("firewall not initialised".into()))?;
        (0..=self.rules.len() as u32)
            .map(|i| dmo_get_u64(ctx, h, 8 * i))
            .collect()
    }
}

impl Actor for Firewall {
    fn name(&self) -> &str {
        "firewall"
    }

    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let bytes: Vec<u8> = self.rules.iter().flat_map(|r| r.encode()).collect();
        let t = ctx.dmo_alloc((bytes.len() as u32).max(RULE_BYTES))?;
        ctx.dmo_write(t, 0, &bytes)?;
        self.table = Some(t);
        self.hits = Some(ctx.dmo_alloc(8 * (self.rules.len() as u32 + 1))?);
        Ok(())
    }

    fn exec(&mut self, msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        let (t, h) = match (self.table, self.hits) {
            (Some(t), Some(h)) => (t, h),
            _ => return Err(ActorError::Invalid("firewall not initialised".into())),
        };
        let pkt = PacketDesc::decode(&msg.payload)?;
        let n = self.rules.len() as u32;
        let mut hit = (n, self.default_allow);
        let mut checked = 0u64;
        for i in 0..n {
            let mut b = [0u8; RULE_BYTES as usize];
            ctx.dmo_read(t, i * RULE_BYTES, &mut b)?;
            checked += 1;
            let r = Rule::decode(&b);
            if r.matches(&pkt.key) {
                hit = (i, r.allow);
                break;
            }
        }
        ctx.compute(BASE_CYCLES + PER_RULE_CYCLES * checked)?;
        let c = dmo_get_u64(ctx, h, 8 * hit.0)?;
        dmo_put_u64(ctx, h, 8 * hit.0, c + 1)?;
        if hit.1 {
            let dst = Endpoint::Network {
                node: self.cfg.forward_node,
                port: self.cfg.forward_port,
            };
            ctx.send(dst, kinds::FORWARD, msg.payload.clone())?;
        }
        Ok(())
    }

    fn migrate_out(&mut self, _ctx: &mut ActorCtx<'_>) -> Result<Vec<u8>, ActorError> {
        Ok(handles_out(&[self.table, self.hits]))
    }

    fn migrate_in(&mut self, state: &[u8], _ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        handles_in(state, &mut [&mut self.table, &mut self.hits])
    }
}

/// A packet of a random synthetic flow, with a 1-in-8 chance of a random source in 10.66/16 or port 23.
pub fn gen_request<R: Rng + ?Sized>(rng: &mut R) -> Request {
    let mut key = FlowKey::synthetic(rng.gen_range(0..100_000));
    match rng.gen_range(0..16) {
        0 => key.src_ip = (0x0a42_0000 | rng.gen_range(0..0x1_0000)).into(),
        1 => key.dst_port = 23,
        _ => {}
    }
    super::wire::packet_request(key, rng)
}

/// This kind's entry in the actor registry (`registry::actor_kinds!`).
pub static KIND: KindDescriptor = KindDescriptor {
    name: "firewall",
    doc: "REQUEST, a `PacketDesc`; sends allowed packets to `forward_node` (FORWARD)",
    build: |table| build_from(table, Firewall::new),
    default_config: default_table::<FirewallConfig>,
    gen_request: |rng, _spare| gen_request(rng),
    source: file!(),
};
