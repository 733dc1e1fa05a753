//! Client requests of the three applications made from the `[workload.app]` settings (key count and distribution, read/write mix, value size, batch and transaction sizes).
//!
//! Without `[workload.app]` a client uses each kind's own generator (fixed
//! parameters, e.g. DT's 3 uniform keys; see each kind's `gen_request`), so
//! scenarios written before these settings give the same requests. With it,
//! the kinds clients send to are generated here from the settings (every
//! unset key at its documented default, `AppWorkload::default`). Kinds that
//! only other actors send to (participants, logs, counters, rankers,
//! memtables, SSTables) have no app request: `None`, and the caller falls back
//! to the kind's own generator.

use super::dt::encode_txn;
use super::rkv::{encode_get, encode_put, RKV_GET, RKV_PUT};
use super::rta::{encode_tuples, gen_tuples, RTA_TUPLES};
use super::workload::AppWorkload;
use crate::actors::Request;
use rand::Rng;

/// A request to an actor of kind `kind` (its registry name) under `w`, or
/// `None` when the kind has no application request.
pub fn app_request<R: Rng + ?Sized>(kind: &str, w: &AppWorkload, rng: &mut R) -> Option<Request> {
    let keys = w.keys();
    match kind {
        "dt_coordinator" => {
            let ks = keys.distinct(rng, w.txn_reads);
            let writes: Vec<(u32, u64)> = ks[..(w.txn_writes as usize).min(ks.len())]
                .iter()
                .map(|&k| (k, rng.gen_range(1..1_000)))
                .collect();
            Some(Request {
                kind: super::dt::DT_TXN,
                payload: encode_txn(rng.gen(), &ks, &writes),
            })
        }
        "rkv_replica" => {
            let req = u64::from(rng.gen::<u32>());
            let key = keys.sample(rng);
            if rng.gen_bool(w.read_fraction) {
                Some(Request {
                    kind: RKV_GET,
                    payload: encode_get(req, key),
                })
            } else {
                let value: Vec<u8> = (0..w.request_bytes).map(|_| rng.gen()).collect();
                Some(Request {
                    kind: RKV_PUT,
                    payload: encode_put(req, key, &value),
                })
            }
        }
        "rta_filter" => {
            let ts = rng.gen_range(0..1_000_000_000);
            let tuples = gen_tuples(rng, &keys, w.tuples_per_batch, ts);
            Some(Request {
                kind: RTA_TUPLES,
                payload: encode_tuples(&tuples),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apps::dt;
    use crate::apps::rta::decode_tuples;
    use crate::apps::workload::KeyDistribution;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn requests_follow_the_settings() {
        let w = AppWorkload {
            key_count: 8,
            key_distribution: KeyDistribution::Uniform,
            read_fraction: 1.0,
            tuples_per_batch: 5,
            txn_reads: 4,
            txn_writes: 1,
            ..AppWorkload::default()
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        for _ in 0..50 {
            let r = app_request("rkv_replica", &w, &mut rng).unwrap();
            assert_eq!(r.kind, RKV_GET, "read_fraction 1: reads only");
            let t = app_request("rta_filter", &w, &mut rng).unwrap();
            let tuples = decode_tuples(&t.payload).unwrap();
            assert_eq!(tuples.len(), 5);
            assert!(tuples.iter().all(|t| t.key < 8));
            let d = app_request("dt_coordinator", &w, &mut rng).unwrap();
            assert_eq!(d.kind, dt::DT_TXN);
            // [txn u64][n u32] n keys [m u32] ...
            assert_eq!(u32::from_le_bytes(d.payload[8..12].try_into().unwrap()), 4);
            assert_eq!(u32::from_le_bytes(d.payload[28..32].try_into().unwrap()), 1);
        }
        let w = AppWorkload {
            read_fraction: 0.0,
            request_bytes: 100,
            ..AppWorkload::default()
        };
        let p = app_request("rkv_replica", &w, &mut rng).unwrap();
        assert_eq!(p.kind, RKV_PUT);
        assert!(p.payload.len() >= 100);
        assert!(app_request("dt_log", &w, &mut rng).is_none());
    }
}
