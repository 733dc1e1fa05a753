//! Shared helpers for actors: little-endian payload parsing, flow keys, hashing and typed DMO access.
//!
//! Every actor reads real bytes from its request payload and its DMOs; these
//! helpers keep that parsing in one place and turn short payloads into
//! `ActorError::Invalid` rather than panics.

use std::net::Ipv4Addr;

use scheduler::{ActorCtx, ActorError, DmoHandle};
pub use vocab::flow::{FlowKey, PROTO_TCP, PROTO_UDP};

/// Reads a little-endian u16 at `off`, or `Invalid` when the payload is too short.
pub fn get_u16(p: &[u8], off: usize) -> Result<u16, ActorError> {
    let b = p.get(off..off + 2).ok_or_else(|| short(p.len(), off + 2))?;
    Ok(u16::from_le_bytes([b[0], b[1]]))
}

/// Reads a little-endian u32 at `off`.
pub fn get_u32(p: &[u8], off: usize) -> Result<u32, ActorError> {
    let b = p.get(off..off + 4).ok_or_else(|| short(p.len(), off + 4))?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Reads a little-endian u64 at `off`.
pub fn get_u64(p: &[u8], off: usize) -> Result<u64, ActorError> {
    let b = p.get(off..off + 8).ok_or_else(|| short(p.len(), off + 8))?;
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    Ok(u64::from_le_bytes(a))
}

fn short(len: usize, need: usize) -> ActorError {
    ActorError::Invalid(format!("payload of {len} bytes, need at least {need}"))
}

/// The actors' side of the shared [`FlowKey`]: its 13-byte wire form (the
/// start of every packet-descriptor payload), the software hash the per-flow
/// actors use, and the synthetic flows their generators draw. A trait so that
/// `FlowKey::decode(..)` reads as before; the key itself lives in `vocab`.
pub trait FlowKeyWire: Sized {
    /// Bytes of a flow key on the wire: 4 + 4 + 2 + 2 + 1.
    const WIRE_BYTES: usize = 13;
    /// Appends the key in wire order (little-endian fields; addresses as their u32 value).
    fn encode_into(&self, out: &mut Vec<u8>);
    /// Parses a key at the start of `p`.
    fn decode(p: &[u8]) -> Result<Self, ActorError>;
    /// A well-mixed 64-bit hash of the key (deterministic across runs and platforms).
    fn hash64(&self) -> u64;
    /// A deterministic synthetic flow number `i`, for generators: 10.x.y.z clients to 192.168.0.x servers.
    fn synthetic(i: u32) -> Self;
}

impl FlowKeyWire for FlowKey {
    fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&u32::from(self.src_ip).to_le_bytes());
        out.extend_from_slice(&u32::from(self.dst_ip).to_le_bytes());
        out.extend_from_slice(&self.src_port.to_le_bytes());
        out.extend_from_slice(&self.dst_port.to_le_bytes());
        out.push(self.protocol);
    }

    fn decode(p: &[u8]) -> Result<FlowKey, ActorError> {
        let protocol = *p
            .get(12)
            .ok_or_else(|| short(p.len(), FlowKey::WIRE_BYTES))?;
        Ok(FlowKey {
            src_ip: Ipv4Addr::from(get_u32(p, 0)?),
            dst_ip: Ipv4Addr::from(get_u32(p, 4)?),
            src_port: get_u16(p, 8)?,
            dst_port: get_u16(p, 10)?,
            protocol,
        })
    }

    fn hash64(&self) -> u64 {
        let a = (u64::from(u32::from(self.src_ip)) << 32) | u64::from(u32::from(self.dst_ip));
        let b = (u64::from(self.src_port) << 32)
            | (u64::from(self.dst_port) << 16)
            | u64::from(self.protocol);
        mix64(a ^ mix64(b))
    }

    fn synthetic(i: u32) -> FlowKey {
        FlowKey {
            src_ip: Ipv4Addr::from(0x0a00_0000 | (i & 0x00ff_ffff)),
            dst_ip: Ipv4Addr::from(0xc0a8_0000 | (i.wrapping_mul(7) & 0xff)),
            src_port: 1024 + (i % 60000) as u16,
            dst_port: [80u16, 443, 53, 8080][(i % 4) as usize],
            protocol: if i % 4 == 2 { PROTO_UDP } else { PROTO_TCP },
        }
    }
}

/// A packet descriptor: flow key plus the packet's length on the wire. 16 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketDesc {
    pub key: FlowKey,
    pub len_bytes: u16,
}

impl PacketDesc {
    /// Bytes of a descriptor on the wire (13 key + 2 length + 1 pad).
    pub const WIRE_BYTES: usize = 16;

    /// Encodes the descriptor.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::WIRE_BYTES);
        self.key.encode_into(&mut out);
        out.extend_from_slice(&self.len_bytes.to_le_bytes());
        out.push(0);
        out
    }

    /// Parses a descriptor at the start of `p`.
    pub fn decode(p: &[u8]) -> Result<PacketDesc, ActorError> {
        Ok(PacketDesc {
            key: FlowKey::decode(p)?,
            len_bytes: get_u16(p, FlowKey::WIRE_BYTES)?,
        })
    }
}

/// Flows the per-flow actors' request generators draw from (uniformly).
pub const GEN_FLOWS: u32 = 100_000;

/// A request carrying a packet (64..=1500 B) of one of [`GEN_FLOWS`]
/// synthetic flows: what the load balancer and the rate limiter receive.
pub fn gen_flow_packet<R: rand::Rng + ?Sized>(rng: &mut R) -> super::Request {
    let key = FlowKey::synthetic(rng.gen_range(0..GEN_FLOWS));
    packet_request(key, rng)
}

/// A REQUEST carrying a packet of flow `key` with a length drawn in
/// 64..=1500 B (the per-flow actors' generators).
pub fn packet_request<R: rand::Rng + ?Sized>(key: FlowKey, rng: &mut R) -> super::Request {
    let d = PacketDesc {
        key,
        len_bytes: rng.gen_range(64..=1500),
    };
    super::Request {
        kind: super::kinds::REQUEST,
        payload: d.encode(),
    }
}

/// The splitmix64 finalizer: a cheap, well-mixed, deterministic 64-bit hash step.
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a over bytes (used to hash variable-length keys).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// CRC-32 (IEEE, reflected): the value the NIC's CRC engine returns, the
/// engine's own function (`crc32fast`; a bitwise loop here took 10% of
/// the instructions of `configs/cluster_star.toml`, whose replication
/// actors checksum every request).
pub use nic_models::accel::functions::crc32;

/// Reads a u32 field of a DMO (charges the access).
pub fn dmo_get_u32(ctx: &mut ActorCtx<'_>, h: DmoHandle, off: u32) -> Result<u32, ActorError> {
    let mut b = [0u8; 4];
    ctx.dmo_read(h, off, &mut b)?;
    Ok(u32::from_le_bytes(b))
}

/// Writes a u32 field of a DMO (charges the access).
pub fn dmo_put_u32(
    ctx: &mut ActorCtx<'_>,
    h: DmoHandle,
    off: u32,
    v: u32,
) -> Result<(), ActorError> {
    ctx.dmo_write(h, off, &v.to_le_bytes())
}

/// Reads a u64 field of a DMO (charges the access).
pub fn dmo_get_u64(ctx: &mut ActorCtx<'_>, h: DmoHandle, off: u32) -> Result<u64, ActorError> {
    let mut b = [0u8; 8];
    ctx.dmo_read(h, off, &mut b)?;
    Ok(u64::from_le_bytes(b))
}

/// Writes a u64 field of a DMO (charges the access).
pub fn dmo_put_u64(
    ctx: &mut ActorCtx<'_>,
    h: DmoHandle,
    off: u32,
    v: u64,
) -> Result<(), ActorError> {
    ctx.dmo_write(h, off, &v.to_le_bytes())
}

/// Parses a little-endian u32/u64 out of a byte slice already read from a DMO.
pub fn le_u32(b: &[u8], off: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[off..off + 4]);
    u32::from_le_bytes(a)
}

/// See [`le_u32`].
pub fn le_u64(b: &[u8], off: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[off..off + 8]);
    u64::from_le_bytes(a)
}

/// Serializes DMO handles for `migrate_out` (handles are stable across migration, so
/// this is all a fresh instance needs to find its state again).
pub fn handles_out(handles: &[Option<DmoHandle>]) -> Vec<u8> {
    handles
        .iter()
        .flat_map(|h| h.map_or(u32::MAX, |h| h.0).to_le_bytes())
        .collect()
}

/// Restores handles written by [`handles_out`]; an empty state leaves them unchanged.
pub fn handles_in(state: &[u8], handles: &mut [&mut Option<DmoHandle>]) -> Result<(), ActorError> {
    if state.is_empty() {
        return Ok(());
    }
    if state.len() != 4 * handles.len() {
        return Err(ActorError::Invalid(format!(
            "migration state of {} bytes, expected {}",
            state.len(),
            4 * handles.len()
        )));
    }
    for (i, h) in handles.iter_mut().enumerate() {
        let v = get_u32(state, 4 * i)?;
        **h = (v != u32::MAX).then_some(DmoHandle(v));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_form_of_a_flow_key_is_unchanged_by_the_shared_key_type() {
        // Flow 5: 10.0.0.5:1029 -> 192.168.0.35:443, TCP; addresses as their
        // u32 value, every field little-endian (the format before the key
        // moved to vocab, so payloads and hashes are byte-identical).
        let k = FlowKey::synthetic(5);
        let mut b = Vec::new();
        k.encode_into(&mut b);
        assert_eq!(
            b,
            [5, 0, 0, 10, 0x23, 0, 0xa8, 0xc0, 5, 4, 0xbb, 1, PROTO_TCP]
        );
        assert_eq!(FlowKey::decode(&b).unwrap(), k);
        let a = (0x0a00_0005u64 << 32) | 0xc0a8_0023;
        let h = (1029u64 << 32) | (443 << 16) | u64::from(PROTO_TCP);
        assert_eq!(k.hash64(), mix64(a ^ mix64(h)));
    }

    #[test]
    fn packet_desc_roundtrips_and_short_payload_is_invalid() {
        let d = PacketDesc {
            key: FlowKey::synthetic(77),
            len_bytes: 1400,
        };
        let p = d.encode();
        assert_eq!(p.len(), PacketDesc::WIRE_BYTES);
        assert_eq!(PacketDesc::decode(&p).unwrap(), d);
        assert!(matches!(
            PacketDesc::decode(&p[..10]),
            Err(ActorError::Invalid(_))
        ));
    }

    #[test]
    fn crc32_matches_reference_value() {
        // The standard check value of CRC-32/IEEE.
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }
}
