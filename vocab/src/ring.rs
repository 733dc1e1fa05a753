//! `Ring`: a FIFO of `Copy` values in a power-of-two ring that grows by doubling (the scheduler's sliding windows, the simulator's per-packet queues).

/// A FIFO of `Copy` values in a power-of-two ring: pushing and popping
/// cost a mask instead of `VecDeque`'s wrap arithmetic, which counts where
/// a queue is touched several times per packet or request (the scheduler's
/// sliding windows take four pushes per request; the echo path's queues
/// several operations per frame). It grows by doubling, so it never holds
/// more than the caller's own bound rounded up to a power of two. It starts
/// at [`RING_START`] slots at most: zeroing thousands of slots for every
/// window or queue cost more than the few doublings of those that fill up.
#[derive(Clone, Debug)]
pub struct Ring<T> {
    buf: Vec<T>,
    head: usize,
    len: usize,
}

/// Most slots a ring starts with (it doubles from there as it fills).
pub const RING_START: usize = 64;

impl<T: Copy + Default> Ring<T> {
    /// A ring for up to about `n` samples, starting at `min(n, RING_START)` slots.
    pub fn with_capacity(n: usize) -> Ring<T> {
        Ring {
            buf: vec![T::default(); n.min(RING_START).next_power_of_two()],
            head: 0,
            len: 0,
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    fn mask(&self) -> usize {
        self.buf.len() - 1
    }

    #[inline]
    pub fn push_back(&mut self, x: T) {
        if self.len == self.buf.len() {
            self.grow();
        }
        let i = (self.head + self.len) & self.mask();
        self.buf[i] = x;
        self.len += 1;
    }

    #[inline(never)]
    fn grow(&mut self) {
        // full: the samples are `buf[head..]` then `buf[..head]`, copied as two slices
        let mut buf = Vec::with_capacity(2 * self.buf.len());
        buf.extend_from_slice(&self.buf[self.head..]);
        buf.extend_from_slice(&self.buf[..self.head]);
        buf.resize(2 * self.buf.len(), T::default());
        self.buf = buf;
        self.head = 0;
    }

    #[inline]
    pub fn front(&self) -> Option<T> {
        (self.len > 0).then(|| self.buf[self.head])
    }

    #[inline]
    pub fn pop_front(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let x = self.buf[self.head];
        self.head = (self.head + 1) & self.mask();
        self.len -= 1;
        Some(x)
    }

    pub fn clear(&mut self) {
        self.head = 0;
        self.len = 0;
    }

    /// Oldest first.
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        self.iter_from(0)
    }

    /// Oldest first, from the `start`-th oldest on.
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = T> + '_ {
        let mask = self.mask();
        (start.min(self.len)..self.len).map(move |k| self.buf[(self.head + k) & mask])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimTime;

    #[test]
    fn ring_keeps_fifo_order_across_wraps_and_growth() {
        let mut r = Ring::with_capacity(2);
        let mut model = std::collections::VecDeque::new();
        for i in 0..200u64 {
            r.push_back((SimTime::from_ns(i), i));
            model.push_back((SimTime::from_ns(i), i));
            if i % 3 == 0 {
                assert_eq!(r.pop_front(), model.pop_front());
            }
            assert_eq!(r.len(), model.len());
            assert_eq!(r.front(), model.front().copied());
            assert!(r.iter().eq(model.iter().copied()));
        }
    }
}
