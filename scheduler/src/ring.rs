//! `Ring`: the sliding windows' samples, a FIFO (of `(time, value)`, or `(time, value, value)` for a pair of windows) in a power-of-two ring.

use vocab::{SimDuration, SimTime};

/// A sample with the time it was taken.
pub(crate) trait Stamped {
    fn taken_at(&self) -> SimTime;
}

impl Stamped for (SimTime, u64) {
    #[inline]
    fn taken_at(&self) -> SimTime {
        self.0
    }
}

impl Stamped for (SimTime, u64, u64) {
    #[inline]
    fn taken_at(&self) -> SimTime {
        self.0
    }
}

/// The age cutoff of a window at `now`: a sample at `t` is too old when
/// `now - t > max_age`, i.e. when `t < now - max_age` (in picoseconds);
/// `None` while `now <= max_age` (nothing is too old yet).
#[inline]
pub(crate) fn age_cutoff_ps(now: SimTime, max_age: SimDuration) -> Option<u64> {
    now.as_ps().checked_sub(max_age.as_ps())
}

/// The window's samples, oldest first, as `(time, value)` in a power-of-two
/// ring: pushing and popping cost a mask instead of `VecDeque`'s wrap
/// arithmetic (four pushes per request make it count). It grows by
/// doubling, so it never holds more than the window's count bound rounded
/// up to a power of two. It starts at [`RING_START`] slots at most: a
/// runtime builds a window per group and per actor (and the capacity probe
/// a runtime per actor), and zeroing 4,096 slots each cost more than the
/// few doublings of the windows that fill up.
#[derive(Clone, Debug)]
pub(crate) struct Ring<T = (SimTime, u64)> {
    buf: Vec<T>,
    head: usize,
    len: usize,
}

impl<T: Copy + Default + Stamped> Ring<T> {
    /// Whether the oldest sample was taken before `cutoff_ps`.
    #[inline]
    pub(crate) fn front_older_than(&self, cutoff_ps: u64) -> bool {
        self.front()
            .is_some_and(|x| x.taken_at().as_ps() < cutoff_ps)
    }
}

/// Most slots a ring starts with (it doubles from there as it fills).
pub(crate) const RING_START: usize = 64;

impl<T: Copy + Default> Ring<T> {
    /// A ring for up to about `n` samples, starting at `min(n, RING_START)` slots.
    pub(crate) fn with_capacity(n: usize) -> Ring<T> {
        Ring {
            buf: vec![T::default(); n.min(RING_START).next_power_of_two()],
            head: 0,
            len: 0,
        }
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    fn mask(&self) -> usize {
        self.buf.len() - 1
    }

    #[inline]
    pub(crate) fn push_back(&mut self, x: T) {
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
    pub(crate) fn front(&self) -> Option<T> {
        (self.len > 0).then(|| self.buf[self.head])
    }

    #[inline]
    pub(crate) fn pop_front(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let x = self.buf[self.head];
        self.head = (self.head + 1) & self.mask();
        self.len -= 1;
        Some(x)
    }

    pub(crate) fn clear(&mut self) {
        self.head = 0;
        self.len = 0;
    }

    /// Oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = T> + '_ {
        self.iter_from(0)
    }

    /// Oldest first, from the `start`-th oldest on.
    pub(crate) fn iter_from(&self, start: usize) -> impl Iterator<Item = T> + '_ {
        let mask = self.mask();
        (start.min(self.len)..self.len).map(move |k| self.buf[(self.head + k) & mask])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
