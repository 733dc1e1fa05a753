//! Epochs of the neighbour-synchronized run (`flow.rs`): how many windows the threads run between two meetings.
//!
//! The threads meet once per epoch, to skip an idle stretch (the next
//! epoch starts at the earliest pending event) and to stop on a fault.
//! Between meetings neighbours drift a window or two apart, which absorbs
//! swings in work; every meeting makes each thread wait for the slowest.
//! So a busy run meets rarely, and a run with idle stretches meets often
//! enough to skip them. Only the simulation's state decides an epoch's
//! length, so the epochs are the same for every thread count (and the
//! results do not depend on them anyway).

/// Windows per epoch: the threads meet once per epoch, to skip idle
/// stretches and to stop on a fault. Small next to the run, large next to
/// the one or two windows neighbours may drift apart.
pub(super) const EPOCH_WINDOWS: u64 = 64;

/// Most windows per epoch: an epoch that ended with an event in the very
/// next window (no idle stretch to skip) is followed by one twice as long,
/// up to this. At each epoch's end every thread waits for the slowest and
/// the drift that absorbs swings in work is lost, so a busy run (the
/// leaf-spine example: events in every window) should meet rarely; an
/// idle window still costs every partition a pass, so an epoch after a
/// skipped stretch starts short again.
pub(super) const MAX_EPOCH_WINDOWS: u64 = 1024;

/// One epoch, as published to the threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Epoch {
    /// Number of its first window.
    pub(super) first: u64,
    /// Windows in it.
    pub(super) windows: u64,
    /// Start of its first window, in picoseconds.
    pub(super) t0_ps: u64,
}

/// Windows in an epoch that starts at `t0_ps` after `last`:
/// [`EPOCH_WINDOWS`], or twice `last`'s (up to [`MAX_EPOCH_WINDOWS`])
/// when it starts in the window right after `last`, so that no idle
/// stretch was skipped and the meeting bought nothing.
pub(super) fn epoch_length(last: Option<&Epoch>, t0_ps: u64, lookahead_ps: u64) -> u64 {
    match last {
        Some(l) => {
            let next_after = l
                .t0_ps
                .saturating_add(l.windows.saturating_add(1).saturating_mul(lookahead_ps));
            if t0_ps < next_after {
                l.windows
                    .saturating_mul(2)
                    .clamp(EPOCH_WINDOWS, MAX_EPOCH_WINDOWS)
            } else {
                EPOCH_WINDOWS
            }
        }
        None => EPOCH_WINDOWS,
    }
}
