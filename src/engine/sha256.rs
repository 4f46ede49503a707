//! SHA-256 (FIPS 180-4), for hashing the shopper's email before it leaves the page.
//!
//! A compact implementation: a general-purpose crate would cost the wasm more bytes than this whole
//! module, and the input is a few dozen bytes once per event, so the padded message is read a byte
//! at a time rather than copied, and the hex digits are taken from the hash words directly. Checked
//! against the FIPS test vectors here and against the `sha2` crate in `tests/privacy.rs`.

/// FIPS 180-4's constants, computed rather than stored: `K`, the first 32 bits of the fractional
/// parts of the cube roots of the first 64 primes, and `H0`, those of the square roots of the first
/// 8 (the initial hash value). 288 bytes of random-looking constants cost about as much brotli as
/// raw; this loop costs less. The tests compare both with the published tables.
fn constants() -> ([u32; 8], [u32; 64]) {
    let (mut h0, mut k) = ([0u32; 8], [0u32; 64]);
    let mut prime = 1u32;
    for i in 0..64 {
        // The next prime: trial division.
        let mut d = 2;
        prime += 1;
        while d < prime {
            if prime % d == 0 {
                prime += 1;
                d = 1;
            }
            d += 1;
        }
        let p = f64::from(prime);
        // Newton's method for the cube root; from 4, 24 steps settle for every p below 312.
        let mut x = 4.0;
        for _ in 0..24 {
            x -= (x * x * x - p) / (3.0 * x * x);
        }
        k[i] = fraction_bits(x);
        if i < 8 {
            h0[i] = fraction_bits(p.sqrt());
        }
    }
    (h0, k)
}

/// The first 32 bits of the fractional part of `x` (positive).
fn fraction_bits(x: f64) -> u32 {
    ((x - x.floor()) * 4_294_967_296.0) as u32
}

/// The SHA-256 digest of `data`.
pub fn digest(data: &[u8]) -> [u8; 32] {
    let h = hash(data);
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = (h[i / 4] >> (24 - 8 * (i % 4))) as u8;
    }
    out
}

/// The SHA-256 digest of `data` as eight words (the final hash value; the digest's bytes are
/// their big-endian bytes).
fn hash(data: &[u8]) -> [u32; 8] {
    // The padded message, read a byte at a time rather than copied: `data`, a 0x80 byte, zeros up
    // to 56 mod 64, then the bit length, big-endian (`total` bytes in all).
    let len = data.len();
    let total = (len + 8) / 64 * 64 + 64;
    let bits = (len as u64).wrapping_mul(8);
    let byte = |i: usize| match data.get(i) {
        Some(b) => *b,
        None if i == len => 0x80,
        None if i >= total - 8 => (bits >> (8 * (total - 1 - i))) as u8,
        None => 0,
    };

    let (mut h, k) = constants();
    let mut w = [0u32; 64];
    for block in (0..total).step_by(64) {
        for i in 0..64 {
            w[i] = if i < 16 {
                let at = block + 4 * i;
                u32::from_be_bytes([byte(at), byte(at + 1), byte(at + 2), byte(at + 3)])
            } else {
                let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
                let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
                w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1)
            };
        }
        let mut v = h;
        for i in 0..64 {
            let [a, b, c, d, e, f, g, hh] = v;
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let choose = (e & f) ^ (!e & g);
            let t1 = hh.wrapping_add(s1).wrapping_add(choose).wrapping_add(k[i]).wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let majority = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(majority);
            v = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
        }
        for i in 0..8 {
            h[i] = h[i].wrapping_add(v[i]);
        }
    }
    h
}

/// The digest of `data` as 64 lowercase hex digits.
pub fn hex_digest(data: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(64);
    for word in hash(data) {
        for nibble in (0..8).rev() {
            out.push(char::from(HEX[(word >> (4 * nibble)) as usize & 15]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{constants, digest, hex_digest};

    /// The first 32 bits of the fractional parts of the cube roots of the first 64 primes.
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];

    /// The initial hash value: the first 32 bits of the fractional parts of the square roots of the
    /// first 8 primes.
    const H0: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

    #[test]
    fn computed_constants_are_the_published_ones() {
        assert_eq!(constants(), (H0, K));
    }

    #[test]
    fn fips_180_vectors() {
        assert_eq!(hex_digest(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(hex_digest(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(
            hex_digest(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(hex_digest(&[b'a'; 1_000_000]), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }

    #[test]
    fn digest_bytes_are_the_hex_digits() {
        let hex: String = digest(b"abc").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, hex_digest(b"abc"));
    }
}
