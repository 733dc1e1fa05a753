//! `Slots`: a fixed-length array of `u64` whose groups are allocated on first write, for the cache model's tag and stamp arrays.
//!
//! A cache model holds `sets x ways` tags and stamps; a 20 MiB host L3 is
//! 5 MiB of each. Filling them at construction cost a cluster run 10-20% of
//! its time (every server builds its host's caches) although a run touches
//! a few hundred sets. `Slots` reads an unwritten group as the fill value and
//! allocates a group only when a slot of it is first written, so building a
//! cache costs nothing and a run pays for the sets it uses. Reads and writes
//! see exactly what a plain `Vec<u64>` filled with `fill` would show.

use std::ops::{Index, IndexMut, Range};

/// Sets per allocated group: 64 sets of 16 ways are 8 KiB.
const SETS_PER_GROUP: usize = 64;

/// `len` slots in groups of `group_len`; a range must lie within one set
/// (the cache indexes one set at a time, and a group is whole sets).
#[derive(Clone, Debug)]
pub(crate) struct Slots {
    len: usize,
    group_len: usize,
    fill: u64,
    /// Empty: never written (reads as `fill`).
    groups: Vec<Vec<u64>>,
    /// One set of `fill`: what a range read (at most one set) of an
    /// unwritten group sees. Why one set, not one group: a cache holds
    /// two `Slots` and a server dozens of caches, and a group of `fill`
    /// each (8 KiB at 16 ways) came to 4.7 MB written at construction in
    /// the leaf-spine example, a third of the run's page faults.
    unwritten: Vec<u64>,
}

impl Slots {
    /// `len` slots reading as `fill`, allocated by groups of whole sets of `ways`.
    pub(crate) fn new(len: usize, ways: usize, fill: u64) -> Slots {
        let group_len = ways.max(1) * SETS_PER_GROUP;
        Slots {
            len,
            group_len,
            fill,
            groups: vec![Vec::new(); len.div_ceil(group_len)],
            unwritten: vec![fill; ways.max(1).min(len)],
        }
    }

    /// Every slot reads as `fill` again (groups are released).
    pub(crate) fn fill(&mut self, fill: u64) {
        self.fill = fill;
        self.unwritten.fill(fill);
        for g in &mut self.groups {
            *g = Vec::new();
        }
    }

    /// The group holding slot `i` and `i`'s offset in it, allocated if needed.
    fn group_mut(&mut self, i: usize) -> (&mut Vec<u64>, usize) {
        assert!(i < self.len, "slot {i} of {}", self.len);
        let (g, off) = (i / self.group_len, i % self.group_len);
        let len = self.group_len.min(self.len - g * self.group_len);
        let fill = self.fill;
        let group = &mut self.groups[g];
        if group.is_empty() {
            *group = vec![fill; len];
        }
        (group, off)
    }

    /// The `ways` slots of set `set` (slots `set * ways ..`), writable: one
    /// group lookup by shift and mask, no division (the cache's hot path).
    #[inline]
    pub(crate) fn set_mut(&mut self, set: usize) -> &mut [u64] {
        let ways = self.group_len / SETS_PER_GROUP;
        let (g, off) = (set / SETS_PER_GROUP, (set % SETS_PER_GROUP) * ways);
        if self.groups[g].is_empty() {
            self.allocate(g);
        }
        &mut self.groups[g][off..off + ways]
    }

    /// Gives group `g` its slots (first write to it).
    #[cold]
    #[inline(never)]
    fn allocate(&mut self, g: usize) {
        let len = self.group_len.min(self.len - g * self.group_len);
        self.groups[g] = vec![self.fill; len];
    }

    /// The written group holding slot `i` and `i`'s offset in it, or
    /// `None` if that group was never written (it reads as `fill`).
    fn group(&self, i: usize) -> Option<(&[u64], usize)> {
        assert!(i < self.len, "slot {i} of {}", self.len);
        let (g, off) = (i / self.group_len, i % self.group_len);
        match &self.groups[g] {
            v if v.is_empty() => None,
            v => Some((v, off)),
        }
    }
}

impl Index<usize> for Slots {
    type Output = u64;
    fn index(&self, i: usize) -> &u64 {
        match self.group(i) {
            Some((g, off)) => &g[off],
            None => &self.fill,
        }
    }
}

impl IndexMut<usize> for Slots {
    fn index_mut(&mut self, i: usize) -> &mut u64 {
        let (g, off) = self.group_mut(i);
        &mut g[off]
    }
}

impl Index<Range<usize>> for Slots {
    type Output = [u64];
    fn index(&self, r: Range<usize>) -> &[u64] {
        if r.is_empty() {
            return &[];
        }
        match self.group(r.start) {
            Some((g, off)) => &g[off..off + r.len()],
            // a range read is at most one set (the cache reads one set at
            // a time); a longer one panics here as it would past a group
            None => &self.unwritten[..r.len()],
        }
    }
}

impl IndexMut<Range<usize>> for Slots {
    fn index_mut(&mut self, r: Range<usize>) -> &mut [u64] {
        if r.is_empty() {
            return &mut [];
        }
        let (g, off) = self.group_mut(r.start);
        &mut g[off..off + r.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_a_filled_vec_and_allocates_only_written_groups() {
        let ways = 4;
        let len = ways * SETS_PER_GROUP * 3 + ways; // a short last group
        let mut s = Slots::new(len, ways, u64::MAX);
        let mut v = vec![u64::MAX; len];
        for &i in &[0, 5, len - 1, ways * SETS_PER_GROUP + 2] {
            s[i] = i as u64;
            v[i] = i as u64;
        }
        let set = ways * (SETS_PER_GROUP * 2 + 3);
        s[set..set + ways].copy_from_slice(&[1, 2, 3, 4]);
        v[set..set + ways].copy_from_slice(&[1, 2, 3, 4]);
        for i in 0..len {
            assert_eq!(s[i], v[i], "slot {i}");
        }
        for b in (0..len).step_by(ways) {
            assert_eq!(&s[b..b + ways], &v[b..b + ways]);
        }
        assert_eq!(s.groups.iter().filter(|g| !g.is_empty()).count(), 4);
        // what unwritten groups read as is one set, not one group
        assert_eq!(s.unwritten.len(), ways);
        s.fill(7);
        assert!(s.groups.iter().all(|g| g.is_empty()));
        assert_eq!(s[len - 1], 7);
    }
}
