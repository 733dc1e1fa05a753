//! One-sided RDMA read and write from the cores of an off-path NIC (BlueField, Stingray) to host memory.
//!
//! An off-path NIC's cores reach the host through the NIC's RDMA engine, not
//! a DMA instruction queue. One verb, as modelled:
//! 1. the core builds the work-queue entry and rings the doorbell
//!    (`post_overhead_ns` of core time: the verbs library's software cost);
//! 2. the doorbell (a posted MMIO write carrying the WQE) crosses to the NIC
//!    in the link's one-way latency (`[pcie] one_way_latency_ns`, the same
//!    value every PCIe path uses) and the NIC decodes it (`wqe_fetch_ns`);
//! 3. write: the payload is copied from ARM memory into the NIC datapath
//!    (`nic_memory_gbytes_per_s`, one shared port per NIC), then goes to the
//!    host through the same DMA engine and PCIe link as a blocking DMA write
//!    (posted TLPs and a flush read);
//!    read: the same DMA engine and link as a blocking DMA read, then the
//!    payload is copied from the NIC datapath into ARM memory;
//! 4. the NIC writes the completion-queue entry (`cqe_write_ns`) and the
//!    polling core consumes it (`poll_overhead_ns` of core time).
//!
//! The core's own time per verb is `post_overhead_ns + poll_overhead_ns`
//! (`RdmaCompletion::core_time`); everything else runs in the NIC and overlaps
//! across verbs, bounded by the send queue. At small payloads a core issuing
//! verbs back to back is therefore bound by its software cost, which is what
//! the paper blames for RDMA's loss on small messages.
//!
//! The payload thus crosses the NIC datapath twice and the fixed costs of a
//! verb come on top of the PCIe path: that is why the paper finds RDMA latency
//! about twice blocking DMA latency.

use std::collections::VecDeque;

use sim_core::{SimDuration, SimTime};

use crate::dma::{DmaCommand, DmaEngines, DmaError, DmaKind};
use crate::link::PcieLink;
use crate::profile::{at_gbytes, ns, RdmaProfile};
use crate::timeline::Timeline;

/// One-sided verbs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RdmaVerb {
    /// Host memory to ARM memory.
    Read,
    /// ARM memory to host memory.
    Write,
}

/// What one verb did, as instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RdmaCompletion {
    /// The core started posting.
    pub issued: SimTime,
    /// The core is done posting and free to do other work.
    pub core_free: SimTime,
    /// Time this verb costs the issuing core in all: posting plus polling its
    /// completion (the software cost a pipelined loop pays per verb).
    pub core_time: SimDuration,
    /// Write: data in host memory. Read: data in ARM memory.
    pub data_done: SimTime,
    /// The polling core has consumed the completion entry: the verb's latency
    /// as the paper measures it ends here.
    pub completed: SimTime,
}

/// Counters of the RDMA path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RdmaStats {
    /// Work requests accepted.
    pub verbs: u64,
    /// Work requests refused because a send queue was full.
    pub dropped: u64,
}

/// The RDMA engine of an off-path NIC (it drives the NIC's DMA engines).
#[derive(Debug, Clone)]
pub struct RdmaEngine {
    profile: RdmaProfile,
    /// Per core: instants its outstanding work requests complete (sorted as
    /// posted; a request leaves the queue when its CQE is written).
    send_queues: Vec<VecDeque<SimTime>>,
    /// The copy port between ARM memory and the NIC datapath.
    nic_memory: Timeline,
    stats: RdmaStats,
}

impl RdmaEngine {
    /// An idle engine. The profile should have been validated.
    pub fn new(profile: RdmaProfile) -> Self {
        RdmaEngine {
            profile,
            send_queues: Vec::new(),
            nic_memory: Timeline::new(),
            stats: RdmaStats::default(),
        }
    }

    /// The profile this engine was built from.
    pub fn profile(&self) -> &RdmaProfile {
        &self.profile
    }

    /// Counters so far.
    pub fn stats(&self) -> RdmaStats {
        self.stats
    }

    fn queue_of(&mut self, core: usize) -> &mut VecDeque<SimTime> {
        if self.send_queues.len() <= core {
            self.send_queues.resize_with(core + 1, VecDeque::new);
        }
        &mut self.send_queues[core]
    }

    /// Earliest instant at or after `now` at which `core` finds room in its
    /// send queue.
    pub fn next_post_time(&mut self, core: usize, now: SimTime) -> SimTime {
        let depth = self.profile.send_queue_depth as usize;
        let q = self.queue_of(core);
        q.retain(|&t| t > now);
        if q.len() < depth {
            return now;
        }
        let mut done: Vec<SimTime> = q.iter().copied().collect();
        done.sort_unstable();
        done[done.len() - depth]
    }

    /// No verb will be posted before `now` again: forget the past.
    pub fn advance(&mut self, now: SimTime) {
        self.nic_memory.advance(now);
    }

    /// Core `core` posts `verb` of `bytes` at `now`.
    pub fn post(
        &mut self,
        now: SimTime,
        core: usize,
        verb: RdmaVerb,
        bytes: u64,
        dma: &mut DmaEngines,
        link: &mut PcieLink,
    ) -> Result<RdmaCompletion, DmaError> {
        let depth = self.profile.send_queue_depth as usize;
        {
            let q = self.queue_of(core);
            q.retain(|&t| t > now);
            if q.len() >= depth {
                self.stats.dropped += 1;
                return Err(DmaError::SendQueueFull { core, depth });
            }
        }
        let p = self.profile.clone();
        let core_free = now + ns(p.post_overhead_ns);
        // The doorbell is a posted write across the link: it lands one
        // one-way latency after the core stored it.
        let wqe_ready = core_free + link.one_way_latency() + ns(p.wqe_fetch_ns);
        let copy = at_gbytes(bytes, p.nic_memory_gbytes_per_s);
        let engine = dma.engine_of(core);
        let (data_done, nic_done) = match verb {
            RdmaVerb::Write => {
                let copied = self.nic_memory.reserve(wqe_ready, copy) + copy;
                let cmd = DmaCommand::new(DmaKind::Write, bytes).with_completion_word();
                // The NIC waits for room in the engine's queue rather than drop.
                let at = dma.next_enqueue_time(engine, copied);
                let c = dma.enqueue(at, engine, &cmd, link)?;
                (c.data_done, c.finished)
            }
            RdmaVerb::Read => {
                let cmd = DmaCommand::new(DmaKind::Read, bytes);
                let at = dma.next_enqueue_time(engine, wqe_ready);
                let c = dma.enqueue(at, engine, &cmd, link)?;
                let copied = self.nic_memory.reserve(c.data_done, copy) + copy;
                (copied, copied)
            }
        };
        let cqe = nic_done + ns(p.cqe_write_ns);
        let completed = cqe + ns(p.poll_overhead_ns);
        self.queue_of(core).push_back(cqe);
        self.stats.verbs += 1;
        Ok(RdmaCompletion {
            issued: now,
            core_free,
            core_time: ns(p.post_overhead_ns) + ns(p.poll_overhead_ns),
            data_done,
            completed,
        })
    }
}
