//! Helpers: a runtime of registry actors and a server + client pair on loopback.

use native::{register, Client, Epoch, NativeServer, ServerConfig};
use scheduler::{ActorId, Placement, PolicyKind, Runtime, SchedulerSettings};
use workloads::actors::registry::{build_actor_of, ActorKind};

/// Settings for functional tests: a watchdog of 10 s, so a thread preempted
/// by a busy machine never looks like a runaway handler (tests must not
/// depend on timing).
pub fn settings(policy: PolicyKind) -> SchedulerSettings {
    SchedulerSettings {
        policy,
        watchdog_ns: 10_000_000_000,
        ..SchedulerSettings::default()
    }
}

/// A runtime with `nic` NIC cores and 1 host core (a worker thread each)
/// and `actors` (kind, placement), ids 0, 1, ... in order.
///
/// The hybrid policy needs 2 NIC cores: with one, `min_fcfs_cores = 1`
/// keeps it in the FCFS group, and an actor the policy downgrades to DRR
/// waits in its mailbox for a DRR core that never comes (seen natively,
/// where measured execution times vary enough to trigger a downgrade).
pub fn runtime_of(
    settings: SchedulerSettings,
    nic: u32,
    actors: &[(ActorKind, Option<Placement>)],
    epoch: Epoch,
) -> Runtime {
    let mut rt = Runtime::new(settings, nic, 1).expect("runtime");
    for (i, (kind, at)) in actors.iter().enumerate() {
        let a = build_actor_of(*kind, &toml::Table::new()).expect("actor");
        let id: ActorId = register(&mut rt, a, *at, epoch).expect("register");
        assert_eq!(id as usize, i);
    }
    rt
}

/// A started server around `rt` and a client talking to it.
pub fn pair(rt: Runtime, epoch: Epoch) -> (NativeServer, Client) {
    let server = NativeServer::start(rt, &ServerConfig::default(), epoch).expect("server");
    let client = Client::bind(server.addr().expect("addr"), epoch, 1_000_000).expect("client");
    (server, client)
}
