//! Deficit round robin over the DRR actors' mailboxes, shared by every DRR core.
//!
//! One cursor walks the ring of DRR actors. Each visit adds `drr_quantum_ns` to the
//! actor's deficit; a message is dispatched while the deficit covers the actor's
//! expected cost (its window mean execution time, or `drr_initial_cost_ns`), which
//! is reserved at dispatch and replaced by the actual cost at completion. An empty
//! mailbox resets the deficit to zero (classic DRR); a debt is bounded at 8 quanta.

use super::{Queued, Runtime};
use crate::message::ActorId;

impl Runtime {
    /// One DRR decision: the actor and message to run, and the cost reserved.
    pub(crate) fn drr_pick(&mut self) -> Option<(ActorId, Queued, i64)> {
        let n = self.drr_ring.len();
        if !self.drr_has_work() {
            return None;
        }
        let quantum = self.settings.drr_quantum_ns as i64;
        let initial = self.settings.drr_initial_cost_ns as f64;
        // Terminates: some mailbox is non-empty, each visit to it adds a quantum, and
        // deficits are bounded below (see `complete`).
        loop {
            if self.drr_cursor >= n {
                self.drr_cursor = 0;
            }
            let a = self.drr_ring[self.drr_cursor];
            let slot = &mut self.actors[a as usize];
            if slot.mailbox.is_empty() {
                slot.deficit_ns = 0;
                self.drr_cursor += 1;
                self.drr_fresh_visit = true;
                continue;
            }
            if self.drr_fresh_visit {
                slot.deficit_ns += quantum;
                self.drr_fresh_visit = false;
            }
            let expected = slot.windows.a_mean_ns().unwrap_or(initial).max(1.0) as i64;
            if slot.deficit_ns >= expected {
                slot.deficit_ns -= expected;
                let q = slot.mailbox.pop_front()?;
                self.drr_queued -= 1;
                return Some((a, q, expected));
            }
            self.drr_cursor += 1;
            self.drr_fresh_visit = true;
        }
    }

    pub(crate) fn remove_from_drr_ring(&mut self, a: ActorId) {
        if let Some(pos) = self.drr_ring.iter().position(|&x| x == a) {
            self.drr_ring.remove(pos);
            if pos < self.drr_cursor {
                self.drr_cursor -= 1;
            } else if pos == self.drr_cursor {
                self.drr_fresh_visit = true;
            }
        }
        self.actors[a as usize].deficit_ns = 0;
    }
}
