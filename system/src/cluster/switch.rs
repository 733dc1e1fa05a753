//! An output-queued Ethernet switch: route lookup with ECMP, cut-through or store-and-forward latency, drops by reason.
//!
//! The switch decides; its output ports are the [`LinkTx`] ends of the links
//! leaving it (owned by the [`super::fabric::Fabric`]), which hold the
//! bounded per-port byte buffers. Passive: the arrival times of a frame's
//! first and last bit go in, the output port and its transit come out.

use super::link::{LinkDrop, LinkTx, Transit};
use super::routing::Routes;
use super::spec::Forwarding;
use super::topology::SwitchSpec;
use nic_models::FlowKey;
use sim_core::{SimDuration, SimTime};

/// How long after a frame's header (cut-through) or last bit
/// (store-and-forward) arrives the switch acts on it: half its latency.
///
/// Any time up to when the frame is ready to leave (header or last bit plus
/// the latency) gives the same forwarding: every frame at a switch is
/// shifted alike, so each port still sees frames in the order they become
/// ready, and the departure is computed from the arrival times the frame
/// carries, not from when the switch looked. Halfway splits the latency
/// between the two sides of the switch: a frame reaches the switch's
/// partition at least a propagation delay plus half a latency after it was
/// sent, and leaves for the next partition at least half a latency plus a
/// propagation delay after the switch looked. That makes the parallel
/// engine's lookahead 725 ns instead of 500 ns with the default 500 ns links
/// and 450 ns switches (see `super::world::lookahead`): 31% fewer windows.
pub fn decision_delay(spec: &SwitchSpec) -> SimDuration {
    SimDuration::from_ps(spec.latency.as_ps() / 2)
}

/// Why a switch dropped a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SwitchDrop {
    /// No route to the destination.
    NoRoute,
    /// The chosen output port's buffer was full.
    BufferFull,
    /// The frame left but was lost on the link (a link fault; counted by the
    /// link direction, not the switch).
    LinkLoss,
    /// The fabric at hand does not drive the link direction (a frame given
    /// to another switch's partition: a routing bug, counted as misrouted).
    NotDriven,
}

impl SwitchDrop {
    /// Name in CSVs.
    pub fn name(self) -> &'static str {
        match self {
            SwitchDrop::NoRoute => "no_route",
            SwitchDrop::BufferFull => "buffer_full",
            SwitchDrop::LinkLoss => "link_loss",
            SwitchDrop::NotDriven => "not_driven",
        }
    }
}

/// Switch counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SwitchStats {
    /// Frames forwarded.
    pub forwarded: u64,
    /// Frames dropped: no route.
    pub drops_no_route: u64,
    /// Frames dropped: output buffer full.
    pub drops_buffer_full: u64,
}

/// One switch's forwarding logic.
#[derive(Clone, Debug)]
pub struct Switch {
    /// Index in the topology.
    pub index: u32,
    latency: SimDuration,
    forwarding: Forwarding,
    /// Counters.
    pub stats: SwitchStats,
}

impl Switch {
    /// The switch `spec` at topology index `index`.
    pub fn new(index: u32, spec: &SwitchSpec) -> Switch {
        Switch {
            index,
            latency: spec.latency,
            forwarding: spec.forwarding,
            stats: SwitchStats::default(),
        }
    }

    /// When a frame whose bits arrive over `[first, last]` may start leaving.
    pub fn ready_at(&self, first: SimTime, last: SimTime) -> SimTime {
        match self.forwarding {
            Forwarding::CutThrough => first + self.latency,
            Forwarding::StoreAndForward => last + self.latency,
        }
    }

    /// The output port for a frame to endpoint `dst` (ECMP by flow hash).
    pub fn route(&mut self, routes: &Routes, dst: u32, flow: &FlowKey) -> Result<u16, SwitchDrop> {
        routes.pick(self.index, dst, flow).ok_or_else(|| {
            self.stats.drops_no_route += 1;
            SwitchDrop::NoRoute
        })
    }

    /// Queues a frame of `bytes` whose bits arrived over `[first, last]` on
    /// the output port's link end `tx`.
    pub fn queue(
        &mut self,
        tx: &mut LinkTx,
        first: SimTime,
        last: SimTime,
        bytes: u32,
    ) -> Result<Transit, SwitchDrop> {
        // The last bit cannot leave before it arrived (cut-through onto a
        // faster port waits for it), plus the pipeline latency.
        match tx.send(self.ready_at(first, last), last + self.latency, bytes) {
            Ok(t) => {
                self.stats.forwarded += 1;
                Ok(t)
            }
            Err(LinkDrop::BufferFull) => {
                self.stats.drops_buffer_full += 1;
                Err(SwitchDrop::BufferFull)
            }
        }
    }
}
