//! SimPlatform charges time from the CN2350 model, bounds its outbox, and feeds the watchdog.

use scheduler::{
    ActorCtx, ActorError, Direction, DmoTable, Endpoint, MemAccess, Message, Platform, Side,
};
use sim_core::{SimDuration, SimTime};
use workloads::sim_platform::{liquidio_cn2350_model, SimPlatform};

fn platform() -> SimPlatform {
    SimPlatform::new(liquidio_cn2350_model().unwrap(), 0, Side::Nic).unwrap()
}

#[test]
fn charges_cycles_memory_and_dma() {
    let mut p = platform();
    p.advance_to(SimTime::from_us(5));
    p.begin_exec();
    p.charge_cycles(1_200); // 1 us at 1.2 GHz
    assert_eq!(p.charged_in_exec(), SimDuration::from_ns(1_000));
    p.mem_access(0x1000_0000, 8, MemAccess::Read); // cold: DRAM, 115 ns (Table 2)
    assert_eq!(p.charged_in_exec(), SimDuration::from_ns(1_115));
    p.mem_access(0x1000_0000, 8, MemAccess::Read); // now an L1 hit, 8.3 ns
    assert_eq!(p.charged_in_exec_exact().as_ps(), 1_123_300);
    // Without a wired-in PCIe model, a blocking transfer on an idle default
    // (CN2350) PCIe model: the model's one PCIe latency, not a constant.
    let idle = pcie_model::PcieSystem::new(&pcie_model::PcieProfiles::liquidio_cn2350()).unwrap();
    let write = idle.transfer_cost(2_100, Direction::NicToHost);
    let read = idle.transfer_cost(1_400, Direction::HostToNic);
    let d = p.dma(Direction::NicToHost, 2_100);
    assert_eq!(d, write.ceil_ns());
    assert!(write > SimDuration::from_ns(2 * 350), "{write:?}"); // a flush round trip
    let end = p.end_exec();
    assert_eq!(end.as_ps(), 1_123_300 + write.as_ps());
    p.advance_to(SimTime::from_us(1)); // never backwards
                                       // The clock keeps whole ns (as before: 3123.3 ns of work -> +3123 ns).
    assert_eq!(p.now(), SimTime::from_ns(5_000 + end.as_ps() / 1_000));
    assert_eq!(p.dma(Direction::HostToNic, 1_400), read.ceil_ns());
    assert_eq!(p.dma_bytes(), 3_500);
}

#[test]
fn outbox_is_bounded_and_overflow_counted() {
    let mut p = platform().with_outbox_capacity(2);
    for i in 0..5 {
        let m = Message {
            id: i,
            src: Endpoint::Host,
            dst: 3,
            kind: 0,
            payload: vec![],
            created_at: SimTime::ZERO,
        };
        p.send(m);
    }
    assert_eq!(p.dropped_sends(), 3);
    let out = p.take_outbox();
    assert_eq!(
        out.iter().map(|(_, m)| m.id).collect::<Vec<_>>(),
        vec![0, 1]
    );
    assert_eq!(out[0].0, Endpoint::Actor(3));
}

#[test]
fn two_cores_share_one_model_and_its_l2() {
    let mut model = liquidio_cn2350_model().unwrap();
    {
        let mut a = SimPlatform::new(&mut model, 0, Side::Nic).unwrap();
        a.mem_access(0x2000_0000, 8, MemAccess::Read); // DRAM, fills L2
    }
    let mut b = SimPlatform::new(&mut model, 1, Side::Nic).unwrap();
    b.begin_exec();
    b.mem_access(0x2000_0000, 8, MemAccess::Read); // other core: misses its L1, hits shared L2
    assert_eq!(b.charged_in_exec_exact().as_ps(), 55_800);
    // (a platform has a destructor: its borrow of the model ends here)
    drop(b);
    assert!(
        SimPlatform::new(&mut model, 12, Side::Nic).is_err(),
        "CN2350 has cores 0..12"
    );
}

#[test]
fn watchdog_stops_an_actor_that_runs_too_long() {
    let mut p = platform();
    let mut dmos = DmoTable::new(1 << 20, 1 << 20);
    let mut next = 0;
    let mut actor = workloads::actors::build_actor("variable_cost", &toml::Table::new()).unwrap();
    let r = workloads::actors::variable_cost::encode_request(50_000);
    let msg = Message {
        id: 1,
        src: Endpoint::Host,
        dst: 1,
        kind: r.kind,
        payload: r.payload,
        created_at: SimTime::ZERO,
    };
    {
        let mut ctx = ActorCtx::new(&mut p, &mut dmos, 1, &mut next);
        actor.init(&mut ctx).unwrap();
    }
    p.begin_exec();
    let mut ctx =
        ActorCtx::new(&mut p, &mut dmos, 1, &mut next).with_watchdog(SimDuration::from_us(10));
    assert_eq!(actor.exec(&msg, &mut ctx), Err(ActorError::WatchdogExpired));
    assert!(
        p.take_outbox().is_empty(),
        "no reply after the watchdog fired"
    );
}

#[test]
fn an_actor_dma_write_to_host_memory_is_costed_and_kept_in_order() {
    use workloads::sim_platform::host_e5_2620v4_model;
    // From a NIC core: a NIC-to-host DMA, the same cost as `dma`.
    let mut p = platform();
    let mut dmos = DmoTable::new(1 << 20, 1 << 20);
    let mut next_id = 0;
    p.begin_exec();
    {
        let mut ctx = ActorCtx::new(&mut p, &mut dmos, 0, &mut next_id);
        ctx.dma(0x100, &[7u8; 2_100]).unwrap();
        ctx.dma(0x100 + 2_100, &[8u8; 10]).unwrap();
    }
    let mut q = platform();
    q.begin_exec();
    q.dma(Direction::NicToHost, 2_100);
    q.dma(Direction::NicToHost, 10);
    assert_eq!(p.charged_in_exec_exact(), q.charged_in_exec_exact());
    assert_eq!(p.dma_bytes(), 2_110);
    let writes = p.take_host_writes();
    assert_eq!(writes.len(), 2);
    assert_eq!(writes[0], (0x100, vec![7u8; 2_100]));
    assert_eq!(writes[1], (0x100 + 2_100, vec![8u8; 10]));
    assert!(p.take_outbox().is_empty(), "a DMA write is not a message");
    // From a host core: a store to host memory through the cache model, no PCIe.
    let mut h = SimPlatform::new(host_e5_2620v4_model().unwrap(), 0, Side::Host).unwrap();
    h.begin_exec();
    {
        let mut ctx = ActorCtx::new(&mut h, &mut dmos, 0, &mut next_id);
        ctx.dma(0x100, &[7u8; 64]).unwrap();
    }
    assert_eq!(h.dma_bytes(), 0);
    assert!(h.charged_in_exec_exact() > SimDuration::ZERO);
    assert!(h.charged_in_exec_exact() < SimDuration::from_ns(200));
    assert_eq!(h.take_host_writes().len(), 1);
}

#[test]
fn a_borrowing_platform_moves_without_a_memcpy_call() {
    // The node builds and moves one per execution; at most 128 bytes the
    // compiler copies it inline (see `Collected` in sim_platform.rs).
    assert!(std::mem::size_of::<SimPlatform<&mut nic_models::CoreModel>>() <= 128);
}

#[test]
fn sends_and_host_writes_are_collected_in_order_on_a_standalone_platform() {
    let mut p = platform().with_outbox_capacity(2);
    assert!(p.take_outbox().is_empty() && p.take_host_writes().is_empty());
    for id in 0..3 {
        let msg = Message {
            id,
            src: Endpoint::Host,
            dst: 1,
            kind: 0,
            payload: vec![],
            created_at: SimTime::ZERO,
        };
        p.send(msg);
    }
    p.dma_write(64, &[1, 2, 3]);
    let ids: Vec<u64> = p.take_outbox().iter().map(|(_, m)| m.id).collect();
    assert_eq!(ids, [0, 1], "the third send is beyond the bound");
    assert_eq!(p.dropped_sends(), 1);
    assert_eq!(p.take_host_writes(), vec![(64, vec![1, 2, 3])]);
    assert!(p.take_outbox().is_empty(), "taken once");
}
