//! The echo system: a packet source, a NIC (ingress, traffic manager, cores, transmit MAC) and the return wire.
//!
//! Packet path and where each packet can be at the end of a run:
//! source --wire--> [packet engine] --> traffic manager --> core --> TX MAC --> delivered.
//! The source wire and the packet engine are FIFO stages computed in closed
//! form ([`FifoServer`]); a packet becomes an `Arrive` event when it reaches
//! the traffic manager. Cores finishing a packet are `CoreDone` events. The
//! TX MAC is again a FIFO stage, and a packet counts as delivered when its
//! last bit leaves the port. So there are two events per packet.
//!
//! On an off-path NIC the embedded switch first matches each packet's flow
//! against its rules: packets for the NIC cores go on as above, packets for
//! the host cross PCIe as posted writes (pcie-model) and count as delivered
//! to the host when they land in host memory, and dropped ones are counted.
//!
//! Conservation: every generated packet is, at any instant, exactly one of
//! echoed, delivered to the host, dropped (source backlog, switch, PCIe
//! queue, ingress FIFO, traffic manager, TX queue) or in flight (on PCIe, arrival pending,
//! queued, on a core, on the TX wire).
//! [`EchoSystem::accounting`] counts each place separately, so the
//! conservation test checks a sum of independent counts.

use super::actor_accounting::PCIE_QUEUE_MESSAGES;
use nic_models::forwarding::packet_engine_time;
use nic_models::switch::{synthetic_flow, EmbeddedSwitch, Steering};
use nic_models::{
    CorePool, FifoServer, ForwardingCost, MacPort, NicProfile, Packet, TrafficManager,
};
use pcie_model::PcieSystem;
use sim_core::{LatencyHistogram, Model, Scheduler, SimDuration, SimTime, TimeSeries};
use std::collections::VecDeque;
use workloads::PacketGenerator;

/// Events of the echo system.
#[derive(Debug)]
pub enum EchoEvent {
    /// A packet reaches the traffic manager.
    Arrive(Packet),
    /// A core finished its packet.
    CoreDone(u32),
    /// The embedded switch sent a packet to the host; the source goes on.
    Steered,
}

/// Time-series columns (sums per window).
pub mod col {
    /// Frame bytes created by the source.
    pub const OFFERED_BYTES: usize = 0;
    /// Frame bytes delivered.
    pub const DELIVERED_BYTES: usize = 1;
    /// Packets delivered.
    pub const DELIVERED_PKTS: usize = 2;
    /// Sum of latencies of delivered packets, us.
    pub const LATENCY_SUM_US: usize = 3;
    /// Drops of every reason.
    pub const DROPS: usize = 4;
    /// Core busy time, us, summed over cores.
    pub const BUSY_US: usize = 5;
    /// Names, in order.
    pub const NAMES: [&str; 6] = [
        "offered_bytes",
        "delivered_bytes",
        "delivered_pkts",
        "latency_sum_us",
        "drops",
        "busy_us",
    ];
}

/// Where every packet is, counted independently.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accounting {
    /// Packets the source created.
    pub generated: u64,
    /// Packets whose last bit left the NIC.
    pub delivered: u64,
    /// Steered to the host by the embedded switch and landed in host memory.
    pub steered_host: u64,
    /// Dropped at the source's transmit backlog.
    pub drops_source: u64,
    /// Dropped by an embedded-switch rule.
    pub drops_switch: u64,
    /// Steered to the host while [`PCIE_QUEUE_MESSAGES`] packets were already on PCIe.
    pub drops_pcie: u64,
    /// Dropped at the packet engine's ingress FIFO.
    pub drops_ingress: u64,
    /// Dropped at the full traffic manager.
    pub drops_tm: u64,
    /// Dropped at the full transmit queue.
    pub drops_tx: u64,
    /// Crossing PCIe to the host.
    pub in_flight_to_host: u64,
    /// On their way to the traffic manager (arrival event pending).
    pub in_flight_arriving: u64,
    /// Waiting in the traffic manager.
    pub in_flight_queued: u64,
    /// Being processed by a core.
    pub in_flight_on_core: u64,
    /// Handed to the TX MAC, last bit not yet out.
    pub in_flight_tx: u64,
}

impl Accounting {
    /// Drops of every reason.
    pub fn drops(&self) -> u64 {
        self.drops_source
            + self.drops_switch
            + self.drops_pcie
            + self.drops_ingress
            + self.drops_tm
            + self.drops_tx
    }
    /// Packets still inside the system.
    pub fn in_flight(&self) -> u64 {
        self.in_flight_to_host
            + self.in_flight_arriving
            + self.in_flight_queued
            + self.in_flight_on_core
            + self.in_flight_tx
    }
}

/// The echo system as a sim-core model.
pub struct EchoSystem {
    cost: ForwardingCost,
    warmup_end: SimTime,
    source: PacketGenerator,
    source_wire: MacPort,
    ingress: Option<(FifoServer, SimDuration)>,
    tm: TrafficManager<Packet>,
    cores: CorePool,
    on_core: Vec<Option<(Packet, SimTime)>>,
    tx: MacPort,
    tx_in_flight: VecDeque<(SimTime, Packet)>,
    /// Off-path NICs: the embedded switch and the PCIe link to the host.
    steering: Option<(EmbeddedSwitch, PcieSystem)>,
    /// When each host-steered packet lands in host memory (posted writes keep their order).
    to_host: VecDeque<SimTime>,
    acct: Accounting,
    measured_bytes: u64,
    measured_pkts: u64,
    latency: LatencyHistogram,
    series: TimeSeries,
    /// Most packets inside the system at once (after any event).
    peak_in_flight: u64,
}

impl EchoSystem {
    /// Builds the system; call [`EchoSystem::start`] to schedule the first arrival.
    pub fn new(
        nic: &NicProfile,
        cores: u32,
        cost: ForwardingCost,
        source: PacketGenerator,
        warmup_end: SimTime,
        series: TimeSeries,
        steering: Option<(EmbeddedSwitch, PcieSystem)>,
    ) -> Self {
        let ingress = packet_engine_time(&nic.forwarding).map(|t| {
            (
                FifoServer::new(nic.forwarding.ingress_fifo_packets as usize),
                t,
            )
        });
        EchoSystem {
            cost,
            warmup_end,
            source,
            source_wire: MacPort::new(nic.link_gbps, &nic.mac),
            ingress,
            tm: TrafficManager::new(nic.traffic_manager.queue_packets as usize),
            cores: CorePool::new(cores),
            on_core: vec![None; cores as usize],
            tx: MacPort::new(nic.link_gbps, &nic.mac),
            tx_in_flight: VecDeque::new(),
            steering,
            to_host: VecDeque::new(),
            acct: Accounting::default(),
            measured_bytes: 0,
            measured_pkts: 0,
            latency: LatencyHistogram::new(),
            series,
            peak_in_flight: 0,
        }
    }

    /// Schedules the first packet's arrival.
    pub fn start(&mut self, sched: &mut Scheduler<EchoEvent>) {
        self.schedule_next_arrival(sched);
    }

    /// Pulls packets from the source through the wire and the packet engine
    /// until one survives to become an arrival, or the source stops.
    fn schedule_next_arrival(&mut self, sched: &mut Scheduler<EchoEvent>) {
        while let Some(p) = self.source.next_packet() {
            self.acct.generated += 1;
            self.series
                .add(p.created_at, col::OFFERED_BYTES, p.size_bytes as f64);
            let Some(at_nic) = self.source_wire.transmit(p.created_at, p.size_bytes) else {
                self.acct.drops_source += 1;
                self.series.add(p.created_at, col::DROPS, 1.0);
                continue;
            };
            if let Some((switch, pcie)) = &mut self.steering {
                match switch.steer(&synthetic_flow(p.flow), 0) {
                    Steering::NicCore(_) => {}
                    Steering::Drop => {
                        self.acct.drops_switch += 1;
                        self.series.add(at_nic, col::DROPS, 1.0);
                        continue;
                    }
                    Steering::Host if self.to_host.len() as u64 >= PCIE_QUEUE_MESSAGES => {
                        // PCIe slower than the link: its queue is bounded too
                        self.acct.drops_pcie += 1;
                        self.series.add(at_nic, col::DROPS, 1.0);
                        continue;
                    }
                    Steering::Host => {
                        let landed = pcie.device_write_to_host(at_nic, p.size_bytes as u64);
                        self.to_host.push_back(landed.delivered);
                        // Continue the source from this instant, so it never runs
                        // ahead of simulated time (bounded memory).
                        sched.schedule_at(at_nic, EchoEvent::Steered);
                        return;
                    }
                }
            }
            let at_tm = match &mut self.ingress {
                None => at_nic,
                Some((fifo, per_packet)) => match fifo.offer(at_nic, *per_packet) {
                    Some(t) => t,
                    None => {
                        self.acct.drops_ingress += 1;
                        self.series.add(at_nic, col::DROPS, 1.0);
                        continue;
                    }
                },
            };
            self.acct.in_flight_arriving += 1;
            sched.schedule_at(at_tm, EchoEvent::Arrive(p));
            return;
        }
    }

    fn start_on_core(
        &mut self,
        core: u32,
        p: Packet,
        now: SimTime,
        sched: &mut Scheduler<EchoEvent>,
    ) {
        self.on_core[core as usize] = Some((p, now));
        sched.schedule_in(
            self.cost.service_time(p.size_bytes),
            EchoEvent::CoreDone(core),
        );
    }

    /// Records every transmission whose last bit has left by `upto`, and
    /// every host-steered packet that has landed in host memory.
    fn flush_deliveries(&mut self, upto: SimTime) {
        while self.to_host.front().is_some_and(|&t| t <= upto) {
            self.to_host.pop_front();
            self.acct.steered_host += 1;
        }
        while let Some(&(t, p)) = self.tx_in_flight.front() {
            if t > upto {
                break;
            }
            self.tx_in_flight.pop_front();
            self.acct.delivered += 1;
            let latency = t - p.created_at;
            if t >= self.warmup_end {
                self.measured_bytes += p.size_bytes as u64;
                self.measured_pkts += 1;
            }
            if p.created_at >= self.warmup_end {
                self.latency.record(latency);
            }
            self.series
                .add(t, col::DELIVERED_BYTES, p.size_bytes as f64);
            self.series.add(t, col::DELIVERED_PKTS, 1.0);
            self.series.add(t, col::LATENCY_SUM_US, latency.as_us_f64());
        }
    }

    /// Closes the run at `end`: deliveries up to `end` are counted, later ones
    /// stay in flight, and service still in progress counts as busy time up
    /// to `end` (a core busy on one long packet all run long is 100% busy).
    pub fn finish(&mut self, end: SimTime) {
        self.flush_deliveries(end);
        for core in 0..self.on_core.len() {
            if let Some((_, started)) = self.on_core[core] {
                if end > started {
                    self.cores.add_busy(core as u32, end - started);
                    self.series.add_interval_us(started, end, col::BUSY_US);
                }
            }
        }
        self.series.extend_to(end);
    }

    /// Most packets inside the system at once.
    pub fn peak_in_flight(&self) -> u64 {
        self.peak_in_flight
    }

    /// Where every packet is now.
    pub fn accounting(&self) -> Accounting {
        Accounting {
            in_flight_queued: self.tm.depth() as u64,
            in_flight_on_core: self.on_core.iter().filter(|c| c.is_some()).count() as u64,
            in_flight_tx: self.tx_in_flight.len() as u64,
            in_flight_to_host: self.to_host.len() as u64,
            ..self.acct
        }
    }
    /// Frame bytes and packets delivered after warm-up.
    pub fn measured(&self) -> (u64, u64) {
        (self.measured_bytes, self.measured_pkts)
    }
    /// Latency of packets created after warm-up.
    pub fn latency(&self) -> &LatencyHistogram {
        &self.latency
    }
    /// Per-window sums.
    pub fn series(&self) -> &TimeSeries {
        &self.series
    }
    /// The cores (for utilization).
    pub fn cores(&self) -> &CorePool {
        &self.cores
    }
}

impl Model for EchoSystem {
    type Event = EchoEvent;

    fn handle(&mut self, now: SimTime, event: EchoEvent, sched: &mut Scheduler<EchoEvent>) {
        match event {
            EchoEvent::Arrive(p) => {
                self.acct.in_flight_arriving -= 1;
                self.schedule_next_arrival(sched);
                if let Some(core) = self.cores.acquire() {
                    self.start_on_core(core, p, now, sched);
                } else if self.tm.enqueue(p).is_err() {
                    self.acct.drops_tm += 1;
                    self.series.add(now, col::DROPS, 1.0);
                }
            }
            EchoEvent::Steered => {
                self.flush_deliveries(now);
                self.schedule_next_arrival(sched);
            }
            EchoEvent::CoreDone(core) => {
                let Some((p, started)) = self.on_core[core as usize].take() else {
                    return;
                };
                self.cores.add_busy(core, now - started);
                self.series.add_interval_us(started, now, col::BUSY_US);
                self.flush_deliveries(now);
                let reply = workloads::echo::reply(p);
                match self.tx.transmit(now, reply.size_bytes) {
                    Some(done) => self.tx_in_flight.push_back((done, reply)),
                    None => {
                        self.acct.drops_tx += 1;
                        self.series.add(now, col::DROPS, 1.0);
                    }
                }
                match self.tm.dequeue() {
                    Some(next) => self.start_on_core(core, next, now, sched),
                    None => self.cores.release(core),
                }
            }
        }
        // Packets counted as ended are final; the rest are inside.
        let a = &self.acct;
        let inside = a
            .generated
            .saturating_sub(a.delivered + a.steered_host + a.drops());
        self.peak_in_flight = self.peak_in_flight.max(inside);
    }
}
