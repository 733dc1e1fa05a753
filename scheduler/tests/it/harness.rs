//! Test harness: a tiny deterministic fake platform and fake event loop that drive
//! the runtime the way the simulator's driver will (not sim-core: this crate must not use it).
//!
//! Fake machine: NIC cores run 1 cycle per ns (1 GHz), host cores 2 cycles per ns;
//! a memory access costs 10 ns; a DMA costs 1 us + 1 ns per 2 bytes; a message from
//! NIC to host (or back) takes `PCIE_HOP_NS`.

use rand::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use scheduler::{
    AccelKind, ActorId, CoreId, Direction, Endpoint, ExecOutcome, MemAccess, Message, Platform,
    Runtime, SchedulerSettings, Side, SimDuration, SimTime,
};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

pub const PCIE_HOP_NS: u64 = 1_000;

/// The platform seen by one execution on one core.
pub struct FakePlatform {
    pub side: Side,
    pub start: SimTime,
    pub charged_ps: u64,
    pub sent: Vec<(Endpoint, Message)>,
    pub dma_bytes: u64,
}

impl FakePlatform {
    pub fn new(side: Side, now: SimTime) -> FakePlatform {
        FakePlatform {
            side,
            start: now,
            charged_ps: 0,
            sent: Vec::new(),
            dma_bytes: 0,
        }
    }

    fn ps_per_cycle(&self) -> u64 {
        match self.side {
            Side::Nic => 1_000,
            Side::Host => 500,
        }
    }
}

impl Platform for FakePlatform {
    fn now(&self) -> SimTime {
        self.start + self.charged_in_exec()
    }
    fn side(&self) -> Side {
        self.side
    }
    fn charge_cycles(&mut self, cycles: u64) {
        self.charged_ps += cycles * self.ps_per_cycle();
    }
    fn mem_access(&mut self, _addr: u64, _bytes: u32, _kind: MemAccess) {
        self.charged_ps += 10_000;
    }
    fn accel(&mut self, _kind: AccelKind, bytes: u32) {
        self.charged_ps += u64::from(bytes) * 1_000;
    }
    fn dma(&mut self, _dir: Direction, bytes: u64) -> SimDuration {
        let ns = 1_000 + bytes / 2;
        self.dma_bytes += bytes;
        self.charged_ps += ns * 1_000;
        SimDuration::from_ns(ns)
    }
    fn send(&mut self, msg: Message) {
        self.sent.push((Endpoint::Actor(msg.dst), msg));
    }
    fn send_to(&mut self, dst: Endpoint, msg: Message) {
        self.sent.push((dst, msg));
    }
    fn charged_in_exec(&self) -> SimDuration {
        // Whole ns, rounded up, as the tests' expectations were written in ns.
        SimDuration::from_ps(self.charged_ps).ceil_ns()
    }
}

enum Event {
    /// A request reaches the NIC (or, with `on_host`, host memory after a PCIe hop).
    Arrival {
        msg: Message,
        on_host: bool,
    },
    Complete(ExecOutcome),
    Tick,
}

/// One completed request as the driver saw it.
#[derive(Clone, Debug)]
pub struct Completion {
    pub msg_id: u64,
    pub actor: ActorId,
    pub at: SimTime,
    pub sojourn: SimDuration,
}

/// Result of a run.
#[derive(Default)]
pub struct RunLog {
    pub completions: Vec<Completion>,
    pub executed_on: BTreeMap<u64, Side>,
    /// Messages actors sent to non-actor endpoints.
    pub outbound: Vec<(SimTime, Endpoint, Message)>,
    /// Messages the runtime refused at `deliver`.
    pub refused: u64,
    pub end: SimTime,
}

/// The fake event loop: (time, sequence) ordered, FIFO ties, like the real engine.
pub struct Driver {
    pub rt: Runtime,
    heap: BinaryHeap<Reverse<(SimTime, u64)>>,
    events: BTreeMap<u64, Event>,
    seq: u64,
    pub log: RunLog,
}

impl Driver {
    pub fn new(settings: SchedulerSettings, nic_cores: u32, host_cores: u32) -> Driver {
        Driver::with_runtime(Runtime::new(settings, nic_cores, host_cores).expect("valid runtime"))
    }

    pub fn with_runtime(rt: Runtime) -> Driver {
        Driver {
            rt,
            heap: BinaryHeap::new(),
            events: BTreeMap::new(),
            seq: 0,
            log: RunLog::default(),
        }
    }

    pub fn register(&mut self, actor: Box<dyn scheduler::Actor>) -> ActorId {
        let mut p = FakePlatform::new(Side::Nic, SimTime::ZERO);
        self.rt
            .register_actor(actor, &mut p, SimTime::ZERO)
            .expect("register")
    }

    fn push(&mut self, at: SimTime, ev: Event) {
        self.seq += 1;
        self.heap.push(Reverse((at, self.seq)));
        self.events.insert(self.seq, ev);
    }

    /// Schedule external requests (time, message).
    pub fn add_arrivals(&mut self, arrivals: impl IntoIterator<Item = (SimTime, Message)>) {
        for (t, msg) in arrivals {
            self.push(
                t,
                Event::Arrival {
                    msg,
                    on_host: false,
                },
            );
        }
    }

    /// Run until no event is left; policy ticks stop at `tick_until`.
    pub fn run(&mut self, tick_until: SimTime) {
        let first = self.rt.next_tick_at();
        self.push(first, Event::Tick);
        while let Some(Reverse((now, seq))) = self.heap.pop() {
            let ev = self.events.remove(&seq).expect("event");
            match ev {
                Event::Arrival { msg, on_host } => {
                    let side = self.rt.side_of(msg.dst);
                    if side == Some(Side::Host) && !on_host {
                        self.push(
                            now + SimDuration::from_ns(PCIE_HOP_NS),
                            Event::Arrival { msg, on_host: true },
                        );
                    } else if self.rt.deliver(msg, now).is_err() {
                        // counted by the runtime too; tests compare the two
                        self.log.refused += 1;
                    }
                }
                Event::Complete(out) => {
                    if let (Some(id), Some(arr)) = (out.msg_id, out.arrived_at) {
                        if matches!(out.kind, scheduler::OutcomeKind::Done) {
                            self.log.completions.push(Completion {
                                msg_id: id,
                                actor: out.actor,
                                at: now,
                                sojourn: now - arr,
                            });
                        }
                    }
                    self.rt.finish(out, now).expect("finish");
                }
                Event::Tick => {
                    self.rt.tick(now);
                    if now < tick_until {
                        let next = self.rt.next_tick_at();
                        self.push(next, Event::Tick);
                    }
                }
            }
            self.offer_idle_cores(now);
            self.log.end = now;
        }
    }

    fn offer_idle_cores(&mut self, now: SimTime) {
        for core in self.rt.idle_cores() {
            self.offer(core, now);
        }
    }

    fn offer(&mut self, core: CoreId, now: SimTime) {
        let mut p = FakePlatform::new(core.side, now);
        let Some(out) = self.rt.run_next(core, now, &mut p).expect("run_next") else {
            return;
        };
        if let Some(id) = out.msg_id {
            self.log.executed_on.insert(id, core.side);
        }
        let done = out.completes_at();
        for (dst, msg) in p.sent {
            match dst {
                Endpoint::Actor(_) => self.push(
                    done,
                    Event::Arrival {
                        msg,
                        on_host: false,
                    },
                ),
                _ => self.log.outbound.push((done, dst, msg)),
            }
        }
        self.push(done, Event::Complete(out));
    }
}

/// The tests' seeded generator (never OS entropy), with the draws they use.
#[derive(Clone, Debug)]
pub struct Rng(Xoshiro256PlusPlus);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(Xoshiro256PlusPlus::seed_from_u64(seed))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    /// Uniform in [lo, hi].
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Exponential with the given mean.
    pub fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }
}

/// A request for `dst` created at `t`.
pub fn request(id: u64, dst: ActorId, t: SimTime, payload_len: usize) -> Message {
    Message {
        id,
        src: Endpoint::Network { node: 1, port: 9 },
        dst,
        kind: 0,
        payload: vec![(id % 251) as u8; payload_len],
        created_at: t,
    }
}

/// Poisson arrivals over `[0, duration)` at `rate_per_us`, each request to an actor drawn
/// by `weights` (relative). Message ids count from 1.
pub fn poisson_mix(
    seed: u64,
    rate_per_us: f64,
    duration: SimTime,
    targets: &[(ActorId, f64)],
) -> Vec<(SimTime, Message)> {
    let mut rng = Rng::new(seed);
    let total: f64 = targets.iter().map(|t| t.1).sum();
    let mut t = 0.0f64;
    let mut out = Vec::new();
    let mut id = 1;
    loop {
        t += rng.exp(1_000.0 / rate_per_us);
        if t >= duration.as_ns() as f64 {
            break;
        }
        let mut pick = rng.unit() * total;
        let mut dst = targets[targets.len() - 1].0;
        for &(a, w) in targets {
            if pick < w {
                dst = a;
                break;
            }
            pick -= w;
        }
        let now = SimTime::from_ns(t as u64);
        out.push((now, request(id, dst, now, 64)));
        id += 1;
    }
    out
}
