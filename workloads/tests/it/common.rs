//! Test harness: runs one actor on a simulated CN2350 core and collects what it sent.

use scheduler::{Actor, ActorCtx, ActorError, DmoTable, Endpoint, Message, Side};
use sim_core::{SimDuration, SimTime};
use workloads::sim_platform::{liquidio_cn2350_model, SimPlatform};

/// The node requests come from in tests.
pub const CLIENT: Endpoint = Endpoint::Network { node: 9, port: 9 };

/// One actor on one core, with its DMOs.
pub struct Harness {
    pub actor: Box<dyn Actor>,
    pub platform: SimPlatform,
    pub dmos: DmoTable,
    pub next_id: u64,
    pub id: u32,
}

impl Harness {
    /// Initialises `actor` on a fresh NIC core.
    pub fn new(mut actor: Box<dyn Actor>) -> Harness {
        let mut platform = SimPlatform::new(liquidio_cn2350_model().expect("model"), 0, Side::Nic)
            .expect("core 0");
        let mut dmos = DmoTable::new(256 << 20, 256 << 20);
        let mut next_id = 0;
        {
            let mut ctx = ActorCtx::new(&mut platform, &mut dmos, 1, &mut next_id);
            actor.init(&mut ctx).expect("init");
        }
        Harness {
            actor,
            platform,
            dmos,
            next_id,
            id: 1,
        }
    }

    /// Runs one request arriving at `at_ns`; returns the handler result, the time it charged and what it sent.
    pub fn exec_at(
        &mut self,
        kind: u16,
        payload: Vec<u8>,
        at_ns: u64,
    ) -> (
        Result<(), ActorError>,
        SimDuration,
        Vec<(Endpoint, Message)>,
    ) {
        self.platform.advance_to(SimTime::from_ns(at_ns));
        let msg = Message {
            id: self.next_id,
            src: CLIENT,
            dst: self.id,
            kind,
            payload,
            created_at: SimTime::from_ns(at_ns),
        };
        self.next_id += 1;
        self.platform.begin_exec();
        let r = {
            let mut ctx = ActorCtx::new(
                &mut self.platform,
                &mut self.dmos,
                self.id,
                &mut self.next_id,
            );
            self.actor.exec(&msg, &mut ctx)
        };
        let t = self.platform.end_exec();
        (r, t, self.platform.take_outbox())
    }

    /// Runs one request now; panics if the handler fails.
    pub fn exec(&mut self, kind: u16, payload: Vec<u8>) -> Vec<(Endpoint, Message)> {
        let now = scheduler::Platform::now(&self.platform).as_ns();
        let (r, _, out) = self.exec_at(kind, payload, now);
        r.expect("exec");
        out
    }
}

/// Builds an actor of `kind` from a TOML config snippet and initialises it.
pub fn harness(kind: &str, config_toml: &str) -> Harness {
    let table: toml::Table = toml::from_str(config_toml).expect("test config parses");
    Harness::new(workloads::actors::build_actor(kind, &table).expect("actor builds"))
}

/// Payloads of the messages sent to `dst`.
pub fn payloads_to(out: &[(Endpoint, Message)], dst: Endpoint) -> Vec<Vec<u8>> {
    out.iter()
        .filter(|(d, _)| *d == dst)
        .map(|(_, m)| m.payload.clone())
        .collect()
}
