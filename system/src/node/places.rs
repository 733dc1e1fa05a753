//! Where every frame or message of a node is: deliveries, ends by reason, what is inside, and the sync after every event.
//!
//! Each place is counted on its own (the node's `Accounting`, the runtime's
//! counters, queue lengths), so conservation is a check on a sum of
//! independent counts: `generated = delivered + ended + in_flight`.

use super::accounting::{col, Conserve};
use super::{drops, Node};
use sim_core::SimTime;

impl Node {
    /// Called on every event of the world: counts what has landed or left by `now`.
    #[inline]
    pub fn flush(&mut self, upto: SimTime) {
        // most events find nothing landed or left: answer without a call
        if self.forward.is_none()
            && self.to_host.front().map_or(true, |&t| t > upto)
            && self.tx_in_flight.front().map_or(true, |(t, _, _)| t > upto)
        {
            return;
        }
        self.flush_due(upto);
    }

    fn flush_due(&mut self, upto: SimTime) {
        self.commit_forwarded(upto);
        while self.to_host.front().is_some_and(|&t| t <= upto) {
            self.to_host.pop_front();
            self.acct.steered_host += 1;
        }
        while let Some((t, created_at, wire_bytes)) = self.tx_in_flight.front() {
            if t > upto {
                break;
            }
            self.tx_in_flight.pop_front();
            self.count_delivery(t, created_at, wire_bytes);
        }
    }

    /// A reply frame of `wire_bytes` whose request was created at
    /// `created_at` left the transmit MAC (its last bit) at `t`.
    // inlined into its two callers: once per reply
    #[inline(always)]
    pub(super) fn count_delivery(&mut self, t: SimTime, created_at: SimTime, wire_bytes: u32) {
        self.acct.delivered += 1;
        // The frame statistics below (bytes, frames, frame latency and their
        // series columns) are the echo workload's report (`run::echo`). A
        // node that conserves messages reports its requests instead
        // (`record_completion`) and nothing reads them: it skips them (about
        // 80 instructions a reply in actors_mix).
        if self.request_series {
            return;
        }
        let latency = t - created_at;
        if t >= self.warmup_end {
            self.measured_bytes += u64::from(wire_bytes);
            self.measured_pkts += 1;
        }
        if created_at >= self.warmup_end {
            self.frame_latency.record(latency);
        }
        let row = self.series.row_mut(t);
        row[col::DELIVERED_BYTES] += f64::from(wire_bytes);
        row[col::DELIVERED_PKTS] += 1.0;
        row[col::LATENCY_SUM_US] += latency.as_us_f64();
    }

    /// What this node conserves.
    pub fn conserve(&self) -> Conserve {
        self.conserve
    }

    /// Frames (echo) or messages to actors (actor workloads) that entered.
    pub fn generated(&self) -> u64 {
        match self.conserve {
            Conserve::Frames => self.acct.frames,
            Conserve::Messages => self.acct.frames + self.acct.internal + self.acct.timer,
        }
    }

    /// Frames echoed (their reply's last bit left), or messages served.
    pub fn delivered(&self) -> u64 {
        match self.conserve {
            Conserve::Frames => self.acct.delivered,
            Conserve::Messages => self.acct.served,
        }
    }

    /// Every drop of what this node conserves, summed over reasons (the sum
    /// of `ended()` but the host steering, without building it: called after
    /// every event).
    pub fn drops_total(&self) -> u64 {
        let a = &self.acct;
        // both parts kept as they are counted: two reads, not a dozen
        let common = self.node_drops;
        debug_assert_eq!(
            common,
            a.drops_source + a.drops_switch + a.drops_ingress + a.drops_pcie + a.drops_tm
        );
        let runtime = self.driver.runtime().drops_and_aborts();
        match self.conserve {
            Conserve::Frames => common + runtime + a.drops_tx,
            Conserve::Messages => common + runtime,
        }
    }

    /// Ends other than delivery, by place: the switch's host steering first,
    /// then every drop reason.
    pub fn ended(&self) -> Vec<(&'static str, u64)> {
        let a = &self.acct;
        let rt = self.driver.runtime().counters();
        let mut v = vec![
            ("steered_host", a.steered_host),
            ("drops_source", a.drops_source),
            ("drops_switch", a.drops_switch),
            ("drops_ingress", a.drops_ingress),
            ("drops_pcie", a.drops_pcie),
        ];
        match self.conserve {
            Conserve::Frames => {
                // the echo actor's only runtime queue is the traffic manager's
                v.push((
                    "drops_tm",
                    a.drops_tm + rt.dropped() + rt.aborted_by_watchdog,
                ));
                v.push(("drops_tx", a.drops_tx));
            }
            Conserve::Messages => {
                let d = drops::ActorDrops::of(0, rt);
                v.extend(d.runtime_reasons());
            }
        }
        v
    }

    /// What is inside the node now, by place.
    pub fn in_flight(&self) -> Vec<(&'static str, u64)> {
        let on_core = self
            .driver
            .running()
            .filter(|r| r.request.is_some())
            .count() as u64;
        let (f_arriving, f_queued, f_on_core) =
            self.forward.as_ref().map_or((0, 0, 0), |f| f.inside());
        let mut v = vec![
            ("arriving", self.acct.in_flight_arriving + f_arriving),
            ("pcie", self.acct.in_pcie()),
            (
                "queued",
                self.driver.runtime().queued_messages() as u64 + f_queued,
            ),
            ("on_core", on_core + f_on_core),
            ("forward_reorder", self.driver.forwards_waiting()),
        ];
        if self.conserve == Conserve::Frames {
            v.push(("tx", self.tx_in_flight.len() as u64));
            v.push(("to_host", self.to_host.len() as u64));
        }
        v
    }

    /// After every event: new drops reach the time series (so its column sums
    /// to the summary's `drops`), and the peak of what is inside is updated.
    // inlined: after every event (measured, issue 13)
    #[inline(always)]
    pub fn sync(&mut self, now: SimTime) {
        let drops = self.drops_total();
        if drops > self.drops_in_series {
            self.series
                .add(now, col::DROPS, (drops - self.drops_in_series) as f64);
            self.drops_in_series = drops;
        }
        // What is inside grows only with `generated` (every other count
        // only grows): without a new arrival it is at most what the last
        // check saw, so the peak needs no new look.
        let generated = self.generated();
        if generated != self.generated_at_peak_check {
            self.generated_at_peak_check = generated;
            let done = self.delivered() + self.acct.steered_host + drops;
            let inside = generated.saturating_sub(done);
            self.acct.peak_in_flight = self.acct.peak_in_flight.max(inside);
        }
    }
}
