//! A single FIFO server with a bounded backlog, computed analytically (Lindley's recursion).
//!
//! Used for every serial stage whose order never changes: a wire direction,
//! the packet engine's ingress pipeline, a MAC's transmit side. Because
//! items are offered in non-decreasing time and leave in order, each item's
//! finish time is `max(now, previous finish) + service`, and no event is
//! needed per item. The backlog is bounded: an item offered while `bound`
//! items are still unfinished is refused and counted.

use sim_core::{SimDuration, SimTime};
use std::collections::VecDeque;

/// Serial stage with FIFO order and a bounded number of unfinished items.
#[derive(Clone, Debug)]
pub struct FifoServer {
    busy_until: SimTime,
    unfinished: VecDeque<SimTime>,
    bound: usize,
    drops: u64,
    busy: SimDuration,
}

impl FifoServer {
    /// A stage holding at most `bound` unfinished items (in service or waiting).
    pub fn new(bound: usize) -> Self {
        FifoServer {
            busy_until: SimTime::ZERO,
            unfinished: VecDeque::new(),
            bound: bound.max(1),
            drops: 0,
            busy: SimDuration::ZERO,
        }
    }

    /// Offers an item at `now` needing `service`; returns its finish time, or
    /// `None` (a counted drop) when the backlog is full.
    #[inline]
    pub fn offer(&mut self, now: SimTime, service: SimDuration) -> Option<SimTime> {
        if now >= self.busy_until {
            // idle: everything offered before has finished (the common case
            // below saturation; O(1) for the deque of plain times)
            self.unfinished.clear();
        } else {
            while self.unfinished.front().is_some_and(|&t| t <= now) {
                self.unfinished.pop_front();
            }
        }
        if self.unfinished.len() >= self.bound {
            self.drops += 1;
            return None;
        }
        let start = self.busy_until.max(now);
        let finish = start + service;
        self.busy_until = finish;
        self.busy += service;
        self.unfinished.push_back(finish);
        Some(finish)
    }

    /// Items refused because the backlog was full.
    pub fn drops(&self) -> u64 {
        self.drops
    }
    /// Items not yet finished at `now` (in service or waiting).
    pub fn unfinished_at(&self, now: SimTime) -> usize {
        self.unfinished.iter().filter(|&&t| t > now).count()
    }
    /// When the stage next becomes idle.
    pub fn busy_until(&self) -> SimTime {
        self.busy_until
    }
    /// Total service time accepted so far.
    pub fn busy_time(&self) -> SimDuration {
        self.busy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_to_back_items_queue_behind_each_other() {
        let mut s = FifoServer::new(8);
        let d = SimDuration::from_ns(10);
        assert_eq!(s.offer(SimTime::ZERO, d), Some(SimTime::from_ns(10)));
        assert_eq!(s.offer(SimTime::from_ns(1), d), Some(SimTime::from_ns(20)));
        // Arriving after the stage went idle starts at once.
        assert_eq!(s.offer(SimTime::from_ns(50), d), Some(SimTime::from_ns(60)));
    }

    #[test]
    fn backlog_bound_drops_and_counts() {
        let mut s = FifoServer::new(2);
        let d = SimDuration::from_ns(10);
        assert!(s.offer(SimTime::ZERO, d).is_some());
        assert!(s.offer(SimTime::ZERO, d).is_some());
        assert!(s.offer(SimTime::ZERO, d).is_none());
        assert_eq!(s.drops(), 1);
        // Once the first finishes there is room again.
        assert!(s.offer(SimTime::from_ns(10), d).is_some());
        assert_eq!(s.unfinished_at(SimTime::from_ns(10)), 2);
    }
}
