//! A pool of identical cores: which are idle, and how long each has been busy.

use sim_core::SimDuration;

/// Tracks idle cores (a stack, so the choice is deterministic) and busy time.
#[derive(Clone, Debug)]
pub struct CorePool {
    idle: Vec<u32>,
    busy: Vec<SimDuration>,
}

impl CorePool {
    /// `n` idle cores, numbered 0..n; core 0 is handed out first.
    pub fn new(n: u32) -> Self {
        CorePool {
            idle: (0..n).rev().collect(),
            busy: vec![SimDuration::ZERO; n as usize],
        }
    }

    /// Takes an idle core, if any.
    pub fn acquire(&mut self) -> Option<u32> {
        self.idle.pop()
    }

    /// Returns a core to the idle set.
    pub fn release(&mut self, core: u32) {
        debug_assert!(!self.idle.contains(&core), "core {core} released twice");
        self.idle.push(core);
    }

    /// Adds busy time to a core.
    pub fn add_busy(&mut self, core: u32, d: SimDuration) {
        self.busy[core as usize] += d;
    }

    /// Number of cores.
    pub fn len(&self) -> usize {
        self.busy.len()
    }
    /// Whether the pool has no cores.
    pub fn is_empty(&self) -> bool {
        self.busy.is_empty()
    }
    /// Cores idle now.
    pub fn idle_count(&self) -> usize {
        self.idle.len()
    }
    /// Mean busy fraction over `elapsed`.
    pub fn utilization(&self, elapsed: SimDuration) -> f64 {
        if elapsed == SimDuration::ZERO || self.busy.is_empty() {
            return 0.0;
        }
        let total: u128 = self.busy.iter().map(|d| d.as_ps() as u128).sum();
        (total as f64 / self.busy.len() as f64 / elapsed.as_ps() as f64).min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hands_out_lowest_first_and_tracks_utilization() {
        let mut p = CorePool::new(2);
        assert_eq!(p.acquire(), Some(0));
        assert_eq!(p.acquire(), Some(1));
        assert_eq!(p.acquire(), None);
        p.add_busy(0, SimDuration::from_us(1));
        p.release(0);
        assert_eq!(p.idle_count(), 1);
        assert!((p.utilization(SimDuration::from_us(1)) - 0.5).abs() < 1e-12);
    }
}
