//! A packet generator in the spirit of DPDK pkt-gen: fixed size or weighted size mix, constant or Poisson arrivals.
//!
//! The generator decides *when* the source hands each packet to its wire and
//! how big it is. The wire itself (serialization at line rate) is modelled
//! by the system, so a generator asked for "line" rate produces exactly
//! back-to-back frames and a Poisson source can momentarily back up.

use nic_models::Packet;
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
        let i = self
            .cumulative
            .iter()
            .position(|&c| u < c)
            .unwrap_or(self.sizes.len() - 1);
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
    rng: SimRng,
    next_id: u64,
    next_at: SimTime,
    stop_at: SimTime,
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
            sizes,
            arrival,
            rate_gbps,
            flows: flows.max(1),
            rng,
            next_id: 0,
            next_at: SimTime::ZERO,
            stop_at,
        }
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
            self.rng.gen_range(0..self.flows)
        };
        let packet = Packet {
            id: self.next_id,
            size_bytes: size,
            flow,
            created_at: self.next_at,
        };
        self.next_id += 1;
        let gap_constant = SimDuration::for_bytes_at_gbps(size as u64, self.rate_gbps);
        let gap = match self.arrival {
            ArrivalProcess::Constant => gap_constant,
            ArrivalProcess::Poisson => {
                let mean_ps = self.sizes.mean_bytes() * 8.0 * 1_000.0 / self.rate_gbps;
                let x: f64 = Exp1.sample(&mut self.rng);
                SimDuration::from_ps((x * mean_ps) as u64)
            }
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
