//! Figure generators for `nicsim repro`: the paper's Figs. 7 to 10 as tables and claims, run on the model.
//!
//! Pure and deterministic: each builds fresh systems from the default
//! profiles (`PcieProfiles::liquidio_cn2350`, `PcieProfiles::bluefield_1m332a`)
//! and measures them with `crate::measure`. `quick` only shortens the
//! throughput runs (fewer commands per point); the latency points are exact
//! single-operation measurements either way.

use sim_core::table::fmt_f64;
use sim_core::{Claim, Table};

use crate::measure::{per_core_throughput, unloaded_latency, Op};
use crate::profile::PcieProfiles;

/// Payload sizes of every figure: 4 B to 2 KB in powers of two.
pub const PAYLOADS: [u64; 10] = [4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048];

/// Paper values (calibration `[dma.liquidio_cn2350]`, `[rdma.bluefield_1m332a]`).
pub mod paper {
    /// 2 KB blocking write per core, GB/s.
    pub const BLOCKING_WRITE_2KB_GBYTES_PER_S: f64 = 2.1;
    /// 2 KB blocking read per core, GB/s.
    pub const BLOCKING_READ_2KB_GBYTES_PER_S: f64 = 1.4;
    /// Blocking write throughput, 2 KB over 64 B.
    pub const BLOCKING_WRITE_2KB_OVER_64B: f64 = 8.7;
    /// Blocking read throughput, 2 KB over 64 B.
    pub const BLOCKING_READ_2KB_OVER_64B: f64 = 6.0;
    /// RDMA latency (BlueField) over blocking DMA latency (LiquidIO).
    pub const RDMA_OVER_BLOCKING_DMA_LATENCY: f64 = 2.0;
}

fn ops_per_point(quick: bool) -> usize {
    if quick {
        200
    } else {
        2000
    }
}

fn latency_us(profiles: &PcieProfiles, op: Op, bytes: u64) -> f64 {
    // The default profiles are valid and a fresh system never refuses one
    // operation, so an error here is a bug; NaN makes the claims fail loudly.
    unloaded_latency(profiles, op, bytes).map_or(f64::NAN, |d| d.as_us_f64())
}

fn throughput(profiles: &PcieProfiles, op: Op, bytes: u64, quick: bool) -> f64 {
    per_core_throughput(profiles, op, bytes, ops_per_point(quick)).unwrap_or(f64::NAN)
}

fn latency_table(rows: &[(Op, &PcieProfiles)]) -> (Table, Vec<Vec<f64>>) {
    let mut table = Table::new(["op", "payload_bytes", "latency_us"]);
    let mut values = Vec::new();
    for &(op, profiles) in rows {
        let series: Vec<f64> = PAYLOADS
            .iter()
            .map(|&b| latency_us(profiles, op, b))
            .collect();
        for (&b, &v) in PAYLOADS.iter().zip(&series) {
            table.push([op.name().to_string(), b.to_string(), fmt_f64(v, 4)]);
        }
        values.push(series);
    }
    (table, values)
}

fn throughput_table(rows: &[(Op, &PcieProfiles)], quick: bool) -> (Table, Vec<Vec<f64>>) {
    let mut table = Table::new(["op", "payload_bytes", "throughput_gbytes_per_s"]);
    let mut values = Vec::new();
    for &(op, profiles) in rows {
        let series: Vec<f64> = PAYLOADS
            .iter()
            .map(|&b| throughput(profiles, op, b, quick))
            .collect();
        for (&b, &v) in PAYLOADS.iter().zip(&series) {
            table.push([op.name().to_string(), b.to_string(), fmt_f64(v, 4)]);
        }
        values.push(series);
    }
    (table, values)
}

fn at(series: &[f64], bytes: u64) -> f64 {
    PAYLOADS
        .iter()
        .position(|&b| b == bytes)
        .map_or(f64::NAN, |i| series[i])
}

fn max_over_min(series: &[f64]) -> f64 {
    let max = series.iter().copied().fold(f64::MIN, f64::max);
    let min = series.iter().copied().fold(f64::MAX, f64::min);
    max / min
}

/// Fig. 7: LiquidIO DMA latency against payload, blocking and non-blocking.
pub fn fig7(_quick: bool) -> (Table, Vec<Claim>) {
    let lio = PcieProfiles::liquidio_cn2350();
    let rows: Vec<(Op, &PcieProfiles)> = Op::DMA.iter().map(|&op| (op, &lio)).collect();
    let (table, v) = latency_table(&rows);
    let claims = vec![
        Claim::new(
            "fig7.dma_nonblocking_read.latency_flat",
            "Non-blocking DMA read latency does not depend on payload (only the instruction word is enqueued): max/min over 4 B..2 KB",
            1.0,
            max_over_min(&v[2]),
            "x",
            0.05,
        ),
        Claim::new(
            "fig7.dma_nonblocking_write.latency_flat",
            "Non-blocking DMA write latency does not depend on payload: max/min over 4 B..2 KB",
            1.0,
            max_over_min(&v[3]),
            "x",
            0.05,
        ),
    ];
    (table, claims)
}

/// Fig. 8: LiquidIO per-core DMA throughput against payload.
pub fn fig8(quick: bool) -> (Table, Vec<Claim>) {
    let lio = PcieProfiles::liquidio_cn2350();
    let rows: Vec<(Op, &PcieProfiles)> = Op::DMA.iter().map(|&op| (op, &lio)).collect();
    let (table, v) = throughput_table(&rows, quick);
    let (read, write) = (&v[0], &v[1]);
    let claims = vec![
        Claim::new(
            "fig8.dma_blocking_write.2KB.per_core",
            "2 KB blocking DMA write per core",
            paper::BLOCKING_WRITE_2KB_GBYTES_PER_S,
            at(write, 2048),
            "GB/s",
            0.10,
        ),
        Claim::new(
            "fig8.dma_blocking_read.2KB.per_core",
            "2 KB blocking DMA read per core",
            paper::BLOCKING_READ_2KB_GBYTES_PER_S,
            at(read, 2048),
            "GB/s",
            0.10,
        ),
        Claim::new(
            "fig8.dma_blocking_write.2KB_over_64B",
            "Blocking DMA write throughput at 2 KB over 64 B",
            paper::BLOCKING_WRITE_2KB_OVER_64B,
            at(write, 2048) / at(write, 64),
            "x",
            0.10,
        ),
        Claim::new(
            "fig8.dma_blocking_read.2KB_over_64B",
            "Blocking DMA read throughput at 2 KB over 64 B",
            paper::BLOCKING_READ_2KB_OVER_64B,
            at(read, 2048) / at(read, 64),
            "x",
            0.10,
        ),
    ];
    (table, claims)
}

/// Fig. 9: BlueField RDMA latency against payload, LiquidIO blocking DMA beside it.
pub fn fig9(_quick: bool) -> (Table, Vec<Claim>) {
    let bf = PcieProfiles::bluefield_1m332a();
    let lio = PcieProfiles::liquidio_cn2350();
    let rows = [
        (Op::RdmaRead, &bf),
        (Op::RdmaWrite, &bf),
        (Op::DmaBlockingRead, &lio),
        (Op::DmaBlockingWrite, &lio),
    ];
    let (table, v) = latency_table(&rows);
    let mut claims = Vec::new();
    for (name, rdma, dma) in [("read", &v[0], &v[2]), ("write", &v[1], &v[3])] {
        for bytes in [64, 2048] {
            claims.push(Claim::new(
                format!("fig9.rdma_{name}.{bytes}B.over_dma_blocking_{name}"),
                format!("RDMA {name} latency on BlueField over blocking DMA {name} latency on LiquidIO, {bytes} B"),
                paper::RDMA_OVER_BLOCKING_DMA_LATENCY,
                at(rdma, bytes) / at(dma, bytes),
                "x",
                0.15,
            ));
        }
    }
    (table, claims)
}

/// Fig. 10: BlueField RDMA per-core throughput against payload. The
/// calibration file states no value from this figure, so it has no claims.
pub fn fig10(quick: bool) -> (Table, Vec<Claim>) {
    let bf = PcieProfiles::bluefield_1m332a();
    let rows = [(Op::RdmaRead, &bf), (Op::RdmaWrite, &bf)];
    let (table, _) = throughput_table(&rows, quick);
    (table, Vec::new())
}
