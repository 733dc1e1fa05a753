//! `NodePlatform`: the `scheduler::Platform` of one core of a node, adding the NIC packet path to the core's cost model.
//!
//! It wraps the workloads crate's `SimPlatform` (compute, caches,
//! accelerators, DMA through the PCIe model, a bounded outbox) and adds what
//! the node's pipeline charges on a NIC core before a frame's handler runs:
//! the NIC's forwarding cost (per packet + per byte of the frame) for every
//! request that came from the wire. That cost is charged once, here, for
//! every workload; handlers carry no packet-path "tax" of their own.

use nic_models::{CoreModel, ForwardingCost};
use pcie_model::TransferCosts;
use scheduler::{AccelKind, Direction, Endpoint, MemAccess, Message, Platform, Side};
use sim_core::{SimDuration, SimTime};
use workloads::sim_platform::SimPlatform;

use crate::frame::Frame;

/// The request a core picked up, as the pipeline saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PickedRequest {
    /// Message id (below `RUNTIME_MSG_ID_BASE` for requests from the wire).
    pub msg_id: u64,
    /// When the request was created (its frame left the source).
    pub created_at: SimTime,
    /// Whether it came from the wire (and so paid the NIC packet path).
    pub from_wire: bool,
    /// Who sent it.
    pub src: Endpoint,
    /// The actor it is for.
    pub dst: scheduler::ActorId,
}

/// Most messages one execution may send (further sends are dropped and counted).
pub const OUTBOX_CAPACITY: usize = workloads::sim_platform::DEFAULT_OUTBOX_CAPACITY;

/// One core of a node seen through `scheduler::Platform`.
pub struct NodePlatform<'a> {
    inner: SimPlatform<&'a mut CoreModel>,
    /// Messages sent by this execution (the driver's per-core buffer, reused
    /// across executions so a send allocates nothing in steady state).
    outbox: &'a mut Vec<(Endpoint, Message)>,
    dropped_sends: u64,
    /// NIC cores: the forwarding cost of a frame from the wire.
    forwarding: Option<&'a mut ForwardingCost>,
    picked: Option<PickedRequest>,
    pipeline: SimDuration,
    /// Writes into host memory (`Platform::dma_write`), their bytes and the
    /// PCIe time they charged on a NIC core (ps).
    host_writes: (u64, u64, u64),
    /// Host cores of a host-only run: the DPDK-style stack's CPU cost per
    /// message from and to the wire (`node::host_stack`).
    host_stack: Option<crate::node::host_stack::HostStack>,
    /// The driver's spare payload buffers ([`Platform::payload_buffer`],
    /// [`Platform::recycle_payload`]).
    spare: &'a mut SparePayloads,
    /// What `dma` and a NIC core's `dma_write` cost, borrowed from the driver
    /// (a reference per execution, where an `Arc` in the inner platform
    /// cost a count up and down); `None`: the inner platform's own.
    dma_costs: Option<&'a mut TransferCosts>,
}

/// Payload allocations kept for reuse (finished requests, transmitted
/// replies), at most [`SparePayloads::MAX`]: a steady run allocates no
/// payload per request. A fixed array, not a `Vec`: the node's dispatch
/// path gives one back per request, and `Vec::push` was left out of line
/// there (a call per request).
#[derive(Debug)]
pub struct SparePayloads {
    /// `bufs[..len]` hold the kept allocations; the rest are empty `Vec`s
    /// (no allocation).
    bufs: [Vec<u8>; SparePayloads::MAX],
    len: usize,
}

impl Default for SparePayloads {
    fn default() -> Self {
        SparePayloads {
            bufs: std::array::from_fn(|_| Vec::new()),
            len: 0,
        }
    }
}

impl SparePayloads {
    /// Most buffers kept.
    pub const MAX: usize = 64;

    /// An empty buffer, recycled when one is spare.
    #[inline]
    pub fn take(&mut self) -> Vec<u8> {
        match self.len.checked_sub(1) {
            Some(i) => {
                self.len = i;
                std::mem::take(&mut self.bufs[i])
            }
            None => Vec::new(),
        }
    }

    /// Keeps `buf`'s allocation (emptied) unless enough are kept already.
    #[inline(always)]
    pub fn give(&mut self, mut buf: Vec<u8>) {
        if self.len < Self::MAX && buf.capacity() > 0 {
            buf.clear();
            // the slot past the kept ones is an empty `Vec` (never
            // allocated, or emptied by `take`): nothing to free
            let empty = std::mem::replace(&mut self.bufs[self.len], buf);
            debug_assert_eq!(empty.capacity(), 0);
            std::mem::forget(empty);
            self.len += 1;
        }
    }
}

impl<'a> NodePlatform<'a> {
    /// Wraps `inner`; `forwarding` is `Some` on NIC cores.
    pub fn new(
        inner: SimPlatform<&'a mut CoreModel>,
        forwarding: Option<&'a mut ForwardingCost>,
        outbox: &'a mut Vec<(Endpoint, Message)>,
        spare: &'a mut SparePayloads,
    ) -> NodePlatform<'a> {
        NodePlatform::with_stack(inner, forwarding, outbox, None, spare, None)
    }

    /// A DMA of `bytes` in `dir` costed by the borrowed `TransferCosts`, else the inner platform's.
    fn dma_through(&mut self, dir: Direction, bytes: u64) -> SimDuration {
        match self.dma_costs.as_deref_mut() {
            Some(c) => {
                let d = c.cost(bytes, dir);
                self.inner.charge_dma(bytes, d)
            }
            None => self.inner.dma(dir, bytes),
        }
    }

    /// [`NodePlatform::new`] with the host stack of a host-only run (or `None`)
    /// and the node's DMA costs (`TransferCosts`, or `None`), built
    /// in one go (a platform is a few hundred bytes to move).
    pub fn with_stack(
        inner: SimPlatform<&'a mut CoreModel>,
        forwarding: Option<&'a mut ForwardingCost>,
        outbox: &'a mut Vec<(Endpoint, Message)>,
        host_stack: Option<crate::node::host_stack::HostStack>,
        spare: &'a mut SparePayloads,
        dma_costs: Option<&'a mut TransferCosts>,
    ) -> NodePlatform<'a> {
        NodePlatform {
            inner,
            outbox,
            dropped_sends: 0,
            forwarding,
            picked: None,
            pipeline: SimDuration::ZERO,
            host_writes: (0, 0, 0),
            host_stack,
            spare,
            dma_costs,
        }
    }

    fn charge(&mut self, d: SimDuration) {
        let to = self.inner.clock() + d;
        self.inner.advance_to(to);
    }

    /// The request the runtime handed this core, if the work was a request.
    pub fn picked(&self) -> Option<PickedRequest> {
        self.picked
    }

    /// Time the packet path charged before the handler.
    pub fn pipeline_time(&self) -> SimDuration {
        self.pipeline
    }

    /// Writes into host memory this execution made, their bytes and the time they charged (ps).
    pub fn host_writes(&self) -> (u64, u64, u64) {
        self.host_writes
    }

    /// Sends refused because the outbox was full.
    pub fn dropped_sends(&self) -> u64 {
        self.dropped_sends
    }

    /// [`Self::dropped_sends`] and [`Self::host_writes`], or `None` when
    /// there were neither (most executions): one test instead of four sums.
    #[inline]
    pub fn rare_counts(&self) -> Option<(u64, (u64, u64, u64))> {
        (self.dropped_sends != 0 || self.host_writes.0 != 0)
            .then_some((self.dropped_sends, self.host_writes))
    }

    /// The wrapped platform (clock, error counts).
    pub fn inner_mut(&mut self) -> &mut SimPlatform<&'a mut CoreModel> {
        &mut self.inner
    }
}

impl Platform for NodePlatform<'_> {
    fn now(&self) -> SimTime {
        self.inner.now()
    }
    fn side(&self) -> Side {
        self.inner.side()
    }
    // inlined into the `*_then_charged` entries `ActorCtx` calls through
    // `dyn Platform` (one call per charge instead of two)
    #[inline(always)]
    fn charge_cycles(&mut self, cycles: u64) {
        self.inner.charge_cycles(cycles)
    }
    #[inline(always)]
    fn mem_access(&mut self, addr: u64, bytes: u32, kind: MemAccess) {
        self.inner.mem_access(addr, bytes, kind)
    }
    fn accel(&mut self, kind: AccelKind, bytes: u32) {
        self.inner.accel(kind, bytes)
    }
    fn dma(&mut self, dir: Direction, bytes: u64) -> SimDuration {
        self.dma_through(dir, bytes)
    }
    /// The node models no host memory contents: the write is costed (PCIe
    /// from a NIC core) and counted, and its bytes are not kept.
    fn dma_write(&mut self, host_addr: u64, data: &[u8]) -> SimDuration {
        let bytes = data.len().min(u32::MAX as usize) as u32;
        let before = self.inner.clock();
        // as `SimPlatform::charge_host_write`: a DMA from a NIC core, a store from a host core
        let d = match self.inner.side() {
            Side::Nic => self.dma_through(Direction::NicToHost, u64::from(bytes)),
            Side::Host => self.inner.charge_host_write(host_addr, bytes),
        };
        self.host_writes.0 += 1;
        self.host_writes.1 += u64::from(bytes);
        if self.inner.side() == Side::Nic {
            // PCIe time; a host core's write is a store, in the cache model's time
            self.host_writes.2 += self.inner.clock().saturating_since(before).as_ps();
        }
        d
    }
    fn send(&mut self, msg: Message) {
        let dst = Endpoint::Actor(msg.dst);
        self.send_to(dst, msg);
    }
    #[inline(always)]
    fn send_to(&mut self, dst_endpoint: Endpoint, msg: Message) {
        if let (Endpoint::Network { .. }, Some(stack)) = (dst_endpoint, self.host_stack) {
            self.charge(stack.tx(msg.payload.len()));
        }
        if !scheduler::platform::push_bounded(self.outbox, OUTBOX_CAPACITY, dst_endpoint, msg) {
            self.dropped_sends += 1;
        }
    }
    fn charged_in_exec(&self) -> SimDuration {
        self.inner.charged_in_exec()
    }
    #[inline(always)]
    fn payload_buffer(&mut self) -> Vec<u8> {
        self.spare.take()
    }
    #[inline(always)]
    fn recycle_payload(&mut self, payload: Vec<u8>) {
        self.spare.give(payload);
    }
    /// The runtime hands this core a request: charge the NIC packet path for a
    /// frame from the wire on a NIC core, and remember the request.
    // always inlined into the driver's dispatch (once per request; left
    // out of line, it cost a call and a copy of the platform's fields)
    #[inline(always)]
    fn on_request(&mut self, msg: &Message) {
        let from_wire = matches!(msg.src, Endpoint::Network { .. });
        self.picked = Some(PickedRequest {
            msg_id: msg.id,
            created_at: msg.created_at,
            from_wire,
            src: msg.src,
            dst: msg.dst,
        });
        if let (true, Some(fwd)) = (from_wire, self.forwarding.as_deref_mut()) {
            let d = fwd.service_time(Frame::wire_bytes_for(msg.payload.len()));
            self.pipeline += d;
            self.charge(d);
        }
        if let (true, Some(stack)) = (from_wire, self.host_stack) {
            let d = stack.rx(msg.payload.len());
            self.pipeline += d;
            self.charge(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SparePayloads;

    #[test]
    fn spare_payloads_come_back_empty_and_stay_bounded() {
        let mut spare = SparePayloads::default();
        assert_eq!(
            spare.take().capacity(),
            0,
            "nothing spare: a new empty buffer"
        );
        spare.give(vec![7u8; 64]);
        let b = spare.take();
        assert!(
            b.is_empty() && b.capacity() >= 64,
            "the allocation, emptied"
        );
        for _ in 0..SparePayloads::MAX + 10 {
            spare.give(vec![1u8; 8]);
        }
        let kept = std::iter::from_fn(|| Some(spare.take()))
            .take_while(|b| b.capacity() > 0)
            .count();
        assert_eq!(kept, SparePayloads::MAX);
    }
}
