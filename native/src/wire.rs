//! The UDP datagrams between clients and servers on loopback: requests, responses (matched by request id) and actor messages.
//!
//! Little-endian, one datagram per message:
//! - request  `[1][id u64][dst actor u32][kind u16][created_ns u64][payload]`
//! - response `[2][request id u64][status u8][has_reply u8][kind u16][payload]`
//! - message  `[3][id u64][src actor u32][kind u16][payload]`
//!
//! Every request from the network gets exactly one response when its fate
//! is known: served (with the actor's first message back to the sender
//! piggybacked, if it sent one) or dropped, with the reason. Further
//! messages an actor sends to a network endpoint travel as message
//! datagrams. A transport header of this kind is what an RPC layer carries;
//! the actors never see it.

use scheduler::{ActorId, DropReason};

/// Largest UDP payload on IPv4 (65,535 - 8 UDP - 20 IP).
pub const MAX_DATAGRAM: usize = 65_507;

/// Whether a `recv_from` error is the socket's read timeout expiring (the
/// receive loops then check their stop flag and wait again), not a failure.
pub fn is_read_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}
/// Header bytes of a request.
pub const REQUEST_HEADER: usize = 1 + 8 + 4 + 2 + 8;
/// Header bytes of a response.
pub const RESPONSE_HEADER: usize = 1 + 8 + 1 + 1 + 2;
/// Header bytes of a message.
pub const MESSAGE_HEADER: usize = 1 + 8 + 4 + 2;

/// What happened to a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// The handler ran and returned Ok.
    Done,
    /// The handler ran and returned an error (served; counted as failed).
    Failed,
    /// The watchdog stopped the handler.
    Watchdog,
    /// The server's in-process queue was full.
    InboxFull,
    /// Dropped by the runtime, with its reason.
    Dropped(DropReason),
}

const DROP_REASONS: [DropReason; 7] = [
    DropReason::UnknownActor,
    DropReason::ActorKilled,
    DropReason::ActorDeleted,
    DropReason::FcfsQueueFull,
    DropReason::MailboxFull,
    DropReason::MigrationBufferFull,
    DropReason::HostQueueFull,
];

impl Status {
    /// Whether the request's handler ran and returned (Ok or an actor error).
    pub fn served(self) -> bool {
        matches!(self, Status::Done | Status::Failed)
    }
    /// The status as a column name (`done`, `drops_fcfs_queue`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::Failed => "failed",
            Status::Watchdog => "drops_watchdog",
            Status::InboxFull => "drops_native_inbox",
            Status::Dropped(r) => match r {
                DropReason::UnknownActor => "drops_unknown_actor",
                DropReason::ActorKilled => "drops_actor_killed",
                DropReason::ActorDeleted => "drops_actor_deleted",
                DropReason::FcfsQueueFull => "drops_fcfs_queue",
                DropReason::MailboxFull => "drops_mailbox",
                DropReason::MigrationBufferFull => "drops_migration_buffer",
                DropReason::HostQueueFull => "drops_host_queue",
            },
        }
    }
    fn code(self) -> u8 {
        match self {
            Status::Done => 0,
            Status::Failed => 1,
            Status::Watchdog => 2,
            Status::InboxFull => 3,
            Status::Dropped(r) => 10 + DROP_REASONS.iter().position(|x| *x == r).unwrap_or(0) as u8,
        }
    }
    fn from_code(c: u8) -> Option<Status> {
        match c {
            0 => Some(Status::Done),
            1 => Some(Status::Failed),
            2 => Some(Status::Watchdog),
            3 => Some(Status::InboxFull),
            10..=16 => Some(Status::Dropped(DROP_REASONS[usize::from(c - 10)])),
            _ => None,
        }
    }
    /// Every status, in column order (for reports).
    pub fn all() -> Vec<Status> {
        let mut v = vec![
            Status::Done,
            Status::Failed,
            Status::Watchdog,
            Status::InboxFull,
        ];
        v.extend(DROP_REASONS.iter().map(|r| Status::Dropped(*r)));
        v
    }
}

/// One datagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Datagram {
    /// A client's (or peer's) request to an actor of the receiving server.
    Request {
        id: u64,
        dst: ActorId,
        kind: u16,
        /// Creation time on the sender's epoch, ns.
        created_ns: u64,
        payload: Vec<u8>,
    },
    /// The fate of request `id`, with the actor's reply if it sent one.
    Response {
        id: u64,
        status: Status,
        reply: Option<(u16, Vec<u8>)>,
    },
    /// Any other message an actor sent to this endpoint.
    Message {
        id: u64,
        src: ActorId,
        kind: u16,
        payload: Vec<u8>,
    },
}

/// Why a datagram could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("datagram too short ({0} bytes)")]
    Short(usize),
    #[error("unknown datagram tag {0}")]
    Tag(u8),
    #[error("unknown response status {0}")]
    Status(u8),
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(a)
}
fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

impl Datagram {
    /// Encodes into `out` (cleared first). The caller checks `out.len() <= MAX_DATAGRAM`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.clear();
        match self {
            Datagram::Request {
                id,
                dst,
                kind,
                created_ns,
                payload,
            } => {
                out.push(1);
                out.extend_from_slice(&id.to_le_bytes());
                out.extend_from_slice(&dst.to_le_bytes());
                out.extend_from_slice(&kind.to_le_bytes());
                out.extend_from_slice(&created_ns.to_le_bytes());
                out.extend_from_slice(payload);
            }
            Datagram::Response { id, status, reply } => {
                out.push(2);
                out.extend_from_slice(&id.to_le_bytes());
                out.push(status.code());
                match reply {
                    Some((kind, payload)) => {
                        out.push(1);
                        out.extend_from_slice(&kind.to_le_bytes());
                        out.extend_from_slice(payload);
                    }
                    None => {
                        out.push(0);
                        out.extend_from_slice(&0u16.to_le_bytes());
                    }
                }
            }
            Datagram::Message {
                id,
                src,
                kind,
                payload,
            } => {
                out.push(3);
                out.extend_from_slice(&id.to_le_bytes());
                out.extend_from_slice(&src.to_le_bytes());
                out.extend_from_slice(&kind.to_le_bytes());
                out.extend_from_slice(payload);
            }
        }
    }

    /// Decodes one datagram.
    pub fn decode(b: &[u8]) -> Result<Datagram, WireError> {
        let need = match b.first() {
            None => return Err(WireError::Short(0)),
            Some(1) => REQUEST_HEADER,
            Some(2) => RESPONSE_HEADER,
            Some(3) => MESSAGE_HEADER,
            Some(&t) => return Err(WireError::Tag(t)),
        };
        if b.len() < need {
            return Err(WireError::Short(b.len()));
        }
        Ok(match b[0] {
            1 => Datagram::Request {
                id: u64_at(b, 1),
                dst: u32_at(b, 9),
                kind: u16_at(b, 13),
                created_ns: u64_at(b, 15),
                payload: b[REQUEST_HEADER..].to_vec(),
            },
            2 => Datagram::Response {
                id: u64_at(b, 1),
                status: Status::from_code(b[9]).ok_or(WireError::Status(b[9]))?,
                reply: (b[10] == 1).then(|| (u16_at(b, 11), b[RESPONSE_HEADER..].to_vec())),
            },
            _ => Datagram::Message {
                id: u64_at(b, 1),
                src: u32_at(b, 9),
                kind: u16_at(b, 13),
                payload: b[MESSAGE_HEADER..].to_vec(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_datagram_round_trips() {
        let mut buf = Vec::new();
        let mut cases = vec![
            Datagram::Request {
                id: 7,
                dst: 3,
                kind: 0x3000,
                created_ns: 123_456,
                payload: vec![1, 2, 3],
            },
            Datagram::Message {
                id: 1 << 48,
                src: 5,
                kind: 9,
                payload: vec![],
            },
        ];
        for s in Status::all() {
            cases.push(Datagram::Response {
                id: 42,
                status: s,
                reply: Some((0x3104, vec![9; 10])),
            });
            cases.push(Datagram::Response {
                id: 43,
                status: s,
                reply: None,
            });
        }
        for d in cases {
            d.encode_into(&mut buf);
            assert_eq!(Datagram::decode(&buf).unwrap(), d);
        }
    }

    #[test]
    fn bad_datagrams_are_refused_not_misread() {
        assert_eq!(Datagram::decode(&[]), Err(WireError::Short(0)));
        assert_eq!(Datagram::decode(&[9, 0]), Err(WireError::Tag(9)));
        assert_eq!(Datagram::decode(&[1, 0, 0]), Err(WireError::Short(3)));
        let mut b = vec![2u8; RESPONSE_HEADER];
        b[9] = 99;
        assert_eq!(Datagram::decode(&b), Err(WireError::Status(99)));
    }
}
