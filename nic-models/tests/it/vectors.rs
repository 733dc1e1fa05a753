//! The accelerators' real functions against published test vectors (RFC 1321, FIPS 180, FIPS 197, CRC-32 check value).

use nic_models::accel::functions::{aes128_ecb_encrypt, crc32, md5, pattern_count, sha1};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn md5_rfc1321_vectors() {
    assert_eq!(hex(&md5(b"")), "d41d8cd98f00b204e9800998ecf8427e");
    assert_eq!(hex(&md5(b"abc")), "900150983cd24fb0d6963f7d28e17f72");
    assert_eq!(
        hex(&md5(
            b"12345678901234567890123456789012345678901234567890123456789012345678901234567890"
        )),
        "57edf4a22be3c955ac49da2e2107b67a"
    );
}

#[test]
fn sha1_fips180_vectors() {
    assert_eq!(
        hex(&sha1(b"abc")),
        "a9993e364706816aba3e25717850c26c9cd0d89d"
    );
    assert_eq!(
        hex(&sha1(
            b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        )),
        "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
    );
}

#[test]
fn crc32_check_value() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
}

#[test]
fn aes128_fips197_appendix_c1() {
    let key: [u8; 16] = core::array::from_fn(|i| i as u8);
    let pt: Vec<u8> = (0..16u8).map(|i| i * 0x11).collect();
    assert_eq!(
        hex(&aes128_ecb_encrypt(&key, &pt)),
        "69c4e0d86a7b0430d8cdb78070b4c55a"
    );
    // A partial block is zero-padded to a whole block.
    assert_eq!(aes128_ecb_encrypt(&key, &[1, 2, 3]).len(), 16);
}

#[test]
fn pattern_count_counts_overlapping_matches() {
    assert_eq!(pattern_count(b"abababa", b"aba"), 3);
    assert_eq!(pattern_count(b"abc", b""), 0);
    assert_eq!(pattern_count(b"ab", b"abc"), 0);
}
