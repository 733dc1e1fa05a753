//! DMA engines: bounded command queues, scatter-gather commands, read slots and completion words.
//!
//! A core issues a command by writing an instruction word into the queue of
//! engine `core % engines` (`issue_ns` of core time; that is all a
//! non-blocking operation costs the core). The engine takes commands in FIFO
//! order. Per command it spends `command_overhead_ns` (+ `segment_overhead_ns`
//! per extra scatter-gather segment), then:
//! - write: pulls each TLP's payload from NIC memory at the datapath rate and
//!   hands it to the link; it stalls when the link or its credits push back.
//!   A command with a completion word then sends a zero-length flush read:
//!   PCIe ordering keeps the read behind the writes, so its completion proves
//!   the data is in host memory.
//! - read: cuts each segment into MRRS requests; each takes one of the
//!   engine's `read_slots_per_engine` completion-buffer slots (and a link tag)
//!   until its data is written into NIC memory at the datapath rate.
//!
//! Then the engine writes the completion word, which the polling core sees
//! `completion_word_ns` later. A full queue refuses the command (counted).

use std::collections::VecDeque;

use sim_core::{SimDuration, SimTime};
use thiserror::Error;

use crate::link::PcieLink;
use crate::pool::ReleasePool;
use crate::profile::{at_gbytes, ns, DmaProfile, ProfileError};
use crate::timeline::Timeline;

/// Direction of a DMA transfer, from the NIC's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DmaKind {
    /// Host memory to NIC memory (non-posted reads).
    Read,
    /// NIC memory to host memory (posted writes).
    Write,
}

/// One DMA instruction: a kind, scatter-gather segments and whether the
/// engine writes a completion word the core can wait on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DmaCommand {
    /// Read or write.
    pub kind: DmaKind,
    /// Bytes of each host-side segment, in order. At least one.
    pub segments: Vec<u64>,
    /// Write a completion word when the transfer is done (what a blocking
    /// operation waits on).
    pub completion_word: bool,
}

impl DmaCommand {
    /// A single-segment command without a completion word.
    pub fn new(kind: DmaKind, bytes: u64) -> Self {
        DmaCommand {
            kind,
            segments: vec![bytes],
            completion_word: false,
        }
    }

    /// A scatter-gather command without a completion word.
    pub fn gather(kind: DmaKind, segments: Vec<u64>) -> Self {
        DmaCommand {
            kind,
            segments,
            completion_word: false,
        }
    }

    /// The same command, asking for a completion word.
    pub fn with_completion_word(mut self) -> Self {
        self.completion_word = true;
        self
    }

    /// Payload bytes over all segments.
    pub fn bytes(&self) -> u64 {
        self.segments.iter().sum()
    }
}

/// What a submitted command did, as instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DmaCompletion {
    /// Engine the command went to.
    pub engine: usize,
    /// The core started issuing.
    pub issued: SimTime,
    /// The instruction word is in the queue: a non-blocking op returns here.
    pub core_free: SimTime,
    /// The engine took the command from its queue.
    pub started: SimTime,
    /// Write: the data is in host memory. Read: the data is in NIC memory.
    pub data_done: SimTime,
    /// The engine knows the transfer is complete (write: the flush read came
    /// back, or the last TLP left if no completion word was asked for; read:
    /// same as `data_done`).
    pub finished: SimTime,
    /// The core sees the completion word (if one was asked for): a blocking
    /// op returns here.
    pub completion_word: Option<SimTime>,
}

impl DmaCompletion {
    /// When a core waiting on this command may go on: the completion word if
    /// there is one, else the instant it was free to go.
    pub fn core_resume(&self) -> SimTime {
        self.completion_word.unwrap_or(self.core_free)
    }
}

/// Why a DMA or RDMA operation was refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum DmaError {
    /// The profiles given to build the system are invalid.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// The engine's command queue was full; the command was dropped and counted.
    #[error("DMA engine {engine} queue full ({depth} commands); command dropped")]
    QueueFull {
        /// Engine index.
        engine: usize,
        /// Queue bound from `[dma] queue_depth`.
        depth: usize,
    },
    /// A command with no segments.
    #[error("DMA command has no segments")]
    NoSegments,
    /// An RDMA verb on a NIC whose profile has no `[rdma]` table.
    #[error("RDMA verb on a NIC without an [rdma] profile table")]
    RdmaNotConfigured,
    /// The core's RDMA send queue was full; the work request was dropped and counted.
    #[error("RDMA send queue of core {core} full ({depth} work requests); request dropped")]
    SendQueueFull {
        /// Issuing core.
        core: usize,
        /// Bound from `[rdma] send_queue_depth`.
        depth: usize,
    },
}

/// Counters of the DMA engines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DmaStats {
    /// Commands accepted.
    pub commands: u64,
    /// Commands refused because a queue was full.
    pub dropped: u64,
    /// Payload bytes written to the host.
    pub bytes_written: u64,
    /// Payload bytes read from the host.
    pub bytes_read: u64,
    /// Read requests that waited for an engine read slot.
    pub read_slot_waits: u64,
}

#[derive(Debug, Clone)]
struct Engine {
    /// Engine idle from this instant.
    busy_until: SimTime,
    /// Instants queued commands leave the queue (nondecreasing).
    queue: VecDeque<SimTime>,
    read_slots: ReleasePool,
    /// The port writing read data into NIC memory.
    writeback: Timeline,
}

/// The DMA engines of one NIC.
#[derive(Debug, Clone)]
pub struct DmaEngines {
    profile: DmaProfile,
    engines: Vec<Engine>,
    dropped: u64,
    commands: u64,
    bytes_written: u64,
    bytes_read: u64,
}

impl DmaEngines {
    /// Idle engines. The profile should have been validated.
    pub fn new(profile: DmaProfile) -> Self {
        let engines = (0..profile.engines.max(1))
            .map(|_| Engine {
                busy_until: SimTime::ZERO,
                queue: VecDeque::new(),
                read_slots: ReleasePool::new(profile.read_slots_per_engine as usize),
                writeback: Timeline::new(),
            })
            .collect();
        DmaEngines {
            profile,
            engines,
            dropped: 0,
            commands: 0,
            bytes_written: 0,
            bytes_read: 0,
        }
    }

    /// The profile these engines were built from.
    pub fn profile(&self) -> &DmaProfile {
        &self.profile
    }

    /// Engine that serves `core`.
    pub fn engine_of(&self, core: usize) -> usize {
        core % self.engines.len()
    }

    /// Counters so far.
    pub fn stats(&self) -> DmaStats {
        DmaStats {
            commands: self.commands,
            dropped: self.dropped,
            bytes_written: self.bytes_written,
            bytes_read: self.bytes_read,
            read_slot_waits: self.engines.iter().map(|e| e.read_slots.waits()).sum(),
        }
    }

    /// Earliest instant at or after `now` at which `core` can start issuing a
    /// command without finding its queue full.
    pub fn next_issue_time(&mut self, core: usize, now: SimTime) -> SimTime {
        let issue = ns(self.profile.issue_ns);
        let e = self.engine_of(core);
        let room = self.next_enqueue_time(e, now + issue);
        (room - issue).max(now)
    }

    /// Earliest instant at or after `at` at which engine `engine`'s queue has
    /// room for one more command.
    pub fn next_enqueue_time(&mut self, engine: usize, at: SimTime) -> SimTime {
        let depth = self.profile.queue_depth as usize;
        let engine = engine % self.engines.len();
        let q = &mut self.engines[engine].queue;
        while q.front().is_some_and(|&t| t <= at) {
            q.pop_front();
        }
        if q.len() < depth {
            at
        } else {
            // The (len - depth)th departure brings the queue below its bound.
            q[q.len() - depth].max(at)
        }
    }

    /// A core issues `cmd` at `now`. Fails (and counts a drop) if the queue is full.
    pub fn submit(
        &mut self,
        now: SimTime,
        core: usize,
        cmd: &DmaCommand,
        link: &mut PcieLink,
    ) -> Result<DmaCompletion, DmaError> {
        let e = self.engine_of(core);
        let core_free = now + ns(self.profile.issue_ns);
        let mut c = self.enqueue(core_free, e, cmd, link)?;
        c.issued = now;
        Ok(c)
    }

    /// NIC hardware (not a core) puts `cmd` into engine `engine`'s queue at
    /// `at`, paying no issue cost. Used by the RDMA verbs.
    pub fn enqueue(
        &mut self,
        at: SimTime,
        engine: usize,
        cmd: &DmaCommand,
        link: &mut PcieLink,
    ) -> Result<DmaCompletion, DmaError> {
        if cmd.segments.is_empty() {
            return Err(DmaError::NoSegments);
        }
        let engine = engine % self.engines.len();
        let p = &self.profile;
        let depth = p.queue_depth as usize;
        let eng = &mut self.engines[engine];
        while eng.queue.front().is_some_and(|&t| t <= at) {
            eng.queue.pop_front();
        }
        if eng.queue.len() >= depth {
            self.dropped += 1;
            return Err(DmaError::QueueFull { engine, depth });
        }
        let started = at.max(eng.busy_until);
        eng.queue.push_back(started);
        let extra_segments = cmd.segments.len() as u64 - 1;
        let mut t =
            started + ns(p.command_overhead_ns) + ns(p.segment_overhead_ns) * extra_segments;
        let (data_done, finished) = match cmd.kind {
            DmaKind::Write => {
                let mut last_sent = t;
                let mut delivered = t;
                let burst_max = u64::from(p.burst_bytes);
                for &seg in &cmd.segments {
                    let mut left = seg;
                    loop {
                        // Gather one burst into the staging buffer, then hand
                        // its TLPs to the link back to back.
                        let burst = left.min(burst_max);
                        t += at_gbytes(burst, p.datapath_gbytes_per_s);
                        let sizes: Vec<u64> = link.write_tlp_sizes(burst).collect();
                        let mut first_start = None;
                        for size in sizes {
                            let w = link.write_tlp(t, size);
                            first_start.get_or_insert(w.start);
                            last_sent = last_sent.max(w.sent);
                            delivered = delivered.max(w.delivered);
                        }
                        // Double buffering: the engine gathers the next burst
                        // while this one drains, but stalls if the link has
                        // not even started on it.
                        t = t.max(first_start.unwrap_or(t));
                        left -= burst;
                        if left == 0 {
                            break;
                        }
                    }
                }
                self.bytes_written += cmd.bytes();
                let finished = if cmd.completion_word {
                    link.read_request(last_sent, 0).done
                } else {
                    last_sent
                };
                (delivered, finished)
            }
            DmaKind::Read => {
                let mut data_done = t;
                for &seg in &cmd.segments {
                    let sizes: Vec<u64> = link.read_request_sizes(seg).collect();
                    for size in sizes {
                        t = eng.read_slots.acquire(t, 1).max(t);
                        let r = link.read_request(t, size);
                        t = t.max(r.start);
                        let mut wb = t;
                        for c in &r.completions {
                            let len = at_gbytes(c.bytes, p.datapath_gbytes_per_s);
                            wb = wb.max(eng.writeback.reserve(c.arrival, len) + len);
                        }
                        eng.read_slots.release(wb, 1);
                        data_done = data_done.max(wb);
                    }
                }
                self.bytes_read += cmd.bytes();
                (data_done, data_done)
            }
        };
        eng.busy_until = t;
        self.commands += 1;
        let completion_word = cmd
            .completion_word
            .then(|| finished + ns(p.completion_word_ns));
        Ok(DmaCompletion {
            engine,
            issued: at,
            core_free: at,
            started,
            data_done,
            finished,
            completion_word,
        })
    }

    /// No command will be enqueued before `now` again: forget the past.
    pub fn advance(&mut self, now: SimTime) {
        for e in &mut self.engines {
            e.writeback.advance(now);
        }
    }

    /// Core time of one non-blocking issue (the flat non-blocking latency).
    pub fn issue_cost(&self) -> SimDuration {
        ns(self.profile.issue_ns)
    }
}
