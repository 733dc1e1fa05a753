//! Migration NIC -> host in four steps: no request lost or reordered, the cost is the
//! DMO bytes (plus serialized state and buffered payloads) through the DMA model, and
//! each migration is recorded. A user-written policy triggers it at a fixed time,
//! which also exercises the `SchedulingPolicy` trait.

use crate::actors::Worker;
use crate::harness::{poisson_mix, Driver};
use scheduler::{
    ActorStatus, Placement, PolicyAction, PolicyView, Runtime, SchedulerSettings, SchedulingPolicy,
    Side, SimDuration, SimTime,
};

/// Places `victim` on `start` and migrates it to the host at the first evaluation after `at`.
struct MigrateAt {
    victim: &'static str,
    start: Placement,
    at: SimTime,
    done: bool,
}

impl SchedulingPolicy for MigrateAt {
    fn name(&self) -> &str {
        "migrate_at"
    }
    fn initial_placement(&self, actor_name: &str) -> Placement {
        if actor_name == self.victim {
            self.start
        } else {
            Placement::NicFcfs
        }
    }
    fn initial_drr_cores(&self, _nic_cores: u32) -> u32 {
        u32::from(self.start == Placement::NicDrr)
    }
    fn evaluate(&mut self, view: &PolicyView<'_>) -> Vec<PolicyAction> {
        if self.done || view.now < self.at {
            return Vec::new();
        }
        self.done = true;
        let victim = view
            .actors
            .iter()
            .find(|a| a.name == self.victim)
            .map(|a| a.id);
        victim
            .map(|actor| vec![PolicyAction::MigrateToHost { actor }])
            .unwrap_or_default()
    }
}

fn migrate_under_load(start: Placement) {
    let policy = MigrateAt {
        victim: "victim",
        start,
        at: SimTime::from_us(500),
        done: false,
    };
    let rt = Runtime::with_policy(SchedulerSettings::default(), Box::new(policy), 4, 2).unwrap();
    let mut d = Driver::with_runtime(rt);
    let victim_worker = Worker::new("victim", 3_000, 9_000, 1).with_dmo_bytes(64 * 1024);
    let seen = victim_worker.log();
    let victim = d.register(Box::new(victim_worker));
    let other = d.register(Box::new(Worker::new("other", 1_000, 3_000, 2)));
    // ~70% load on 4 cores, so requests are queued and in flight when migration starts
    let arrivals = poisson_mix(5, 0.9, SimTime::from_ms(2), &[(victim, 1.0), (other, 1.0)]);
    let sent_to_victim: Vec<u64> = arrivals
        .iter()
        .filter(|(_, m)| m.dst == victim)
        .map(|(_, m)| m.id)
        .collect();
    d.add_arrivals(arrivals);
    d.run(SimTime::from_ms(2));

    let rt = &d.rt;
    let c = rt.counters();
    assert_eq!(c.dropped(), 0, "{c:?}");
    assert_eq!(c.delivered, c.completed);
    // no request lost or duplicated, none reordered: the victim executed exactly the
    // ids it was sent, in arrival (= id) order
    let seen = seen.lock().unwrap().clone();
    let ids: Vec<u64> = seen.iter().map(|&(id, _)| id).collect();
    assert_eq!(ids, sent_to_victim);
    // it ran on the NIC, then on the host, switching exactly once
    let switches = seen.windows(2).filter(|w| w[0].1 != w[1].1).count();
    assert_eq!(switches, 1);
    assert_eq!(seen.first().unwrap().1, Side::Nic);
    assert_eq!(seen.last().unwrap().1, Side::Host);
    // some requests were buffered during the migration
    let migrations = rt.migrations();
    assert_eq!(migrations.len(), 1);
    let m = &migrations[0];
    assert_eq!(m.from, start);
    assert!(m.mailbox_bytes > 0, "requests were buffered: {m:?}");
    assert_eq!(m.dmo_bytes, 64 * 1024, "cost = the actor's DMO bytes");
    assert_eq!(m.state_bytes, 8);
    assert_eq!(m.bytes_moved, m.dmo_bytes + m.state_bytes + m.mailbox_bytes);
    // the fake DMA takes 1 us + 1 ns per 2 bytes
    assert_eq!(m.dma_time, SimDuration::from_ns(1_000 + m.bytes_moved / 2));
    let duration = m.duration().unwrap();
    assert!(duration >= m.dma_time, "{m:?}");
    assert!(m.start >= SimTime::from_us(500) && m.aborted.is_none());
    // the DMOs now live in host memory
    for h in rt.dmos().owned_by(victim) {
        assert_eq!(rt.dmos().location(h).unwrap().0, Side::Host);
    }
    assert_eq!(rt.placement_of(victim), Some(Placement::Host));
    assert_eq!(rt.status_of(victim), Some(ActorStatus::Active));
    let report = &rt.actor_reports()[victim as usize];
    assert_eq!(report.migrations, 1);
    assert_eq!(report.final_placement, Placement::Host);
    assert_eq!(report.requests as usize, sent_to_victim.len());
    let ev = rt.placement_events().last().unwrap();
    assert_eq!(
        (ev.actor, ev.from, ev.to),
        (victim, Some(start), Placement::Host)
    );
    assert_eq!(ev.time, m.end.unwrap());
}

#[test]
fn fcfs_actor_migrates_without_loss_or_reordering() {
    migrate_under_load(Placement::NicFcfs);
}

#[test]
fn drr_actor_migrates_without_loss_or_reordering() {
    migrate_under_load(Placement::NicDrr);
}

/// A worker whose migration fails at `migrate_out` or at `migrate_in`.
struct Stubborn {
    inner: Worker,
    fail_in: bool,
}

impl scheduler::Actor for Stubborn {
    fn name(&self) -> &str {
        scheduler::Actor::name(&self.inner)
    }
    fn init(&mut self, ctx: &mut scheduler::ActorCtx<'_>) -> Result<(), scheduler::ActorError> {
        self.inner.init(ctx)
    }
    fn exec(
        &mut self,
        msg: &scheduler::Message,
        ctx: &mut scheduler::ActorCtx<'_>,
    ) -> Result<(), scheduler::ActorError> {
        self.inner.exec(msg, ctx)
    }
    fn migrate_out(
        &mut self,
        ctx: &mut scheduler::ActorCtx<'_>,
    ) -> Result<Vec<u8>, scheduler::ActorError> {
        if self.fail_in {
            self.inner.migrate_out(ctx)
        } else {
            Err(scheduler::ActorError::Invalid("cannot serialize".into()))
        }
    }
    fn migrate_in(
        &mut self,
        _state: &[u8],
        _ctx: &mut scheduler::ActorCtx<'_>,
    ) -> Result<(), scheduler::ActorError> {
        Err(scheduler::ActorError::Invalid("cannot restore".into()))
    }
}

fn failed_migration(fail_in: bool) {
    let policy = MigrateAt {
        victim: "victim",
        start: Placement::NicFcfs,
        at: SimTime::from_us(300),
        done: false,
    };
    let rt = Runtime::with_policy(SchedulerSettings::default(), Box::new(policy), 4, 2).unwrap();
    let mut d = Driver::with_runtime(rt);
    let inner = Worker::new("victim", 3_000, 9_000, 1).with_dmo_bytes(8 * 1024);
    let seen = inner.log();
    let victim = d.register(Box::new(Stubborn { inner, fail_in }));
    let other = d.register(Box::new(Worker::new("other", 1_000, 3_000, 2)));
    let arrivals = poisson_mix(9, 0.9, SimTime::from_ms(1), &[(victim, 1.0), (other, 1.0)]);
    let sent: Vec<u64> = arrivals
        .iter()
        .filter(|(_, m)| m.dst == victim)
        .map(|(_, m)| m.id)
        .collect();
    d.add_arrivals(arrivals);
    d.run(SimTime::from_ms(1));

    let rt = &d.rt;
    let m = &rt.migrations()[0];
    let reason = m.aborted.as_deref().expect("aborted");
    assert!(
        reason.contains(if fail_in { "migrate_in" } else { "migrate_out" }),
        "{reason}"
    );
    assert_eq!(rt.counters().migrations_aborted, 1);
    assert_eq!(rt.counters().migrations, 0);
    // the actor stays on the NIC with its DMOs, and still ran every request in order
    assert_eq!(rt.placement_of(victim), Some(Placement::NicFcfs));
    assert_eq!(rt.status_of(victim), Some(ActorStatus::Active));
    for h in rt.dmos().owned_by(victim) {
        assert_eq!(rt.dmos().location(h).unwrap().0, Side::Nic);
    }
    let ids: Vec<u64> = seen.lock().unwrap().iter().map(|&(id, _)| id).collect();
    assert_eq!(ids, sent);
    assert!(seen.lock().unwrap().iter().all(|&(_, s)| s == Side::Nic));
    assert_eq!(rt.counters().delivered, rt.counters().accounted());
}

#[test]
fn failed_migrate_out_keeps_the_actor_on_the_nic_without_loss() {
    failed_migration(false);
}

#[test]
fn failed_migrate_in_brings_the_dmos_back_without_loss() {
    failed_migration(true);
}
