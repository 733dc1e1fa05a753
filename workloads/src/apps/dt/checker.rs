//! The DT history checker: is a set of committed transactions serializable?
//!
//! From the persisted commit records (versions read and written per key) it
//! builds the serialization graph (write-read, write-write and read-write
//! anti-dependency edges), checks it is acyclic, and replays the transactions
//! in a topological order against a fresh store, checking that every read saw
//! exactly the version and value that order predicts.

use super::CommitRecord;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// What the checker found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Serializable; the equivalent serial order (txn ids) and the final store.
    Serializable {
        order: Vec<u64>,
        store: BTreeMap<u32, (u64, u64)>,
    },
    /// Not serializable, with the reason.
    Violation(String),
}

/// Checks `records` (every committed transaction, any order; all keys start at
/// version 0, value 0).
pub fn check(records: &[CommitRecord]) -> Verdict {
    let mut writer: BTreeMap<(u32, u64), usize> = BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        for &(k, ver, _) in &r.writes {
            if let Some(j) = writer.insert((k, ver), i) {
                return Verdict::Violation(format!(
                    "key {k} version {ver} written twice (txns {} and {})",
                    records[j].txn, r.txn
                ));
            }
            let read = r.reads.iter().find(|x| x.0 == k).map(|x| x.1);
            if read != Some(ver.wrapping_sub(1)) {
                return Verdict::Violation(format!(
                    "txn {} wrote key {k} version {ver} without reading version {}",
                    r.txn,
                    ver.wrapping_sub(1)
                ));
            }
        }
    }
    let n = records.len();
    let mut edges: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    for (i, r) in records.iter().enumerate() {
        for &(k, ver, _) in &r.reads {
            if let Some(&w) = writer.get(&(k, ver)) {
                if w != i {
                    edges[w].insert(i); // write -> read
                }
            } else if ver != 0 {
                return Verdict::Violation(format!(
                    "txn {} read key {k} version {ver}, which no committed txn wrote",
                    r.txn
                ));
            }
            if let Some(&w) = writer.get(&(k, ver + 1)) {
                if w != i {
                    edges[i].insert(w); // read -> next write (anti-dependency; covers write-write)
                }
            }
        }
    }
    let mut indeg = vec![0usize; n];
    for e in &edges {
        for &j in e {
            indeg[j] += 1;
        }
    }
    let mut ready: VecDeque<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(i) = ready.pop_front() {
        order.push(i);
        for &j in &edges[i] {
            indeg[j] -= 1;
            if indeg[j] == 0 {
                ready.push_back(j);
            }
        }
    }
    if order.len() != n {
        return Verdict::Violation(format!(
            "serialization graph has a cycle through {} transactions",
            n - order.len()
        ));
    }
    let mut store: BTreeMap<u32, (u64, u64)> = BTreeMap::new();
    for &i in &order {
        let r = &records[i];
        for &(k, ver, val) in &r.reads {
            let now = store.get(&k).copied().unwrap_or((0, 0));
            if now != (ver, val) {
                return Verdict::Violation(format!(
                    "replay: txn {} read key {k} as (version {ver}, value {val}) but the serial order has {now:?}",
                    r.txn
                ));
            }
        }
        for &(k, ver, val) in &r.writes {
            store.insert(k, (ver, val));
        }
    }
    Verdict::Serializable {
        order: order.iter().map(|&i| records[i].txn).collect(),
        store,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(txn: u64, reads: &[(u32, u64, u64)], writes: &[(u32, u64, u64)]) -> CommitRecord {
        CommitRecord {
            txn,
            reads: reads.to_vec(),
            writes: writes.to_vec(),
        }
    }

    #[test]
    fn a_serial_chain_passes_and_orders_by_dependency() {
        let t1 = rec(1, &[(0, 0, 0)], &[(0, 1, 5)]);
        let t2 = rec(2, &[(0, 1, 5), (1, 0, 0)], &[(1, 1, 6)]);
        match check(&[t2.clone(), t1.clone()]) {
            Verdict::Serializable { order, store } => {
                assert_eq!(order, vec![1, 2]);
                assert_eq!(store[&1], (1, 6));
            }
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn write_skew_is_a_cycle() {
        // both read x and y at version 0; one writes x, the other y
        let t1 = rec(1, &[(0, 0, 0), (1, 0, 0)], &[(0, 1, 1)]);
        let t2 = rec(2, &[(0, 0, 0), (1, 0, 0)], &[(1, 1, 1)]);
        assert!(matches!(check(&[t1, t2]), Verdict::Violation(m) if m.contains("cycle")));
    }

    #[test]
    fn lost_update_is_caught() {
        let t1 = rec(1, &[(0, 0, 0)], &[(0, 1, 1)]);
        let t2 = rec(2, &[(0, 0, 0)], &[(0, 1, 2)]);
        assert!(matches!(check(&[t1, t2]), Verdict::Violation(m) if m.contains("twice")));
    }
}
