//! `Client`: an open-loop load generator over UDP on loopback, with every response matched to its request.
//!
//! Requests are numbered 0, 1, 2, ... and each has one record; the receiver
//! thread fills it when the request's response arrives (served, or dropped
//! with a reason). At the end every request is in exactly one state:
//! answered, dropped (by reason) or outstanding.

use crate::error::NativeError;
use crate::platform::Epoch;
use crate::wire::{Datagram, Status, MAX_DATAGRAM};
use scheduler::ActorId;
use std::collections::BTreeMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Most actor messages (replies and others) a client keeps for inspection;
/// further ones are counted, not stored.
pub const MAX_KEPT_MESSAGES: usize = 100_000;
/// How long a blocked socket read waits before checking for shutdown.
const RECV_POLL: Duration = Duration::from_millis(5);

/// One request of an open-loop plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    /// Send time on the run's epoch, ns.
    pub at_ns: u64,
    /// Target actor.
    pub dst: ActorId,
    /// `Message::kind`.
    pub kind: u16,
    /// Payload.
    pub payload: Vec<u8>,
}

/// How an open-loop plan went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenLoop {
    /// Most a send ran behind its planned time, ns.
    pub max_lag_ns: u64,
    /// Planned requests not sent because the stop time came first.
    pub not_sent: u64,
}

/// A request's record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestOutcome {
    /// Target actor.
    pub dst: ActorId,
    /// When it was sent (epoch ns).
    pub sent_ns: u64,
    /// Its response: status and round-trip time, ns; `None` = outstanding.
    pub answer: Option<(Status, u64)>,
}

/// A message an actor sent to this client (a piggybacked reply or a message datagram).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// The request it answered (`None` for a message datagram).
    pub in_reply_to: Option<u64>,
    /// `Message::kind`.
    pub kind: u16,
    /// Payload.
    pub payload: Vec<u8>,
}

#[derive(Default)]
struct Book {
    requests: Vec<RequestOutcome>,
    messages: Vec<Received>,
    messages_not_kept: u64,
    /// Responses for unknown ids or for requests already answered.
    unmatched: u64,
}

struct ClientShared {
    book: Mutex<Book>,
    stop: AtomicBool,
    bad_datagrams: AtomicU64,
    recv_errors: AtomicU64,
    send_errors: AtomicU64,
    refused_over_capacity: AtomicU64,
}

/// A client bound to its own loopback socket, talking to one server.
pub struct Client {
    sock: UdpSocket,
    server: SocketAddr,
    epoch: Epoch,
    max_requests: usize,
    shared: Arc<ClientShared>,
    receiver: Option<JoinHandle<()>>,
}

/// Everything a client saw.
#[derive(Clone, Debug, Default)]
pub struct ClientReport {
    /// Every request sent, by id.
    pub requests: Vec<RequestOutcome>,
    /// Messages actors sent to this client.
    pub messages: Vec<Received>,
    /// Messages beyond `MAX_KEPT_MESSAGES` (counted only).
    pub messages_not_kept: u64,
    /// Responses that matched no outstanding request (must be 0).
    pub unmatched: u64,
    /// Datagrams that did not decode.
    pub bad_datagrams: u64,
    /// Socket reads that failed.
    pub recv_errors: u64,
    /// Sends the OS refused (the request counts as sent: it is outstanding).
    pub send_errors: u64,
    /// Requests not sent because the client's record bound was reached.
    pub refused_over_capacity: u64,
    /// Most a send ran behind its planned time, ns (open-loop fidelity).
    pub max_lag_ns: u64,
}

impl ClientReport {
    /// Requests sent.
    pub fn sent(&self) -> u64 {
        self.requests.len() as u64
    }
    /// Requests whose handler ran and returned.
    pub fn answered(&self) -> u64 {
        self.count(|s| s.served())
    }
    /// Requests dropped, by reason (the status name).
    pub fn dropped_by_reason(&self) -> BTreeMap<&'static str, u64> {
        let mut m = BTreeMap::new();
        for r in &self.requests {
            if let Some((s, _)) = r.answer {
                if !s.served() {
                    *m.entry(s.name()).or_insert(0) += 1;
                }
            }
        }
        m
    }
    /// Requests without a response.
    pub fn outstanding(&self) -> u64 {
        self.requests.iter().filter(|r| r.answer.is_none()).count() as u64
    }
    fn count(&self, f: impl Fn(Status) -> bool) -> u64 {
        self.requests
            .iter()
            .filter(|r| r.answer.is_some_and(|(s, _)| f(s)))
            .count() as u64
    }
}

fn sock_err(what: &str) -> impl FnOnce(std::io::Error) -> NativeError + '_ {
    move |source| NativeError::Socket {
        what: what.to_string(),
        source,
    }
}

impl Client {
    /// A client on a fresh loopback socket, sending to `server`; it keeps at
    /// most `max_requests` request records (more sends are refused and counted).
    pub fn bind(
        server: SocketAddr,
        epoch: Epoch,
        max_requests: usize,
    ) -> Result<Client, NativeError> {
        let sock = UdpSocket::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .map_err(sock_err("bind 127.0.0.1:0"))?;
        sock.set_read_timeout(Some(RECV_POLL))
            .map_err(sock_err("set_read_timeout"))?;
        crate::server::grow_receive_buffer(&sock);
        let shared = Arc::new(ClientShared {
            book: Mutex::new(Book::default()),
            stop: AtomicBool::new(false),
            bad_datagrams: AtomicU64::new(0),
            recv_errors: AtomicU64::new(0),
            send_errors: AtomicU64::new(0),
            refused_over_capacity: AtomicU64::new(0),
        });
        let rx_sock = sock.try_clone().map_err(sock_err("try_clone"))?;
        let sh = shared.clone();
        let receiver = std::thread::Builder::new()
            .name("client-rx".into())
            .spawn(move || receive(sh, rx_sock, epoch))
            .map_err(|source| NativeError::Spawn {
                name: "client-rx".into(),
                source,
            })?;
        Ok(Client {
            sock,
            server,
            epoch,
            max_requests,
            shared,
            receiver: Some(receiver),
        })
    }

    /// Sends one request now; its id, or `None` if refused (record bound reached).
    pub fn send(&self, dst: ActorId, kind: u16, payload: Vec<u8>) -> Option<u64> {
        let mut buf = Vec::with_capacity(payload.len() + 32);
        self.send_with(&mut buf, dst, kind, payload)
    }

    fn send_with(
        &self,
        buf: &mut Vec<u8>,
        dst: ActorId,
        kind: u16,
        payload: Vec<u8>,
    ) -> Option<u64> {
        let now_ns = self.epoch.now().as_ns();
        let id = {
            let Ok(mut book) = self.shared.book.lock() else {
                return None;
            };
            if book.requests.len() >= self.max_requests {
                self.shared
                    .refused_over_capacity
                    .fetch_add(1, Ordering::Relaxed);
                return None;
            }
            book.requests.push(RequestOutcome {
                dst,
                sent_ns: now_ns,
                answer: None,
            });
            (book.requests.len() - 1) as u64
        };
        Datagram::Request {
            id,
            dst,
            kind,
            created_ns: now_ns,
            payload,
        }
        .encode_into(buf);
        if buf.len() > MAX_DATAGRAM || self.sock.send_to(buf, self.server).is_err() {
            // recorded as sent: it stays outstanding, and the error is counted
            self.shared.send_errors.fetch_add(1, Ordering::Relaxed);
        }
        Some(id)
    }

    /// Sends `plan` open loop: each request at its planned time (late ones
    /// at once), from the calling thread, until the plan ends or the epoch
    /// reaches `stop_ns`: a generator that cannot keep up stops on time
    /// rather than stretching the run, and the requests it could not send
    /// are counted (`OpenLoop::not_sent`), never sent late past the end.
    pub fn run_open_loop(&self, plan: impl Iterator<Item = Planned>, stop_ns: u64) -> OpenLoop {
        let start = self.epoch.instant();
        let stop = start + Duration::from_nanos(stop_ns);
        let mut buf = Vec::with_capacity(2048);
        let mut max_lag_ns = 0u64;
        let mut not_sent = 0u64;
        let mut stopped = false;
        for p in plan {
            if stopped {
                not_sent += 1;
                continue;
            }
            let due = start + Duration::from_nanos(p.at_ns);
            let now = Instant::now();
            if now >= stop {
                stopped = true;
                not_sent += 1;
                continue;
            }
            if due > now {
                // sleep for long gaps; yield for short ones (a spin would take
                // a core from the server on a 2-core machine)
                let gap = due - now;
                if gap > Duration::from_micros(100) {
                    std::thread::sleep(gap - Duration::from_micros(50));
                }
                while Instant::now() < due {
                    std::thread::yield_now();
                }
            } else {
                max_lag_ns = max_lag_ns.max((now - due).as_nanos() as u64);
            }
            self.send_with(&mut buf, p.dst, p.kind, p.payload);
        }
        OpenLoop {
            max_lag_ns,
            not_sent,
        }
    }

    /// Waits until every request sent so far has a response; `false` on timeout.
    pub fn wait_all_answered(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let done = self
                .shared
                .book
                .lock()
                .map(|b| b.requests.iter().all(|r| r.answer.is_some()))
                .unwrap_or(false);
            if done {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    /// Stops the receiver and returns what the client saw (`max_lag_ns`
    /// from the open-loop run, if any).
    pub fn finish(mut self, max_lag_ns: u64) -> Result<ClientReport, NativeError> {
        self.shared.stop.store(true, Ordering::Release);
        if let Some(h) = self.receiver.take() {
            h.join()
                .map_err(|_| NativeError::ThreadPanicked("client-rx".into()))?;
        }
        let book = std::mem::take(
            &mut *self
                .shared
                .book
                .lock()
                .map_err(|_| NativeError::ThreadPanicked("client-rx".into()))?,
        );
        let g = |c: &AtomicU64| c.load(Ordering::Acquire);
        Ok(ClientReport {
            requests: book.requests,
            messages: book.messages,
            messages_not_kept: book.messages_not_kept,
            unmatched: book.unmatched,
            bad_datagrams: g(&self.shared.bad_datagrams),
            recv_errors: g(&self.shared.recv_errors),
            send_errors: g(&self.shared.send_errors),
            refused_over_capacity: g(&self.shared.refused_over_capacity),
            max_lag_ns,
        })
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
    }
}

/// The receiver thread: matches responses to requests, keeps messages.
fn receive(sh: Arc<ClientShared>, sock: UdpSocket, epoch: Epoch) {
    let mut buf = vec![0u8; MAX_DATAGRAM + 1];
    while !sh.stop.load(Ordering::Acquire) {
        let n = match sock.recv_from(&mut buf) {
            Ok((n, _)) => n,
            Err(e) if crate::wire::is_read_timeout(&e) => continue,
            Err(_) => {
                sh.recv_errors.fetch_add(1, Ordering::Relaxed);
                continue;
            }
        };
        let now_ns = epoch.now().as_ns();
        let Ok(d) = Datagram::decode(&buf[..n]) else {
            sh.bad_datagrams.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        let Ok(mut book) = sh.book.lock() else {
            return;
        };
        let (in_reply_to, kind, payload) = match d {
            Datagram::Response { id, status, reply } => {
                match book.requests.get_mut(id as usize) {
                    Some(r) if r.answer.is_none() => {
                        r.answer = Some((status, now_ns.saturating_sub(r.sent_ns)));
                    }
                    _ => book.unmatched += 1,
                }
                match reply {
                    Some((k, p)) => (Some(id), k, p),
                    None => continue,
                }
            }
            Datagram::Message { kind, payload, .. } => (None, kind, payload),
            Datagram::Request { .. } => {
                sh.bad_datagrams.fetch_add(1, Ordering::Relaxed);
                continue;
            }
        };
        if book.messages.len() < MAX_KEPT_MESSAGES {
            book.messages.push(Received {
                in_reply_to,
                kind,
                payload,
            });
        } else {
            book.messages_not_kept += 1;
        }
    }
}
