//! A small deterministic driver for the application tests: the real
//! `scheduler::Runtime` over simulated CN2350 NIC cores and E5-2620 v4 host cores
//! (`SimPlatform`), a (time, sequence) ordered event loop, a PCIe hop for
//! host-bound messages, periodic timer messages, a crash filter, and a hybrid
//! policy that can be told to force one migration.
//!
//! The runtime's dispatch is reached through one function, [`run_on_core`], so
//! moving to the single `run_next`/`finish` entry point changes only that spot.

use scheduler::{
    Actor, ActorId, CoreId, Endpoint, ExecOutcome, Message, Placement, Runtime, SchedulerSettings,
    SchedulingPolicy, Side, SimDuration, SimTime,
};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use workloads::sim_platform::{
    cycle_scale_between, host_e5_2620v4_model, liquidio_cn2350_model, SimPlatform,
};

/// One PCIe crossing for a message to a host-side actor: 1 us, inside the
/// 500-2000 ns latency range of configs/calibration/ipipe-sigcomm19.toml `[pcie]`.
pub const PCIE_HOP_NS: u64 = 1_000;

pub use crate::forced_migration::HybridWithForcedMigration;

enum Event {
    Arrival {
        msg: Message,
        on_host: bool,
    },
    Complete(ExecOutcome),
    Tick,
    Timer {
        actor: ActorId,
        kind: u16,
        period: SimDuration,
        until: SimTime,
    },
}

/// Runs `core`'s next work at `now` (the one place that calls the runtime's entry point).
fn run_on_core(
    rt: &mut Runtime,
    core: CoreId,
    now: SimTime,
    platform: &mut dyn scheduler::Platform,
) -> Option<ExecOutcome> {
    rt.run_next(core, now, platform).expect("valid core")
}

/// The event loop.
pub struct AppDriver {
    pub rt: Runtime,
    nic_model: nic_models::CoreModel,
    host_model: nic_models::CoreModel,
    host_scale: f64,
    heap: BinaryHeap<Reverse<(SimTime, u64)>>,
    events: BTreeMap<u64, Event>,
    seq: u64,
    ticks_until: SimTime,
    tick_pending: bool,
    /// Messages actors sent out of the actor world (clients, host), with send time.
    pub outbound: Vec<(SimTime, Endpoint, Message)>,
    /// Writes actors made into host memory (`ActorCtx::dma`): time, address, bytes.
    pub host_memory: Vec<(SimTime, u64, Vec<u8>)>,
    /// Actors that crashed at `crash_at`: nothing reaches them or leaves them after.
    crashed: BTreeSet<ActorId>,
    crash_at: SimTime,
    /// Messages lost to the crash (to or from a crashed actor).
    pub crash_drops: u64,
    /// Messages the runtime refused (queue full): counted, the tests require 0.
    pub runtime_drops: u64,
    /// Loss rules (`lose`): destination, drop 1 in `every`, window; messages seen per rule.
    losses: Vec<(ActorId, u64, SimTime, SimTime, u64)>,
    /// Actor-to-actor messages dropped by the loss rules.
    pub loss_drops: u64,
    /// Handler errors (`OutcomeKind::Failed`): the tests require 0.
    pub failures: Vec<String>,
    pub now: SimTime,
    next_msg_id: u64,
}

impl AppDriver {
    /// `nic_cores` CN2350 cores and `host_cores` host cores, under `policy`.
    pub fn new(policy: Box<dyn SchedulingPolicy>, nic_cores: u32, host_cores: u32) -> AppDriver {
        let settings = SchedulerSettings::default();
        let rt = Runtime::with_policy(settings, policy, nic_cores, host_cores).expect("runtime");
        let nic_model = liquidio_cn2350_model().expect("CN2350 model");
        let host_model = host_e5_2620v4_model().expect("host model");
        let host_scale = cycle_scale_between(&nic_model, &host_model);
        AppDriver {
            rt,
            nic_model,
            host_model,
            host_scale,
            heap: BinaryHeap::new(),
            events: BTreeMap::new(),
            seq: 0,
            ticks_until: SimTime::ZERO,
            tick_pending: false,
            outbound: Vec::new(),
            host_memory: Vec::new(),
            crashed: BTreeSet::new(),
            crash_at: SimTime::MAX,
            crash_drops: 0,
            runtime_drops: 0,
            losses: Vec::new(),
            loss_drops: 0,
            failures: Vec::new(),
            now: SimTime::ZERO,
            next_msg_id: 1 << 48,
        }
    }

    /// Registers an actor (on the policy's placement, or `at`).
    pub fn register(&mut self, actor: Box<dyn Actor>, at: Option<Placement>) -> ActorId {
        let mut p = SimPlatform::new(&mut self.nic_model, 0, Side::Nic).expect("core 0");
        match at {
            Some(pl) => self.rt.register_actor_at(actor, pl, &mut p, SimTime::ZERO),
            None => self.rt.register_actor(actor, &mut p, SimTime::ZERO),
        }
        .expect("register")
    }

    fn push(&mut self, at: SimTime, ev: Event) {
        self.seq += 1;
        self.heap.push(Reverse((at, self.seq)));
        self.events.insert(self.seq, ev);
    }

    /// A client message from `src` to `dst` arriving at `at`.
    pub fn inject(
        &mut self,
        at: SimTime,
        src: Endpoint,
        dst: ActorId,
        kind: u16,
        payload: Vec<u8>,
    ) {
        self.next_msg_id += 1;
        let msg = Message {
            id: self.next_msg_id,
            src,
            dst,
            kind,
            payload,
            created_at: at,
        };
        self.push(
            at.max(self.now),
            Event::Arrival {
                msg,
                on_host: false,
            },
        );
    }

    /// Deliver an empty `kind` message to `actor` every `period` until `until` (a timer service).
    pub fn add_timer(&mut self, actor: ActorId, kind: u16, period: SimDuration, until: SimTime) {
        let first = self.now + period;
        self.push(
            first,
            Event::Timer {
                actor,
                kind,
                period,
                until,
            },
        );
    }

    /// `actors` crash at `at`: from then on nothing is delivered to them and what they send is lost.
    pub fn crash(&mut self, actors: &[ActorId], at: SimTime) {
        self.crashed.extend(actors.iter().copied());
        self.crash_at = at;
    }

    /// Actor-to-actor messages to `dst` sent in `[from, until)`: one in `every` is
    /// lost (deterministic: the `every`-th, `2 * every`-th, ...), like a full mailbox.
    pub fn lose(&mut self, dst: ActorId, every: u64, from: SimTime, until: SimTime) {
        self.losses.push((dst, every.max(1), from, until, 0));
    }

    fn lost(&mut self, dst: ActorId, at: SimTime) -> bool {
        for r in self.losses.iter_mut() {
            if r.0 == dst && at >= r.2 && at < r.3 {
                r.4 += 1;
                if r.4 % r.1 == 0 {
                    self.loss_drops += 1;
                    return true;
                }
            }
        }
        false
    }

    fn is_dead(&self, a: ActorId, now: SimTime) -> bool {
        now >= self.crash_at && self.crashed.contains(&a)
    }

    /// Keeps policy ticks running until `t`.
    pub fn tick_until(&mut self, t: SimTime) {
        self.ticks_until = t;
        if !self.tick_pending {
            let next = self.rt.next_tick_at().max(self.now);
            self.push(next, Event::Tick);
            self.tick_pending = true;
        }
    }

    /// Processes every event up to and including time `t` (all of them if `t` is MAX).
    pub fn run_until(&mut self, t: SimTime) {
        while let Some(&Reverse((at, seq))) = self.heap.peek() {
            if at > t {
                break;
            }
            self.heap.pop();
            self.now = at;
            let ev = self.events.remove(&seq).expect("event");
            self.handle(ev, at);
            self.offer_cores(at);
        }
        if t != SimTime::MAX {
            self.now = self.now.max(t);
        }
    }

    fn handle(&mut self, ev: Event, now: SimTime) {
        match ev {
            Event::Arrival { msg, on_host } => {
                if self.is_dead(msg.dst, now) {
                    self.crash_drops += 1;
                } else if self.rt.side_of(msg.dst) == Some(Side::Host) && !on_host {
                    let at = now + SimDuration::from_ns(PCIE_HOP_NS);
                    self.push(at, Event::Arrival { msg, on_host: true });
                } else if self.rt.deliver(msg, now).is_err() {
                    self.runtime_drops += 1;
                }
            }
            Event::Complete(out) => {
                if let scheduler::OutcomeKind::Failed(e) = &out.kind {
                    self.failures.push(format!("actor {}: {e}", out.actor));
                }
                self.rt.finish(out, now).expect("finish");
            }
            Event::Tick => {
                self.rt.tick(now);
                self.tick_pending = false;
                if now < self.ticks_until {
                    let next = self.rt.next_tick_at();
                    self.push(next, Event::Tick);
                    self.tick_pending = true;
                }
            }
            Event::Timer {
                actor,
                kind,
                period,
                until,
            } => {
                self.inject(now, Endpoint::Host, actor, kind, Vec::new());
                if now + period <= until {
                    self.push(
                        now + period,
                        Event::Timer {
                            actor,
                            kind,
                            period,
                            until,
                        },
                    );
                }
            }
        }
    }

    fn offer_cores(&mut self, now: SimTime) {
        for core in self.rt.idle_cores() {
            let (out, sent, writes) = match core.side {
                Side::Nic => {
                    let mut p =
                        SimPlatform::new(&mut self.nic_model, core.index as usize, Side::Nic)
                            .expect("nic core");
                    p.advance_to(now);
                    p.begin_exec();
                    let out = run_on_core(&mut self.rt, core, now, &mut p);
                    (out, p.take_outbox(), p.take_host_writes())
                }
                Side::Host => {
                    let mut p =
                        SimPlatform::new(&mut self.host_model, core.index as usize, Side::Host)
                            .expect("host core")
                            .with_cycle_scale(self.host_scale);
                    p.advance_to(now);
                    p.begin_exec();
                    let out = run_on_core(&mut self.rt, core, now, &mut p);
                    (out, p.take_outbox(), p.take_host_writes())
                }
            };
            let Some(out) = out else { continue };
            let done = out.completes_at();
            let dead = self.is_dead(out.actor, done);
            for (addr, bytes) in writes {
                if dead {
                    self.crash_drops += 1;
                } else {
                    self.host_memory.push((done, addr, bytes));
                }
            }
            for (dst, msg) in sent {
                if dead {
                    self.crash_drops += 1;
                    continue;
                }
                match dst {
                    Endpoint::Actor(a) if self.lost(a, done) => {}
                    Endpoint::Actor(_) => self.push(
                        done,
                        Event::Arrival {
                            msg,
                            on_host: false,
                        },
                    ),
                    _ => self.outbound.push((done, dst, msg)),
                }
            }
            self.push(done, Event::Complete(out));
        }
    }

    /// Takes the outbound messages collected so far.
    pub fn take_outbound(&mut self) -> Vec<(SimTime, Endpoint, Message)> {
        std::mem::take(&mut self.outbound)
    }

    /// Names of actors with a completed migration.
    pub fn migrated(&self) -> Vec<String> {
        self.rt
            .migrations()
            .iter()
            .filter(|m| m.end.is_some() && m.aborted.is_none())
            .map(|m| m.name.clone())
            .collect()
    }
}

/// The seeds for a test: `APP_TEST_SEED` alone if set (to replay a failure), else
/// `base`, `base + 1` and `base + 2`.
pub fn seeds(base: u64) -> Vec<u64> {
    match std::env::var("APP_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        Some(s) => vec![s],
        None => (base..base + 3).collect(),
    }
}

/// Everything the actors sent out of the actor world, as comparable bytes
/// (for determinism checks: same seed, same digest).
pub fn digest(out: &[(SimTime, Endpoint, Message)]) -> Vec<(SimTime, Endpoint, u16, Vec<u8>)> {
    out.iter()
        .map(|(t, e, m)| (*t, *e, m.kind, m.payload.clone()))
        .collect()
}
