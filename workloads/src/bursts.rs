//! Bursty (on/off) request times: Poisson at a peak rate inside exponential bursts, silent in exponential gaps between them.
//!
//! Shared by the cluster clients and the one-server actor request source so
//! that `workload.arrival = "onoff"` means the same process in both. The peak
//! rate is chosen so that the long-run mean is the asked rate
//! ([`OnOff::peak_rate`]). Draws come from the caller's stream, in a fixed
//! order, so a seed gives the same times.

use crate::pktgen::OnOff;
use rand::Rng;
use sim_core::{SimDuration, SimRng, SimTime};

/// An exponential gap of a Poisson process at `rate_per_s` events per second.
pub fn exp_gap(rng: &mut SimRng, rate_per_s: f64) -> SimDuration {
    // Inverse CDF; 1 - u is in (0, 1] so the log is finite.
    let u: f64 = rng.gen();
    SimDuration::from_secs_f64(-(1.0 - u).ln() / rate_per_s)
}

/// An exponential duration with mean `mean`.
pub fn exp_mean(rng: &mut SimRng, mean: SimDuration) -> SimDuration {
    let u: f64 = rng.gen();
    SimDuration::from_ps((-(1.0 - u).ln() * mean.as_ps() as f64) as u64)
}

/// The on/off schedule of one bursty source.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OnOffArrivals {
    /// Events per second inside a burst.
    peak_per_s: f64,
    /// Mean burst and silence lengths.
    periods: OnOff,
    /// When the current burst ends.
    burst_end: SimTime,
}

impl OnOffArrivals {
    /// A source at `peak_per_s` inside bursts; the first burst starts at
    /// `start` (its length is drawn from `rng` now).
    pub fn new(peak_per_s: f64, periods: OnOff, start: SimTime, rng: &mut SimRng) -> Self {
        OnOffArrivals {
            peak_per_s,
            periods,
            burst_end: start + exp_mean(rng, periods.on),
        }
    }

    /// Events per second inside a burst.
    pub fn peak_per_s(&self) -> f64 {
        self.peak_per_s
    }

    /// The next event time after an event at `t`. Past the burst's end: a
    /// silence, then a new burst whose first event is again exponential
    /// (memoryless) from its start.
    pub fn next_after(&mut self, t: SimTime, rng: &mut SimRng) -> SimTime {
        let mut next = t + exp_gap(rng, self.peak_per_s);
        while next >= self.burst_end {
            let start = self.burst_end + exp_mean(rng, self.periods.off);
            self.burst_end = start + exp_mean(rng, self.periods.on);
            next = start + exp_gap(rng, self.peak_per_s);
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::RngStreams;

    #[test]
    fn keeps_the_mean_rate_and_bursts_at_the_peak() {
        let periods = OnOff {
            on: SimDuration::from_us(20),
            off: SimDuration::from_us(60),
        };
        let mean = 1e6; // 1 Mrps: 4 Mrps inside a burst
        let peak = periods.peak_rate(mean);
        assert!((peak - 4e6).abs() < 1e-3, "{peak}");
        let mut rng = RngStreams::new(5).stream("bursts");
        let mut b = OnOffArrivals::new(peak, periods, SimTime::ZERO, &mut rng);
        let end = SimTime::from_ms(50);
        let mut times = vec![SimTime::ZERO];
        while *times.last().unwrap() < end {
            let t = b.next_after(*times.last().unwrap(), &mut rng);
            times.push(t);
        }
        let rate = (times.len() - 1) as f64 / end.as_secs_f64();
        assert!((rate / mean - 1.0).abs() < 0.05, "{rate}");
        // silences: many gaps far longer than a Poisson gap at the mean rate
        let long = times
            .windows(2)
            .filter(|w| w[1] - w[0] > SimDuration::from_us(10))
            .count();
        assert!(long > 200, "{long} long gaps");
    }
}
