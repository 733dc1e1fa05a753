//! Building a [`RuntimeDriver`]: its cores and outboxes from the runtime's groups, and the options a node or a measurement sets on it.

use super::{Running, RuntimeDriver};
use crate::node::drops::{DriverCounters, OrderCheck};
use crate::node::platform::SparePayloads;
use nic_models::{CoreModel, ForwardingCost};
use pcie_model::PcieSystem;
use scheduler::runtime::{CoreId, Runtime};
use scheduler::Side;
use sim_core::{SimDuration, SimTime};

impl RuntimeDriver {
    /// Drives `rt` on the given cost models; `forwarding` is the NIC packet path a
    /// NIC core pays for every request from the wire. Without a host model, work
    /// the runtime hands a host core is refused and counted (`platform_errors`).
    pub fn new(
        rt: Runtime,
        nic_model: CoreModel,
        host_model: Option<CoreModel>,
        pcie: &PcieSystem,
        forwarding: ForwardingCost,
    ) -> RuntimeDriver {
        let nic = rt.cores_in(scheduler::policy::NicGroup::Fcfs)
            + rt.cores_in(scheduler::policy::NicGroup::Drr);
        // the runtime's host cores (at most the host model's: the scenario checks it)
        let host = host_model.as_ref().map_or(0, |m| {
            let rt_host = rt
                .idle_cores()
                .iter()
                .filter(|c| c.side == Side::Host)
                .count();
            rt_host.min(m.cores())
        });
        RuntimeDriver {
            rt,
            nic_model,
            host_model,
            dma_costs: pcie.transfer_costs(),
            forwarding,
            nic: (0..nic).map(|i| Running::idle(CoreId::nic(i))).collect(),
            host: (0..host)
                .map(|i| Running::idle(CoreId::host(i as u32)))
                .collect(),
            nic_busy: 0,
            nic_outbox: (0..nic).map(|_| Vec::new()).collect(),
            host_outbox: (0..host).map(|_| Vec::new()).collect(),
            counters: DriverCounters::default(),
            nic_busy_done: SimDuration::ZERO,
            host_busy_done: SimDuration::ZERO,
            last_dispatch: SimTime::ZERO,
            order: OrderCheck::default(),
            host_cycle_scale: None,
            forwards: std::collections::VecDeque::new(),
            on_path: false,
            host_stack: None,
            spare: SparePayloads::default(),
        }
    }

    /// Host cores pay `stack` for every message from or to the wire (the
    /// `host_only` policy: the NIC is a plain NIC).
    pub fn with_host_stack(
        mut self,
        stack: Option<crate::node::host_stack::HostStack>,
    ) -> RuntimeDriver {
        self.host_stack = stack;
        self
    }

    /// Marks the NIC on-path (LiquidIO): every frame from the wire passes a
    /// NIC core, so a request for a host actor is forwarded by one (paying the
    /// packet path) before it crosses PCIe; see [`RuntimeDriver::arrive_from_wire`].
    pub fn with_on_path(mut self, on_path: bool) -> RuntimeDriver {
        self.on_path = on_path;
        self
    }

    /// Scales every cycle charge on host cores by `scale` (see
    /// `SimPlatform::with_cycle_scale`): the Table 3 host column runs the
    /// actors' CN2350 cycle constants at the host's IPC this way. The node
    /// keeps the default, 1.
    pub fn with_host_cycle_scale(mut self, scale: f64) -> RuntimeDriver {
        self.host_cycle_scale = (scale != 1.0).then_some(scale);
        self
    }
}
