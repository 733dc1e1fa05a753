//! `NativeServer`: one server of a native run: its runtime behind one lock, a worker thread per runtime core, an ingress thread and a UDP socket on 127.0.0.1.

use crate::error::NativeError;
use crate::platform::{Epoch, NativePlatform};
use crate::worker;
use crossbeam_channel::bounded;
use scheduler::{Actor, ActorId, CoreId, Placement, Runtime, Side, SimTime};
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

mod shared;

pub(crate) use shared::{grow_receive_buffer, response, response_to, IoCounters, Shared, State};
pub use shared::{ServerCounters, RECV_BUFFER_BYTES};

/// The node id a loopback peer has in `Endpoint::Network` (peers are told
/// apart by their UDP port, which is real).
pub const LOOPBACK_NODE: u32 = 0;

/// How long a blocked socket read waits before checking for shutdown.
const RECV_POLL: Duration = Duration::from_millis(5);

/// How a server runs.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Capacity of the in-process queue that carries requests from the
    /// socket and messages between actors to the workers (messages; a full
    /// queue drops and counts).
    pub inbox_capacity: usize,
    /// Where the server's socket binds (a loopback address; port 0 = any).
    pub bind: SocketAddr,
    /// Worker threads for the NIC cores and for the host cores (`None`:
    /// one per core). A thread serving several cores offers each of them
    /// in turn: handlers run one at a time under the runtime lock anyway,
    /// so fewer threads than cores loses no parallelism, and it lets a
    /// runtime with 2 NIC cores and 1 host core run on 2 threads.
    pub threads: Option<(usize, usize)>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            // the runtime's default FCFS queue bound (SchedulerSettings::fcfs_queue_capacity)
            inbox_capacity: 4096,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            threads: None,
        }
    }
}

/// The cores of each worker thread: NIC core `i` goes to NIC thread
/// `i % nic_threads`, host core `i` to host thread `i % host_threads`.
fn thread_groups(
    cores: &[CoreId],
    threads: Option<(usize, usize)>,
) -> Result<Vec<(Side, Vec<CoreId>)>, NativeError> {
    let of = |side: Side| {
        cores
            .iter()
            .copied()
            .filter(|c| c.side == side)
            .collect::<Vec<_>>()
    };
    let mut groups = Vec::new();
    for (side, n) in [
        (Side::Nic, threads.map(|t| t.0)),
        (Side::Host, threads.map(|t| t.1)),
    ] {
        let list = of(side);
        let n = n.unwrap_or(list.len());
        if n == 0 || n > list.len() {
            return Err(NativeError::Config(format!(
                "{n} worker threads for {} {side:?} cores: give 1..={} (at most one thread per core)",
                list.len(),
                list.len()
            )));
        }
        let mut g: Vec<Vec<CoreId>> = vec![Vec::new(); n];
        for (i, c) in list.into_iter().enumerate() {
            g[i % n].push(c);
        }
        groups.extend(g.into_iter().map(|cs| (side, cs)));
    }
    Ok(groups)
}

/// A server whose runtime has its actors but whose threads have not started.
pub struct NativeServer {
    shared: Arc<Shared>,
    threads: Vec<(String, JoinHandle<()>)>,
    /// Stops the threads if the server is dropped without `shutdown`.
    _stop_on_drop: StopOnDrop,
}

/// Sets the stop flag when dropped.
struct StopOnDrop(Arc<Shared>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.stop.store(true, Ordering::Release);
    }
}

/// What a server leaves at shutdown.
pub struct ServerReport {
    /// The runtime, with its statistics, events and actors.
    pub runtime: Runtime,
    /// What the server counted.
    pub counters: ServerCounters,
}

/// Registers `actor` on `rt` at real time `epoch.now()` (on a NIC-side
/// platform, as the simulator does). Messages its `init` sends are refused:
/// no actor of the registry sends from `init`, and a native run has no
/// threads yet to carry them.
pub fn register(
    rt: &mut Runtime,
    actor: Box<dyn Actor>,
    placement: Option<Placement>,
    epoch: Epoch,
) -> Result<ActorId, NativeError> {
    let mut outbox = Vec::new();
    let mut p = NativePlatform::new(Side::Nic, epoch, &mut outbox);
    let now = epoch.now();
    let id = match placement {
        Some(at) => rt.register_actor_at(actor, at, &mut p, now)?,
        None => rt.register_actor(actor, &mut p, now)?,
    };
    if !outbox.is_empty() {
        return Err(NativeError::Config(format!(
            "actor {id} sent {} message(s) from init; a native server cannot carry them before it starts",
            outbox.len()
        )));
    }
    Ok(id)
}

impl NativeServer {
    /// Starts a server around `rt` (actors registered): binds its socket and
    /// starts one worker thread per runtime core, plus the ingress thread.
    pub fn start(
        rt: Runtime,
        cfg: &ServerConfig,
        epoch: Epoch,
    ) -> Result<NativeServer, NativeError> {
        if cfg.inbox_capacity == 0 {
            return Err(NativeError::Config(
                "inbox_capacity must be at least 1".into(),
            ));
        }
        let sock_err = |what: String| move |source| NativeError::Socket { what, source };
        let socket = UdpSocket::bind(cfg.bind).map_err(sock_err(format!("bind {}", cfg.bind)))?;
        socket
            .set_read_timeout(Some(RECV_POLL))
            .map_err(sock_err("set_read_timeout".into()))?;
        grow_receive_buffer(&socket);
        let groups = thread_groups(&rt.idle_cores(), cfg.threads)?;
        let (inbox_tx, inbox_rx) = bounded(cfg.inbox_capacity);
        let mut kick_rx = Vec::new();
        let mut kicks = Vec::new();
        for (side, _) in &groups {
            let (tx, rx) = bounded(1);
            kicks.push((*side, tx));
            kick_rx.push(rx);
        }
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                rt,
                runtime_errors: 0,
                dropped_sends: 0,
                executions: 0,
                ticks: 0,
            }),
            inbox_tx,
            inbox_rx,
            queued: AtomicU64::new(0),
            kicks,
            stop: AtomicBool::new(false),
            epoch,
            socket,
            io: IoCounters::default(),
        });
        let mut server = NativeServer {
            shared: shared.clone(),
            threads: Vec::new(),
            _stop_on_drop: StopOnDrop(shared.clone()),
        };
        for (i, ((side, cores), kick)) in groups.into_iter().zip(kick_rx).enumerate() {
            let side = match side {
                Side::Nic => "nic",
                Side::Host => "host",
            };
            let list: Vec<String> = cores.iter().map(|c| c.index.to_string()).collect();
            let name = format!("{side}-cores-{}", list.join("-"));
            let sh = shared.clone();
            let sock = shared
                .socket
                .try_clone()
                .map_err(sock_err("try_clone".into()))?;
            server.spawn(name, move || worker::run(cores, i, sh, kick, sock))?;
        }
        let sh = shared.clone();
        let sock = shared
            .socket
            .try_clone()
            .map_err(sock_err("try_clone".into()))?;
        server.spawn("ingress".into(), move || worker::ingress(sh, sock))?;
        Ok(server)
    }

    fn spawn(
        &mut self,
        name: String,
        f: impl FnOnce() + Send + 'static,
    ) -> Result<(), NativeError> {
        match std::thread::Builder::new().name(name.clone()).spawn(f) {
            Ok(h) => {
                self.threads.push((name, h));
                Ok(())
            }
            Err(source) => {
                // stop what already started before reporting
                self.shared.stop.store(true, Ordering::Release);
                Err(NativeError::Spawn { name, source })
            }
        }
    }

    /// The server's UDP address.
    pub fn addr(&self) -> Result<SocketAddr, NativeError> {
        self.shared
            .socket
            .local_addr()
            .map_err(|source| NativeError::Socket {
                what: "local_addr".into(),
                source,
            })
    }

    /// Worker threads.
    pub fn workers(&self) -> usize {
        self.shared.kicks.len()
    }

    /// Reads the runtime under its lock (`None` if a thread panicked holding it).
    pub fn with_runtime<R>(&self, f: impl FnOnce(&Runtime) -> R) -> Option<R> {
        self.shared.lock().map(|s| f(&s.rt))
    }

    /// Waits until the server has received `requests` request datagrams and
    /// has nothing left to do (no queued message, no runnable work); `false`
    /// if that did not happen within `timeout`.
    pub fn quiesce(&self, requests: u64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let received = self.shared.io.received.load(Ordering::Acquire)
                + self.shared.io.bad_datagrams.load(Ordering::Acquire);
            if received >= requests {
                if let Some(st) = self.shared.lock() {
                    if self.shared.queued.load(Ordering::Acquire) == 0 && !st.rt.has_work() {
                        return true;
                    }
                }
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    /// The current time on the server's epoch.
    pub fn now(&self) -> SimTime {
        self.shared.epoch.now()
    }

    /// Stops every thread, joins them and hands back the runtime. Work still
    /// queued stays in the runtime (its requests are outstanding).
    pub fn shutdown(self) -> Result<ServerReport, NativeError> {
        let NativeServer {
            shared,
            threads,
            _stop_on_drop,
        } = self;
        drop(_stop_on_drop); // sets the stop flag
        let mut panicked = None;
        for (name, h) in threads {
            if h.join().is_err() {
                panicked = Some(name);
            }
        }
        if let Some(name) = panicked {
            return Err(NativeError::ThreadPanicked(name));
        }
        let shared = Arc::try_unwrap(shared)
            .map_err(|_| NativeError::Config("server state still shared after join".into()))?;
        let io = &shared.io;
        let st = shared
            .state
            .into_inner()
            .map_err(|_| NativeError::ThreadPanicked("runtime lock holder".into()))?;
        let g = |c: &AtomicU64| c.load(Ordering::Acquire);
        let counters = ServerCounters {
            received: g(&io.received),
            bad_datagrams: g(&io.bad_datagrams),
            unexpected_datagrams: g(&io.unexpected_datagrams),
            recv_errors: g(&io.recv_errors),
            inbox_full_requests: g(&io.inbox_full_requests),
            inbox_full_actor_msgs: g(&io.inbox_full_actor_msgs),
            responses_sent: g(&io.responses_sent),
            messages_sent: g(&io.messages_sent),
            send_errors: g(&io.send_errors),
            oversize: g(&io.oversize),
            to_host_app: g(&io.to_host_app),
            runtime_errors: st.runtime_errors,
            dropped_sends: st.dropped_sends,
            executions: st.executions,
            ticks: st.ticks,
            left_in_inbox: shared.inbox_rx.len() as u64,
        };
        // messages still in the inbox were never delivered: they are requests
        // or actor messages outstanding at the end (the caller counts them)
        Ok(ServerReport {
            runtime: st.rt,
            counters,
        })
    }
}
