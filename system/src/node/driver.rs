//! `RuntimeDriver`: the one place that turns the iPipe runtime's decisions into simulated time.
//!
//! The node, the capacity probe and the task-table measurement all drive the
//! runtime through this type: offer idle cores ([`RuntimeDriver::dispatch_idle`]),
//! and when a core's completion event fires, [`RuntimeDriver::finish`] it.
//! Each execution runs on a [`NodePlatform`] over the node's NIC or host
//! cost model, so the NIC packet path, caches, accelerators and DMA are
//! charged by the same code for every caller.
//! This file holds the driver's state and the dispatch side; the finish
//! side (completions, forwards released in order, busy time) is
//! `driver_finish.rs`, and its construction `driver_setup.rs`.
//!
//! Nothing is dropped silently: an error from the runtime, a platform that
//! cannot be built, a cost-model refusal or a send beyond the outbox bound
//! each increments a [`DriverCounters`] field that reaches the outputs.
//!
//! Order of resource use. Handlers run eagerly: `Runtime::run_next` decides
//! and executes in one call, at the instant the core is offered, and the
//! handler charges its whole cost then. A core is offered work only by the
//! event that frees it or that brings work, at that event's time; events fire
//! in (time, sequence) order; so executions *start* in non-decreasing
//! simulated time, and every shared resource (the L2 shared by the NIC cores,
//! the accelerator units, DMA) is first reached by executions in start-time
//! order. The counter `out_of_order_dispatches` checks this in every run and
//! the test `dispatches_start_in_time_order` asserts it stays zero.
//!
//! What eager execution does not give: overlapping executions (A starts at 0
//! and calls an accelerator at 8, B starts at 5 and calls it at 6) reach a
//! shared resource in start order, so B waits for A's call although a real
//! machine would serve B first. The error is at most one invocation of the
//! earlier execution plus the gap between the calls, and only arises when
//! cores share a unit or cache set within microseconds. Pinned by the test
//! `overlapping_executions_reach_a_shared_engine_in_start_order_within_one_invocation`.

pub use crate::node::drops::DriverCounters;
use crate::node::drops::OrderCheck;
use crate::node::platform::{NodePlatform, SparePayloads};
pub use finish::{Done, Finished, Running};
use nic_models::{CoreModel, ForwardingCost};
use pcie_model::TransferCosts;
use scheduler::runtime::{CoreId, Runtime};
use scheduler::{Endpoint, Message, Side};
use sim_core::{SimDuration, SimTime};
use workloads::sim_platform::SimPlatform;

/// The runtime with the cost models its cores run on.
pub struct RuntimeDriver {
    rt: Runtime,
    nic_model: CoreModel,
    /// `None` for a node whose host cores never run actors (the echo workload).
    host_model: Option<CoreModel>,
    /// What an actor's DMA costs (an idle transfer on this node's PCIe
    /// model, worked out once per size).
    dma_costs: TransferCosts,
    forwarding: ForwardingCost,
    nic: Vec<Running>,
    host: Vec<Running>,
    /// Bit `i` set while NIC core `i` (below 64) runs something: the idle
    /// loop visits only idle cores, in index order.
    nic_busy: u64,
    /// Per core: what its current execution sent (kept allocated between executions).
    nic_outbox: Vec<Vec<(Endpoint, Message)>>,
    host_outbox: Vec<Vec<(Endpoint, Message)>>,
    counters: DriverCounters,
    /// Core time of finished executions on NIC cores.
    nic_busy_done: SimDuration,
    host_busy_done: SimDuration,
    last_dispatch: SimTime,
    order: OrderCheck,
    /// Factor on every cycle charge of a host core; `None` for the default 1
    /// (actor cycles run as host cycles), so a dispatch compares no float.
    host_cycle_scale: Option<f64>,
    /// Forwards in dispatch order, with the message once its core finished:
    /// released only from the front, so cores that finish out of order never
    /// reorder one actor's messages (a reorder buffer of at most one entry per
    /// NIC core).
    forwards: std::collections::VecDeque<(u64, Option<Box<Message>>)>,
    /// On-path NIC: its cores see every frame from the wire, host-bound ones included.
    on_path: bool,
    /// Host-only runs: the host DPDK-style stack host cores pay per message
    /// from or to the wire (`node::host_stack`); `None` otherwise.
    host_stack: Option<crate::node::host_stack::HostStack>,
    /// Payload allocations of finished requests and transmitted replies, for
    /// replies and the source's next requests to reuse.
    spare: SparePayloads,
}

impl RuntimeDriver {
    /// An empty payload buffer (a recycled allocation when one is spare).
    #[inline]
    pub fn payload_buffer(&mut self) -> Vec<u8> {
        self.spare.take()
    }

    /// Keeps `payload`'s allocation for a later [`Self::payload_buffer`] (bounded).
    #[inline]
    pub fn recycle_payload(&mut self, payload: Vec<u8>) {
        self.spare.give(payload);
    }

    /// A request from the wire reached the NIC cores' side at `now`. On an
    /// on-path NIC a request for a host actor is queued for a NIC core to
    /// forward (FCFS shared queue, `Runtime::deliver_via_nic`; a full queue
    /// drops and counts it) and `None` is returned: the forwarded message
    /// comes back in [`Finished::forwarded`], in arrival order, to cross PCIe.
    /// Otherwise the message is handed back for the caller to route (to a NIC
    /// actor's queue, or across PCIe on an off-path NIC whose switch steered
    /// it to the NIC's side).
    pub fn arrive_from_wire(&mut self, msg: Message, now: SimTime) -> Option<Message> {
        if self.on_path && self.rt.side_of(msg.dst) == Some(Side::Host) {
            self.forward_from_wire(msg, now);
            return None;
        }
        Some(msg)
    }

    /// Whether this NIC is on-path ([`Self::with_on_path`]): a request from
    /// the wire for a host actor then waits for a NIC core to forward it.
    #[inline]
    pub fn on_path(&self) -> bool {
        self.on_path
    }

    /// The on-path branch of [`Self::arrive_from_wire`], for a caller that
    /// has looked up the actor's side itself (the node, which routes by it).
    pub fn forward_from_wire(&mut self, msg: Message, now: SimTime) {
        if let Err(reason) = self.rt.deliver_via_nic(msg, now) {
            // a refusal is counted by the runtime under its reason
            debug_assert!(self.rt.counters().dropped() > 0, "{reason:?} uncounted");
        }
    }

    /// The runtime.
    pub fn runtime(&self) -> &Runtime {
        &self.rt
    }
    /// The runtime, to deliver messages and tick the policy.
    pub fn runtime_mut(&mut self) -> &mut Runtime {
        &mut self.rt
    }
    /// The NIC cost model.
    pub fn nic_model(&self) -> &CoreModel {
        &self.nic_model
    }
    /// The host cost model.
    pub fn host_model(&self) -> Option<&CoreModel> {
        self.host_model.as_ref()
    }
    /// Errors and drops so far.
    pub fn counters(&self) -> DriverCounters {
        self.counters
    }

    /// Offers the runtime every idle core that has work queued for it at `now`;
    /// pushes `(core, done_at)` for each execution started, for the caller to
    /// schedule its completion.
    ///
    /// Cores are considered NIC first, then host, in index order (the order of
    /// `Runtime::idle_cores`); a core is idle exactly when the driver has no
    /// execution for it. A core is offered only when
    /// [`Runtime::has_work_for_core`] says its group's queue holds work, which is
    /// exact: the cores offered, and the order they are offered in, are those
    /// of offering every idle core, without building a platform for a core
    /// that would get nothing (most events find most idle cores without work).
    pub fn dispatch_idle(&mut self, now: SimTime, started: &mut Vec<(CoreId, SimTime)>) {
        self.dispatch_idle_with(now, |core, done| started.push((core, done)));
    }

    /// [`Self::dispatch_idle`] handing each `(core, done_at)` to `started`
    /// as it starts (the node schedules the completion there: no list per event).
    #[inline]
    pub fn dispatch_idle_with(&mut self, now: SimTime, mut started: impl FnMut(CoreId, SimTime)) {
        if self.rt.has_work_for(Side::Nic) {
            let n = self.nic.len();
            if n <= 64 {
                // the idle cores as they are now: starting core i changes no
                // later core's slot, so this set stays exact through the loop
                let all = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
                let mut idle = all & !self.nic_busy;
                while idle != 0 {
                    let i = idle.trailing_zeros();
                    idle &= idle - 1;
                    let core = CoreId::nic(i);
                    if self.rt.has_work_for_core(core) {
                        if let Some(done) = self.dispatch_checked(core, now) {
                            started(core, done);
                            // a NIC core has work only while the NIC side has
                            // some (`has_work_for_core` implies `has_work_for`):
                            // once that is gone, no later idle core gets any
                            if !self.rt.has_work_for(Side::Nic) {
                                break;
                            }
                        }
                    }
                }
            } else {
                for i in 0..n {
                    let core = CoreId::nic(i as u32);
                    if !self.nic[i].busy && self.rt.has_work_for_core(core) {
                        if let Some(done) = self.dispatch_checked(core, now) {
                            started(core, done);
                        }
                    }
                }
            }
        }
        for i in 0..self.host.len() {
            if !self.rt.has_work_for(Side::Host) {
                break;
            }
            let core = CoreId::host(i as u32);
            if !self.host[i].busy {
                if let Some(done) = self.dispatch(core, now) {
                    started(core, done);
                }
            }
        }
    }

    /// Runs the next work of the free `core` at `now`, if any; returns when it completes.
    pub fn dispatch(&mut self, core: CoreId, now: SimTime) -> Option<SimTime> {
        if !self.rt.has_work_for_core(core) {
            return None;
        }
        self.dispatch_checked(core, now)
    }

    /// [`Self::dispatch`] once `has_work_for_core(core)` said yes.
    fn dispatch_checked(&mut self, core: CoreId, now: SimTime) -> Option<SimTime> {
        let (model, forwarding, outbox, slot) = match core.side {
            Side::Nic => (
                Some(&mut self.nic_model),
                Some(&mut self.forwarding),
                self.nic_outbox.get_mut(core.index as usize),
                self.nic.get_mut(core.index as usize),
            ),
            Side::Host => (
                self.host_model.as_mut(),
                None,
                self.host_outbox.get_mut(core.index as usize),
                self.host.get_mut(core.index as usize),
            ),
        };
        let (Some(m), Some(outbox), Some(slot)) = (model, outbox, slot) else {
            self.counters.platform_errors += 1;
            return None;
        };
        // the platform goes straight into the node's wrapper below and is
        // changed there: a platform passed through a `match` of two
        // arms was copied (about a hundred bytes) per execution
        let Ok(inner) = SimPlatform::new(m, core.index as usize, core.side) else {
            // No cost model for this core: it cannot run anything; counted.
            self.counters.platform_errors += 1;
            return None;
        };
        outbox.clear();
        let stack = match core.side {
            Side::Nic => None,
            Side::Host => self.host_stack,
        };
        let mut platform = NodePlatform::with_stack(
            inner,
            forwarding,
            outbox,
            stack,
            &mut self.spare,
            Some(&mut self.dma_costs),
        );
        // (NIC cores and the default host scale run at 1: no float compared)
        if let (Side::Host, Some(scale)) = (core.side, self.host_cycle_scale) {
            platform.inner_mut().set_cycle_scale(scale);
        }
        platform.inner_mut().advance_to(now);
        platform.inner_mut().begin_exec();
        // the outcome is written into the core's slot, where it stays until
        // the core finishes: not moved per execution
        match self
            .rt
            .run_checked_into(core, now, &mut platform, &mut slot.outcome)
        {
            Ok(true) => {}
            Ok(false) => return None,
            Err(_) => {
                self.counters.runtime_errors += 1;
                return None;
            }
        }
        let forwarded_id = slot.outcome.forwarded.as_ref().map(|m| m.id);
        let request = platform.picked();
        // a forward only passes the message on: its handler starts later, on the host
        if let (Some(p), None) = (request, forwarded_id) {
            if self.order.started_id(p.src, p.dst, p.msg_id) {
                self.counters.reorders += 1;
            }
        }
        let pipeline = platform.pipeline_time();
        // sends beyond the bound and host writes are rare: counted when any
        if let Some((dropped, (writes, bytes, ps))) = platform.rare_counts() {
            self.counters.dropped_sends += dropped;
            self.counters.host_writes += writes;
            self.counters.host_write_bytes += bytes;
            self.counters.host_write_ps += ps;
        }
        let inner = platform.inner_mut();
        self.counters.model_errors += inner.model_errors();
        let done_at = inner.clock().max(now);
        if let Some(id) = forwarded_id {
            self.forwards.push_back((id, None));
        }
        if now < self.last_dispatch {
            self.counters.out_of_order_dispatches += 1;
        }
        self.last_dispatch = now;
        slot.busy = true;
        slot.started = now;
        slot.done_at = done_at;
        slot.request = request;
        slot.pipeline = pipeline;
        if core.side == Side::Nic && core.index < 64 {
            self.nic_busy |= 1 << core.index;
        }
        Some(done_at)
    }

    /// NIC cores.
    pub fn nic_cores(&self) -> u32 {
        self.nic.len() as u32
    }
}

#[path = "driver_finish.rs"]
mod finish;

#[path = "driver_setup.rs"]
mod setup;

#[cfg(test)]
#[path = "driver_tests.rs"]
mod tests;
