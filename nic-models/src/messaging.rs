//! Message send/receive paths as sums of named cost components: LiquidIO's hardware packet units versus the host's DPDK and RDMA stacks (Fig. 6 of iPipe).
//!
//! Each path (`[[messaging.paths]]` in a profile) lists the steps of a send and
//! of a receive; each step has a fixed cost, a per-byte cost and a number of
//! one-way PCIe crossings, so latency is `sum(fixed_ns) + sum(per_byte_ns) x
//! payload + sum(pcie_one_way_crossings) x L`. L is the one PCIe latency of
//! the model (`[pcie] one_way_latency_ns`, pcie-model), passed in by the
//! caller, so a step that crosses PCIe never carries its own latency. The values and their
//! derivations live in the profiles (configs/nics/liquidio_cn2350.toml for the
//! `smartnic` path, host_e5_2620v4.toml for `dpdk` and `rdma`). Latency is from
//! the application's send call to the frame entering the MAC (send), or from
//! the frame leaving the MAC to the application holding the payload (receive).

use serde::Deserialize;
use sim_core::SimDuration;

use crate::error::ModelError;

/// One step of a path.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CostComponent {
    /// What the step is, e.g. `doorbell_mmio`.
    pub name: String,
    /// Fixed cost, ns.
    #[serde(default)]
    pub fixed_ns: f64,
    /// Cost per payload byte, ns.
    #[serde(default)]
    pub per_byte_ns: f64,
    /// One-way PCIe latencies on this step's critical path (a posted write
    /// crosses once, a read round trip twice). Each costs the profile's
    /// `[pcie] one_way_latency_ns`.
    #[serde(default)]
    pub pcie_one_way_crossings: u32,
}

/// Send or receive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MsgOp {
    /// Send a message.
    Send,
    /// Receive a message.
    Recv,
}

impl MsgOp {
    /// Lower-case name for reports.
    pub fn name(self) -> &'static str {
        match self {
            MsgOp::Send => "send",
            MsgOp::Recv => "recv",
        }
    }
}

/// One messaging path.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MessagePath {
    /// Path name, e.g. `smartnic`, `dpdk`, `rdma`.
    pub name: String,
    /// Steps of a send.
    pub send: Vec<CostComponent>,
    /// Steps of a receive.
    pub recv: Vec<CostComponent>,
}

impl MessagePath {
    /// The steps of `op`.
    pub fn steps(&self, op: MsgOp) -> &[CostComponent] {
        match op {
            MsgOp::Send => &self.send,
            MsgOp::Recv => &self.recv,
        }
    }

    /// Latency of `op` for a `payload_bytes` message over a PCIe link whose
    /// one-way latency is `pcie_one_way_ns`, ns (unrounded).
    pub fn latency_ns(&self, op: MsgOp, payload_bytes: u32, pcie_one_way_ns: f64) -> f64 {
        self.steps(op)
            .iter()
            .map(|c| {
                c.fixed_ns
                    + c.per_byte_ns * f64::from(payload_bytes)
                    + f64::from(c.pcie_one_way_crossings) * pcie_one_way_ns
            })
            .sum()
    }

    /// Latency of `op` for a `payload_bytes` message (see `latency_ns`).
    pub fn latency(&self, op: MsgOp, payload_bytes: u32, pcie_one_way_ns: f64) -> SimDuration {
        SimDuration::from_ns_f64(self.latency_ns(op, payload_bytes, pcie_one_way_ns))
    }
}

/// `[messaging]` section of a profile.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MessagingConfig {
    /// The paths this machine offers.
    #[serde(default)]
    pub paths: Vec<MessagePath>,
}

impl MessagingConfig {
    /// The path called `name`.
    pub fn path(&self, name: &str) -> Option<&MessagePath> {
        self.paths.iter().find(|p| p.name == name)
    }

    /// Checks every value; errors name the key.
    pub fn validate(&self) -> Result<(), ModelError> {
        for (i, p) in self.paths.iter().enumerate() {
            for op in [MsgOp::Send, MsgOp::Recv] {
                for (j, c) in p.steps(op).iter().enumerate() {
                    let k = format!("messaging.paths[{i}].{}[{j}]", op.name());
                    crate::ranges::cost_ns(&format!("{k}.fixed_ns"), c.fixed_ns)?;
                    crate::ranges::per_byte_ns(&format!("{k}.per_byte_ns"), c.per_byte_ns)?;
                    crate::ranges::count(
                        &format!("{k}.pcie_one_way_crossings"),
                        c.pcie_one_way_crossings.into(),
                        0,
                        16,
                        "crossings",
                    )?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(crossings: u32) -> CostComponent {
        CostComponent {
            name: "doorbell".into(),
            fixed_ns: 10.0,
            per_byte_ns: 0.5,
            pcie_one_way_crossings: crossings,
        }
    }

    #[test]
    fn each_crossing_costs_the_given_pcie_latency() {
        let p = MessagePath {
            name: "p".into(),
            send: vec![step(1), step(2)],
            recv: vec![],
        };
        // 2 x 10 + 2 x 0.5 x 100 + 3 crossings x 350.
        assert_eq!(p.latency_ns(MsgOp::Send, 100, 350.0), 20.0 + 100.0 + 1050.0);
        assert_eq!(
            p.latency_ns(MsgOp::Send, 100, 700.0) - p.latency_ns(MsgOp::Send, 100, 350.0),
            3.0 * 350.0
        );
    }

    #[test]
    fn too_many_crossings_are_refused_naming_the_key() {
        let cfg = MessagingConfig {
            paths: vec![MessagePath {
                name: "p".into(),
                send: vec![step(17)],
                recv: vec![],
            }],
        };
        let e = cfg.validate().unwrap_err().to_string();
        assert!(
            e.contains("messaging.paths[0].send[0].pcie_one_way_crossings"),
            "{e}"
        );
    }
}
