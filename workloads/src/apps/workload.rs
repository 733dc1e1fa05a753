//! Workload settings of the three applications (request sizes, keys and their
//! distribution, read/write mix, tuple rates) with documented defaults, and the
//! seeded key sampler the generators and test drivers share.
//!
//! The iPipe paper (SIGCOMM'19, section 5) describes the applications but its
//! exact workload parameters are NOT in configs/calibration/ipipe-sigcomm19.toml;
//! every default below is therefore marked "assumption" and chosen to be small,
//! common (YCSB-like) and easy to change.

use crate::actors::ConfigError;
use rand::Rng;
use rand_distr::{Distribution, Zipf};
use serde::{Deserialize, Serialize};

/// How keys are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyDistribution {
    /// Every key equally likely.
    Uniform,
    /// Zipf over key ranks (rank 1 = key 0), exponent `zipf_s`.
    Zipf,
}

/// The `[workload.app]` settings (every key optional).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AppWorkload {
    /// Keys are `0..key_count`. Default 4096 (assumption: not in our paper data).
    pub key_count: u32,
    /// Key distribution. Default `zipf` (assumption: skewed, as in YCSB).
    pub key_distribution: KeyDistribution,
    /// Zipf exponent. Default 0.99 (assumption: YCSB's default constant).
    pub zipf_s: f64,
    /// Fraction of RKV requests that are reads. Default 0.5 (assumption: YCSB-A mix).
    pub read_fraction: f64,
    /// RKV value size and DT record value size in bytes. Default 64 (assumption:
    /// the paper sweeps request sizes; 64 B is its smallest point).
    pub request_bytes: u32,
    /// RTA tuples per batch (one message). Default 16 (assumption).
    pub tuples_per_batch: u32,
    /// RTA tuple arrival rate, tuples per microsecond. Default 1.0 (assumption).
    pub tuple_rate_per_us: f64,
    /// DT keys read per transaction. Default 3 (assumption: small OLTP transactions).
    pub txn_reads: u32,
    /// DT keys written per transaction (a subset of those read). Default 2 (assumption).
    pub txn_writes: u32,
    /// DT / RKV request rate, requests per microsecond. Default 0.2 (assumption).
    pub request_rate_per_us: f64,
}

impl Default for AppWorkload {
    fn default() -> Self {
        AppWorkload {
            key_count: 4096,
            key_distribution: KeyDistribution::Zipf,
            zipf_s: 0.99,
            read_fraction: 0.5,
            request_bytes: 64,
            tuples_per_batch: 16,
            tuple_rate_per_us: 1.0,
            txn_reads: 3,
            txn_writes: 2,
            request_rate_per_us: 0.2,
        }
    }
}

impl AppWorkload {
    /// Checks every value; the error names the key and the accepted range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.key_count == 0 || self.key_count > 1 << 24 {
            return Err(ConfigError::new(
                "key_count",
                "must be in 1..=16777216 (default 4096)",
            ));
        }
        if !(self.zipf_s.is_finite() && self.zipf_s > 0.0 && self.zipf_s <= 10.0) {
            return Err(ConfigError::new(
                "zipf_s",
                "must be in (0, 10] (default 0.99)",
            ));
        }
        if !(0.0..=1.0).contains(&self.read_fraction) {
            return Err(ConfigError::new(
                "read_fraction",
                "must be in [0, 1] (default 0.5)",
            ));
        }
        if self.request_bytes == 0 || self.request_bytes > 8192 {
            return Err(ConfigError::new(
                "request_bytes",
                "must be in 1..=8192 (default 64)",
            ));
        }
        if self.tuples_per_batch == 0 || self.tuples_per_batch > 4096 {
            return Err(ConfigError::new(
                "tuples_per_batch",
                "must be in 1..=4096 (default 16)",
            ));
        }
        for (key, v) in [
            ("tuple_rate_per_us", self.tuple_rate_per_us),
            ("request_rate_per_us", self.request_rate_per_us),
        ] {
            if !(v.is_finite() && v > 0.0 && v <= 1_000.0) {
                return Err(ConfigError::new(
                    key,
                    "must be in (0, 1000] per microsecond",
                ));
            }
        }
        if self.txn_reads == 0 || self.txn_reads > 64 || self.txn_reads > self.key_count {
            return Err(ConfigError::new(
                "txn_reads",
                "must be in 1..=64 and at most key_count (default 3)",
            ));
        }
        if self.txn_writes > self.txn_reads {
            return Err(ConfigError::new(
                "txn_writes",
                "must be at most txn_reads: a transaction writes keys it read (default 2)",
            ));
        }
        Ok(())
    }

    /// A sampler for this workload's keys (`validate` first).
    pub fn keys(&self) -> KeySampler {
        KeySampler::new(self.key_count, self.key_distribution, self.zipf_s)
    }
}

/// The scenario's `[workload.app]` table: the application request settings
/// a client uses (every key optional; unset keys take [`AppWorkload`]'s
/// defaults, each an assumption as documented there). The offered rate is
/// the workload's `rate_krps` (one request = one RTA batch, one DT
/// transaction, one RKV operation), or `tuple_rate_per_us` here for RTA.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSettings {
    /// See [`AppWorkload::key_count`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_count: Option<u32>,
    /// See [`AppWorkload::key_distribution`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_distribution: Option<KeyDistribution>,
    /// See [`AppWorkload::zipf_s`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zipf_s: Option<f64>,
    /// See [`AppWorkload::read_fraction`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_fraction: Option<f64>,
    /// See [`AppWorkload::request_bytes`] (RKV PUT value size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_bytes: Option<u32>,
    /// See [`AppWorkload::tuples_per_batch`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tuples_per_batch: Option<u32>,
    /// See [`AppWorkload::txn_reads`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txn_reads: Option<u32>,
    /// See [`AppWorkload::txn_writes`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txn_writes: Option<u32>,
    /// RTA tuples per microsecond over all clients: sets the offered load to
    /// `tuple_rate_per_us / tuples_per_batch` batches per us instead of
    /// `workload.rate_krps` (no default: the rate is then `rate_krps`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tuple_rate_per_us: Option<f64>,
}

impl AppSettings {
    /// The settings with every unset key at its default.
    pub fn workload(&self) -> AppWorkload {
        let d = AppWorkload::default();
        AppWorkload {
            key_count: self.key_count.unwrap_or(d.key_count),
            key_distribution: self.key_distribution.unwrap_or(d.key_distribution),
            zipf_s: self.zipf_s.unwrap_or(d.zipf_s),
            read_fraction: self.read_fraction.unwrap_or(d.read_fraction),
            request_bytes: self.request_bytes.unwrap_or(d.request_bytes),
            tuples_per_batch: self.tuples_per_batch.unwrap_or(d.tuples_per_batch),
            txn_reads: self.txn_reads.unwrap_or(d.txn_reads),
            txn_writes: self.txn_writes.unwrap_or(d.txn_writes),
            tuple_rate_per_us: self.tuple_rate_per_us.unwrap_or(d.tuple_rate_per_us),
            request_rate_per_us: d.request_rate_per_us,
        }
    }

    /// Every key written out (for resolved.toml); `tuple_rate_per_us` stays as given.
    pub fn resolved(&self) -> AppSettings {
        let w = self.workload();
        AppSettings {
            key_count: Some(w.key_count),
            key_distribution: Some(w.key_distribution),
            zipf_s: Some(w.zipf_s),
            read_fraction: Some(w.read_fraction),
            request_bytes: Some(w.request_bytes),
            tuples_per_batch: Some(w.tuples_per_batch),
            txn_reads: Some(w.txn_reads),
            txn_writes: Some(w.txn_writes),
            tuple_rate_per_us: self.tuple_rate_per_us,
        }
    }
}

/// Draws keys in `0..key_count`.
#[derive(Clone, Debug)]
pub struct KeySampler {
    key_count: u32,
    zipf: Option<Zipf<f64>>,
}

impl KeySampler {
    /// A sampler over `key_count` keys.
    ///
    /// # Panics
    /// If `key_count` is 0, or the distribution is Zipf and `zipf_s` is not
    /// positive and finite: [`AppWorkload::validate`] refuses both, so a
    /// panic here is a caller that skipped it (no silent stand-in sampler).
    pub fn new(key_count: u32, dist: KeyDistribution, zipf_s: f64) -> KeySampler {
        assert!(key_count >= 1, "a key sampler needs at least one key");
        let zipf = match dist {
            KeyDistribution::Uniform => None,
            KeyDistribution::Zipf => Some(
                Zipf::new(u64::from(key_count), zipf_s)
                    .unwrap_or_else(|e| panic!("Zipf over {key_count} keys, s = {zipf_s}: {e}")),
            ),
        };
        KeySampler { key_count, zipf }
    }

    /// One key.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        match &self.zipf {
            Some(z) => (z.sample(rng) as u32)
                .saturating_sub(1)
                .min(self.key_count - 1),
            None => rng.gen_range(0..self.key_count),
        }
    }

    /// `n` distinct keys (n <= key_count), in draw order.
    pub fn distinct<R: Rng + ?Sized>(&self, rng: &mut R, n: u32) -> Vec<u32> {
        let n = n.min(self.key_count) as usize;
        let mut out: Vec<u32> = Vec::with_capacity(n);
        while out.len() < n {
            let k = self.sample(rng);
            if !out.contains(&k) {
                out.push(k);
            } else if self.key_count <= 64 {
                // tiny key spaces: fall back to uniform so the loop ends quickly
                let k = rng.gen_range(0..self.key_count);
                if !out.contains(&k) {
                    out.push(k);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn defaults_validate_and_bad_values_name_their_key() {
        AppWorkload::default().validate().unwrap();
        let bad = AppWorkload {
            read_fraction: 1.5,
            ..AppWorkload::default()
        };
        assert_eq!(bad.validate().unwrap_err().key, "read_fraction");
        let bad: Result<AppWorkload, _> = toml::from_str("key_cnt = 3");
        assert!(bad.is_err());
    }

    #[test]
    fn zipf_is_skewed_and_uniform_is_not() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let z = KeySampler::new(1000, KeyDistribution::Zipf, 0.99);
        let u = KeySampler::new(1000, KeyDistribution::Uniform, 0.99);
        let hot = |s: &KeySampler, rng: &mut Xoshiro256PlusPlus| {
            (0..10_000).filter(|_| s.sample(rng) < 10).count()
        };
        let zh = hot(&z, &mut rng);
        let uh = hot(&u, &mut rng);
        assert!(zh > 2_000 && uh < 300, "zipf {zh} uniform {uh}");
        let d = z.distinct(&mut rng, 5);
        let mut s = d.clone();
        s.sort_unstable();
        s.dedup();
        assert_eq!(s.len(), 5);
    }
}
