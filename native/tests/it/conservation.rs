//! Conservation natively: every request sent is answered, dropped with a reason, or outstanding, and the server's counts agree with the client's.

use crate::support::{pair, runtime_of, settings};
use native::{Epoch, Planned};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use scheduler::{Placement, PolicyKind, SchedulerSettings};
use std::time::Duration;
use workloads::actors::registry::{gen_request, ActorKind};

const KINDS: [ActorKind; 3] = [
    ActorKind::KvCache,
    ActorKind::FixedCost,
    ActorKind::FlowMonitor,
];

/// `n` requests spread over the kinds, planned `gap_ns` apart.
fn plan(n: u64, gap_ns: u64, seed: u64) -> Vec<Planned> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let a = (i % KINDS.len() as u64) as u32;
            let r = gen_request(KINDS[a as usize], &mut rng);
            Planned {
                at_ns: 1_000_000 + i * gap_ns,
                dst: a,
                kind: r.kind,
                payload: r.payload,
            }
        })
        .collect()
}

/// Sends `plan` in windows of 64 requests, waiting for each window's
/// responses: loopback socket buffers then never overflow, so the outcome
/// cannot depend on how the machine schedules the threads.
pub fn send_windowed(client: &native::Client, plan: Vec<Planned>) {
    let mut it = plan.into_iter().peekable();
    while it.peek().is_some() {
        for p in it.by_ref().take(64) {
            assert!(client.send(p.dst, p.kind, p.payload).is_some());
        }
        assert!(
            client.wait_all_answered(Duration::from_secs(60)),
            "no answer in 60 s"
        );
    }
}

#[test]
fn every_request_is_answered_once_with_its_fate() {
    let epoch = Epoch::start();
    let actors: Vec<_> = KINDS.iter().map(|k| (*k, None)).collect();
    let rt = runtime_of(settings(PolicyKind::Hybrid), 2, &actors, epoch);
    let (server, client) = pair(rt, epoch);
    let n = 3_000;
    let mut p = plan(n, 0, 1);
    // every 10th request goes to an actor that does not exist
    for x in p.iter_mut().step_by(10) {
        x.dst = 99;
    }
    send_windowed(&client, p);
    assert!(server.quiesce(n, Duration::from_secs(60)));
    let report = server.shutdown().expect("shutdown");
    let seen = client.finish(0).expect("client");
    assert_eq!(seen.sent(), n);
    assert_eq!((seen.unmatched, seen.outstanding()), (0, 0));
    let by = seen.dropped_by_reason();
    assert_eq!(by.get("drops_unknown_actor"), Some(&300));
    assert_eq!(by.len(), 1, "{by:?}");
    assert_eq!(seen.answered(), n - 300);
    let c = report.counters;
    assert_eq!((c.received, c.responses_sent), (n, n));
    assert_eq!(
        (c.bad_datagrams, c.send_errors, c.runtime_errors),
        (0, 0, 0)
    );
    let rc = report.runtime.counters();
    assert_eq!((rc.delivered, rc.completed), (n, n - 300));
    assert_eq!(rc.dropped_unknown_actor, 300);
    assert_eq!(rc.accounted(), rc.delivered);
    // each actor ran exactly its share, and every reply came back piggybacked
    let mut per_actor = [0u64; 3];
    for i in 0..n {
        if i % 10 != 0 {
            per_actor[(i % 3) as usize] += 1;
        }
    }
    for (r, want) in report.runtime.actor_reports().iter().zip(per_actor) {
        assert_eq!(r.requests, want, "{}", r.name);
    }
    assert!(seen.messages.iter().all(|m| m.in_reply_to.is_some()));
}

#[test]
fn open_loop_overload_is_conserved_term_by_term() {
    let epoch = Epoch::start();
    // small queues and a burst at one instant: drops are likely (not required:
    // the identities below hold whatever the machine does)
    let s = SchedulerSettings {
        host_queue_capacity: 8,
        fcfs_queue_capacity: 8,
        ..settings(PolicyKind::HostOnly)
    };
    let rt = runtime_of(s, 1, &[(ActorKind::KvCache, Some(Placement::Host))], epoch);
    let (server, client) = pair(rt, epoch);
    let n = 2_000;
    let p: Vec<_> = plan(n, 0, 2)
        .into_iter()
        .map(|mut x| {
            let r = workloads::actors::kv_cache::encode_request(b"k", None);
            (x.dst, x.kind, x.payload) = (0, r.kind, r.payload);
            x
        })
        .collect();
    let ol = client.run_open_loop(p.into_iter(), u64::MAX / 2);
    assert_eq!(ol.not_sent, 0);
    let lag = ol.max_lag_ns;
    // datagrams the OS dropped never arrive: bounded waits, then account
    let quiet = server.quiesce(n, Duration::from_secs(10));
    let all = client.wait_all_answered(Duration::from_secs(5));
    let report = server.shutdown().expect("shutdown");
    let seen = client.finish(lag).expect("client");
    let by = seen.dropped_by_reason();
    let dropped: u64 = by.values().sum();
    // the identity, each term counted on its own (answered and dropped from
    // responses, outstanding from requests without one)
    assert_eq!(seen.sent(), n);
    assert_eq!(seen.sent(), seen.answered() + dropped + seen.outstanding());
    assert_eq!(seen.unmatched, 0);
    let c = report.counters;
    let rc = report.runtime.counters();
    let queued = report.runtime.queued_messages() as u64;
    // server side: received = refused at the inbox + delivered + still in the inbox
    assert_eq!(
        c.received,
        c.inbox_full_requests + rc.delivered + c.left_in_inbox
    );
    // runtime: delivered = completed + dropped + aborted + still queued
    assert_eq!(rc.delivered, rc.accounted() + queued);
    // the client's answers agree with the server's counts reason by reason,
    // except responses the OS lost on the way back (those are outstanding)
    let host_full = by.get("drops_host_queue").copied().unwrap_or(0);
    let inbox_full = by.get("drops_native_inbox").copied().unwrap_or(0);
    assert_eq!(dropped, host_full + inbox_full, "{by:?}");
    let lost_responses = (rc.dropped_host_queue_full - host_full)
        + (c.inbox_full_requests - inbox_full)
        + (rc.completed - seen.answered());
    assert_eq!(
        seen.outstanding(),
        lost_responses + (n - c.received) + c.left_in_inbox + queued
    );
    if quiet && all {
        assert_eq!(seen.outstanding(), 0);
    }
}
