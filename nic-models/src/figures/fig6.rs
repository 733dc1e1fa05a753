//! Fig. 6 of iPipe: send/receive latency of LiquidIO's hardware-assisted messaging versus the host's DPDK and RDMA paths.
//!
//! The published figure is the average speedup of the SmartNIC send over
//! 4 B to 1024 B payloads (4.6x vs DPDK, 4.2x vs RDMA). We take the payloads
//! 4, 8, ..., 1024 B and define the average speedup as the ratio of mean
//! latencies over those payloads.

use sim_core::table::fmt_f64;
use sim_core::{Claim, Table};

use crate::figures::{host, nic};
use crate::messaging::{MessagePath, MsgOp};

/// Payload sizes of the sweep, bytes.
pub const PAYLOADS: [u32; 9] = [4, 8, 16, 32, 64, 128, 256, 512, 1024];

/// Mean latency of `op` over `PAYLOADS`, ns.
pub fn mean_latency_ns(path: &MessagePath, op: MsgOp) -> f64 {
    PAYLOADS
        .iter()
        .map(|&p| path.latency_ns(op, p))
        .sum::<f64>()
        / PAYLOADS.len() as f64
}

/// Columns: path, op, payload_bytes, latency_us.
pub fn fig6() -> (Table, Vec<Claim>) {
    let cn = nic("liquidio_cn2350");
    let h = host();
    let lookup = |cfg: &crate::messaging::MessagingConfig, name: &str| {
        cfg.path(name)
            .cloned()
            .unwrap_or_else(|| panic!("built-in profile lacks messaging path {name}"))
    };
    let paths = [
        lookup(&cn.messaging, "smartnic"),
        lookup(&h.messaging, "dpdk"),
        lookup(&h.messaging, "rdma"),
    ];
    let mut table = Table::new(["path", "op", "payload_bytes", "latency_us"]);
    for p in &paths {
        for op in [MsgOp::Send, MsgOp::Recv] {
            for &b in &PAYLOADS {
                table.push([
                    p.name.clone(),
                    op.name().to_string(),
                    b.to_string(),
                    fmt_f64(p.latency_ns(op, b) / 1000.0, 4),
                ]);
            }
        }
    }
    let nic_send = mean_latency_ns(&paths[0], MsgOp::Send);
    let claims = vec![
        Claim::new(
            "fig6.send.smartnic_speedup_vs_dpdk",
            "Fig. 6: LiquidIO hardware-assisted send vs host DPDK send, averaged over 4-1024 B",
            4.6,
            mean_latency_ns(&paths[1], MsgOp::Send) / nic_send,
            "x",
            0.10,
        ),
        Claim::new(
            "fig6.send.smartnic_speedup_vs_rdma",
            "Fig. 6: LiquidIO hardware-assisted send vs host RDMA send, averaged over 4-1024 B",
            4.2,
            mean_latency_ns(&paths[2], MsgOp::Send) / nic_send,
            "x",
            0.10,
        ),
    ];
    (table, claims)
}
