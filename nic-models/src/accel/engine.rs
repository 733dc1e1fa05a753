//! Accelerator engines (MD5, AES, SHA-1, CRC, compression, pattern matching): invocation, per-byte rate, units, bounded queue.
//!
//! An engine has `units` identical units. A request costs the calling core
//! `invoke_ns` to issue (writing the command and feeding the data; iPipe
//! notes the core takes extra cache misses doing so), then occupies the
//! earliest-free unit for `setup_ns + per_byte_ns x bytes`. Requests that
//! cannot start at once wait in the engine's queue; at most `queue_depth` may
//! wait, and a request arriving at a full queue is dropped and counted
//! (`AccelEngine::overflows`). The caller either waits for completion
//! (`CoreModel::accel`) or polls a ticket. A batch pays `invoke_ns` once for
//! all its requests, which is how batching amortizes invocation; the core is
//! held until the last request of the batch completes.
//!
//! Requests are assigned to units in call order (first come, first served),
//! which is exact when calls arrive in time order, as an event-driven driver
//! makes them; a call with an earlier `now` than a previous one is still
//! queued behind it.
//!
//! Machines without an engine for a kind run it in software on the core at
//! `fixed_ns + per_byte_ns x bytes` (`SoftwareCost`), which is how the host is
//! modelled. Calibration of both is in the profiles (configs/nics/*.toml).

use serde::Deserialize;
use sim_core::{SimDuration, SimTime};
pub use vocab::AccelKind;

use crate::error::ModelError;
use crate::ranges::{cost_ns, count, per_byte_ns, MAX_QUEUE, MAX_UNITS};

fn default_queue_depth() -> u32 {
    64
}

/// One hardware engine (`[[accel.engines]]`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EngineConfig {
    /// What it computes.
    pub kind: AccelKind,
    /// Identical units that serve requests in parallel.
    pub units: u32,
    /// Core-side cost of issuing one request (or one batch), ns.
    pub invoke_ns: f64,
    /// Engine-side fixed cost per request, ns.
    pub setup_ns: f64,
    /// Engine-side cost per byte, ns.
    pub per_byte_ns: f64,
    /// Most requests that may wait for a unit; more are dropped and counted.
    #[serde(default = "default_queue_depth")]
    pub queue_depth: u32,
}

/// Software cost of a function on a core (`[[accel.software]]`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SoftwareCost {
    /// What it computes.
    pub kind: AccelKind,
    /// Fixed cost per call (init, padding, finalization), ns.
    pub fixed_ns: f64,
    /// Cost per byte, ns.
    pub per_byte_ns: f64,
}

impl SoftwareCost {
    /// Time to process `bytes` on a core.
    pub fn duration(&self, bytes: u32) -> SimDuration {
        SimDuration::from_ns_f64(self.fixed_ns + self.per_byte_ns * f64::from(bytes))
    }
}

/// `[accel]` section: engines and software fall-backs.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AccelConfig {
    /// Hardware engines, at most one entry per kind.
    #[serde(default)]
    pub engines: Vec<EngineConfig>,
    /// Software costs for kinds run on the cores.
    #[serde(default)]
    pub software: Vec<SoftwareCost>,
}

impl AccelConfig {
    /// Checks every value; errors name the key.
    pub fn validate(&self) -> Result<(), ModelError> {
        for (i, e) in self.engines.iter().enumerate() {
            let k = format!("accel.engines[{i}]");
            count(&format!("{k}.units"), e.units.into(), 1, MAX_UNITS, "units")?;
            cost_ns(&format!("{k}.invoke_ns"), e.invoke_ns)?;
            cost_ns(&format!("{k}.setup_ns"), e.setup_ns)?;
            per_byte_ns(&format!("{k}.per_byte_ns"), e.per_byte_ns)?;
            count(
                &format!("{k}.queue_depth"),
                e.queue_depth.into(),
                0,
                MAX_QUEUE,
                "requests",
            )?;
            if self.engines[..i].iter().any(|o| o.kind == e.kind) {
                return Err(ModelError::InvalidConfig {
                    key: format!("{k}.kind"),
                    reason: format!(
                        "a second engine of kind {}: merge them into one entry with more units",
                        e.kind.name()
                    ),
                });
            }
        }
        for (i, s) in self.software.iter().enumerate() {
            let k = format!("accel.software[{i}]");
            cost_ns(&format!("{k}.fixed_ns"), s.fixed_ns)?;
            per_byte_ns(&format!("{k}.per_byte_ns"), s.per_byte_ns)?;
        }
        Ok(())
    }

    /// The engine configured for `kind`, if any.
    pub fn engine(&self, kind: AccelKind) -> Option<&EngineConfig> {
        self.engines.iter().find(|e| e.kind == kind)
    }

    /// The software cost configured for `kind`, if any.
    pub fn software(&self, kind: AccelKind) -> Option<&SoftwareCost> {
        self.software.iter().find(|s| s.kind == kind)
    }
}

/// A request accepted by an engine: poll it or wait for `done_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccelTicket {
    /// When the engine finishes it.
    pub done_at: SimTime,
}

impl AccelTicket {
    /// Whether the request has completed at `now` (the polling check).
    pub fn is_done(&self, now: SimTime) -> bool {
        now >= self.done_at
    }
}

/// Run-time state of one engine.
#[derive(Clone, Debug)]
pub struct AccelEngine {
    config: EngineConfig,
    unit_free_at: Vec<SimTime>,
    /// Start times of accepted requests that had not started when accepted (bounded by queue_depth).
    waiting_starts: Vec<SimTime>,
    completed: u64,
    overflows: u64,
    bytes: u64,
}

impl AccelEngine {
    /// An idle engine.
    pub fn new(config: EngineConfig) -> Self {
        AccelEngine {
            unit_free_at: vec![SimTime::ZERO; config.units as usize],
            config,
            waiting_starts: Vec::new(),
            completed: 0,
            overflows: 0,
            bytes: 0,
        }
    }

    /// Its configuration.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Requests dropped because the queue was full.
    pub fn overflows(&self) -> u64 {
        self.overflows
    }

    /// Requests accepted.
    pub fn accepted(&self) -> u64 {
        self.completed
    }

    /// Bytes processed by accepted requests.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Core-side issue cost.
    pub fn invoke(&self) -> SimDuration {
        SimDuration::from_ns_f64(self.config.invoke_ns)
    }

    /// Engine-side service time of one request.
    pub fn service(&self, bytes: u32) -> SimDuration {
        SimDuration::from_ns_f64(self.config.setup_ns + self.config.per_byte_ns * f64::from(bytes))
    }

    /// Enqueues one request that reaches the engine at `arrive` (after the core issued it).
    fn enqueue(&mut self, arrive: SimTime, bytes: u32) -> Result<SimTime, ModelError> {
        self.waiting_starts.retain(|&s| s > arrive);
        let (unit, free_at) = self
            .unit_free_at
            .iter()
            .copied()
            .enumerate()
            .min_by_key(|&(i, t)| (t, i))
            .unwrap_or((0, arrive));
        let start = free_at.max(arrive);
        if start > arrive {
            if self.waiting_starts.len() >= self.config.queue_depth as usize {
                self.overflows += 1;
                return Err(ModelError::AccelQueueFull {
                    kind: self.config.kind.name().to_string(),
                    depth: self.config.queue_depth,
                });
            }
            self.waiting_starts.push(start);
        }
        let done = start + self.service(bytes);
        self.unit_free_at[unit] = done;
        self.completed += 1;
        self.bytes += u64::from(bytes);
        Ok(done)
    }

    /// Submits one request issued by a core at `now`; the core is busy issuing for `invoke()`.
    pub fn submit(&mut self, now: SimTime, bytes: u32) -> Result<AccelTicket, ModelError> {
        let arrive = now + self.invoke();
        Ok(AccelTicket {
            done_at: self.enqueue(arrive, bytes)?,
        })
    }

    /// Submits a batch issued at `now`, paying `invoke()` once. Returns the ticket of the last
    /// request to finish. Requests that overflow are dropped and counted; the error is returned
    /// after the rest of the batch was accepted.
    pub fn submit_batch(&mut self, now: SimTime, sizes: &[u32]) -> Result<AccelTicket, ModelError> {
        let arrive = now + self.invoke();
        let mut last = arrive;
        let mut err = None;
        for &b in sizes {
            match self.enqueue(arrive, b) {
                Ok(done) => last = last.max(done),
                Err(e) => err = Some(e),
            }
        }
        match err {
            Some(e) => Err(e),
            None => Ok(AccelTicket { done_at: last }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md5_engine(units: u32, depth: u32) -> AccelEngine {
        AccelEngine::new(EngineConfig {
            kind: AccelKind::Md5,
            units,
            invoke_ns: 50.0,
            setup_ns: 10.0,
            per_byte_ns: 1.0,
            queue_depth: depth,
        })
    }

    #[test]
    fn idle_engine_costs_invoke_plus_service() {
        let mut e = md5_engine(1, 4);
        let t = e.submit(SimTime::ZERO, 100).unwrap();
        assert_eq!(t.done_at, SimTime::from_ns(160));
        assert!(!t.is_done(SimTime::from_ns(159)));
        assert!(t.is_done(SimTime::from_ns(160)));
    }

    #[test]
    fn busy_unit_queues_and_full_queue_drops() {
        let mut e = md5_engine(1, 1);
        let a = e.submit(SimTime::ZERO, 100).unwrap(); // runs 50..160
        let b = e.submit(SimTime::ZERO, 100).unwrap(); // waits, 160..270
        assert_eq!(a.done_at, SimTime::from_ns(160));
        assert_eq!(b.done_at, SimTime::from_ns(270));
        assert!(e.submit(SimTime::ZERO, 100).is_err());
        assert_eq!(e.overflows(), 1);
        // Once the waiting request has started, the queue has room again.
        assert!(e.submit(SimTime::from_ns(200), 1).is_ok());
    }

    #[test]
    fn batching_amortizes_invocation() {
        let mut single = md5_engine(1, 64);
        let mut now = SimTime::ZERO;
        for _ in 0..8 {
            now = single.submit(now, 64).unwrap().done_at;
        }
        let mut batched = md5_engine(1, 64);
        let done = batched
            .submit_batch(SimTime::ZERO, &[64; 8])
            .unwrap()
            .done_at;
        assert!(done < now, "batch {done} should beat one-by-one {now}");
        assert_eq!(now.as_ps() - done.as_ps(), 7 * 50_000);
    }
}
