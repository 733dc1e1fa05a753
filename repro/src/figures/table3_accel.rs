//! Table 3 of iPipe, accelerator rows: each LiquidIO CN2350 engine against the host doing the same work in software.
//!
//! Both sides process one 1024 B request on an idle machine (the paper does
//! not state the request size; 1 KiB is our choice, also used to calibrate
//! the engines). The first six columns are those of the task rows
//! (`table3_tasks`: task, exec_us, ipc, mpki, l1_mpki, paper_us; empty here
//! but exec_us), then host_us, speedup_vs_host and paper_speedup_vs_host.

use nic_models::AccelKind;
use sim_core::table::fmt_f64;
use sim_core::{SimTime, Table};

use crate::claim::{Basis, Claim};
use crate::error::ReproError;
use crate::figures::{host, nic};
use crate::paper::Paper;

/// Request size of the comparison, bytes.
pub const REQUEST_BYTES: u32 = 1024;

/// Accepted relative error of the speedups.
pub const TOLERANCE: f64 = 0.10;

/// The NIC of the published speedups.
const NIC: &str = "liquidio_cn2350";

/// One row per accelerator kind with its speedup over the host; a claim per
/// speedup in calibration `[accelerator_speedup_vs_host.liquidio_cn2350]`.
pub fn table3_accel(paper: &Paper) -> Result<(Table, Vec<Claim>), ReproError> {
    let published = paper.accelerator_speedup(NIC)?;
    if let Some(name) = published
        .keys()
        .find(|n| !AccelKind::ALL.iter().any(|k| k.name() == n.as_str()))
    {
        return Err(paper
            .invalid(format!(
                "accelerator_speedup_vs_host.{NIC}.{name} names no accelerator kind (known: {})",
                AccelKind::ALL.map(|k| k.name()).join(", ")
            ))
            .into());
    }
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
    let nic_profile = nic("table3", NIC)?;
    let host_profile = host("table3")?;
    let fail = |e: &dyn std::fmt::Display| ReproError::generate("table3", e);
    for kind in AccelKind::ALL {
        // Fresh models per kind: idle engines, no queueing.
        let mut n = nic_profile.core_model().map_err(|e| fail(&e))?;
        let mut h = host_profile.core_model().map_err(|e| fail(&e))?;
        let nic_us = n
            .accel(0, kind, REQUEST_BYTES, SimTime::ZERO)
            .map(|d| d.as_us_f64())
            .unwrap_or(f64::NAN);
        let host_us = h
            .accel(0, kind, REQUEST_BYTES, SimTime::ZERO)
            .map(|d| d.as_us_f64())
            .unwrap_or(f64::NAN);
        let speedup = host_us / nic_us;
        let paper_speedup = published.get(kind.name()).copied();
        table.push([
            format!("accel_{}", kind.name()),
            fmt_f64(nic_us, 4),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            fmt_f64(host_us, 4),
            fmt_f64(speedup, 3),
            paper_speedup.map_or(String::new(), |p| fmt_f64(p, 1)),
        ]);
        if let Some(p) = paper_speedup {
            // liquidio_cn2350.toml solves the engine's per-byte cost from
            // host time / speedup at 1 KiB.
            claims.push(Claim::new(
                format!("table3.accel.{}.speedup_vs_host", kind.name()),
                format!(
                    "LiquidIO CN2350 {} engine vs host software, {REQUEST_BYTES} B requests",
                    kind.name()
                ),
                p,
                speedup,
                "x",
                TOLERANCE,
                Basis::Fitted(format!(
                    "accel.engines.{}.per_byte_ns (configs/nics/{NIC}.toml)",
                    kind.name()
                )),
            ));
        }
    }
    Ok((table, claims))
}
