//! Experience Cloud IDs and the `kndctr_<org>_identity` cookie.
//!
//! The cookie value is base64 of a protobuf message (see `edge-captures/identity-cookie-format.json`):
//! field 1 is the 38-digit ECID; field 10 is metadata {1 created_at ms, 3 device type, 5 region,
//! 6 source}; field 30 is the write time. alloy decodes field 1 locally, so the emulator mints
//! cookies in exactly that layout and reads them back the same way.

use crate::util;

/// Where the ECID of a request came from (protobuf field 10.6 uses 0 random, 2 FPID, 3 received).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Decoded from the identity cookie (Cookie header or `meta.state.entries`).
    Cookie,
    /// Given as `identityMap.ECID` in the request (alloy's migration path, server clients).
    IdentityMap,
    /// Derived deterministically from an `identityMap.FPID` UUID.
    Fpid,
    /// Newly minted at random.
    Minted,
}

impl Source {
    /// The name used in recorded requests.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Cookie => "cookie",
            Source::IdentityMap => "identityMap",
            Source::Fpid => "FPID",
            Source::Minted => "minted",
        }
    }

    fn proto_code(self) -> u64 {
        match self {
            Source::Cookie | Source::Minted => 0,
            Source::Fpid => 2,
            Source::IdentityMap => 3,
        }
    }
}

/// A fresh random 38-digit ECID (first digit non-zero).
pub fn mint_ecid() -> String {
    let mut buf = [0u8; 38];
    util::fill_random(&mut buf);
    digits_from_bytes(&buf)
}

fn digits_from_bytes(bytes: &[u8]) -> String {
    bytes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let d = if i == 0 { 1 + b % 9 } else { b % 10 };
            (b'0' + d) as char
        })
        .collect()
}

/// The ECID the emulator derives from a first-party device id: the same FPID always gives the
/// same ECID, as on the real Edge (the derivation itself is the emulator's own).
pub fn ecid_from_fpid(fpid: &str) -> String {
    let lower = fpid.to_ascii_lowercase();
    let a = util::sha256(format!("fpid:1:{lower}").as_bytes());
    let b = util::sha256(format!("fpid:2:{lower}").as_bytes());
    let bytes: Vec<u8> = a.iter().chain(b.iter()).copied().take(38).collect();
    digits_from_bytes(&bytes)
}

/// The third-party `CORE` id the emulator answers on `adobedc.demdex.net`, stable per ECID.
pub fn core_id_for(ecid: &str) -> String {
    let a = util::sha256(format!("core:1:{ecid}").as_bytes());
    let b = util::sha256(format!("core:2:{ecid}").as_bytes());
    let bytes: Vec<u8> = a.iter().chain(b.iter()).copied().take(38).collect();
    digits_from_bytes(&bytes)
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn put_tag(out: &mut Vec<u8>, field: u64, wire: u64) {
    put_varint(out, (field << 3) | wire);
}

fn put_bytes(out: &mut Vec<u8>, field: u64, data: &[u8]) {
    put_tag(out, field, 2);
    put_varint(out, data.len() as u64);
    out.extend_from_slice(data);
}

fn put_uint(out: &mut Vec<u8>, field: u64, n: u64) {
    put_tag(out, field, 0);
    put_varint(out, n);
}

/// Encodes an identity cookie value for `ecid`, minted by `region` at `now_ms`.
pub fn encode_cookie(ecid: &str, source: Source, region: &str, now_ms: i64) -> String {
    let now = now_ms.max(0) as u64;
    let mut meta = Vec::new();
    put_uint(&mut meta, 1, now);
    put_uint(&mut meta, 3, 1);
    put_bytes(&mut meta, 5, region.as_bytes());
    put_uint(&mut meta, 6, source.proto_code());
    let mut msg = Vec::new();
    put_bytes(&mut msg, 1, ecid.as_bytes());
    put_bytes(&mut msg, 10, &meta);
    put_uint(&mut msg, 30, now);
    util::base64_encode(&msg)
}

/// What the emulator reads back from an identity cookie.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CookieIdentity {
    /// Field 1.
    pub ecid: String,
    /// Field 30 (milliseconds), when present.
    pub write_time_ms: Option<i64>,
}

fn get_varint(data: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *data.get(*pos)?;
        *pos += 1;
        v |= ((b & 0x7f) as u64) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// Decodes an identity cookie value (URI-decoded first, either base64 alphabet, like alloy).
/// Returns `None` unless field 1 holds a non-empty string of ASCII digits.
pub fn decode_cookie(value: &str) -> Option<CookieIdentity> {
    let raw = util::base64_decode(&util::percent_decode(value.trim().trim_matches('"'), false))?;
    let (mut pos, mut ecid, mut write_time) = (0usize, None, None);
    while pos < raw.len() {
        let tag = get_varint(&raw, &mut pos)?;
        let (field, wire) = (tag >> 3, tag & 7);
        match wire {
            0 => {
                let v = get_varint(&raw, &mut pos)?;
                if field == 30 {
                    write_time = i64::try_from(v).ok();
                }
            }
            1 => pos = pos.checked_add(8)?,
            5 => pos = pos.checked_add(4)?,
            2 => {
                let len = usize::try_from(get_varint(&raw, &mut pos)?).ok()?;
                let end = pos.checked_add(len)?;
                let bytes = raw.get(pos..end)?;
                if field == 1 {
                    ecid = Some(std::str::from_utf8(bytes).ok()?.to_string());
                }
                pos = end;
            }
            _ => return None,
        }
    }
    let ecid = ecid?;
    if ecid.is_empty() || !ecid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(CookieIdentity { ecid, write_time_ms: write_time })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_documented_example() {
        let v = "CiY3NTE0MjEzODM0NDQ2MjI2Mzg5NDUwNzMzMTgxMjUxMTY1ODgxMFIQCM68vcXoMhgBKgNPUjIwAaAB0ry9xegysAG8swHwAc68vcXoMg==";
        let id = decode_cookie(v).unwrap();
        assert_eq!(id.ecid, "75142138344462263894507331812511658810");
        assert_eq!(id.write_time_ms, Some(1746049916494));
        // The capture's stub cookie, URL-safe alphabet and URI-encoded padding are accepted too.
        let stub = "CiY1MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2N1IQCIDQ6ra3MxgBKgNPUjIwAPABgNDqtrcz";
        assert_eq!(decode_cookie(stub).unwrap().ecid, "51234567890123456789012345678901234567");
    }

    #[test]
    fn round_trip_and_layout() {
        let ecid = mint_ecid();
        assert_eq!(ecid.len(), 38);
        let v = encode_cookie(&ecid, Source::Minted, "OR2", 1_746_049_916_494);
        let raw = util::base64_decode(&v).unwrap();
        assert_eq!(&raw[..2], &[0x0a, 0x26]);
        let back = decode_cookie(&v).unwrap();
        assert_eq!(back.ecid, ecid);
        assert_eq!(back.write_time_ms, Some(1_746_049_916_494));
        assert_eq!(decode_cookie(&util::percent_decode(&v.replace('=', "%3D"), false)).unwrap().ecid, ecid);
    }

    #[test]
    fn rejects_garbage_and_derives_stably() {
        for bad in ["", "!!!", "CgA=", "Cv////8P", "AAAA"] {
            assert_eq!(decode_cookie(bad), None, "{bad}");
        }
        let f = "123e4567-e89b-42d3-9456-426614174000";
        assert_eq!(ecid_from_fpid(f), ecid_from_fpid(&f.to_uppercase()));
        assert_eq!(ecid_from_fpid(f).len(), 38);
        assert_ne!(core_id_for("1"), core_id_for("2"));
    }
}
