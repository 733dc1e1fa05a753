//! Little-endian message and migration-state encoding shared by the applications.
//!
//! Every application message is real bytes; `Enc` builds them and `Dec` reads
//! them back, turning a short or malformed payload into `ActorError::Invalid`
//! instead of a panic (a peer may send garbage; the handler must not crash).

use scheduler::ActorError;

/// Bytes an [`Enc::new`] payload has room for before it grows.
pub const ENC_START_BYTES: usize = 64;

/// Builds a payload.
#[derive(Clone, Debug, Default)]
pub struct Enc(pub Vec<u8>);

impl Enc {
    /// An empty payload, with room for [`ENC_START_BYTES`] (most app
    /// messages: a 32-byte record is then one allocation, where an empty
    /// vector grew 8, 16, 32).
    pub fn new() -> Enc {
        Enc(Vec::with_capacity(ENC_START_BYTES))
    }
    /// An empty payload with room for `bytes` (an encoder that knows its
    /// size: the payload then never grows by doubling on the way).
    pub fn with_capacity(bytes: usize) -> Enc {
        Enc(Vec::with_capacity(bytes))
    }
    /// Room for `bytes` more (see [`Self::with_capacity`]).
    pub fn reserve(mut self, bytes: usize) -> Enc {
        self.0.reserve(bytes);
        self
    }
    /// Appends a byte.
    pub fn u8(mut self, v: u8) -> Enc {
        self.0.push(v);
        self
    }
    /// Appends a little-endian u32.
    pub fn u32(mut self, v: u32) -> Enc {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// Appends a little-endian u64.
    pub fn u64(mut self, v: u64) -> Enc {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// Appends a length-prefixed (u32) byte string.
    pub fn bytes(self, b: &[u8]) -> Enc {
        let mut e = self.u32(b.len() as u32);
        e.0.extend_from_slice(b);
        e
    }
    /// The payload.
    pub fn done(self) -> Vec<u8> {
        self.0
    }
}

/// Reads a payload front to back.
#[derive(Clone, Debug)]
pub struct Dec<'a> {
    p: &'a [u8],
    off: usize,
}

impl<'a> Dec<'a> {
    /// A reader at the start of `p`.
    pub fn new(p: &'a [u8]) -> Dec<'a> {
        Dec { p, off: 0 }
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], ActorError> {
        let end = self.off.checked_add(n).filter(|&e| e <= self.p.len());
        let Some(end) = end else {
            return Err(ActorError::Invalid(format!(
                "payload of {} bytes, need at least {}",
                self.p.len(),
                self.off.saturating_add(n)
            )));
        };
        let s = &self.p[self.off..end];
        self.off = end;
        Ok(s)
    }
    /// Reads a byte.
    pub fn u8(&mut self) -> Result<u8, ActorError> {
        Ok(self.take(1)?[0])
    }
    /// Reads a little-endian u32.
    pub fn u32(&mut self) -> Result<u32, ActorError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    /// Reads a little-endian u64.
    pub fn u64(&mut self) -> Result<u64, ActorError> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(a))
    }
    /// Reads a length-prefixed byte string (bounded by the payload, so no huge allocation).
    pub fn bytes(&mut self) -> Result<Vec<u8>, ActorError> {
        let n = self.u32()? as usize;
        Ok(self.take(n)?.to_vec())
    }
    /// Reads a count that prefixes `item_bytes`-byte items, refusing counts the rest
    /// of the payload cannot hold (a garbage count must not drive an allocation).
    pub fn count(&mut self, item_bytes: usize) -> Result<usize, ActorError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(item_bytes.max(1)) > self.remaining() {
            return Err(ActorError::Invalid(format!(
                "count {n} of {item_bytes}-byte items exceeds the {} bytes left",
                self.remaining()
            )));
        }
        Ok(n)
    }
    /// A [`Self::count`]-prefixed list of items, each read by `item`, into
    /// a vector sized once (the count is bounded by the bytes left).
    /// Why not `(0..n).map(..).collect::<Result<Vec<_>, _>>()`: collecting
    /// `Result`s drops the size hint, and the vector grew by doubling
    /// (`configs/cluster_rta.toml`: 6.6% of its instructions in `realloc`).
    pub fn items<T>(
        &mut self,
        item_bytes: usize,
        mut item: impl FnMut(&mut Self) -> Result<T, ActorError>,
    ) -> Result<Vec<T>, ActorError> {
        let n = self.count(item_bytes)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(item(self)?);
        }
        Ok(out)
    }
    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.p.len() - self.off
    }
}

/// Deterministic 32-bit key hash used to partition keys across instances
/// (splitmix64 finaliser: cheap, and not the identity so Zipf-hot keys spread).
pub fn key_hash(key: u32) -> u64 {
    let mut z = u64::from(key).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The partition of `key` among `parts` instances (0 when `parts` is 0).
pub fn partition_of(key: u32, parts: usize) -> usize {
    if parts == 0 {
        0
    } else {
        (key_hash(key) % parts as u64) as usize
    }
}

/// Appends an endpoint (tag byte, then its fields) — for state that remembers a client.
pub fn put_endpoint(e: Enc, ep: scheduler::Endpoint) -> Enc {
    use scheduler::Endpoint;
    match ep {
        Endpoint::Actor(a) => e.u8(0).u32(a),
        Endpoint::Network { node, port } => e.u8(1).u32(node).u32(u32::from(port)),
        Endpoint::Host => e.u8(2),
    }
}

/// Reads an endpoint written by [`put_endpoint`].
pub fn get_endpoint(d: &mut Dec<'_>) -> Result<scheduler::Endpoint, ActorError> {
    use scheduler::Endpoint;
    match d.u8()? {
        0 => Ok(Endpoint::Actor(d.u32()?)),
        1 => Ok(Endpoint::Network {
            node: d.u32()?,
            port: d.u32()? as u16,
        }),
        2 => Ok(Endpoint::Host),
        t => Err(ActorError::Invalid(format!("unknown endpoint tag {t}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_short_payloads_fail_cleanly() {
        let p = Enc::new().u8(7).u32(9).u64(1 << 40).bytes(b"xy").done();
        let mut d = Dec::new(&p);
        assert_eq!(d.u8().unwrap(), 7);
        assert_eq!(d.u32().unwrap(), 9);
        assert_eq!(d.u64().unwrap(), 1 << 40);
        assert_eq!(d.bytes().unwrap(), b"xy");
        assert!(d.u8().is_err());
        let huge = Enc::new().u32(u32::MAX).done();
        assert!(Dec::new(&huge).count(8).is_err());
        assert!(Dec::new(&huge).bytes().is_err());
    }

    #[test]
    fn partitions_cover_all_instances() {
        let mut seen = [0u32; 3];
        for k in 0..300 {
            seen[partition_of(k, 3)] += 1;
        }
        assert!(seen.iter().all(|&n| n > 50), "{seen:?}");
    }
}
