//! Measurement drivers: unloaded latency and per-core streaming throughput of each operation, run on a fresh model.
//!
//! These are the experiments behind Figs. 7 to 10, shared by the figure
//! generators and the tests. They only drive the model's public API; nothing
//! here knows a calibrated number.

use sim_core::{SimDuration, SimTime};

use crate::dma::{DmaCommand, DmaError, DmaKind};
use crate::profile::PcieProfiles;
use crate::rdma::RdmaVerb;
use crate::system::PcieSystem;

/// The operations of Figs. 7 to 10, named as in the CSV `op` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Op {
    /// Read, core waits for the completion word.
    DmaBlockingRead,
    /// Write, core waits for the completion word.
    DmaBlockingWrite,
    /// Read, core only enqueues the instruction word.
    DmaNonblockingRead,
    /// Write, core only enqueues the instruction word.
    DmaNonblockingWrite,
    /// One-sided RDMA read, core polls the completion queue.
    RdmaRead,
    /// One-sided RDMA write, core polls the completion queue.
    RdmaWrite,
}

impl Op {
    /// The four DMA operations of Figs. 7 and 8.
    pub const DMA: [Op; 4] = [
        Op::DmaBlockingRead,
        Op::DmaBlockingWrite,
        Op::DmaNonblockingRead,
        Op::DmaNonblockingWrite,
    ];

    /// CSV name.
    pub fn name(self) -> &'static str {
        match self {
            Op::DmaBlockingRead => "dma_blocking_read",
            Op::DmaBlockingWrite => "dma_blocking_write",
            Op::DmaNonblockingRead => "dma_nonblocking_read",
            Op::DmaNonblockingWrite => "dma_nonblocking_write",
            Op::RdmaRead => "rdma_read",
            Op::RdmaWrite => "rdma_write",
        }
    }

    fn dma_command(self, bytes: u64) -> Option<DmaCommand> {
        let (kind, blocking) = match self {
            Op::DmaBlockingRead => (DmaKind::Read, true),
            Op::DmaBlockingWrite => (DmaKind::Write, true),
            Op::DmaNonblockingRead => (DmaKind::Read, false),
            Op::DmaNonblockingWrite => (DmaKind::Write, false),
            Op::RdmaRead | Op::RdmaWrite => return None,
        };
        let cmd = DmaCommand::new(kind, bytes);
        Some(if blocking {
            cmd.with_completion_word()
        } else {
            cmd
        })
    }

    /// Whether the issuing core waits for the operation's completion word
    /// before it may issue another (blocking DMA).
    pub fn is_blocking(self) -> bool {
        matches!(self, Op::DmaBlockingRead | Op::DmaBlockingWrite)
    }

    fn rdma_verb(self) -> Option<RdmaVerb> {
        match self {
            Op::RdmaRead => Some(RdmaVerb::Read),
            Op::RdmaWrite => Some(RdmaVerb::Write),
            _ => None,
        }
    }
}

/// When one issued operation frees the core and when it is complete.
#[derive(Debug, Clone, Copy)]
struct Issued {
    /// Blocking / RDMA: the core sees the completion. Non-blocking: the data
    /// has arrived (there is no completion word).
    done: SimTime,
    /// What the core waits for before going on, for latency.
    latency_end: SimTime,
    /// Core time this operation costs a core that pipelines them (RDMA:
    /// posting plus polling; DMA: issuing).
    core_time: SimDuration,
}

fn issue(
    sys: &mut PcieSystem,
    now: SimTime,
    core: usize,
    op: Op,
    bytes: u64,
) -> Result<Issued, DmaError> {
    if let Some(cmd) = op.dma_command(bytes) {
        let c = sys.submit(now, core, &cmd)?;
        let done = c.completion_word.unwrap_or(c.data_done);
        return Ok(Issued {
            done,
            latency_end: c.core_resume(),
            core_time: c.core_free.saturating_since(now),
        });
    }
    let verb = op.rdma_verb().ok_or(DmaError::RdmaNotConfigured)?;
    let c = sys.rdma(now, core, verb, bytes)?;
    Ok(Issued {
        done: c.completed,
        latency_end: c.completed,
        core_time: c.core_time,
    })
}

/// Latency of one `op` of `bytes` on an idle system, from the issuing core's
/// view: blocking and RDMA until the completion is seen, non-blocking until
/// the instruction word is enqueued.
pub fn unloaded_latency(
    profiles: &PcieProfiles,
    op: Op,
    bytes: u64,
) -> Result<SimDuration, DmaError> {
    let mut sys = PcieSystem::new(profiles)?;
    let i = issue(&mut sys, SimTime::ZERO, 0, op, bytes)?;
    Ok(i.latency_end.since_start())
}

/// Payload throughput (GB/s) of `cores` cores each issuing `ops_per_core`
/// operations of `bytes`, each core as its operation type allows:
/// - blocking DMA: the core issues one command and spins on its completion
///   word; only then does it issue the next (one command in flight per core);
/// - non-blocking DMA: the core issues its next command as soon as it is free
///   and its engine queue has room (`dma.queue_depth` bounds the descriptors
///   in flight); it never waits for the data;
/// - RDMA: the core posts its next verb once it has built and posted the
///   previous one and its send queue has room (`rdma.send_queue_depth`), and
///   it pays the polling of every completion on its own time.
///
/// Cores take turns in time order. Throughput is measured between the first
/// and last completion, so start-up latency does not count.
pub fn streaming_throughput(
    profiles: &PcieProfiles,
    op: Op,
    bytes: u64,
    cores: usize,
    ops_per_core: usize,
) -> Result<f64, DmaError> {
    let mut sys = PcieSystem::new(profiles)?;
    let cores = cores.max(1);
    let mut next_free = vec![SimTime::ZERO; cores];
    let mut left = vec![ops_per_core; cores];
    let mut first_done = SimTime::MAX;
    let mut last_done = SimTime::ZERO;
    let mut completed: u64 = 0;
    // The core that can issue earliest goes next (lowest index on ties):
    // calls reach the model in time order, as from an event loop.
    while let Some(core) = (0..cores)
        .filter(|&c| left[c] > 0)
        .min_by_key(|&c| (next_free[c], c))
    {
        let now = next_free[core];
        let can = if op.rdma_verb().is_some() {
            sys.next_rdma_post_time(core, now)
        } else {
            sys.next_dma_issue_time(core, now)
        };
        if can > now {
            // Queue full: this core waits; another may go first.
            next_free[core] = can;
            continue;
        }
        let i = issue(&mut sys, now, core, op, bytes)?;
        next_free[core] = if op.is_blocking() {
            // The core spins until it sees the completion word.
            i.latency_end
        } else {
            // Non-blocking DMA: the issue cost; RDMA: post and poll.
            now + i.core_time
        };
        left[core] -= 1;
        first_done = first_done.min(i.done);
        last_done = last_done.max(i.done);
        completed += 1;
    }
    let span = last_done.saturating_since(first_done).as_secs_f64();
    if completed < 2 || span <= 0.0 {
        return Ok(0.0);
    }
    Ok((completed - 1) as f64 * bytes as f64 / span / 1e9)
}

/// Per-core throughput: one core issuing back to back.
pub fn per_core_throughput(
    profiles: &PcieProfiles,
    op: Op,
    bytes: u64,
    ops: usize,
) -> Result<f64, DmaError> {
    streaming_throughput(profiles, op, bytes, 1, ops)
}
