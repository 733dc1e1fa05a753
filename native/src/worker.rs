//! The threads of a native server: a worker per runtime core (deliver, tick, `run_next`, `finish`, route) and the ingress thread (socket to in-process queue).

use crate::platform::NativePlatform;
use crate::server::{response, response_to, Shared, State, LOOPBACK_NODE};
use crate::wire::{Datagram, Status};
use crossbeam_channel::{Receiver, Select};
use scheduler::runtime::RUNTIME_MSG_ID_BASE;
use scheduler::{CoreId, Endpoint, Message, OutcomeKind, SimTime};
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// Longest a worker sleeps without news, so policy ticks run on an idle
/// server too and shutdown is noticed (the default policy interval is 100 us;
/// an idle server has nothing for the policy to see).
const IDLE_WAIT: Duration = Duration::from_millis(1);
/// Most inbox messages one worker delivers per lock hold (bounds the time
/// the lock is held away from executions).
const DELIVER_BATCH: usize = 64;

/// Offers in a row that ran nothing, while the runtime still reported work,
/// before a worker goes back to waiting (DRR needs a few visits to build
/// up a deficit; a stranded queue must not make a worker spin).
const FUTILE_ROUNDS: u32 = 64;

/// A datagram to send once the lock is released.
type Outgoing = (SocketAddr, Datagram);

/// The worker of `cores` (one side): waits for news, then under the
/// runtime lock delivers queued messages, ticks the policy when due, and
/// runs one execution on the first of its cores that has work; routes what
/// the execution sent after releasing the lock.
pub(crate) fn run(
    cores: Vec<CoreId>,
    me: usize,
    sh: Arc<Shared>,
    kick: Receiver<()>,
    sock: UdpSocket,
) {
    let mut outbox: Vec<(Endpoint, Message)> = Vec::new();
    let mut sends: Vec<Outgoing> = Vec::new();
    let mut buf = Vec::with_capacity(2048);
    while !sh.stop.load(Ordering::Acquire) {
        wait_for_news(&sh, &kick);
        let mut futile = 0;
        loop {
            let (ran, more) = {
                let Some(mut st) = sh.lock() else {
                    return; // another thread panicked holding the runtime
                };
                deliver_queued(&sh, &mut st, &mut sends);
                let now = sh.epoch.now();
                if now >= st.rt.next_tick_at() {
                    st.rt.tick(now);
                    st.ticks += 1;
                }
                kick_others(&sh, &st, me);
                let ran = cores
                    .iter()
                    .any(|c| run_one(&sh, &mut st, *c, &mut outbox, &mut sends));
                // actor messages are on their way to the inbox: count them
                // as queued before the lock goes, so quiescence cannot miss them
                let to_actors = outbox
                    .iter()
                    .filter(|(e, _)| matches!(e, Endpoint::Actor(_)))
                    .count();
                sh.queued.fetch_add(to_actors as u64, Ordering::AcqRel);
                let side = cores.first().map(|c| c.side);
                (ran, side.is_some_and(|s| st.rt.has_work_for(s)))
            };
            route(&sh, &sock, &mut buf, &mut outbox, &mut sends);
            if sh.stop.load(Ordering::Acquire) {
                break;
            }
            // work the runtime did not hand out yet (a DRR visit that only
            // added a quantum): offer again soon rather than after IDLE_WAIT,
            // but stop after a few futile rounds (a core that can never take
            // the work must not spin)
            futile = if ran { 0 } else { futile + 1 };
            if !more || futile > FUTILE_ROUNDS {
                break;
            }
            if !ran {
                std::thread::yield_now();
            }
        }
    }
}

/// Blocks until the inbox has a message, this worker was kicked, or `IDLE_WAIT` passed.
fn wait_for_news(sh: &Shared, kick: &Receiver<()>) {
    let mut sel = Select::new();
    let inbox = sel.recv(&sh.inbox_rx);
    let kicked = sel.recv(kick);
    if let Ok(i) = sel.ready_timeout(IDLE_WAIT) {
        if i == kicked {
            // consume the kick (it only says "look again"; an empty channel is fine)
            while kick.try_recv().is_ok() {}
        }
        debug_assert!(i == inbox || i == kicked);
    }
}

/// Delivers up to `DELIVER_BATCH` inbox messages to the runtime; a request
/// from the network that the runtime drops gets its response now.
fn deliver_queued(sh: &Shared, st: &mut State, sends: &mut Vec<Outgoing>) {
    for _ in 0..DELIVER_BATCH {
        let Ok(msg) = sh.inbox_rx.try_recv() else {
            return;
        };
        sh.queued.fetch_sub(1, Ordering::AcqRel);
        let (id, src) = (msg.id, msg.src);
        if let Err(reason) = st.rt.deliver(msg, sh.epoch.now()) {
            if let Some(to) = response_to(src) {
                sends.push((to, response(id, Status::Dropped(reason), None)));
            }
        }
    }
}

/// Wakes every other worker whose side now has work.
fn kick_others(sh: &Shared, st: &State, me: usize) {
    for (i, (side, tx)) in sh.kicks.iter().enumerate() {
        if i != me && st.rt.has_work_for(*side) {
            // a full channel means a kick is already pending: nothing is lost
            if tx.try_send(()).is_err() {
                continue;
            }
        }
    }
}

/// Runs `core`'s next work, if any, and finishes it at once (the handler
/// ran while the lock was held). Returns whether something ran.
fn run_one(
    sh: &Shared,
    st: &mut State,
    core: CoreId,
    outbox: &mut Vec<(Endpoint, Message)>,
    sends: &mut Vec<Outgoing>,
) -> bool {
    if !st.rt.has_work_for(core.side) {
        return false;
    }
    let now = sh.epoch.now();
    let mut p = NativePlatform::new(core.side, sh.epoch, outbox);
    let outcome = match st.rt.run_next(core, now, &mut p) {
        Ok(Some(o)) => o,
        Ok(None) => return false,
        Err(_) => {
            st.runtime_errors += 1;
            return false;
        }
    };
    let picked = p.picked();
    st.dropped_sends += p.dropped_sends();
    st.executions += 1;
    let status = match &outcome.kind {
        OutcomeKind::Done => Some(Status::Done),
        OutcomeKind::Failed(_) => Some(Status::Failed),
        OutcomeKind::WatchdogKilled => Some(Status::Watchdog),
        OutcomeKind::Skipped => Some(Status::Dropped(scheduler::DropReason::ActorKilled)),
        _ => None,
    };
    // the handler ran in real time: the core is free now
    let end = sh.epoch.now().max(now);
    if st.rt.finish(outcome, end).is_err() {
        st.runtime_errors += 1;
    }
    if let (Some(req), Some(status)) = (picked, status) {
        if let Some(to) = response_to(req.src) {
            // piggyback the actor's first message back to the requester
            let reply = outbox
                .iter()
                .position(|(e, _)| *e == req.src)
                .map(|i| outbox.remove(i).1)
                .map(|m| (m.kind, m.payload));
            sends.push((to, response(req.id, status, reply)));
        }
    }
    true
}

/// Sends what an execution produced: actor messages into the inbox, network
/// messages and responses as datagrams, host-application messages counted.
fn route(
    sh: &Shared,
    sock: &UdpSocket,
    buf: &mut Vec<u8>,
    outbox: &mut Vec<(Endpoint, Message)>,
    sends: &mut Vec<Outgoing>,
) {
    for (to, d) in sends.drain(..) {
        sh.send(sock, buf, to, &d);
    }
    for (dst, msg) in outbox.drain(..) {
        match dst {
            Endpoint::Actor(_) => {
                // already counted in `queued` under the lock
                if !sh.enqueue_counted(msg) {
                    sh.io.inbox_full_actor_msgs.fetch_add(1, Ordering::Relaxed);
                }
            }
            Endpoint::Network { port, .. } => {
                let src = match msg.src {
                    Endpoint::Actor(a) => a,
                    _ => scheduler::NO_ACTOR,
                };
                let d = Datagram::Message {
                    id: msg.id,
                    src,
                    kind: msg.kind,
                    payload: msg.payload,
                };
                sh.send(sock, buf, SocketAddr::from(([127, 0, 0, 1], port)), &d);
            }
            Endpoint::Host => {
                sh.io.to_host_app.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// The ingress thread: request datagrams from the socket into the inbox; a
/// full inbox answers `InboxFull` at once.
pub(crate) fn ingress(sh: Arc<Shared>, sock: UdpSocket) {
    let mut buf = vec![0u8; crate::wire::MAX_DATAGRAM + 1];
    let mut out = Vec::with_capacity(64);
    while !sh.stop.load(Ordering::Acquire) {
        let (n, from) = match sock.recv_from(&mut buf) {
            Ok(x) => x,
            Err(e) if crate::wire::is_read_timeout(&e) => continue,
            Err(_) => {
                sh.io.recv_errors.fetch_add(1, Ordering::Relaxed);
                continue;
            }
        };
        match Datagram::decode(&buf[..n]) {
            Ok(Datagram::Request {
                id,
                dst,
                kind,
                created_ns,
                payload,
            }) if id < RUNTIME_MSG_ID_BASE => {
                // counted as queued before it counts as received, so a
                // quiescence check never sees it received but not queued
                sh.queued.fetch_add(1, Ordering::AcqRel);
                sh.io.received.fetch_add(1, Ordering::AcqRel);
                let src = Endpoint::Network {
                    node: LOOPBACK_NODE,
                    port: from.port(),
                };
                let msg = Message {
                    id,
                    src,
                    dst,
                    kind,
                    payload,
                    created_at: SimTime::from_ns(created_ns),
                };
                if !sh.enqueue_counted(msg) {
                    sh.io.inbox_full_requests.fetch_add(1, Ordering::Relaxed);
                    sh.send(
                        &sock,
                        &mut out,
                        from,
                        &response(id, Status::InboxFull, None),
                    );
                }
            }
            Ok(Datagram::Request { .. }) | Err(_) => {
                sh.io.bad_datagrams.fetch_add(1, Ordering::AcqRel);
            }
            Ok(_) => {
                sh.io.unexpected_datagrams.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}
