//! Fault injection in a cluster run: servers that crash (and maybe restart) and link directions that lose or delay frames, every draw from the run's seed.
//!
//! Randomness: each faulty link direction draws from its own named stream
//! `faults/link/<link>/<dir>` of the run's seed, and only the partition that
//! transmits on that direction draws from it, in its own event order. The
//! draws therefore do not depend on the thread count.
//!
//! A crashed server loses everything inside its node (messages arriving,
//! crossing PCIe, queued, on a core): they are counted as
//! `lost_server_crash`. Frames reaching it while it is down are dropped and
//! counted as `server_down`. On restart its actors start again from a fresh
//! node with fresh volatile state. Nothing survives a crash: the runtime has
//! no persistence notion that outlives its node (an actor's DMA writes to
//! "host memory" are part of the node that crashed). Frames the crashed NIC
//! had already put on its link were on the wire and still arrive.

use crate::node::Node;
use rand::Rng;
use sim_core::{RngStreams, SimDuration, SimRng, SimTime};

/// One crash of `[[faults.crash]]`, resolved.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CrashPlan {
    /// Server index.
    pub server: u32,
    /// When it crashes.
    pub at: SimTime,
    /// When it starts again (`None`: it stays down).
    pub restart: Option<SimTime>,
}

/// One `[[faults.link]]` entry, resolved: both directions of `link`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkFaultPlan {
    /// Link index in the topology.
    pub link: usize,
    /// Probability that a frame is lost on the wire.
    pub drop_probability: f64,
    /// Probability that a frame (not lost) is held up by `delay`.
    pub delay_probability: f64,
    /// Extra time a delayed frame takes.
    pub delay: SimDuration,
}

/// The faults of a cluster run (empty: no faults).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultPlan {
    /// Server crashes, in time order per server.
    pub crashes: Vec<CrashPlan>,
    /// Faulty links.
    pub links: Vec<LinkFaultPlan>,
}

impl FaultPlan {
    /// The fault process of direction `dir` of `link`, if the plan names that link.
    pub fn link_fault(&self, streams: &RngStreams, link: usize, dir: usize) -> Option<LinkFault> {
        let p = self.links.iter().find(|l| l.link == link)?;
        Some(LinkFault {
            drop_probability: p.drop_probability,
            delay_probability: p.delay_probability,
            delay: p.delay,
            rng: streams.stream(&format!("faults/link/{link}/{dir}")),
        })
    }

    /// The crashes of server `server`, in time order.
    pub fn crashes_of(&self, server: u32) -> Vec<CrashPlan> {
        let mut v: Vec<CrashPlan> = self
            .crashes
            .iter()
            .filter(|c| c.server == server)
            .copied()
            .collect();
        v.sort_by_key(|c| c.at);
        v
    }
}

/// What a faulty link does to one frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It crosses as usual.
    Pass,
    /// It is lost on the wire.
    Lose,
    /// It arrives this much later.
    Delay(SimDuration),
}

/// A link direction's fault process.
#[derive(Clone, Debug)]
pub struct LinkFault {
    drop_probability: f64,
    delay_probability: f64,
    delay: SimDuration,
    rng: SimRng,
}

impl LinkFault {
    /// The fate of the next frame. Two draws per frame whatever the outcome,
    /// so that one frame's fate never shifts the draws of the next.
    pub fn draw(&mut self) -> Verdict {
        let lose: f64 = self.rng.gen();
        let delay: f64 = self.rng.gen();
        if lose < self.drop_probability {
            Verdict::Lose
        } else if delay < self.delay_probability {
            Verdict::Delay(self.delay)
        } else {
            Verdict::Pass
        }
    }
}

/// Events of the fault schedule, handled by the server's partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultEvent {
    /// The server crashes.
    Crash,
    /// The server starts again.
    Restart,
}

/// What a server's faults counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CrashStats {
    /// Crashes that happened.
    pub crashes: u64,
    /// Restarts that happened.
    pub restarts: u64,
    /// Messages inside the node when it crashed (lost).
    pub lost_in_crash: u64,
    /// Frames that reached the server while it was down (dropped).
    pub drops_server_down: u64,
    /// Node events of a crashed life that fired after the crash (ignored).
    pub stale_events: u64,
}

/// One server's crash schedule and its lives.
pub struct ServerFaults {
    /// The schedule, in time order.
    pub schedule: Vec<CrashPlan>,
    /// Fresh nodes, one per crash, installed at the crash (last first).
    spares: Vec<Node>,
    /// Nodes of lives that ended in a crash, in order.
    pub past: Vec<Node>,
    /// Current life (0: the first); node events carry it.
    pub life: u32,
    /// Whether the server is down now.
    pub down: bool,
    /// Counters.
    pub stats: CrashStats,
}

impl ServerFaults {
    /// The schedule `crashes` (time order) with one fresh node per crash in `spares` (same order).
    pub fn new(schedule: Vec<CrashPlan>, mut spares: Vec<Node>) -> ServerFaults {
        spares.reverse();
        ServerFaults {
            schedule,
            spares,
            past: Vec::new(),
            life: 0,
            down: false,
            stats: CrashStats::default(),
        }
    }

    /// The server crashes at `now`: `node` (flushed to `now`) ends its life
    /// and everything inside it is counted lost; a fresh node takes its place
    /// and stays down until a restart. `false`: no spare node was assembled
    /// (a bug; the server then keeps its node and the crash is not counted).
    pub fn crash(&mut self, node: &mut Node) -> bool {
        let Some(fresh) = self.spares.pop() else {
            return false;
        };
        let old = std::mem::replace(node, fresh);
        self.stats.lost_in_crash += old.in_flight().iter().map(|(_, n)| n).sum::<u64>();
        self.past.push(old);
        self.stats.crashes += 1;
        self.life += 1;
        self.down = true;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_fault_loses_and_delays_at_its_probabilities_and_repeats_for_a_seed() {
        let plan = FaultPlan {
            crashes: Vec::new(),
            links: vec![LinkFaultPlan {
                link: 3,
                drop_probability: 0.1,
                delay_probability: 0.5,
                delay: SimDuration::from_us(5),
            }],
        };
        let streams = RngStreams::new(9);
        assert!(plan.link_fault(&streams, 2, 0).is_none());
        let run = || {
            let mut f = plan.link_fault(&streams, 3, 1).expect("named");
            (0..20_000).map(|_| f.draw()).collect::<Vec<_>>()
        };
        let v = run();
        assert_eq!(v, run(), "same seed, same draws");
        let lost = v.iter().filter(|x| **x == Verdict::Lose).count();
        let delayed = v.iter().filter(|x| matches!(x, Verdict::Delay(_))).count();
        // 20000 x 0.1 = 2000 +- 4.5 sigma (sigma = 42)
        assert!((1810..2190).contains(&lost), "{lost}");
        // 18000 x 0.5 = 9000 +- 4.5 sigma (sigma = 67)
        assert!((8700..9300).contains(&delayed), "{delayed}");
        let other = plan.link_fault(&streams, 3, 0).expect("named");
        let mut other = other;
        let w: Vec<_> = (0..100).map(|_| other.draw()).collect();
        assert_ne!(w, v[..100].to_vec(), "each direction has its own stream");
    }
}
