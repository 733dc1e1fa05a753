//! A client machine's request generator: open loop (constant, Poisson, bursty on/off) or closed loop (K outstanding, think time), with response matching and timeouts.
//!
//! Passive: the caller asks [`Client::next_send_at`], calls [`Client::send`]
//! at that time and puts the request on the network, hands responses to
//! [`Client::on_response`] and calls [`Client::expire`] at
//! [`Client::next_timeout_at`]. Latency is measured at the client, from the
//! request's send time to its response's arrival, for requests sent after
//! the warm-up (as the one-server summary counts the requests created after
//! it; every request is still counted in the stats). The outstanding table is
//! bounded: an open-loop client whose server does not answer refuses new
//! requests (counted) instead of growing without limit.

use super::outstanding::Outstanding;
use sim_core::{LatencyHistogram, SimDuration, SimRng, SimTime};
use std::collections::VecDeque;
use workloads::bursts::{exp_gap, OnOffArrivals};
use workloads::OnOff;

/// Default bound on outstanding requests per client.
pub const DEFAULT_MAX_OUTSTANDING: usize = 65_536;

/// How a client offers load.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LoadModel {
    /// Open loop, equal gaps at `rate_rps` requests per second.
    Constant {
        /// Requests per second.
        rate_rps: f64,
    },
    /// Open loop, exponential gaps with mean 1 / `rate_rps`.
    Poisson {
        /// Requests per second.
        rate_rps: f64,
    },
    /// Open loop: Poisson at `rate_rps` during bursts, silent between them;
    /// burst and silence lengths are exponential with means `on` and `off`
    /// (as the echo workload's `"onoff"`).
    Bursty {
        /// Requests per second while on.
        rate_rps: f64,
        /// Mean length of an on period.
        on: SimDuration,
        /// Mean length of an off period.
        off: SimDuration,
    },
    /// Closed loop: `outstanding` requests in flight; each response (or
    /// timeout) frees a slot that sends again after `think`.
    Closed {
        /// Requests in flight per client.
        outstanding: u32,
        /// Pause between a response and the next request.
        think: SimDuration,
    },
}

/// What a client counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// Requests sent.
    pub sent: u64,
    /// Responses matched to an outstanding request.
    pub responses: u64,
    /// Requests that timed out (their responses, if any, arrive late).
    pub timeouts: u64,
    /// Responses for a request that had timed out or was never sent.
    pub unmatched: u64,
    /// Sends refused: the outstanding table was full.
    pub refused_full: u64,
    /// Requests sent that expect no response.
    pub one_way: u64,
}

/// One client machine.
#[derive(Clone)]
pub struct Client {
    load: LoadModel,
    rng: SimRng,
    timeout: SimDuration,
    max_outstanding: usize,
    /// Open loop: the next send time.
    next_at: SimTime,
    /// Closed loop: when each free slot may send (ascending).
    slots: VecDeque<SimTime>,
    /// Live requests by id and send time (ids ascend with send time).
    outstanding: Outstanding,
    next_id: u64,
    /// Bursty: the on/off schedule.
    bursts: Option<OnOffArrivals>,
    /// Latency counts requests sent at or after this.
    warmup_end: SimTime,
    /// Counters.
    pub stats: ClientStats,
    /// Request-to-response latency of matched responses.
    pub latency: LatencyHistogram,
}

impl Client {
    /// A client starting at `start` with its own random stream.
    pub fn new(load: LoadModel, timeout: SimDuration, start: SimTime, rng: SimRng) -> Client {
        let slots = match load {
            LoadModel::Closed { outstanding, .. } => (0..outstanding).map(|_| start).collect(),
            _ => VecDeque::new(),
        };
        let mut c = Client {
            load,
            rng,
            timeout,
            max_outstanding: DEFAULT_MAX_OUTSTANDING,
            next_at: start,
            slots,
            outstanding: Outstanding::new(),
            next_id: 0,
            bursts: None,
            warmup_end: SimTime::ZERO,
            stats: ClientStats::default(),
            latency: LatencyHistogram::new(),
        };
        if let LoadModel::Bursty { rate_rps, on, off } = load {
            // the first burst starts at `start`
            let periods = OnOff { on, off };
            c.bursts = Some(OnOffArrivals::new(rate_rps, periods, start, &mut c.rng));
        }
        // A Poisson process does not start with an arrival at t = 0.
        if !matches!(load, LoadModel::Constant { .. } | LoadModel::Closed { .. }) {
            c.next_at = start;
            c.advance();
        }
        c
    }

    /// Latency counts only requests sent at or after `end` (the warm-up).
    pub fn with_warmup(mut self, end: SimTime) -> Client {
        self.warmup_end = end;
        self
    }

    /// Bounds the outstanding table (default [`DEFAULT_MAX_OUTSTANDING`]).
    pub fn with_max_outstanding(mut self, n: usize) -> Client {
        self.max_outstanding = n.max(1);
        self
    }

    /// When the next request goes out (`None`: a closed-loop client with every slot busy).
    pub fn next_send_at(&self) -> Option<SimTime> {
        match self.load {
            LoadModel::Closed { .. } => self.slots.front().copied(),
            _ => Some(self.next_at),
        }
    }

    /// Sends the due request at `now`: its id, or `None` when the outstanding
    /// table is full (counted in `refused_full`; the open-loop schedule moves on).
    pub fn send(&mut self, now: SimTime) -> Option<u64> {
        match self.load {
            LoadModel::Closed { .. } => {
                // a slot sends only when due (a second wake-up for the same
                // instant finds the next slot not yet due)
                if *self.slots.front()? > now {
                    return None;
                }
                self.slots.pop_front();
            }
            _ => self.advance(),
        }
        if self.outstanding.len() >= self.max_outstanding {
            self.stats.refused_full += 1;
            return None;
        }
        let id = self.next_id;
        self.next_id += 1;
        self.outstanding.insert(id, now);
        self.stats.sent += 1;
        Some(id)
    }

    /// The response to request `id` arrived at `now`: its latency, or `None`
    /// when it matches no outstanding request (counted in `unmatched`).
    pub fn on_response(&mut self, now: SimTime, id: u64) -> Option<SimDuration> {
        let Some(sent) = self.outstanding.remove(id) else {
            self.stats.unmatched += 1;
            return None;
        };
        let latency = now.saturating_since(sent);
        self.stats.responses += 1;
        if sent >= self.warmup_end {
            self.latency.record(latency);
        }
        self.free_slot(now);
        Some(latency)
    }

    /// A response carrying the send time `sent` of its request arrived at
    /// `now`: matched to the oldest outstanding request sent then (requests
    /// sent at the same instant have the same latency, so which one is
    /// matched does not change the measurement).
    pub fn on_response_sent_at(&mut self, now: SimTime, sent: SimTime) -> Option<SimDuration> {
        match self.outstanding.first_sent_at(sent) {
            Some(id) => self.on_response(now, id),
            None => {
                self.stats.unmatched += 1;
                None
            }
        }
    }

    /// Whether request `id` is outstanding.
    pub fn is_outstanding(&self, id: u64) -> bool {
        self.outstanding.contains(id)
    }

    /// Request `id` expects no response (its actor never answers): it leaves
    /// the outstanding table, counted in `one_way`.
    pub fn forget(&mut self, id: u64) {
        if let Some(sent) = self.outstanding.remove(id) {
            self.stats.one_way += 1;
            self.free_slot(sent);
        }
    }

    /// When the oldest outstanding request times out.
    pub fn next_timeout_at(&self) -> Option<SimTime> {
        self.outstanding
            .first()
            .map(|(_, sent)| sent + self.timeout)
    }

    /// Times out every request sent at or before `now - timeout`; returns how many.
    pub fn expire(&mut self, now: SimTime) -> u64 {
        let mut n = 0;
        while let Some((id, sent)) = self.outstanding.first() {
            if sent + self.timeout > now {
                break;
            }
            self.outstanding.remove(id);
            self.stats.timeouts += 1;
            self.free_slot(now);
            n += 1;
        }
        n
    }

    /// Requests sent and not yet answered or timed out.
    pub fn in_flight(&self) -> u64 {
        self.outstanding.len() as u64
    }

    fn free_slot(&mut self, now: SimTime) {
        if let LoadModel::Closed { think, .. } = self.load {
            let at = now + think;
            // Keep the slots sorted: insert after every slot due no later.
            let pos = self.slots.partition_point(|&t| t <= at);
            self.slots.insert(pos, at);
        }
    }

    /// Moves the open-loop schedule to the next send time.
    fn advance(&mut self) {
        match self.load {
            LoadModel::Constant { rate_rps } => {
                self.next_at += SimDuration::from_secs_f64(1.0 / rate_rps);
            }
            LoadModel::Poisson { rate_rps } => {
                self.next_at += exp_gap(&mut self.rng, rate_rps);
            }
            LoadModel::Bursty { .. } => {
                if let Some(b) = self.bursts.as_mut() {
                    self.next_at = b.next_after(self.next_at, &mut self.rng);
                }
            }
            LoadModel::Closed { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests;
