//! The sliding windows' samples: `vocab::Ring` of `(time, value)` (or `(time, value, value)` for a pair of windows), with the age test the windows share.

pub(crate) use vocab::ring::Ring;
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

/// The age test of a window's ring of samples.
pub(crate) trait OldestSample {
    /// Whether the oldest sample was taken before `cutoff_ps`.
    fn front_older_than(&self, cutoff_ps: u64) -> bool;
}

impl<T: Copy + Default + Stamped> OldestSample for Ring<T> {
    #[inline]
    fn front_older_than(&self, cutoff_ps: u64) -> bool {
        self.front()
            .is_some_and(|x| x.taken_at().as_ps() < cutoff_ps)
    }
}
