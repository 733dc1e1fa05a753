//! Table 3 of iPipe, accelerator rows: each LiquidIO CN2350 engine against the host doing the same work in software.
//!
//! Both sides process one 1024 B request on an idle machine (the paper does
//! not state the request size; 1 KiB is our choice, also used to calibrate
//! the engines). The first six columns are those of the task rows (workloads'
//! `table3_tasks`: task, exec_us, ipc, mpki, l1_mpki, paper_us; empty here but
//! exec_us), then host_us, speedup_vs_host and paper_speedup_vs_host, so the
//! two tables concatenate after padding the task rows with three empty cells.

use sim_core::table::fmt_f64;
use sim_core::{Claim, SimTime, Table};

use crate::accel::AccelKind;
use crate::figures::{host, nic};

/// Request size of the comparison, bytes.
pub const REQUEST_BYTES: u32 = 1024;

/// Published speedups (calibration [accelerator_speedup_vs_host.liquidio_cn2350]).
pub const PAPER_SPEEDUP: [(AccelKind, f64); 2] = [(AccelKind::Md5, 7.0), (AccelKind::Aes, 2.5)];

/// One row per accelerator kind with its speedup over the host.
pub fn table3_accel() -> (Table, Vec<Claim>) {
    let mut table = Table::new([
        "task",
        "exec_us",
        "ipc",
        "mpki",
        "l1_mpki",
        "paper_us",
        "host_us",
        "speedup_vs_host",
        "paper_speedup_vs_host",
    ]);
    let mut claims = Vec::new();
    let nic_profile = nic("liquidio_cn2350");
    let host_profile = host();
    for kind in AccelKind::ALL {
        // Fresh models per kind: idle engines, no queueing.
        let mut n = nic_profile
            .core_model()
            .unwrap_or_else(|e| panic!("cn2350: {e}"));
        let mut h = host_profile
            .core_model()
            .unwrap_or_else(|e| panic!("host: {e}"));
        let nic_us = n
            .accel(0, kind, REQUEST_BYTES, SimTime::ZERO)
            .map(|d| d.as_us_f64())
            .unwrap_or(f64::NAN);
        let host_us = h
            .accel(0, kind, REQUEST_BYTES, SimTime::ZERO)
            .map(|d| d.as_us_f64())
            .unwrap_or(f64::NAN);
        let speedup = host_us / nic_us;
        let paper = PAPER_SPEEDUP.iter().find(|(k, _)| *k == kind).map(|p| p.1);
        table.push([
            format!("accel_{}", kind.name()),
            fmt_f64(nic_us, 4),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            fmt_f64(host_us, 4),
            fmt_f64(speedup, 3),
            paper.map_or(String::new(), |p| fmt_f64(p, 1)),
        ]);
        if let Some(paper) = paper {
            claims.push(Claim::new(
                format!("table3.accel.{}.speedup_vs_host", kind.name()),
                format!(
                    "LiquidIO CN2350 {} engine vs host software, {REQUEST_BYTES} B requests",
                    kind.name()
                ),
                paper,
                speedup,
                "x",
                0.10,
            ));
        }
    }
    (table, claims)
}
