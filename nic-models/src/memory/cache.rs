//! A set-associative, write-allocate cache with true LRU replacement: tags only, bounded memory, deterministic.
//!
//! The cache stores no data, only which lines are resident, so its memory is
//! `sets x ways` tags whatever the simulated address space. Replacement is
//! exact LRU driven by a per-cache access counter (no clocks, no randomness),
//! so the same access sequence always gives the same hits and misses.

#[path = "slots.rs"]
mod slots;
use slots::Slots;

/// Geometry of one cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheGeometry {
    /// Capacity in bytes.
    pub size_bytes: u64,
    /// Line size in bytes (a power of two).
    pub line_bytes: u64,
    /// Associativity (lines per set).
    pub ways: u32,
}

impl CacheGeometry {
    /// Number of sets: capacity / (line x ways), at least 1.
    pub fn sets(&self) -> u64 {
        (self.size_bytes / (self.line_bytes * u64::from(self.ways))).max(1)
    }
}

/// Result of one lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The line was resident.
    Hit,
    /// The line was not resident; it has now been installed (possibly evicting the LRU line).
    Miss,
}

/// Hit and miss counters of one cache.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheCounters {
    /// Lookups that hit.
    pub hits: u64,
    /// Lookups that missed (and installed the line).
    pub misses: u64,
    /// Resident lines evicted to make room.
    pub evictions: u64,
}

/// One set-associative LRU cache over line numbers.
#[derive(Clone, Debug)]
pub struct Cache {
    geometry: CacheGeometry,
    sets: u64,
    /// `sets - 1` when `sets` is a power of two (every built-in geometry):
    /// the set index is then a mask, not a division, on this hot path.
    set_mask: Option<u64>,
    /// `sets * ways` slots: the resident line number, or `EMPTY` (allocated
    /// by groups of sets on first use: building a 20 MiB L3 costs nothing).
    tags: Slots,
    /// Last-use stamp per slot (larger = more recent).
    stamps: Slots,
    clock: u64,
    counters: CacheCounters,
    /// The line of the last lookup (`EMPTY`: none since the last clear or
    /// invalidation of it) and where it sits: resident for sure, since
    /// only a miss in its set could evict it and that miss would be the
    /// newer lookup. A repeated lookup (a core touching the same state line
    /// request after request) is a hit without scanning the set.
    mru_line: u64,
    mru_set: usize,
    mru_way: usize,
}

const EMPTY: u64 = u64::MAX;

impl Cache {
    /// An empty cache of this geometry.
    pub fn new(geometry: CacheGeometry) -> Self {
        let sets = geometry.sets();
        let slots = (sets * u64::from(geometry.ways)) as usize;
        Cache {
            geometry,
            sets,
            set_mask: sets.is_power_of_two().then(|| sets - 1),
            tags: Slots::new(slots, geometry.ways as usize, EMPTY),
            stamps: Slots::new(slots, geometry.ways as usize, 0),
            clock: 0,
            counters: CacheCounters::default(),
            mru_line: EMPTY,
            mru_set: 0,
            mru_way: 0,
        }
    }

    /// The geometry this cache was built with.
    pub fn geometry(&self) -> CacheGeometry {
        self.geometry
    }

    /// Counters since construction or the last `clear`.
    pub fn counters(&self) -> CacheCounters {
        self.counters
    }

    /// Looks up the line holding byte address `addr`, installing it on a miss.
    #[inline]
    pub fn access(&mut self, addr: u64) -> Lookup {
        let line = addr / self.geometry.line_bytes;
        self.access_line(line)
    }

    #[inline]
    fn set_index(&self, line: u64) -> usize {
        (match self.set_mask {
            Some(m) => line & m,
            None => line % self.sets,
        }) as usize
    }

    #[inline]
    fn set_base(&self, line: u64) -> usize {
        self.set_index(line) * self.geometry.ways as usize
    }

    /// Looks up a line number, installing it on a miss.
    // inlined into the hierarchy's lookup (every memory access of a handler)
    #[inline(always)]
    pub fn access_line(&mut self, line: u64) -> Lookup {
        self.clock += 1;
        let clock = self.clock;
        if line == self.mru_line && line != EMPTY {
            // the same hit as below, found without the scan
            self.stamps.set_mut(self.mru_set)[self.mru_way] = clock;
            self.counters.hits += 1;
            return Lookup::Hit;
        }
        let set = self.set_index(line);
        let set_tags = self.tags.set_mut(set);
        if let Some(w) = set_tags.iter().position(|&t| t == line) {
            self.stamps.set_mut(set)[w] = clock;
            self.counters.hits += 1;
            (self.mru_line, self.mru_set, self.mru_way) = (line, set, w);
            return Lookup::Hit;
        }
        // Miss: fill an empty way, else evict the least recently used.
        let empty = set_tags.iter().position(|&t| t == EMPTY);
        let stamps = self.stamps.set_mut(set);
        let victim = match empty {
            Some(w) => w,
            None => {
                self.counters.evictions += 1;
                let mut lru = 0;
                for w in 1..stamps.len() {
                    if stamps[w] < stamps[lru] {
                        lru = w;
                    }
                }
                lru
            }
        };
        stamps[victim] = clock;
        self.tags.set_mut(set)[victim] = line;
        self.counters.misses += 1;
        (self.mru_line, self.mru_set, self.mru_way) = (line, set, victim);
        Lookup::Miss
    }

    /// Whether the line holding `addr` is resident (does not touch LRU state or counters).
    pub fn contains(&self, addr: u64) -> bool {
        let line = addr / self.geometry.line_bytes;
        let ways = self.geometry.ways as usize;
        let base = self.set_base(line);
        self.tags[base..base + ways].contains(&line)
    }

    /// Drops the line holding `addr` if it is resident (a device wrote the
    /// memory behind it: coherence invalidates the stale copy). Returns
    /// whether it was resident; counters are not touched.
    pub fn invalidate(&mut self, addr: u64) -> bool {
        let line = addr / self.geometry.line_bytes;
        let ways = self.geometry.ways as usize;
        let base = self.set_base(line);
        match self.tags[base..base + ways].iter().position(|&t| t == line) {
            Some(w) => {
                self.tags[base + w] = EMPTY;
                self.stamps[base + w] = 0;
                if line == self.mru_line {
                    self.mru_line = EMPTY;
                }
                true
            }
            None => false,
        }
    }

    /// Empties the cache and resets its counters.
    pub fn clear(&mut self) {
        self.tags.fill(EMPTY);
        self.stamps.fill(0);
        self.mru_line = EMPTY;
        self.clock = 0;
        self.counters = CacheCounters::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngCore, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn small() -> Cache {
        // 4 sets x 2 ways x 64 B lines.
        Cache::new(CacheGeometry {
            size_bytes: 512,
            line_bytes: 64,
            ways: 2,
        })
    }

    #[test]
    fn second_access_hits() {
        let mut c = small();
        assert_eq!(c.access(0), Lookup::Miss);
        assert_eq!(c.access(63), Lookup::Hit);
        assert_eq!(c.access(64), Lookup::Miss);
    }

    #[test]
    fn lru_evicts_least_recent_in_set() {
        let mut c = small();
        // Lines 0, 4, 8 all map to set 0 (4 sets).
        c.access_line(0);
        c.access_line(4);
        c.access_line(0); // 4 is now LRU
        c.access_line(8); // evicts 4
        assert!(c.contains(0));
        assert!(!c.contains(4 * 64));
        assert!(c.contains(8 * 64));
        assert_eq!(c.counters().evictions, 1);
    }

    #[test]
    fn an_invalidated_line_misses_and_frees_its_way() {
        let mut c = small();
        c.access_line(0);
        c.access_line(4);
        assert!(c.invalidate(0));
        assert!(!c.invalidate(0));
        // the freed way takes line 8 without evicting line 4
        assert_eq!(c.access_line(8), Lookup::Miss);
        assert_eq!(c.counters().evictions, 0);
        assert!(c.contains(4 * 64));
        assert_eq!(c.access_line(0), Lookup::Miss);
    }

    /// The cache against a plain LRU list per set, over repeats (the
    /// last-line path), sweeps, evictions and invalidations.
    #[test]
    fn lookups_match_a_plain_lru_model() {
        let mut c = small();
        let mut sets: Vec<Vec<u64>> = vec![Vec::new(); 4]; // most recent last
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0x9e37_79b9_7f4a_7c15);
        let mut last = 0u64;
        for step in 0..20_000u64 {
            let x = rng.next_u64();
            // few lines, often the same one twice in a row
            let line = if x % 3 == 0 { last } else { x % 13 };
            last = line;
            let set = &mut sets[(line % 4) as usize];
            if x % 17 == 0 {
                let was = set.iter().position(|&l| l == line).map(|i| set.remove(i));
                assert_eq!(c.invalidate(line * 64), was.is_some(), "step {step}");
                continue;
            }
            let want = match set.iter().position(|&l| l == line) {
                Some(i) => {
                    set.remove(i);
                    Lookup::Hit
                }
                None => {
                    if set.len() == 2 {
                        set.remove(0);
                    }
                    Lookup::Miss
                }
            };
            set.push(line);
            assert_eq!(c.access_line(line), want, "step {step} line {line}");
        }
    }

    #[test]
    fn cyclic_sweep_larger_than_a_set_always_misses() {
        let mut c = small();
        for _ in 0..3 {
            for l in [0, 4, 8] {
                assert_eq!(c.access_line(l), Lookup::Miss);
            }
        }
    }
}
