//! DMO isolation: an actor touching another actor's DMO is refused with an error and
//! counted; the owner's data and service are unaffected.

use crate::actors::{Snoop, Worker};
use crate::harness::{request, Driver};
use scheduler::{DmoHandle, SchedulerSettings, SimTime};

#[test]
fn foreign_dmo_access_is_refused_and_counted() {
    let mut d = Driver::new(SchedulerSettings::default(), 2, 1);
    let owner = d.register(Box::new(Worker::new("owner", 1_000, 1_000, 1)));
    let victim_handle = d.rt.dmos().owned_by(owner)[0];
    assert_eq!(victim_handle, DmoHandle(0));
    let snoop = d.register(Box::new(Snoop {
        victim: victim_handle,
    }));
    let arrivals = (0..20u64).map(|i| {
        let t = SimTime::from_ns(i * 3_000);
        let dst = if i % 2 == 0 { owner } else { snoop };
        (t, request(i + 1, dst, t, 8))
    });
    d.add_arrivals(arrivals);
    d.run(SimTime::from_us(100));

    let rt = &d.rt;
    // each snoop request tried one read and one write: 20 refusals, all charged to it
    assert_eq!(rt.dmos().refused_total(), 20);
    assert_eq!(rt.dmos().refused_by(snoop), 20);
    assert_eq!(rt.dmos().refused_by(owner), 0);
    let reports = rt.actor_reports();
    assert_eq!(reports[snoop as usize].dmo_refusals, 20);
    assert_eq!(
        reports[snoop as usize].failed, 10,
        "the handler saw the error"
    );
    assert_eq!(reports[owner as usize].requests, 10);
    assert_eq!(reports[owner as usize].failed, 0);
    assert_eq!(rt.counters().failed, 10);
}
