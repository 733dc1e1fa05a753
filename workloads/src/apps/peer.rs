//! A peer address in an application actor's config: a local actor id, a network
//! address (server node, actor port), or a name the scenario resolves to one of them.
//!
//! Scenario files write peers as a bare integer (a local actor id, the form every
//! existing config uses) or as `{ server = "s1", actor = "p0" }` / `{ actor = "p0" }`
//! (an actor by name, on another server or on this one). The scenario layer
//! resolves every named peer before it builds the actors (system/src/scenario/
//! peers.rs): a named actor on the same server becomes its local id, one on
//! another server becomes `{ node, port }`, the `Endpoint::Network` the cluster
//! delivers to that actor. An actor built from an unresolved name still builds
//! (validation builds every actor once before resolving), but a send to it fails
//! with an [`ActorError`] instead of reaching a wrong actor.

use scheduler::{ActorError, ActorId, Endpoint};
use serde::{Deserialize, Serialize};

/// A resolved network address: `Endpoint::Network { node, port }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetAddr {
    /// The server's node id (server `sN` is node N).
    pub node: u32,
    /// The actor's UDP port on it.
    pub port: u16,
}

/// An actor named in the scenario, not yet resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedPeer {
    /// The server (`s0`, `s1`, ...); absent: the server the actor runs on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// The actor's name in `[[workload.actors]]`.
    pub actor: String,
}

/// Where an application actor sends to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    untagged,
    expecting = "a peer: an actor id (integer), { server = \"sN\", actor = \"name\" }, { actor = \"name\" } or { node = N, port = P }"
)]
pub enum Peer {
    /// An actor id on this runtime.
    Local(ActorId),
    /// An actor on another server.
    Net(NetAddr),
    /// An actor by name (the scenario resolves it).
    Named(NamedPeer),
}

impl From<ActorId> for Peer {
    fn from(a: ActorId) -> Peer {
        Peer::Local(a)
    }
}

impl Peer {
    /// The endpoint to send to; an unresolved name is an error.
    pub fn endpoint(&self) -> Result<Endpoint, ActorError> {
        match self {
            Peer::Local(a) => Ok(Endpoint::Actor(*a)),
            Peer::Net(n) => Ok(Endpoint::Network {
                node: n.node,
                port: n.port,
            }),
            Peer::Named(n) => Err(ActorError::Invalid(format!(
                "peer `{}` was never resolved to an actor id or network address",
                n.actor
            ))),
        }
    }

    /// Whether a message from `src` came from this peer (a remote peer's
    /// messages arrive with its network address as their source).
    pub fn is(&self, src: Endpoint) -> bool {
        self.endpoint().is_ok_and(|e| e == src)
    }
}

/// The position of `src` among `peers`, if it is one of them.
pub fn position(peers: &[Peer], src: Endpoint) -> Option<usize> {
    peers.iter().position(|p| p.is(src))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, Serialize)]
    struct Cfg {
        peers: Vec<Peer>,
    }

    #[test]
    fn every_form_parses_and_integers_stay_integers() {
        let c: Cfg = toml::from_str(
            r#"peers = [2, { node = 1, port = 7003 }, { server = "s1", actor = "p0" }, { actor = "log" }]"#,
        )
        .unwrap();
        assert_eq!(c.peers[0], Peer::Local(2));
        assert_eq!(
            c.peers[1].endpoint().unwrap(),
            Endpoint::Network {
                node: 1,
                port: 7003
            }
        );
        assert!(c.peers[2].endpoint().is_err());
        assert!(!c.peers[3].is(Endpoint::Actor(0)));
        assert_eq!(position(&c.peers, Endpoint::Actor(2)), Some(0));
        let back = toml::to_string(&Cfg {
            peers: vec![Peer::Local(1)],
        })
        .unwrap();
        assert_eq!(back.trim(), "peers = [1]");
        let bad: Result<Cfg, _> = toml::from_str(r#"peers = [{ server = "s1", actr = "p0" }]"#);
        assert!(bad.unwrap_err().to_string().contains("a peer"));
    }
}
