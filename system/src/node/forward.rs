//! The NIC cores' forwarding path in closed form: frames whose handler is the echo (forwarding) handler cross the traffic manager and a core without an event each.
//!
//! For the echo workload every NIC core runs the same run-to-completion
//! loop: take the head of the traffic manager's shared queue, pay the
//! forwarding cost (and the scenario's per-packet processing), send the frame
//! out of the transmit MAC. Nothing in that loop can change the order in
//! which frames start (one FIFO queue, identical cores), so each frame's
//! start, finish and transmit times are computed when it reaches the queue
//! ([`SharedQueue`], the Kiefer-Wolfowitz recursion). This is the same model
//! the event-driven runtime path computes (its FCFS queue is the traffic
//! manager, its dispatch picks the lowest idle core), at one engine event per
//! frame instead of two plus a runtime call (`run::equivalence` tests that the
//! two agree).
//!
//! Finish times need not follow start times once service times differ (a
//! size mix), so finished frames wait in `pending`, ordered by finish time,
//! and enter the transmit MAC only when no later arrival can finish earlier:
//! a frame arriving at `a` finishes after `a`, so every pending frame that
//! finishes by the latest arrival (or by the time the node flushes to) is final.

use super::accounting::col;
use super::{Ingress, Node};
use nic_models::memory::PacketRing;
use nic_models::shared_queue::Slot;
use nic_models::{CoreModel, ForwardingCost, ModelError, NicProfile, SharedQueue};
use scheduler::FlowKey;
use sim_core::{SimDuration, SimTime};
use std::collections::VecDeque;

/// A frame admitted to a core, not yet in the transmit MAC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OnCore {
    /// When it reached the traffic manager.
    pub arrived: SimTime,
    /// When its core started it.
    pub start: SimTime,
    /// When its core finished it (it enters the transmit MAC then).
    pub done: SimTime,
    /// When the source created it (latency counts from here).
    pub created: SimTime,
    /// Frame bytes.
    pub wire_bytes: u32,
}

/// What happened to a frame offered to the forwarding path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admit {
    /// A core runs it from `start` to `done`.
    Run {
        /// Start of service.
        start: SimTime,
        /// End of service.
        done: SimTime,
    },
    /// The traffic manager's queue was full (tail drop).
    QueueFull,
}

/// Base address of the forwarding handler's flow table in NIC DRAM (one
/// record of `flow_state_bytes` per flow, packed; served through the caches).
pub const FLOW_TABLE_BASE: u64 = 0x0000_4000_0000_0000;

/// What the traffic manager and the handler cost besides the forwarding cost.
pub struct Mechanisms {
    /// A polling core's wait for a work entry (hidden when it was busy).
    pub get_work: SimDuration,
    /// Added per further core polling at the same moment.
    pub contention: SimDuration,
    /// The NIC's memory (its cores' caches), when the handler's accesses go
    /// through the cache model: the receive ring and per-flow state share it.
    pub memory: Option<CoreModel>,
    /// The receive ring the frames land in (needs `memory`).
    pub ring: Option<PacketRing>,
    /// The ring's stall on an otherwise idle NIC (the work entry and header
    /// read from where the device wrote them), already inside
    /// `forwarding.per_packet_ns`: the path charges the cache model's answer
    /// in its place.
    pub ring_nominal: SimDuration,
    /// Bytes of the per-flow record read and updated per frame (0 = none; needs `memory`).
    pub flow_state_bytes: u32,
}

impl Mechanisms {
    /// None of them (the forwarding cost alone).
    pub fn none() -> Mechanisms {
        Mechanisms {
            get_work: SimDuration::ZERO,
            contention: SimDuration::ZERO,
            memory: None,
            ring: None,
            ring_nominal: SimDuration::ZERO,
            flow_state_bytes: 0,
        }
    }

    /// Every mechanism `nic` describes: the traffic manager's hand-over, the
    /// receive ring (`[memory.packet_ring]`) and per-flow state
    /// (`forwarding.flow_state_bytes`). Errors when `forwarding.per_packet_ns`
    /// is smaller than the ring's nominal stall it includes.
    pub fn from_profile(nic: &NicProfile) -> Result<Mechanisms, ModelError> {
        let tm = &nic.traffic_manager;
        let mut m = Mechanisms {
            get_work: SimDuration::from_ns_f64(tm.get_work_ns),
            contention: SimDuration::from_ns_f64(tm.contention_ns),
            flow_state_bytes: nic.forwarding.flow_state_bytes,
            ..Mechanisms::none()
        };
        if let Some(cfg) = &nic.memory.packet_ring {
            let ring = PacketRing::new(cfg, &nic.memory, nic.cores as usize)?;
            let nominal = ring.nominal();
            // the profile check refuses a per_packet_ns below it; a
            // profile built in code may skip that check
            if nominal.as_ns_f64() > nic.forwarding.per_packet_ns {
                nic_models::memory::packet_ring::check_per_packet(nic)?;
            }
            m.ring = Some(ring);
            m.ring_nominal = nominal;
        }
        // the ring alone needs no caches (PacketRing::stall_alone is exact
        // then); they matter once something else competes for them
        if m.flow_state_bytes > 0 {
            m.memory = Some(nic.core_model()?);
        }
        Ok(m)
    }
}

/// The traffic manager and the NIC cores running the forwarding handler.
pub struct ForwardPath {
    queue: SharedQueue,
    cost: ForwardingCost,
    /// Per-packet work the scenario adds (Fig. 4's offloaded task).
    processing: SimDuration,
    mech: Mechanisms,
    /// Ordered by `done` (ties: arrival order).
    pending: VecDeque<OnCore>,
    /// The latest time pending frames were classified against.
    flushed_to: SimTime,
    /// Cost-model refusals (an access outside the model), charged nothing.
    model_errors: u64,
    /// Core time of frames handed to the transmit MAC.
    busy_done: SimDuration,
}

impl ForwardPath {
    /// `cores` NIC cores behind a traffic manager queue of `queue_packets`.
    pub fn new(
        cores: usize,
        queue_packets: usize,
        cost: ForwardingCost,
        processing: SimDuration,
        mech: Mechanisms,
    ) -> ForwardPath {
        ForwardPath {
            queue: SharedQueue::new(cores, queue_packets),
            cost,
            processing,
            mech,
            pending: VecDeque::new(),
            flushed_to: SimTime::ZERO,
            model_errors: 0,
            busy_done: SimDuration::ZERO,
        }
    }

    /// A frame of `wire_bytes` created at `created` reaches the traffic
    /// manager at `at` (not before the previous frame).
    /// `flow` indexes the flow's record in the flow table.
    pub fn admit(&mut self, at: SimTime, created: SimTime, wire_bytes: u32, flow: u32) -> Admit {
        let Some(mut slot) = self.queue.arrive(at) else {
            return Admit::QueueFull;
        };
        if slot.start == at && slot.pullers > 0 {
            // an idle core was polling: the hand-over takes get_work, longer
            // when several cores poll at once (a busy core prefetched its
            // next entry while it worked, so a queued frame waits for nothing)
            let others = slot.pullers.saturating_sub(1) as u64;
            slot.start = at
                + self.mech.get_work
                + SimDuration::from_ps(self.mech.contention.as_ps() * others);
        }
        let service = self.service(slot, wire_bytes, flow);
        let done = self.queue.commit(slot, service);
        let rec = OnCore {
            arrived: at,
            start: slot.start,
            done,
            created,
            wire_bytes,
        };
        // usually the latest finish: a plain push at the back, looked at
        // before any search (the search's code moved with the compiler's
        // inlining, 8 instructions a packet between two builds); else
        // after the last frame finishing no later
        match self.pending.back() {
            Some(last) if last.done > done => {
                let pos = self
                    .pending
                    .iter()
                    .rposition(|p| p.done <= done)
                    .map_or(0, |i| i + 1);
                self.pending.insert(pos, rec);
            }
            _ => self.pending.push_back(rec),
        }
        Admit::Run {
            start: slot.start,
            done,
        }
    }

    /// Core time of one frame: forwarding (its nominal ring stall replaced
    /// by what the caches of the core that runs it charge), the flow record
    /// through the same caches, and the scenario's processing.
    fn service(&mut self, slot: Slot, wire_bytes: u32, flow: u32) -> SimDuration {
        let mut d = self.cost.service_time(wire_bytes) + self.processing;
        if let Some(ring) = self.mech.ring.as_mut() {
            let stall = match self.mech.memory.as_mut() {
                Some(mem) => ring.receive(mem, slot.core, wire_bytes),
                None => Ok(ring.stall_alone(wire_bytes)),
            };
            match stall {
                // nominal <= per_packet_ns (checked when built): no underflow
                Ok(stall) => {
                    d = SimDuration::from_ps(
                        d.as_ps().saturating_sub(self.mech.ring_nominal.as_ps()),
                    ) + stall
                }
                Err(_) => self.model_errors += 1,
            }
        }
        let Some(mem) = self.mech.memory.as_mut() else {
            return d;
        };
        let bytes = self.mech.flow_state_bytes;
        if bytes > 0 {
            let addr = FLOW_TABLE_BASE + u64::from(flow) * u64::from(bytes);
            match mem.mem_access(slot.core, addr, bytes, true) {
                Ok(stall) => d += stall,
                Err(_) => self.model_errors += 1,
            }
        }
        d
    }

    /// The NIC cores' cache model, when the path uses one (for counters).
    pub fn memory(&self) -> Option<&CoreModel> {
        self.mech.memory.as_ref()
    }

    /// Cost-model refusals so far (each charged nothing).
    pub fn model_errors(&self) -> u64 {
        self.model_errors
    }

    /// The oldest-finishing frame if it finished by `upto` and no later
    /// arrival can finish before it (callers pass the current time or the
    /// latest arrival).
    pub fn pop_done(&mut self, upto: SimTime) -> Option<OnCore> {
        self.flushed_to = self.flushed_to.max(upto);
        if self.pending.front().is_some_and(|p| p.done <= upto) {
            let p = self.pending.pop_front()?;
            self.busy_done += p.done.saturating_since(p.start);
            Some(p)
        } else {
            None
        }
    }

    /// Frames dropped at the full queue.
    pub fn drops(&self) -> u64 {
        self.queue.drops()
    }

    /// Core time up to `end`: the service of frames handed on (all before
    /// the last flush) plus the part before `end` of those still on a core.
    pub fn busy(&self, end: SimTime) -> SimDuration {
        let partial: u64 = self
            .pending
            .iter()
            .map(|p| p.done.min(end).saturating_since(p.start.min(end)).as_ps())
            .fold(0u64, u64::saturating_add);
        SimDuration::from_ps(self.busy_done.as_ps().saturating_add(partial))
    }

    /// Frames inside at the last flush, by place: (arriving, queued, on a core).
    pub fn inside(&self) -> (u64, u64, u64) {
        let t = self.flushed_to;
        let mut v = (0, 0, 0);
        for p in &self.pending {
            if p.arrived > t {
                v.0 += 1;
            } else if p.start > t {
                v.1 += 1;
            } else {
                v.2 += 1;
            }
        }
        v
    }

    /// Deepest the traffic manager's queue has been.
    pub fn max_depth(&self) -> usize {
        self.queue.max_depth()
    }
}

impl Node {
    /// Offers a frame of `wire_bytes` in `flow`, created at `created_at`, at
    /// the traffic manager at `at`, to the forwarding path.
    #[inline]
    pub(super) fn forward_packet(
        &mut self,
        at: SimTime,
        flow: &FlowKey,
        created_at: SimTime,
        wire_bytes: u32,
    ) -> Ingress {
        let Some(fwd) = self.forward.as_mut() else {
            return Ingress::Dropped;
        };
        // synthetic flows differ in the source address's host bits
        let flow = u32::from(flow.src_ip) & 0x00ff_ffff;
        match fwd.admit(at, created_at, wire_bytes, flow) {
            Admit::Run { start, done } => {
                // busy time inside the run only (a frame queued behind very
                // long service may start far past the end)
                if start < self.stop_at {
                    let end = done.min(self.stop_at);
                    self.series.add_interval_us(start, end, col::NIC_BUSY_US);
                }
                Ingress::Forwarded(at)
            }
            Admit::QueueFull => {
                // counted at the drop's own time (it may lie past the event being handled)
                self.acct.drops_tm += 1;
                self.node_drops += 1;
                self.series.add(at, col::DROPS, 1.0);
                self.drops_in_series += 1;
                Ingress::Dropped
            }
        }
    }

    /// Hands frames whose core finished by `upto` to the transmit MAC, in finish order.
    pub(super) fn commit_forwarded(&mut self, upto: SimTime) {
        while let Some(p) = self.forward.as_mut().and_then(|f| f.pop_done(upto)) {
            self.acct.served += 1;
            self.acct.completed += 1;
            match self.tx.transmit(p.done, p.wire_bytes) {
                Some(out) => self.tx_in_flight.push_back((out, p.created, p.wire_bytes)),
                None => self.acct.drops_tx += 1,
            }
        }
    }

    /// Cost-model refusals of the forwarding path (each charged nothing).
    pub fn forward_model_errors(&self) -> u64 {
        self.forward.as_ref().map_or(0, |f| f.model_errors())
    }

    /// NIC core time up to `end` (runtime executions and the forwarding path).
    pub fn nic_busy(&self, end: SimTime) -> SimDuration {
        let fwd = self
            .forward
            .as_ref()
            .map_or(SimDuration::ZERO, |f| f.busy(end));
        self.driver.nic_busy(end) + fwd
    }
}

#[cfg(test)]
mod tests;
