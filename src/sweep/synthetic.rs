//! A synthetic point runner: deterministic fake metrics with tunable CPU work and sleep, for tests and benchmarks.
//!
//! It lets the sweep machinery (resume, kill, shards, merge, scaling) be
//! exercised without depending on how long real scenarios take. The CLI exposes
//! it only through the hidden `--synthetic-ms` flag of `nicsim sweep`.

use std::time::{Duration, Instant};

use super::axes::{param_cell, Point};
use super::runner::PointRunner;

/// Fake metrics derived from a hash of the point's parameters and seed.
#[derive(Debug, Clone, Default)]
pub struct SyntheticRunner {
    /// Sleep per point (simulates I/O-free waiting; does not load the CPU).
    pub sleep: Duration,
    /// Rounds of a 64-bit mixing loop per point (CPU work, for scaling benchmarks).
    pub spin_rounds: u64,
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl PointRunner for SyntheticRunner {
    fn metric_columns(&self) -> Vec<String> {
        [
            "scenario",
            "seed",
            "achieved_gbps",
            "lat_p99_us",
            "wall_time_s",
        ]
        .map(String::from)
        .to_vec()
    }

    fn run(&self, p: &Point) -> anyhow::Result<Vec<String>> {
        let t0 = Instant::now();
        let mut h = p.seed;
        for (k, v) in &p.params {
            for b in k.bytes().chain(param_cell(v).bytes()) {
                h = mix(h ^ u64::from(b));
            }
        }
        let mut spin = h;
        for _ in 0..self.spin_rounds {
            spin = mix(spin);
        }
        std::hint::black_box(spin);
        std::thread::sleep(self.sleep);
        Ok(vec![
            "synthetic".to_string(),
            p.seed.to_string(),
            format!("{:.3}", (h % 100_000) as f64 / 1000.0),
            format!("{:.3}", (mix(h) % 100_000) as f64 / 100.0),
            format!("{:.3}", t0.elapsed().as_secs_f64()),
        ])
    }
}
