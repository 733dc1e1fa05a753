//! A wire's busy calendar: disjoint reserved intervals, first-fit reservation and pruning of the past.
//!
//! A passive model reserves the wire when a transaction is submitted, which
//! may be long before its TLPs are ready (a DMA engine hands over a 16 KB
//! command at once, TLP by TLP at the datapath rate). A single "busy until"
//! instant would then make a second engine's TLP wait behind the whole of the
//! first command, gaps included. The calendar instead puts each TLP in the
//! first gap after its ready time that is long enough: the wire is shared as
//! the real link arbiter shares it, and intervals never overlap, so the wire
//! never carries more than its rate.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};

use sim_core::{SimDuration, SimTime};

/// "No idle stretch of `len` or longer starts in `[from, to)`." Reservations
/// only ever shrink idle stretches, so a hint, once true, stays true; it lets
/// `find` jump over a saturated stretch instead of walking it interval by
/// interval.
#[derive(Debug, Clone, Copy, Default)]
struct Hint {
    len: SimDuration,
    from: SimTime,
    to: SimTime,
}

/// Hints kept per timeline (one per TLP size class in practice).
const HINTS: usize = 4;

/// Busy intervals `[start, end)` keyed by start; touching intervals are merged.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    /// Disjoint intervals sorted by start. A sorted deque rather than a
    /// tree: a calendar holds a few intervals, new ones mostly go at the
    /// back and `advance` drops them from the front, so this allocates
    /// nothing in steady state and answers the common "idle after the
    /// last reservation" case from the back.
    busy: VecDeque<(SimTime, SimTime)>,
    /// No reservation will be asked for before this instant.
    floor: SimTime,
    /// Saturated stretches found by earlier searches (a cache: it never
    /// changes a result, only how fast `find` gets there).
    hints: HintCache,
}

/// The hint slots behind a lock, so a timeline (and the PCIe system holding
/// it) can be shared across the threads of a parallel cluster run. Never
/// contended: one node owns it. A poisoned lock only means a panic while a
/// hint was written; hints never change results, so the data is still usable.
#[derive(Debug, Default)]
struct HintCache(Mutex<[Option<Hint>; HINTS]>);

impl HintCache {
    fn lock(&self) -> MutexGuard<'_, [Option<Hint>; HINTS]> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Clone for HintCache {
    fn clone(&self) -> Self {
        HintCache(Mutex::new(*self.lock()))
    }
}

impl Timeline {
    /// An idle wire.
    pub fn new() -> Self {
        Timeline::default()
    }

    /// Reserves `len` at the first instant >= `ready` where the wire is idle
    /// for `len`; returns the start.
    pub fn reserve(&mut self, ready: SimTime, len: SimDuration) -> SimTime {
        let start = self.find(ready, len);
        self.insert(start, start + len);
        start
    }

    /// The first instant >= `ready` where the wire is idle for `len`, without
    /// reserving it.
    #[inline]
    pub fn find(&self, ready: SimTime, len: SimDuration) -> SimTime {
        let asked = ready.max(self.floor);
        // Idle from `asked` on for good: that is the answer (no hint can
        // claim otherwise, hints being true statements), and nothing to remember.
        if self.busy.back().map_or(true, |&(_, e)| e <= asked) {
            return asked;
        }
        let ready = self.skip_saturated(asked, len);
        let start = self.scan(ready, len);
        if start > asked {
            self.remember(Hint {
                len,
                from: asked,
                to: start,
            });
        }
        start
    }

    /// Jumps over stretches known to hold no idle gap of `len`.
    fn skip_saturated(&self, mut ready: SimTime, len: SimDuration) -> SimTime {
        let hints = self.hints.lock();
        loop {
            let jumped = hints
                .iter()
                .flatten()
                .filter(|h| h.len <= len && h.from <= ready && ready < h.to)
                .map(|h| h.to)
                .max();
            match jumped {
                Some(to) => ready = to,
                None => return ready,
            }
        }
    }

    fn remember(&self, new: Hint) {
        let mut hints = self.hints.lock();
        // Extend a hint of the same length that the new one overlaps.
        for h in hints.iter_mut().flatten() {
            if h.len == new.len && new.from <= h.to && h.from <= new.to {
                h.from = h.from.min(new.from);
                h.to = h.to.max(new.to);
                return;
            }
        }
        // Otherwise take a free slot, or replace the stalest hint.
        let slot = hints
            .iter()
            .position(Option::is_none)
            .or_else(|| (0..HINTS).min_by_key(|&i| hints[i].map_or(SimTime::ZERO, |h| h.to)))
            .unwrap_or(0);
        hints[slot] = Some(new);
    }

    /// Index of the first interval that starts after `t`.
    fn after(&self, t: SimTime) -> usize {
        self.busy.partition_point(|&(s, _)| s <= t)
    }

    /// First-fit walk over the intervals from `ready`.
    fn scan(&self, ready: SimTime, len: SimDuration) -> SimTime {
        let mut start = ready;
        let i = self.after(ready);
        // The interval that begins at or before `ready` may still cover it.
        if let Some(&(_, end)) = i.checked_sub(1).and_then(|j| self.busy.get(j)) {
            start = start.max(end);
        }
        for &(s, e) in self.busy.range(i..) {
            if start + len <= s {
                break;
            }
            start = start.max(e);
        }
        start
    }

    /// Whether `t` falls in no busy interval.
    pub fn is_free_at(&self, t: SimTime) -> bool {
        t >= self.floor
            && self
                .after(t)
                .checked_sub(1)
                .and_then(|j| self.busy.get(j))
                .map_or(true, |&(_, e)| e <= t)
    }

    /// Start of the first busy interval after `t` (`SimTime::MAX` if none).
    pub fn next_busy_after(&self, t: SimTime) -> SimTime {
        self.busy
            .get(self.after(t))
            .map_or(SimTime::MAX, |&(s, _)| s)
    }

    /// Marks `[start, end)` busy, merging with every interval it touches or
    /// overlaps (an overlap means a pool was oversubscribed; see `pool`).
    #[inline(always)]
    pub fn insert(&mut self, mut start: SimTime, mut end: SimTime) {
        if end <= start {
            return;
        }
        // Common case: after every reservation (touching the last one merges).
        match self.busy.back_mut() {
            None => {
                self.busy.push_back((start, end));
                return;
            }
            Some(last) if last.0 <= start => {
                if last.1 >= start {
                    last.1 = last.1.max(end);
                } else {
                    self.busy.push_back((start, end));
                }
                return;
            }
            Some(_) => {}
        }
        let mut i = self.after(start);
        if let Some(j) = i.checked_sub(1) {
            let (s, e) = self.busy[j];
            if e >= start {
                start = s;
                end = end.max(e);
                self.busy.remove(j);
                i = j;
            }
        }
        while let Some(&(s, e)) = self.busy.get(i) {
            if s > end {
                break;
            }
            end = end.max(e);
            self.busy.remove(i);
        }
        self.busy.insert(i, (start, end));
    }

    /// Forgets intervals that end at or before `now`: callers promise never
    /// to ask for a reservation before `now` again.
    #[inline]
    pub fn advance(&mut self, now: SimTime) {
        if now <= self.floor {
            return;
        }
        self.floor = now;
        while let Some(&(_, e)) = self.busy.front() {
            if e <= now {
                self.busy.pop_front();
            } else {
                break;
            }
        }
    }

    /// End of the last reservation (the wire is idle for good after it).
    #[inline]
    pub fn idle_from(&self) -> SimTime {
        self.busy
            .back()
            .map_or(self.floor, |&(_, e)| e.max(self.floor))
    }
}

#[cfg(test)]
mod tests;
