//! A packet generator in the spirit of DPDK pkt-gen: fixed size or weighted size mix, constant, Poisson or bursty on/off arrivals.
//!
//! The generator decides *when* the source hands each packet to its wire and
//! how big it is. The wire itself (serialization at line rate) is modelled
//! by the system, so a generator asked for "line" rate produces exactly
//! back-to-back frames and a Poisson source can momentarily back up.

use nic_models::Packet;
use rand::distributions::Uniform;
use rand::Rng;
use rand_distr::{Distribution, Exp1};
use serde::{Deserialize, Serialize};
use sim_core::{SimDuration, SimRng, SimTime};

/// How inter-arrival gaps are drawn.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum ArrivalProcess {
    /// Equal gaps: each packet's gap is its size at the offered rate.
    #[default]
    Constant,
    /// Exponential gaps with the mean of the offered rate.
    Poisson,
    /// Bursts: on periods at a peak rate with constant gaps, separated by
    /// silent off periods; both lengths exponential with the means of
    /// [`OnOff`], the peak chosen so that the mean rate is the offered rate.
    #[serde(rename = "onoff")]
    OnOff,
}

/// Mean lengths of the on and off periods of [`ArrivalProcess::OnOff`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OnOff {
    /// Mean on (burst) period.
    pub on: SimDuration,
    /// Mean off (silent) period.
    pub off: SimDuration,
}

impl OnOff {
    /// Peak rate during a burst for a mean rate of `mean_gbps`.
    pub fn peak_gbps(&self, mean_gbps: f64) -> f64 {
        self.peak_rate(mean_gbps)
    }

    /// Peak rate during a burst for a mean rate of `mean` (any unit): the
    /// mean scaled by (on + off) / on.
    pub fn peak_rate(&self, mean: f64) -> f64 {
        let on = self.on.as_ps().max(1) as f64;
        mean * (on + self.off.as_ps() as f64) / on
    }
}

/// One entry of a weighted size mix.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SizeWeight {
    /// Frame size in bytes (64..=9216).
    pub size: u32,
    /// Relative weight (> 0).
    pub weight: f64,
}

/// Packet sizes: a single size or a weighted mix.
#[derive(Clone, Debug, PartialEq)]
pub struct SizeMix {
    sizes: Vec<u32>,
    /// Cumulative weights normalised to 1.0, same order as `sizes`.
    cumulative: Vec<f64>,
}

impl SizeMix {
    /// Every packet has `size` bytes.
    pub fn fixed(size: u32) -> Self {
        SizeMix {
            sizes: vec![size],
            cumulative: vec![1.0],
        }
    }

    /// A weighted mix. The caller validates sizes and weights.
    pub fn weighted(entries: &[SizeWeight]) -> Self {
        let total: f64 = entries.iter().map(|e| e.weight).sum();
        let mut acc = 0.0;
        let mut cumulative = Vec::with_capacity(entries.len());
        for e in entries {
            acc += e.weight / total;
            cumulative.push(acc);
        }
        if let Some(last) = cumulative.last_mut() {
            *last = 1.0;
        }
        SizeMix {
            sizes: entries.iter().map(|e| e.size).collect(),
            cumulative,
        }
    }

    /// Mean frame size in bytes.
    pub fn mean_bytes(&self) -> f64 {
        let mut prev = 0.0;
        let mut mean = 0.0;
        for (s, c) in self.sizes.iter().zip(&self.cumulative) {
            mean += *s as f64 * (c - prev);
            prev = *c;
        }
        mean
    }

    /// Draws a size. A single size draws nothing from `rng`.
    #[inline]
    pub fn draw(&self, rng: &mut SimRng) -> u32 {
        if self.sizes.len() == 1 {
            return self.sizes[0];
        }
        let u: f64 = rng.gen();
        let i = sim_core::rng::pick_by_cumulative(&self.cumulative, u, |c| *c);
        self.sizes[i]
    }

    /// The sizes in the mix.
    pub fn sizes(&self) -> &[u32] {
        &self.sizes
    }
}

/// Produces the packets of one source in creation order.
#[derive(Clone, Debug)]
pub struct PacketGenerator {
    sizes: SizeMix,
    arrival: ArrivalProcess,
    rate_gbps: f64,
    flows: u32,
    /// Draws a packet's flow in `0..flows`. A prepared `Uniform` rejects a
    /// draw only for the bias of its exact zone (never for a power-of-two
    /// count); `gen_range` on each call used a conservative zone that threw
    /// away half of the draws for the default 1024 flows, a random branch
    /// and a second draw on every other packet.
    flow_pick: Uniform<u32>,
    rng: SimRng,
    next_id: u64,
    next_at: SimTime,
    stop_at: SimTime,
    /// The last size drawn and its constant gap (traffic is usually one
    /// size: this keeps the floating-point division off the per-packet path).
    last_gap: (u32, SimDuration),
    /// Mean Poisson gap, ps.
    mean_gap_ps: f64,
    /// On/off arrivals: period means, the peak rate, and the end of the current burst.
    onoff: Option<(OnOff, f64)>,
    burst_ends: SimTime,
}

impl PacketGenerator {
    /// A source offering `rate_gbps` of frame bits (what `achieved_gbps`
    /// counts), spreading packets over `flows` flows, until `stop_at`.
    pub fn new(
        sizes: SizeMix,
        arrival: ArrivalProcess,
        rate_gbps: f64,
        flows: u32,
        rng: SimRng,
        stop_at: SimTime,
    ) -> Self {
        PacketGenerator {
            arrival,
            rate_gbps,
            flows: flows.max(1),
            flow_pick: Uniform::new(0, flows.max(1)),
            rng,
            next_id: 0,
            next_at: SimTime::ZERO,
            stop_at,
            last_gap: (u32::MAX, SimDuration::ZERO),
            mean_gap_ps: sizes.mean_bytes() * 8.0 * 1_000.0 / rate_gbps,
            sizes,
            onoff: None,
            burst_ends: SimTime::ZERO,
        }
    }

    /// Bursty arrivals (with [`ArrivalProcess::OnOff`]): the first burst
    /// starts at time zero. The caller checks that the peak rate fits the wire.
    pub fn with_onoff(mut self, periods: OnOff) -> Self {
        let peak = periods.peak_gbps(self.rate_gbps);
        self.onoff = Some((periods, peak));
        self.burst_ends = SimTime::ZERO + self.exp(periods.on);
        self
    }

    fn exp(&mut self, mean: SimDuration) -> SimDuration {
        let x: f64 = Exp1.sample(&mut self.rng);
        SimDuration::from_ps((x * mean.as_ps() as f64) as u64)
    }

    /// The next packet, or `None` once the source has stopped. Packets come
    /// out in non-decreasing `created_at`.
    #[inline]
    pub fn next_packet(&mut self) -> Option<Packet> {
        if self.next_at >= self.stop_at {
            return None;
        }
        let size = self.sizes.draw(&mut self.rng);
        let flow = if self.flows == 1 {
            0
        } else {
            self.flow_pick.sample(&mut self.rng)
        };
        let packet = Packet {
            id: self.next_id,
            size_bytes: size,
            flow,
            created_at: self.next_at,
        };
        self.next_id += 1;
        let gap = match self.arrival {
            ArrivalProcess::Constant => {
                if self.last_gap.0 != size {
                    let g = SimDuration::for_bytes_at_gbps(size as u64, self.rate_gbps);
                    self.last_gap = (size, g);
                }
                self.last_gap.1
            }
            ArrivalProcess::Poisson => {
                let x: f64 = Exp1.sample(&mut self.rng);
                SimDuration::from_ps((x * self.mean_gap_ps) as u64)
            }
            ArrivalProcess::OnOff => match self.onoff {
                Some((periods, peak)) => {
                    let gap = SimDuration::for_bytes_at_gbps(size as u64, peak);
                    if self.next_at + gap < self.burst_ends {
                        gap
                    } else {
                        // the burst is over: a silent period, then the next burst
                        let off = self.exp(periods.off);
                        let start = self.burst_ends.max(self.next_at + gap) + off;
                        self.burst_ends = start + self.exp(periods.on);
                        start.saturating_since(self.next_at)
                    }
                }
                // without periods the process degenerates to constant gaps
                None => SimDuration::for_bytes_at_gbps(size as u64, self.rate_gbps),
            },
        };
        self.next_at += gap;
        Some(packet)
    }

    /// Packets created so far.
    pub fn generated(&self) -> u64 {
        self.next_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::RngStreams;

    fn rng() -> SimRng {
        RngStreams::new(3).stream("pktgen")
    }

    #[test]
    fn constant_rate_spaces_packets_by_their_size() {
        let mut g = PacketGenerator::new(
            SizeMix::fixed(1000),
            ArrivalProcess::Constant,
            8.0,
            1,
            rng(),
            SimTime::from_us(10),
        );
        let a = g.next_packet().unwrap();
        let b = g.next_packet().unwrap();
        // 1000 B * 8 / 8 Gb/s = 1 us.
        assert_eq!(b.created_at - a.created_at, SimDuration::from_us(1));
        assert_eq!(std::iter::from_fn(|| g.next_packet()).count(), 8);
    }

    #[test]
    fn poisson_rate_matches_the_offered_load() {
        let stop = SimTime::from_ms(10);
        let mut g = PacketGenerator::new(
            SizeMix::fixed(500),
            ArrivalProcess::Poisson,
            4.0,
            16,
            rng(),
            stop,
        );
        let bytes: u64 = std::iter::from_fn(|| g.next_packet())
            .map(|p| p.size_bytes as u64)
            .sum();
        let gbps = bytes as f64 * 8.0 / stop.as_secs_f64() / 1e9;
        assert!((gbps - 4.0).abs() < 0.1, "{gbps}");
    }

    #[test]
    fn onoff_bursts_at_the_peak_rate_and_keeps_the_mean_rate() {
        let stop = SimTime::from_ms(20);
        let periods = OnOff {
            on: SimDuration::from_us(10),
            off: SimDuration::from_us(30),
        };
        assert!((periods.peak_gbps(2.0) - 8.0).abs() < 1e-9);
        let mut g = PacketGenerator::new(
            SizeMix::fixed(1000),
            ArrivalProcess::OnOff,
            2.0,
            16,
            rng(),
            stop,
        )
        .with_onoff(periods);
        let pkts: Vec<Packet> = std::iter::from_fn(|| g.next_packet()).collect();
        let gbps = pkts.len() as f64 * 8000.0 / stop.as_secs_f64() / 1e9;
        assert!((gbps - 2.0).abs() < 0.2, "{gbps}");
        // inside a burst: 1000 B at 8 Gb/s = 1 us apart; between bursts: longer
        let gaps: Vec<u64> = pkts
            .windows(2)
            .map(|w| (w[1].created_at - w[0].created_at).as_ps())
            .collect();
        let at_peak = gaps.iter().filter(|&&g| g == 1_000_000).count();
        assert!(at_peak > gaps.len() * 8 / 10, "{at_peak} of {}", gaps.len());
        assert!(gaps.iter().any(|&g| g > 5_000_000));
    }

    #[test]
    fn weighted_mix_follows_its_weights() {
        let mix = SizeMix::weighted(&[
            SizeWeight {
                size: 64,
                weight: 3.0,
            },
            SizeWeight {
                size: 1500,
                weight: 1.0,
            },
        ]);
        assert!((mix.mean_bytes() - (64.0 * 0.75 + 1500.0 * 0.25)).abs() < 1e-9);
        let mut r = rng();
        let n64 = (0..10_000).filter(|_| mix.draw(&mut r) == 64).count();
        assert!((7_300..7_700).contains(&n64), "{n64}");
    }
}
