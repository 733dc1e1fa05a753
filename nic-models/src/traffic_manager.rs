//! The on-path hardware traffic manager: one bounded FIFO shared by all NIC cores, with counted drops.

use std::collections::VecDeque;

/// A bounded FIFO shared by the cores. Cores pull from its head; arrivals
/// beyond the bound are refused and counted (tail drop), as the hardware does.
#[derive(Clone, Debug)]
pub struct TrafficManager<T> {
    queue: VecDeque<T>,
    capacity: usize,
    drops: u64,
    max_depth: usize,
}

impl<T> TrafficManager<T> {
    /// A queue holding at most `capacity` items.
    pub fn new(capacity: usize) -> Self {
        TrafficManager {
            queue: VecDeque::with_capacity(capacity.min(1 << 16)),
            capacity: capacity.max(1),
            drops: 0,
            max_depth: 0,
        }
    }

    /// Enqueues `item`; returns it back (and counts a drop) when full.
    pub fn enqueue(&mut self, item: T) -> Result<(), T> {
        if self.queue.len() >= self.capacity {
            self.drops += 1;
            return Err(item);
        }
        self.queue.push_back(item);
        self.max_depth = self.max_depth.max(self.queue.len());
        Ok(())
    }

    /// The oldest item, for the next free core.
    pub fn dequeue(&mut self) -> Option<T> {
        self.queue.pop_front()
    }

    /// Items waiting now.
    pub fn depth(&self) -> usize {
        self.queue.len()
    }
    /// Deepest the queue has been.
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }
    /// Arrivals refused because the queue was full.
    pub fn drops(&self) -> u64 {
        self.drops
    }
    /// The bound.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
    /// Iterates over waiting items, oldest first (for end-of-run accounting).
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.queue.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_with_tail_drop() {
        let mut tm = TrafficManager::new(2);
        assert!(tm.enqueue(1).is_ok());
        assert!(tm.enqueue(2).is_ok());
        assert_eq!(tm.enqueue(3), Err(3));
        assert_eq!(tm.drops(), 1);
        assert_eq!(tm.dequeue(), Some(1));
        assert_eq!(tm.dequeue(), Some(2));
        assert_eq!(tm.dequeue(), None);
        assert_eq!(tm.max_depth(), 2);
    }
}
