//! How a thread of the parallel engine waits for another: it spins briefly, then yields its core.

/// Spins of a waiting thread before it starts yielding: a few
/// microseconds, longer than the coordinator's planning between two windows
/// (about 0.4 us for the leaf-spine example's 21 partitions). Not longer:
/// when the OS puts two of the crew's threads on one core, a spinning
/// thread holds the core the other needs until it yields. With 1,024 spins
/// (tens of microseconds) the 2-thread leaf-spine median swung between
/// 0.076 s and 0.133 s from one round of 9 runs to the next; with 64 it
/// held at 0.073-0.077 s over three rounds.
pub(super) const SPINS: u32 = 64;

/// Waits a little and counts the round: a spin while `rounds` is at most
/// [`SPINS`], then a yield of the core.
pub(super) fn back_off(rounds: &mut u32) {
    *rounds = rounds.saturating_add(1);
    if *rounds <= SPINS {
        std::hint::spin_loop();
    } else {
        std::thread::yield_now();
    }
}
