//! The driver's single entry point (in the spirit of smoltcp's `poll`): `run_next` runs whatever a free core should run now, `finish` ends it.
//!
//! A driver needs exactly four calls: [`Runtime::deliver`] when a message
//! arrives, [`Runtime::run_next`] for each free core after anything changed,
//! [`Runtime::finish`] when a core's execution time is up, and
//! [`Runtime::tick`] at [`Runtime::next_tick_at`]. The dispatch decision and
//! the execution are one call, so no driver can separate them (and run a
//! handler at another time than the one it was dispatched at).

use super::{CoreId, Delivered, DropReason, ExecOutcome, Queued, Runtime, RuntimeError};
use crate::message::Message;
use crate::platform::{AsDynPlatform, Platform, Side};
use crate::policy::NicGroup;
use vocab::SimTime;

impl Runtime {
    /// If the free `core` has work at `now`, runs it on `platform` (the driver's view
    /// of that core: `now()` at `now`, its per-execution charge counter at zero) and
    /// returns the outcome; the core is busy until the driver calls
    /// [`Runtime::finish`] at [`ExecOutcome::completes_at`]. `Ok(None)`: nothing to
    /// run (or the core is busy); no state changed.
    ///
    /// For a request, the runtime first hands the message to
    /// [`Platform::on_request`] (where a platform charges what the machine does
    /// before any handler, e.g. a NIC's packet path), then charges its own
    /// scheduling overhead, then runs the handler.
    pub fn run_next(
        &mut self,
        core: CoreId,
        now: SimTime,
        platform: &mut dyn Platform,
    ) -> Result<Option<ExecOutcome>, RuntimeError> {
        self.run_next_on(core, now, platform)
    }

    /// [`Self::run_next`] on a platform of a type the caller knows: the
    /// runtime's own calls on it (the packet path, its overhead, the charge
    /// readings, the payload's recycling) are static and inlined; actors
    /// still see it as `dyn Platform`. Same behaviour as `run_next`.
    #[inline]
    pub fn run_next_on<P: Platform + AsDynPlatform + ?Sized>(
        &mut self,
        core: CoreId,
        now: SimTime,
        platform: &mut P,
    ) -> Result<Option<ExecOutcome>, RuntimeError> {
        if !self.has_work_for_core(core) {
            // still reject an unknown core, as a dispatch would
            self.core_mut(core)?;
            return Ok(None);
        }
        let mut out = ExecOutcome::placeholder(core);
        Ok(self
            .dispatch_into(core, now, platform, &mut out)?
            .then_some(out))
    }

    /// [`Self::run_next_on`] for a caller that has just seen
    /// [`Self::has_work_for_core`] hold for `core` (and changed nothing
    /// since) and keeps the outcome in a slot of its own: the outcome is
    /// written into `out` (`Ok(true)`) instead of returned; `Ok(false)`:
    /// nothing ran and `out` is untouched.
    #[inline]
    pub fn run_checked_into<P: Platform + AsDynPlatform + ?Sized>(
        &mut self,
        core: CoreId,
        now: SimTime,
        platform: &mut P,
        out: &mut ExecOutcome,
    ) -> Result<bool, RuntimeError> {
        debug_assert!(self.has_work_for_core(core), "{core:?} has no work");
        self.dispatch_into(core, now, platform, out)
    }

    /// The execution `outcome` ended at `now` (normally `outcome.completes_at()`):
    /// frees its core, records statistics and advances migrations.
    pub fn finish(&mut self, outcome: ExecOutcome, now: SimTime) -> Result<(), RuntimeError> {
        self.complete(&outcome, now)
    }

    /// [`Self::finish`] on an outcome the caller keeps (in its own per-core
    /// slot, say): nothing is moved, so a driver that stores outcomes in
    /// place completes them without copying one per execution.
    #[inline]
    pub fn finish_in_place(
        &mut self,
        outcome: &ExecOutcome,
        now: SimTime,
    ) -> Result<(), RuntimeError> {
        self.complete(outcome, now)
    }

    /// Whether some core of `side` could be given work now. `false` guarantees
    /// that `run_next` returns `Ok(None)` for every core of that side; the check
    /// is cheap (queue lengths), so a driver may call `run_next` on every free
    /// core after every event.
    #[inline]
    pub fn has_work_for(&self, side: Side) -> bool {
        match side {
            Side::Nic => {
                !self.fcfs_queue.is_empty()
                    || !self.move_out_queue.is_empty()
                    || self.drr_has_work()
            }
            Side::Host => !self.host_queue.is_empty() || !self.move_in_queue.is_empty(),
        }
    }

    /// Exactly whether `run_next` would run something on `core` now: the core
    /// exists, is free, and the queue its group pulls from holds work (pending
    /// migration steps first; FCFS cores the shared queue; DRR cores a DRR
    /// mailbox, or the shared queue when they serve it while idle; host cores
    /// the host queue). A driver offers a core only when this holds, so idle
    /// cores cost nothing while their group has nothing queued; `false` means
    /// `run_next` would return `Ok(None)` without changing any state (the DRR
    /// pick returns early, untouched, when every mailbox is empty).
    #[inline]
    pub fn has_work_for_core(&self, core: CoreId) -> bool {
        let slots = match core.side {
            Side::Nic => &self.nic_cores,
            Side::Host => &self.host_cores,
        };
        let Some(slot) = slots.get(core.index as usize) else {
            return false;
        };
        if slot.busy.is_some() {
            return false;
        }
        match core.side {
            Side::Nic => {
                !self.move_out_queue.is_empty()
                    || match slot.group {
                        NicGroup::Fcfs => !self.fcfs_queue.is_empty(),
                        NicGroup::Drr => {
                            (self.settings.drr_cores_serve_fcfs_when_idle
                                && !self.fcfs_queue.is_empty())
                                || self.drr_has_work()
                        }
                    }
            }
            Side::Host => !self.host_queue.is_empty() || !self.move_in_queue.is_empty(),
        }
    }

    /// Whether some DRR actor's mailbox holds a message.
    #[inline]
    pub(crate) fn drr_has_work(&self) -> bool {
        debug_assert_eq!(
            self.drr_queued,
            self.actors.iter().map(|a| a.mailbox.len()).sum::<usize>(),
            "drr_queued counts every mailbox message"
        );
        debug_assert_eq!(
            self.drr_queued > 0,
            self.drr_ring
                .iter()
                .any(|&a| !self.actors[a as usize].mailbox.is_empty()),
            "only actors on the DRR ring hold mailbox messages"
        );
        self.drr_queued > 0
    }

    /// Whether any core could be given work now (see [`Runtime::has_work_for`]).
    pub fn has_work(&self) -> bool {
        self.has_work_for(Side::Nic) || self.has_work_for(Side::Host)
    }
}

impl Runtime {
    /// A message for a host actor reaches an on-path NIC, whose cores see every
    /// packet first: it waits in the FCFS shared queue like any request, a NIC
    /// core runs [`Platform::on_request`] on it (the packet path) and no handler,
    /// and the outcome ([`OutcomeKind::Forwarded`](super::OutcomeKind)) hands it
    /// back in [`ExecOutcome::forwarded`] for the driver to carry across PCIe and
    /// [`Runtime::deliver`] where it lands. A full queue drops it
    /// (`FcfsQueueFull`, counted); so does an unknown actor.
    pub fn deliver_via_nic(&mut self, msg: Message, now: SimTime) -> Result<Delivered, DropReason> {
        self.counters.delivered += 1;
        let Some(slot) = self.actors.get_mut(msg.dst as usize) else {
            self.counters.dropped_unknown_actor += 1;
            self.drops_and_aborts += 1;
            return Err(DropReason::UnknownActor);
        };
        if self.fcfs_queue.len() >= self.settings.fcfs_queue_capacity as usize {
            slot.dropped += 1;
            self.counters.count_drop(DropReason::FcfsQueueFull);
            self.drops_and_aborts += 1;
            return Err(DropReason::FcfsQueueFull);
        }
        self.fcfs_queue.push_back(Queued {
            msg,
            arrived_at: now,
            forward: true,
        });
        Ok(Delivered::FcfsQueue)
    }
}

#[cfg(test)]
mod tests {
    use super::ExecOutcome;

    /// Every execution's outcome is moved from the runtime into the driver's
    /// slot: at 128 bytes or less the compiler moves it with a few vector
    /// stores instead of a `memcpy` call. A field that grows it past that
    /// should be boxed if it is rare, like `forwarded`.
    #[test]
    fn an_outcome_fits_in_128_bytes() {
        let size = std::mem::size_of::<ExecOutcome>();
        assert!(size <= 128, "ExecOutcome is {size} bytes");
    }
}
