//! RTA, real-time analytics (iPipe section 5): a stream of (key, value, timestamp)
//! tuples through filter -> counter -> ranker actors, partitioned by key hash.
//!
//! Topology (every peer named by actor id in the actor's config, so a cluster
//! layer only changes how ids map to servers):
//! - [`filter::RtaFilter`] drops tuples whose value is below `min_value` and sends
//!   the rest, as (key, value), to counter `partition_of(key, counters.len())`.
//! - [`counter::RtaCounter`] adds values into per-key totals (a DMO) and sends the
//!   new totals of the keys a batch touched to ranker `partition_of(key, rankers.len())`.
//! - [`ranker::RtaRanker`] keeps the top N of the totals it owns. A partition ranker
//!   with an `upstream` sends its top N (with a sequence number) after every batch;
//!   the aggregating ranker merges its `sources`' latest lists. Key partitions are
//!   disjoint, so the top N of the union is the global top N.
//!
//! Messages may be reordered (an actor can run on several cores at once and the
//! later, cheaper execution can send first), so every step is order-insensitive:
//! counts add, totals only grow (rankers keep the max), partials carry a sequence.

pub mod counter;
pub mod filter;
pub mod ranker;

use super::codec::{Dec, Enc};
use super::workload::KeySampler;
use rand::Rng;
use scheduler::ActorError;
use std::collections::BTreeMap;

/// Client -> filter: `[n u32]` then n x `[key u32][value u32][ts_ns u64]`.
pub const RTA_TUPLES: u16 = 0x3000;
/// Filter -> counter: `[n u32]` then n x `[key u32][value u32]`.
pub const RTA_FILTERED: u16 = 0x3001;
/// Counter -> ranker: `[n u32]` then n x `[key u32][total u64]`.
pub const RTA_TOTALS: u16 = 0x3002;
/// Partition ranker -> aggregator: `[seq u64]` then a top list.
pub const RTA_PARTIAL: u16 = 0x3003;
/// Anyone -> ranker: reply the current top N.
pub const RTA_QUERY: u16 = 0x3004;
/// Ranker -> querier: a top list, best first.
pub const RTA_TOP: u16 = 0x3104;

/// One stream element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tuple {
    pub key: u32,
    pub value: u32,
    pub ts_ns: u64,
}

/// Encodes a tuple batch (`RTA_TUPLES` payload).
pub fn encode_tuples(ts: &[Tuple]) -> Vec<u8> {
    let mut e = Enc::with_capacity(4 + 16 * ts.len()).u32(ts.len() as u32);
    for t in ts {
        e = e.u32(t.key).u32(t.value).u64(t.ts_ns);
    }
    e.done()
}

/// Decodes a tuple batch.
pub fn decode_tuples(p: &[u8]) -> Result<Vec<Tuple>, ActorError> {
    Dec::new(p).items(16, |d| {
        Ok(Tuple {
            key: d.u32()?,
            value: d.u32()?,
            ts_ns: d.u64()?,
        })
    })
}

/// Encodes `(key, u64)` pairs (totals and top lists).
pub fn encode_pairs(e: Enc, pairs: &[(u32, u64)]) -> Enc {
    let mut e = e.reserve(4 + 12 * pairs.len()).u32(pairs.len() as u32);
    for &(k, v) in pairs {
        e = e.u32(k).u64(v);
    }
    e
}

/// Decodes `(key, u64)` pairs.
pub fn decode_pairs(d: &mut Dec<'_>) -> Result<Vec<(u32, u64)>, ActorError> {
    d.items(12, |d| Ok((d.u32()?, d.u64()?)))
}

/// Decodes an `RTA_TOP` reply.
pub fn decode_top(p: &[u8]) -> Result<Vec<(u32, u64)>, ActorError> {
    decode_pairs(&mut Dec::new(p))
}

/// Ranking order: higher total first, then lower key.
pub fn better(a: (u32, u64), b: (u32, u64)) -> bool {
    a.1 > b.1 || (a.1 == b.1 && a.0 < b.0)
}

/// Top `n` of `entries` (keys distinct), best first.
pub fn top_n(mut entries: Vec<(u32, u64)>, n: usize) -> Vec<(u32, u64)> {
    entries.retain(|e| e.1 > 0);
    entries.sort_by(|&a, &b| {
        if better(a, b) {
            std::cmp::Ordering::Less
        } else if better(b, a) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    entries.truncate(n);
    entries
}

/// The reference answer: filter, sum per key and rank the whole stream at once.
pub fn brute_force_top(stream: &[Tuple], min_value: u32, n: usize) -> Vec<(u32, u64)> {
    let mut sums: BTreeMap<u32, u64> = BTreeMap::new();
    for t in stream.iter().filter(|t| t.value >= min_value) {
        *sums.entry(t.key).or_insert(0) += u64::from(t.value);
    }
    top_n(sums.into_iter().collect(), n)
}

/// A batch of `n` tuples: keys from `keys`, values 1..=100, timestamps from `ts_ns`
/// spaced 1 us apart (the generator behind every RTA kind's `gen_request`).
pub fn gen_tuples<R: Rng + ?Sized>(
    rng: &mut R,
    keys: &KeySampler,
    n: u32,
    ts_ns: u64,
) -> Vec<Tuple> {
    (0..u64::from(n))
        .map(|i| Tuple {
            key: keys.sample(rng),
            value: rng.gen_range(1..=100),
            ts_ns: ts_ns + 1_000 * i,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuples_round_trip_and_brute_force_ranks_by_total_then_key() {
        let ts = [
            Tuple {
                key: 5,
                value: 50,
                ts_ns: 1,
            },
            Tuple {
                key: 2,
                value: 30,
                ts_ns: 2,
            },
            Tuple {
                key: 2,
                value: 20,
                ts_ns: 3,
            },
            Tuple {
                key: 9,
                value: 3,
                ts_ns: 4,
            },
        ];
        assert_eq!(decode_tuples(&encode_tuples(&ts)).unwrap(), ts.to_vec());
        // keys 2 and 5 tie at 50: lower key first; key 9 is filtered out
        assert_eq!(brute_force_top(&ts, 10, 5), vec![(2, 50), (5, 50)]);
    }
}
