//! What a native server's threads share: the runtime behind its lock, the in-process queue, the socket and the counters, plus the socket and response helpers the threads use.

use crate::platform::Epoch;
use crate::wire::{Datagram, Status, MAX_DATAGRAM};
use crossbeam_channel::{Receiver, Sender, TrySendError};
use scheduler::{Endpoint, Message, Runtime, Side};
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// What the server's threads counted (each reaches the run's outputs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServerCounters {
    /// Request datagrams received and decoded.
    pub received: u64,
    /// Datagrams that did not decode, or requests with an id at or above
    /// `RUNTIME_MSG_ID_BASE` (refused: they could collide with actor ids).
    pub bad_datagrams: u64,
    /// Datagrams of another kind than a request (a server takes only requests).
    pub unexpected_datagrams: u64,
    /// Socket reads that failed (other than the shutdown poll's timeouts).
    pub recv_errors: u64,
    /// Requests refused because the in-process queue was full (answered `InboxFull`).
    pub inbox_full_requests: u64,
    /// Actor-to-actor messages dropped because the in-process queue was full.
    pub inbox_full_actor_msgs: u64,
    /// Response datagrams sent (one per request whose fate became known).
    pub responses_sent: u64,
    /// Message datagrams sent (actor messages to network endpoints other than a response).
    pub messages_sent: u64,
    /// Datagram sends the OS refused.
    pub send_errors: u64,
    /// Messages larger than one datagram (not sent; counted).
    pub oversize: u64,
    /// Messages to `Endpoint::Host` (no host application runs natively; counted).
    pub to_host_app: u64,
    /// Calls the runtime refused.
    pub runtime_errors: u64,
    /// Sends beyond one execution's outbox bound.
    pub dropped_sends: u64,
    /// Executions run (requests and migration steps).
    pub executions: u64,
    /// Policy evaluations (`Runtime::tick`) that ran.
    pub ticks: u64,
    /// Messages still in the in-process queue at shutdown (never delivered).
    pub left_in_inbox: u64,
}

/// Counters kept by threads that do not hold the runtime lock.
#[derive(Default)]
pub(crate) struct IoCounters {
    pub received: AtomicU64,
    pub bad_datagrams: AtomicU64,
    pub unexpected_datagrams: AtomicU64,
    pub recv_errors: AtomicU64,
    pub inbox_full_requests: AtomicU64,
    pub inbox_full_actor_msgs: AtomicU64,
    pub responses_sent: AtomicU64,
    pub messages_sent: AtomicU64,
    pub send_errors: AtomicU64,
    pub oversize: AtomicU64,
    pub to_host_app: AtomicU64,
}

/// The runtime and the counters kept under its lock.
pub(crate) struct State {
    pub rt: Runtime,
    pub runtime_errors: u64,
    pub dropped_sends: u64,
    pub executions: u64,
    pub ticks: u64,
}

/// What the server's threads share.
pub(crate) struct Shared {
    pub state: Mutex<State>,
    pub inbox_tx: Sender<Message>,
    pub inbox_rx: Receiver<Message>,
    /// Messages accepted into the inbox (or held by a worker on their way
    /// to it) and not yet delivered to the runtime: quiescence needs 0.
    pub queued: AtomicU64,
    /// One wake-up channel per worker, with the side of its core.
    pub kicks: Vec<(Side, Sender<()>)>,
    pub stop: AtomicBool,
    pub epoch: Epoch,
    pub socket: UdpSocket,
    pub io: IoCounters,
}

impl Shared {
    /// The runtime lock; `None` if a thread panicked while holding it.
    pub fn lock(&self) -> Option<MutexGuard<'_, State>> {
        self.state.lock().ok()
    }

    /// Sends `d` to `to` from `sock`, counting refusals.
    pub fn send(&self, sock: &UdpSocket, buf: &mut Vec<u8>, to: SocketAddr, d: &Datagram) {
        d.encode_into(buf);
        if buf.len() > MAX_DATAGRAM {
            self.io.oversize.fetch_add(1, Ordering::Relaxed);
            return;
        }
        match sock.send_to(buf, to) {
            Ok(_) => {
                let c = match d {
                    Datagram::Response { .. } => &self.io.responses_sent,
                    _ => &self.io.messages_sent,
                };
                c.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => {
                self.io.send_errors.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Puts `msg`, already counted in `queued`, on the in-process queue;
    /// `false` (and uncounted) if the queue is full.
    pub fn enqueue_counted(&self, msg: Message) -> bool {
        match self.inbox_tx.try_send(msg) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                self.queued.fetch_sub(1, Ordering::AcqRel);
                false
            }
        }
    }
}

/// Receive buffer asked for each socket. The Linux default (about 208 KiB,
/// a few hundred small datagrams once the kernel's per-packet overhead is
/// counted) overflows in a burst; the kernel caps the request at
/// `net.core.rmem_max`.
pub const RECV_BUFFER_BYTES: usize = 4 << 20;

/// Asks for `RECV_BUFFER_BYTES` of receive buffer. A refusal only leaves the
/// default size: datagrams the OS then drops are outstanding requests in the
/// accounting, never silently lost, so the error needs no other handling.
pub(crate) fn grow_receive_buffer(sock: &UdpSocket) {
    if socket2::SockRef::from(sock)
        .set_recv_buffer_size(RECV_BUFFER_BYTES)
        .is_err()
    {
        // kept at the default size (see above)
    }
}

/// The response for a request from `src` (a network endpoint), or `None`
/// for a request from an actor (actors get no responses).
pub(crate) fn response_to(src: Endpoint) -> Option<SocketAddr> {
    match src {
        Endpoint::Network { port, .. } => Some(SocketAddr::from(([127, 0, 0, 1], port))),
        _ => None,
    }
}

/// A response datagram.
pub(crate) fn response(id: u64, status: Status, reply: Option<(u16, Vec<u8>)>) -> Datagram {
    Datagram::Response { id, status, reply }
}
