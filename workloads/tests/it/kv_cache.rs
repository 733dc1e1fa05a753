//! The key-value cache returns what was set, misses what was not, and evicts the least recently used entry.

use crate::common::harness;
use workloads::actors::kinds;
use workloads::actors::kv_cache::encode_request;

fn get(h: &mut crate::common::Harness, key: &str) -> Option<Vec<u8>> {
    let r = encode_request(key.as_bytes(), None);
    let out = h.exec(r.kind, r.payload);
    match out[0].1.kind {
        kinds::KV_HIT => Some(out[0].1.payload.clone()),
        kinds::KV_MISS => None,
        k => panic!("unexpected reply kind {k}"),
    }
}

fn set(h: &mut crate::common::Harness, key: &str, value: &[u8]) {
    let r = encode_request(key.as_bytes(), Some(value));
    assert_eq!(h.exec(r.kind, r.payload)[0].1.kind, kinds::KV_STORED);
}

#[test]
fn get_returns_what_was_set() {
    let mut h = harness("kv_cache", "");
    for i in 0..300 {
        set(&mut h, &format!("k{i}"), format!("value-{i}").as_bytes());
    }
    for i in 0..300 {
        assert_eq!(
            get(&mut h, &format!("k{i}")),
            Some(format!("value-{i}").into_bytes())
        );
    }
    assert_eq!(get(&mut h, "absent"), None);
    set(&mut h, "k7", b"new");
    assert_eq!(get(&mut h, "k7"), Some(b"new".to_vec()));
}

#[test]
fn full_set_evicts_least_recently_used() {
    let mut h = harness("kv_cache", "sets = 1\nways = 4");
    for k in ["a", "b", "c", "d"] {
        set(&mut h, k, k.as_bytes());
    }
    assert!(get(&mut h, "a").is_some()); // a is now most recent; b is LRU
    set(&mut h, "e", b"e");
    assert_eq!(get(&mut h, "b"), None);
    for k in ["a", "c", "d", "e"] {
        assert_eq!(get(&mut h, k), Some(k.as_bytes().to_vec()));
    }
}

#[test]
fn oversized_key_is_refused() {
    let mut h = harness("kv_cache", "");
    let r = encode_request(&[b'x'; 17], None);
    assert!(h.exec_at(r.kind, r.payload, 0).0.is_err());
}
