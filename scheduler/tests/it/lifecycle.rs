//! Deleting an actor: refused while it executes, then its `delete` handler runs, its
//! DMOs are freed, queued and later requests are dropped and counted.

use crate::harness::{request, FakePlatform};
use scheduler::{
    Actor, ActorCtx, ActorError, ActorStatus, DmoHandle, DropReason, Message, Runtime,
    RuntimeError, SchedulerSettings, Side, SimTime,
};
use std::sync::{Arc, Mutex};

struct Tidy {
    deleted: Arc<Mutex<bool>>,
    dmo: Option<DmoHandle>,
}

impl Actor for Tidy {
    fn name(&self) -> &str {
        "tidy"
    }
    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        self.dmo = Some(ctx.dmo_alloc(1_000)?);
        Ok(())
    }
    fn exec(&mut self, _msg: &Message, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        ctx.compute(1_000)
    }
    fn delete(&mut self, _ctx: &mut ActorCtx<'_>) {
        *self.deleted.lock().unwrap() = true;
    }
}

#[test]
fn delete_runs_the_handler_frees_dmos_and_drops_requests() {
    let mut rt = Runtime::new(SchedulerSettings::default(), 1, 1).unwrap();
    let deleted = Arc::new(Mutex::new(false));
    let mut p = FakePlatform::new(Side::Nic, SimTime::ZERO);
    let a = rt
        .register_actor(
            Box::new(Tidy {
                deleted: Arc::clone(&deleted),
                dmo: None,
            }),
            &mut p,
            SimTime::ZERO,
        )
        .unwrap();
    assert_eq!(rt.dmos().used_bytes(Side::Nic), 1_000);
    for i in 0..3 {
        rt.deliver(
            request(i + 1, a, SimTime::from_ns(0), 8),
            SimTime::from_ns(0),
        )
        .unwrap();
    }
    let core = rt.idle_cores()[0];
    let out = rt
        .run_next(
            core,
            SimTime::from_ns(0),
            &mut FakePlatform::new(Side::Nic, SimTime::from_ns(0)),
        )
        .unwrap()
        .unwrap();
    // busy: one execution in flight
    assert!(matches!(
        rt.delete_actor(a, &mut p),
        Err(RuntimeError::ActorBusy(_))
    ));
    let at = out.completes_at();
    rt.finish(out, at).unwrap();
    rt.delete_actor(a, &mut p).unwrap();
    assert!(*deleted.lock().unwrap());
    assert_eq!(rt.status_of(a), Some(ActorStatus::Deleted));
    assert!(rt.dmos().owned_by(a).is_empty());
    assert_eq!(rt.dmos().used_bytes(Side::Nic), 0);
    assert_eq!(
        rt.deliver(request(9, a, at, 8), at),
        Err(DropReason::ActorDeleted)
    );
    let c = rt.counters();
    assert_eq!(c.dropped_actor_deleted, 3, "2 queued + 1 late");
    assert_eq!((c.delivered, c.completed), (4, 1));
    assert_eq!(c.delivered, c.accounted());
    assert_eq!(rt.actor_reports()[0].requests, 1);
    assert!(!rt.has_work());
    assert!(rt
        .run_next(core, at, &mut FakePlatform::new(Side::Nic, at))
        .unwrap()
        .is_none());
}

/// Allocates a DMO, then fails.
struct BadInit;

impl Actor for BadInit {
    fn name(&self) -> &str {
        "bad"
    }
    fn init(&mut self, ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        ctx.dmo_alloc(5_000)?;
        Err(ActorError::Invalid("no config".into()))
    }
    fn exec(&mut self, _msg: &Message, _ctx: &mut ActorCtx<'_>) -> Result<(), ActorError> {
        Ok(())
    }
}

#[test]
fn failed_init_takes_no_id_and_leaks_no_dmo() {
    let mut rt = Runtime::new(SchedulerSettings::default(), 2, 1).unwrap();
    let mut p = FakePlatform::new(Side::Nic, SimTime::ZERO);
    let err = rt
        .register_actor(Box::new(BadInit), &mut p, SimTime::ZERO)
        .unwrap_err();
    assert!(err.to_string().contains("bad"), "{err}");
    assert_eq!(rt.dmos().used_bytes(Side::Nic), 0);
    let tidy = Tidy {
        deleted: Arc::default(),
        dmo: None,
    };
    let id = rt
        .register_actor(Box::new(tidy), &mut p, SimTime::ZERO)
        .unwrap();
    assert_eq!(id, 0);
    assert_eq!(rt.dmos().bytes_owned_by(0), 1_000);
}

#[test]
fn explicit_placement_overrides_the_policy() {
    use scheduler::{NicGroup, Placement};
    let mut rt = Runtime::new(SchedulerSettings::default(), 4, 1).unwrap();
    let mut p = FakePlatform::new(Side::Nic, SimTime::ZERO);
    let tidy = |_: u8| Tidy {
        deleted: Arc::default(),
        dmo: None,
    };
    let a = rt
        .register_actor_at(Box::new(tidy(0)), Placement::NicDrr, &mut p, SimTime::ZERO)
        .unwrap();
    assert_eq!(rt.placement_of(a), Some(Placement::NicDrr));
    assert_eq!(rt.cores_in(NicGroup::Drr), 1, "a DRR actor gets a DRR core");
    let mut rt = Runtime::new(SchedulerSettings::default(), 4, 1).unwrap();
    let h = rt
        .register_actor_at(Box::new(tidy(1)), Placement::Host, &mut p, SimTime::ZERO)
        .unwrap();
    assert_eq!(rt.side_of(h), Some(Side::Host));
    // its DMO was placed in host memory although init ran on a NIC platform
    assert_eq!(rt.dmos().used_bytes(Side::Host), 1_000);
    assert_eq!(rt.dmos().used_bytes(Side::Nic), 0);
}

#[test]
fn the_runtime_can_move_to_another_thread() {
    // sweeps run one simulation per thread
    fn assert_send<T: Send>() {}
    assert_send::<Runtime>();
}
