//! How fast the runtime itself is: requests per wall-clock second through
//! deliver / run_next / finish / tick, on a trivial platform.
//!
//! `cargo run -p scheduler --release --example runtime_speed -- [requests] [policy] [policy_interval_ns]`
//! The wall clock is read here, in the example, never by the runtime.

use scheduler::{
    AccelKind, Actor, ActorCtx, ActorError, CoreId, Direction, Endpoint, ExecOutcome, MemAccess,
    Message, Platform, PolicyKind, Runtime, SchedulerSettings, Side, SimDuration, SimTime,
};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

/// One cycle = 1 ns; memory and accelerators free.
struct Plat {
    side: Side,
    now: SimTime,
    charged: u64,
}

impl Platform for Plat {
    fn now(&self) -> SimTime {
        self.now + SimDuration::from_ns(self.charged)
    }
    fn side(&self) -> Side {
        self.side
    }
    fn charge_cycles(&mut self, cycles: u64) {
        self.charged += cycles;
    }
    fn mem_access(&mut self, _: u64, _: u32, _: MemAccess) {}
    fn accel(&mut self, _: AccelKind, _: u32) {}
    fn dma(&mut self, _: Direction, bytes: u64) -> SimDuration {
        self.charged += bytes / 2;
        SimDuration::from_ns(bytes / 2)
    }
    fn send(&mut self, _: Message) {}
    fn charged_in_exec(&self) -> SimDuration {
        SimDuration::from_ns(self.charged)
    }
}

/// Costs 2 us, or 2-71 us when `spread`, from a per-actor LCG.
struct Work {
    name: String,
    spread: bool,
    state: u64,
}

impl Actor for Work {
    fn name(&self) -> &str {
        &self.name
    }
    fn init(&mut self, _: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        Ok(())
    }
    fn exec(&mut self, _: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        self.state = self
            .state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        let cost = if self.spread {
            2_000 + (self.state >> 33) % 69_000
        } else {
            2_000
        };
        ctx.compute(cost)
    }
}

enum Ev {
    Arrive(u64),
    Done(ExecOutcome),
    Tick,
}

/// (time, sequence)-ordered events, FIFO on ties.
struct Queue {
    heap: BinaryHeap<Reverse<(SimTime, usize)>>,
    events: Vec<Option<Ev>>,
}

impl Queue {
    fn push(&mut self, t: SimTime, e: Ev) {
        self.events.push(Some(e));
        self.heap.push(Reverse((t, self.events.len() - 1)));
    }
    fn pop(&mut self) -> Option<(SimTime, Ev)> {
        let Reverse((t, i)) = self.heap.pop()?;
        self.events[i].take().map(|e| (t, e))
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let requests: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let policy = match args.next().as_deref() {
        Some("fcfs") => PolicyKind::Fcfs,
        Some("drr") => PolicyKind::Drr,
        _ => PolicyKind::Hybrid,
    };
    let mut settings = SchedulerSettings {
        policy,
        ..SchedulerSettings::default()
    };
    if let Some(interval_ns) = args.next().and_then(|a| a.parse().ok()) {
        settings.policy_interval_ns = interval_ns;
    }
    let mut rt = Runtime::new(settings, 12, 8).expect("valid settings");
    let mut p = Plat {
        side: Side::Nic,
        now: SimTime::ZERO,
        charged: 0,
    };
    for i in 0..4u64 {
        let actor = Work {
            name: format!("a{i}"),
            spread: i >= 2,
            state: i + 1,
        };
        rt.register_actor(Box::new(actor), &mut p, SimTime::ZERO)
            .expect("register");
    }
    // 80% of 12 cores for a mix averaging (2 + 2 + 36.5 + 36.5) / 4 = 19.25 us
    let gap_ns = (19_250.0 / (0.8 * 12.0)) as u64;
    let mut q = Queue {
        heap: BinaryHeap::new(),
        events: Vec::new(),
    };
    let start = Instant::now();
    let mut lcg = 7u64;
    let mut t = SimTime::ZERO;
    q.push(SimTime::ZERO, Ev::Arrive(0));
    q.push(rt.next_tick_at(), Ev::Tick);
    let mut ticks = 0u64;
    let mut refused = 0u64;
    while let Some((now, ev)) = q.pop() {
        match ev {
            Ev::Arrive(n) => {
                lcg = lcg.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let msg = Message {
                    id: n,
                    src: Endpoint::Network { node: 1, port: 1 },
                    dst: ((lcg >> 40) % 4) as u32,
                    kind: 0,
                    payload: Vec::new(),
                    created_at: now,
                };
                // a refused request is counted in rt.counters(), printed below
                if rt.deliver(msg, now).is_err() {
                    refused += 1;
                }
                if n + 1 < requests {
                    t += SimDuration::from_ns(gap_ns);
                    q.push(t, Ev::Arrive(n + 1));
                }
            }
            Ev::Done(out) => rt.finish(out, now).expect("finish"),
            Ev::Tick => {
                rt.tick(now);
                ticks += 1;
                if !q.heap.is_empty() {
                    q.push(rt.next_tick_at(), Ev::Tick);
                }
            }
        }
        for core in rt.idle_cores() {
            let core: CoreId = core;
            let mut p = Plat {
                side: core.side,
                now,
                charged: 0,
            };
            if let Some(out) = rt.run_next(core, now, &mut p).expect("run_next") {
                q.push(out.completes_at(), Ev::Done(out));
            }
        }
    }
    let wall = start.elapsed().as_secs_f64();
    let c = rt.counters();
    println!(
        "{policy:?}: {} requests ({} completed, {} dropped, {} migrations, {ticks} policy ticks, {refused} refused at delivery) in {wall:.3} s wall = {:.0} requests/s, {:.0} ns/request",
        c.delivered,
        c.completed,
        c.dropped(),
        c.migrations,
        c.delivered as f64 / wall,
        wall * 1e9 / c.delivered as f64
    );
}
