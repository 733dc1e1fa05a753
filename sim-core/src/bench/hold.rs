//! The classic hold model: N pending events; each, when it fires, schedules one more at now + Exp(mean).

use crate::engine::{Engine, EngineError, Model, Scheduler};
use crate::rng::{RngStreams, SimRng};
use crate::time::{SimDuration, SimTime};
use rand::Rng;
use rand_distr::{Distribution, Exp1};

/// Hold model: every event reschedules itself after an exponential delay,
/// until `remaining` reaches zero.
pub struct Hold {
    rng: SimRng,
    mean_ps: f64,
    remaining: u64,
}

impl Model for Hold {
    type Event = ();
    #[inline]
    fn handle(&mut self, _now: SimTime, _ev: (), sched: &mut Scheduler<()>) {
        if self.remaining == 0 {
            return;
        }
        self.remaining -= 1;
        let x: f64 = Exp1.sample(&mut self.rng);
        sched.schedule_in(SimDuration::from_ps((x * self.mean_ps) as u64), ());
    }
}

/// An engine holding `pending` events, uniform in `[0, mean)`, that will
/// handle `events` events in total (the initial ones included) with a mean
/// increment of `mean_ns`. Streams `hold/init` and `hold/model` of `seed`.
pub fn hold_engine(pending: u64, events: u64, mean_ns: u64, seed: u64) -> Engine<Hold> {
    let streams = RngStreams::new(seed);
    let mut init_rng = streams.stream("hold/init");
    let mean_ps = mean_ns.max(1) * 1000;
    let model = Hold {
        rng: streams.stream("hold/model"),
        mean_ps: mean_ps as f64,
        remaining: events.saturating_sub(pending),
    };
    let mut engine = Engine::new(model);
    for _ in 0..pending {
        let t: u64 = init_rng.gen_range(0..mean_ps);
        engine.schedule_at(SimTime::from_ps(t), ());
    }
    engine
}

/// Builds and runs a hold model to completion; returns the events handled.
pub fn run_hold(pending: u64, events: u64, mean_ns: u64, seed: u64) -> Result<u64, EngineError> {
    let mut e = hold_engine(pending, events, mean_ns, seed);
    e.run_to_completion()?;
    Ok(e.events_handled())
}

#[cfg(test)]
mod tests {
    #[test]
    fn handles_exactly_the_requested_events() {
        assert_eq!(super::run_hold(100, 5_000, 1_000, 1), Ok(5_000));
    }
}
