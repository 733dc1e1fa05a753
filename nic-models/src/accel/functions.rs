//! The real functions behind the accelerators, so simulated offloads produce checkable results.
//!
//! MD5, SHA-1 and AES-128 use the RustCrypto crates, CRC-32 (IEEE) uses
//! crc32fast, pattern matching is a plain substring count. Compression has no
//! real result here (only its cost is modelled).

use aes::cipher::{generic_array::GenericArray, BlockEncrypt, KeyInit};
use md5::{Digest as _, Md5};
use sha1::Sha1;

/// MD5 digest of `data`.
pub fn md5(data: &[u8]) -> [u8; 16] {
    Md5::digest(data).into()
}

/// SHA-1 digest of `data`.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    Sha1::digest(data).into()
}

/// CRC-32 (IEEE 802.3, as in Ethernet and zlib) of `data`.
pub fn crc32(data: &[u8]) -> u32 {
    crc32fast::hash(data)
}

/// AES-128 in ECB mode over `data`; a partial last block is zero-padded to 16 bytes.
pub fn aes128_ecb_encrypt(key: &[u8; 16], data: &[u8]) -> Vec<u8> {
    let cipher = aes::Aes128::new(GenericArray::from_slice(key));
    let mut out = Vec::with_capacity(data.len().div_ceil(16) * 16);
    for chunk in data.chunks(16) {
        let mut block = [0u8; 16];
        block[..chunk.len()].copy_from_slice(chunk);
        let mut b = GenericArray::from(block);
        cipher.encrypt_block(&mut b);
        out.extend_from_slice(&b);
    }
    out
}

/// Number of (possibly overlapping) occurrences of `pattern` in `data`; 0 for an empty pattern.
pub fn pattern_count(data: &[u8], pattern: &[u8]) -> usize {
    if pattern.is_empty() || pattern.len() > data.len() {
        return 0;
    }
    data.windows(pattern.len())
        .filter(|w| *w == pattern)
        .count()
}
