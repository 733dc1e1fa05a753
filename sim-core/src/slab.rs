//! `Slab`: events parked at stable slots while a queue orders small keys that point to them (shared by the engine's and the partitions' queues).
//!
//! A heap moves its entries on every push and pop (one per level); a key of
//! 16 or 24 bytes moves cheaply where a 48- to 80-byte event would not. The
//! event waits here, and a freed slot is reused before the slab grows, so a
//! steady run allocates nothing.

/// Events at `u32` slots; the caller bounds how many are held.
pub(crate) struct Slab<E> {
    slots: Vec<Option<E>>,
    free: Vec<u32>,
}

impl<E> Slab<E> {
    /// An empty slab with room reserved for `reserve` events.
    pub(crate) fn with_reserve(reserve: usize) -> Self {
        Slab {
            slots: Vec::with_capacity(reserve),
            free: Vec::new(),
        }
    }

    /// Parks `event` and returns its slot (a freed one first).
    #[inline]
    pub(crate) fn insert(&mut self, event: E) -> u32 {
        match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = Some(event);
                s
            }
            None => {
                self.slots.push(Some(event));
                (self.slots.len() - 1) as u32
            }
        }
    }

    /// Takes the event at `slot` and frees the slot (`None` if it was empty).
    #[inline]
    pub(crate) fn take(&mut self, slot: u32) -> Option<E> {
        let event = self.slots.get_mut(slot as usize)?.take()?;
        self.free.push(slot);
        Some(event)
    }

    /// Slots allocated so far (held or free).
    #[cfg(test)]
    pub(crate) fn allocated(&self) -> usize {
        self.slots.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freed_slots_are_reused_before_the_slab_grows() {
        let mut slab = Slab::with_reserve(4);
        let a = slab.insert('a');
        let b = slab.insert('b');
        assert_eq!(slab.take(a), Some('a'));
        assert_eq!(slab.take(a), None, "a slot is taken once");
        let c = slab.insert('c');
        assert_eq!(c, a, "the freed slot comes back first");
        assert_eq!(slab.allocated(), 2);
        assert_eq!(slab.take(b), Some('b'));
        assert_eq!(slab.take(c), Some('c'));
    }
}
