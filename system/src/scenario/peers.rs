//! Resolving the named peers in actor configs (`{ server = "s1", actor = "p0" }`, `{ actor = "log" }`) to local actor ids or network addresses.
//!
//! An application actor names its peers in its config (workloads/src/apps/
//! peer.rs). A bare integer is a local actor id and is left alone, so every
//! existing config keeps working. A table whose only keys are `actor` and
//! optionally `server` is a named peer, resolved here for the server the actor
//! runs on:
//! - the named actor on the same server becomes its local actor id (its position
//!   among the actors started on that server, the order the runtime registers them);
//! - on another server `sN` it becomes `{ node = N, port = 7000 + k }`: actor `k`
//!   of `[[workload.actors]]` listens on that port on every server that runs it
//!   (system/src/cluster/world.rs), so a message sent there crosses the NIC
//!   transmit path, the links and switches, and the receiving server's NIC.
//!
//! Every unresolvable name is a scenario error naming the file, the key and the fix.

use super::actors::ActorsPlan;
use super::checker::Checker;
use super::error::ScenarioError;
use crate::cluster::world::ACTOR_PORT_BASE;

/// Who runs what: actor names in `[[workload.actors]]` order, and (in a
/// cluster) the names started on each server `s0..`.
pub(super) struct PeerView<'a> {
    /// Every actor's name, by global index.
    pub names: Vec<&'a str>,
    /// Per server, the names it starts; `None` without `[cluster]`.
    pub servers: Option<Vec<&'a [String]>>,
}

impl PeerView<'_> {
    fn runs_on(&self, server: u32, name: &str) -> bool {
        self.servers
            .as_ref()
            .and_then(|s| s.get(server as usize))
            .is_some_and(|list| list.iter().any(|a| a == name))
    }

    /// The local actor id of `name` on `server` (`None`: the one-server world).
    fn local_id(&self, server: Option<u32>, name: &str) -> Option<u32> {
        self.names
            .iter()
            .filter(|n| server.map_or(true, |s| self.runs_on(s, n)))
            .position(|n| *n == name)
            .map(|p| p as u32)
    }

    fn hosts_of(&self, name: &str) -> Vec<String> {
        let n = self.servers.as_ref().map_or(0, Vec::len) as u32;
        (0..n)
            .filter(|&s| self.runs_on(s, name))
            .map(|s| format!("s{s}"))
            .collect()
    }
}

/// `config` of actor `index` with every named peer resolved for `here` (the
/// server it runs on; `None` without `[cluster]`).
pub(super) fn resolve_config(
    c: &Checker<'_>,
    view: &PeerView<'_>,
    index: usize,
    here: Option<u32>,
    config: &toml::Table,
) -> Result<toml::Table, ScenarioError> {
    let key = format!("workload.actors[{index}].config");
    let mut out = toml::Table::new();
    for (k, v) in config {
        let at = format!("{key}.{k}");
        out.insert(k.clone(), resolve_value(c, view, index, here, &at, v)?);
    }
    Ok(out)
}

fn resolve_value(
    c: &Checker<'_>,
    view: &PeerView<'_>,
    index: usize,
    here: Option<u32>,
    at: &str,
    v: &toml::Value,
) -> Result<toml::Value, ScenarioError> {
    match v {
        toml::Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, x)| resolve_value(c, view, index, here, &format!("{at}[{i}]"), x))
            .collect::<Result<Vec<_>, _>>()
            .map(toml::Value::Array),
        toml::Value::Table(t) if is_named_peer(t) => resolve_peer(c, view, index, here, at, t),
        toml::Value::Table(t) => {
            let mut out = toml::Table::new();
            for (k, x) in t {
                let sub = format!("{at}.{k}");
                out.insert(k.clone(), resolve_value(c, view, index, here, &sub, x)?);
            }
            Ok(toml::Value::Table(out))
        }
        other => Ok(other.clone()),
    }
}

/// `{ actor = .. }` or `{ server = .., actor = .. }`, nothing else.
fn is_named_peer(t: &toml::Table) -> bool {
    t.contains_key("actor") && t.keys().all(|k| k == "actor" || k == "server")
}

fn resolve_peer(
    c: &Checker<'_>,
    view: &PeerView<'_>,
    index: usize,
    here: Option<u32>,
    at: &str,
    t: &toml::Table,
) -> Result<toml::Value, ScenarioError> {
    let Some(name) = t.get("actor").and_then(toml::Value::as_str) else {
        return Err(c.err(
            &format!("{at}.actor"),
            "a peer's actor must be a name (a string)",
            "write the peer as { server = \"s1\", actor = \"name\" }, or a bare actor id",
        ));
    };
    if !view.names.contains(&name) {
        return Err(c.err(
            &format!("{at}.actor"),
            format!("no actor named `{name}` in [[workload.actors]]"),
            format!("name one of: {}", view.names.join(", ")),
        ));
    }
    let me = view.names.get(index).copied().unwrap_or_default();
    let server = match t.get("server") {
        None => None,
        Some(s) => {
            let key = format!("{at}.server");
            let text = s.as_str().unwrap_or_default();
            let Some(count) = view.servers.as_ref().map(Vec::len) else {
                return Err(c.err(
                    &key,
                    format!("names server `{text}`, but the scenario has no [cluster]"),
                    "add a [cluster] section, or drop `server` to name an actor of this server",
                ));
            };
            let n = text
                .strip_prefix('s')
                .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|d| d.parse::<u32>().ok())
                .filter(|&n| (n as usize) < count);
            let Some(n) = n else {
                return Err(c.err(
                    &key,
                    format!(
                        "`{text}` is not a server of this cluster (s0..s{})",
                        count.saturating_sub(1)
                    ),
                    "name a server as \"sN\" with N below cluster.servers",
                ));
            };
            Some(n)
        }
    };
    let target = server.or(here);
    if let Some(s) = target {
        if !view.runs_on(s, name) {
            let hosts = view.hosts_of(name);
            let fix = if hosts.is_empty() {
                format!("start `{name}` on a server ([[cluster.server]] actors)")
            } else {
                format!(
                    "name a server that runs it (server = \"{}\"), or add it to s{s}'s [[cluster.server]] actors",
                    hosts[0]
                )
            };
            let whose = if server.is_some() {
                String::new()
            } else {
                format!(", the server `{me}` runs on")
            };
            return Err(c.err(
                &format!("{at}.actor"),
                format!("actor `{name}` does not run on s{s}{whose}"),
                fix,
            ));
        }
    }
    match (target, here) {
        (Some(s), Some(h)) if s != h => {
            let k = view.names.iter().position(|n| *n == name).unwrap_or(0);
            let mut net = toml::Table::new();
            net.insert("node".into(), toml::Value::Integer(i64::from(s)));
            net.insert(
                "port".into(),
                toml::Value::Integer(i64::from(ACTOR_PORT_BASE) + k as i64),
            );
            Ok(toml::Value::Table(net))
        }
        _ => {
            let id = view.local_id(here, name).unwrap_or(0);
            Ok(toml::Value::Integer(i64::from(id)))
        }
    }
}

/// Resolves the named peers of every actor config: per server in a cluster
/// (`ServerPlan::configs`; the plan's own copy as on the first server that
/// runs the actor), else in place against the one server's actors.
pub(super) fn resolve_peers(
    c: &Checker<'_>,
    plan: &mut ActorsPlan,
    cluster: Option<&mut super::cluster::ClusterPlan>,
) -> Result<(), ScenarioError> {
    let names: Vec<String> = plan.actors.iter().map(|a| a.name.clone()).collect();
    let Some(cluster) = cluster else {
        let view = PeerView {
            names: names.iter().map(String::as_str).collect(),
            servers: None,
        };
        for (i, a) in plan.actors.iter_mut().enumerate() {
            a.config = resolve_config(c, &view, i, None, &a.config)?;
        }
        return Ok(());
    };
    let lists: Vec<Vec<String>> = cluster.servers.iter().map(|s| s.actors.clone()).collect();
    let view = PeerView {
        names: names.iter().map(String::as_str).collect(),
        servers: Some(lists.iter().map(Vec::as_slice).collect()),
    };
    let mut first: Vec<Option<toml::Table>> = vec![None; plan.actors.len()];
    for (s, sp) in cluster.servers.iter_mut().enumerate() {
        let mut configs = Vec::with_capacity(plan.actors.len());
        for (i, a) in plan.actors.iter().enumerate() {
            if !sp.actors.contains(&a.name) {
                configs.push(a.config.clone());
                continue;
            }
            let r = resolve_config(c, &view, i, Some(s as u32), &a.config)?;
            if first[i].is_none() {
                first[i] = Some(r.clone());
            }
            configs.push(r);
        }
        sp.configs = configs;
    }
    for (a, r) in plan.actors.iter_mut().zip(first) {
        if let Some(r) = r {
            a.config = r;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(s: &str) -> toml::Table {
        toml::from_str(s).unwrap()
    }

    #[test]
    fn names_resolve_to_local_ids_or_network_addresses() {
        let c = Checker::new("t.toml", None, &[]);
        let s0 = vec!["coord".to_string(), "log".to_string()];
        let s1 = vec!["p0".to_string(), "log".to_string()];
        let view = PeerView {
            names: vec!["coord", "p0", "log"],
            servers: Some(vec![&s0, &s1]),
        };
        let cfg = table(
            r#"participants = [{ server = "s1", actor = "p0" }, 5]
               log = { actor = "log" }
               other = { server = "s0", actor = "log" }"#,
        );
        let r = resolve_config(&c, &view, 0, Some(0), &cfg).unwrap();
        assert_eq!(
            r["participants"].as_array().unwrap()[0],
            toml::Value::Table(table("node = 1\nport = 7001"))
        );
        assert_eq!(
            r["participants"].as_array().unwrap()[1].as_integer(),
            Some(5)
        );
        // log is local actor 1 on s0 (coord 0, log 1); on s1 it is local 1 too
        assert_eq!(r["log"].as_integer(), Some(1));
        assert_eq!(r["other"].as_integer(), Some(1));
        // p0 does not run on s0
        let bad = table(r#"x = { actor = "p0" }"#);
        let e = resolve_config(&c, &view, 0, Some(0), &bad).unwrap_err();
        assert!(e.to_string().contains("does not run on s0"), "{e}");
        let bad = table(r#"x = { server = "s7", actor = "p0" }"#);
        assert!(resolve_config(&c, &view, 0, Some(0), &bad).is_err());
        let bad = table(r#"x = { server = "s1", actor = "nobody" }"#);
        assert!(resolve_config(&c, &view, 0, Some(0), &bad).is_err());
        // one server: names are global indices; servers are refused
        let one = PeerView {
            names: vec!["coord", "p0", "log"],
            servers: None,
        };
        let r = resolve_config(&c, &one, 0, None, &table(r#"x = { actor = "log" }"#)).unwrap();
        assert_eq!(r["x"].as_integer(), Some(2));
        let bad = table(r#"x = { server = "s0", actor = "log" }"#);
        assert!(resolve_config(&c, &one, 0, None, &bad).is_err());
    }
}
