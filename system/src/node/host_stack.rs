//! The host's DPDK-style packet stack on host-only runs: the CPU time a host core pays to receive a request from the wire and to send a message back to it, from the host profile's `dpdk` messaging path.
//!
//! Under the `host_only` policy the NIC is a plain NIC: every frame crosses
//! PCIe to the host, whose cores run a kernel-bypass stack (poll the RX
//! ring, handle the mbuf, read the payload; build the TX mbuf, copy, write
//! the descriptor). Those steps are the `dpdk` path's steps that cross no
//! PCIe (configs/nics/host_e5_2620v4.toml: receive 22.4 + 40 ns + 0.05 ns/B,
//! send 40 + 10 ns + 0.05 ns/B; each step's source is in that file). The
//! steps that cross PCIe are latency the node already models (the PCIe
//! crossing of every host-bound message), not core time, so they are left
//! out. iPipe runs (hybrid and the other policies) do not pay this: there the
//! NIC cores run the packet path and hand the host messages through the
//! runtime's own queues.

use nic_models::{MessagePath, MsgOp};
use sim_core::SimDuration;

/// Per-packet and per-byte CPU cost of the host stack, ns.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HostStack {
    rx_fixed_ns: f64,
    rx_per_byte_ns: f64,
    tx_fixed_ns: f64,
    tx_per_byte_ns: f64,
}

impl HostStack {
    /// The CPU steps (those crossing no PCIe) of `path`.
    pub fn from_path(path: &MessagePath) -> HostStack {
        let cpu = |op: MsgOp| {
            path.steps(op)
                .iter()
                .filter(|c| c.pcie_one_way_crossings == 0)
                .fold((0.0, 0.0), |(f, b), c| (f + c.fixed_ns, b + c.per_byte_ns))
        };
        let (rx_fixed_ns, rx_per_byte_ns) = cpu(MsgOp::Recv);
        let (tx_fixed_ns, tx_per_byte_ns) = cpu(MsgOp::Send);
        HostStack {
            rx_fixed_ns,
            rx_per_byte_ns,
            tx_fixed_ns,
            tx_per_byte_ns,
        }
    }

    /// Core time to receive a message of `payload_bytes`.
    pub fn rx(&self, payload_bytes: usize) -> SimDuration {
        SimDuration::from_ns_f64(self.rx_fixed_ns + self.rx_per_byte_ns * payload_bytes as f64)
    }

    /// Core time to send a message of `payload_bytes`.
    pub fn tx(&self, payload_bytes: usize) -> SimDuration {
        SimDuration::from_ns_f64(self.tx_fixed_ns + self.tx_per_byte_ns * payload_bytes as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_e5_profile_costs_only_its_cpu_steps() {
        let host = nic_models::HostProfile::builtin("host_e5_2620v4").expect("built-in host");
        let s = HostStack::from_path(host.messaging.path("dpdk").expect("dpdk path"));
        // 22.4 + 40 ns + 0.05 ns/B; the PCIe write (0.127 ns/B, one crossing) is not core time
        assert_eq!(s.rx(100), SimDuration::from_ns_f64(62.4 + 5.0));
        assert_eq!(s.tx(0), SimDuration::from_ns_f64(50.0));
    }
}
