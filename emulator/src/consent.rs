//! `privacy/set-consent`: validating the `consent` array and turning it into the
//! `kndctr_<org>_consent` cookie value (`general=in` / `general=out`), per edge.md §3:
//!
//! * Adobe 1.0: `value.general` is `in` or `out` (`pending`, `not_provided` decide nothing);
//! * Adobe 2.0: `value.collect.val` `n` is out; `y`, `li`, `ct`, `cp`, `vi`, `pi` are in; `p`, `u`
//!   decide nothing;
//! * IAB TCF 2.0: in when `gdprApplies` is false, else only when the TC string consents to purposes
//!   1 and 10 and to vendor 565 (Adobe); an empty string with GDPR applying is a validation error.
//!
//! Several objects may come in one call: any "out" wins, then any "in"; with no decision at all no
//! consent cookie is written.

use serde_json::Value;

/// Adobe's vendor id in the IAB Global Vendor List.
pub const ADOBE_VENDOR_ID: u32 = 565;

/// A consent decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum General {
    /// Collection allowed.
    In,
    /// Collection refused.
    Out,
}

impl General {
    /// The cookie value alloy reads back.
    pub fn cookie_value(self) -> &'static str {
        match self {
            General::In => "general=in",
            General::Out => "general=out",
        }
    }
}

/// The outcome of a valid `consent` array: the combined decision (if any) and one note per entry
/// explaining how it was read (recorded with the request).
#[derive(Debug, Default)]
pub struct Evaluation {
    /// The combined decision; `None` when every entry was undecided.
    pub general: Option<General>,
    /// Human-readable notes, one per entry.
    pub notes: Vec<String>,
}

/// Validates and evaluates a set-consent body's `consent` member. `Err` carries the messages for
/// `report.errors` of a 422 EXEG-0104 answer.
pub fn evaluate(consent: Option<&Value>) -> Result<Evaluation, Vec<String>> {
    let items = match consent {
        Some(Value::Array(items)) if !items.is_empty() => items,
        Some(Value::Array(_)) => return Err(vec!["The 'consent' array must not be empty".into()]),
        Some(_) => return Err(vec!["The 'consent' field must be an array".into()]),
        None => return Err(vec!["The 'consent' field is required".into()]),
    };
    let mut errors = Vec::new();
    let mut eval = Evaluation::default();
    let mut decisions = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match evaluate_one(i, item) {
            Ok((decision, note)) => {
                decisions.extend(decision);
                eval.notes.push(note);
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    eval.general = if decisions.contains(&General::Out) {
        Some(General::Out)
    } else if decisions.contains(&General::In) {
        Some(General::In)
    } else {
        None
    };
    Ok(eval)
}

fn evaluate_one(i: usize, item: &Value) -> Result<(Option<General>, String), String> {
    let Some(obj) = item.as_object() else {
        return Err(format!("Consent entry at index {i} must be an object"));
    };
    let standard = obj.get("standard").and_then(Value::as_str).unwrap_or("");
    let version = obj.get("version").and_then(Value::as_str).unwrap_or("");
    let value = obj.get("value");
    match standard {
        "Adobe" => match version {
            "1.0" => {
                let general = value.and_then(|v| v.get("general")).and_then(Value::as_str);
                match general {
                    Some("in") => Ok((Some(General::In), format!("[{i}] Adobe 1.0 general=in"))),
                    Some("out") => Ok((Some(General::Out), format!("[{i}] Adobe 1.0 general=out"))),
                    Some(g @ ("pending" | "not_provided")) => Ok((None, format!("[{i}] Adobe 1.0 general={g}: no decision"))),
                    _ => Err(format!(
                        "Value 'general' must be one of in, out, pending, not_provided for standard 'Adobe' version 1.0 at index {i}"
                    )),
                }
            }
            "2.0" => {
                let val = value.and_then(|v| v.get("collect")).and_then(|c| c.get("val")).and_then(Value::as_str);
                match val {
                    Some("n") => Ok((Some(General::Out), format!("[{i}] Adobe 2.0 collect.val=n"))),
                    Some(v @ ("y" | "li" | "ct" | "cp" | "vi" | "pi")) => {
                        Ok((Some(General::In), format!("[{i}] Adobe 2.0 collect.val={v}")))
                    }
                    Some(v @ ("p" | "u")) => Ok((None, format!("[{i}] Adobe 2.0 collect.val={v}: no decision"))),
                    _ => Err(format!(
                        "Value 'collect.val' must be one of y, n, p, u, li, ct, cp, vi, pi for standard 'Adobe' version 2.0 at index {i}"
                    )),
                }
            }
            _ => Err(format!("Allowed Adobe versions are 1.0 and 2.0 for standard 'Adobe' at index {i}")),
        },
        "IAB TCF" => {
            if version != "2.0" {
                return Err(format!("Allowed IAB TCF version is 2.0 for standard 'IAB TCF' at index {i}"));
            }
            let gdpr_applies = match obj.get("gdprApplies") {
                None | Some(Value::Null) => true,
                Some(Value::Bool(b)) => *b,
                Some(_) => {
                    return Err(format!("Value 'gdprApplies' must be a boolean for standard 'IAB TCF' at index {i}"))
                }
            };
            let tc = match value {
                Some(Value::String(s)) => s.as_str(),
                None | Some(Value::Null) => "",
                Some(_) => {
                    return Err(format!(
                        "IAB consent string value must be a string for standard 'IAB TCF' at index {i}"
                    ))
                }
            };
            if !gdpr_applies {
                return Ok((Some(General::In), format!("[{i}] IAB TCF 2.0 gdprApplies=false")));
            }
            if tc.is_empty() {
                return Err(format!("IAB consent string value must not be empty for standard 'IAB TCF' at index {i}"));
            }
            let Some(parsed) = TcString::decode(tc) else {
                return Err(format!(
                    "IAB consent string value is not a valid TCF 2 string for standard 'IAB TCF' at index {i}"
                ));
            };
            let (p1, p10, v) = (parsed.purpose(1), parsed.purpose(10), parsed.vendor(ADOBE_VENDOR_ID));
            let general = if p1 && p10 && v { General::In } else { General::Out };
            Ok((Some(general), format!("[{i}] IAB TCF 2.0 purpose1={p1} purpose10={p10} vendor565={v}")))
        }
        "" => Err(format!("The 'standard' field is required at index {i}")),
        other => Err(format!("Unsupported consent standard '{other}' at index {i}")),
    }
}

/// The parts of an IAB TCF 2 core string the emulator needs.
#[derive(Debug)]
pub struct TcString {
    purposes: u32,
    vendors: VendorConsents,
}

#[derive(Debug)]
enum VendorConsents {
    Bits(Vec<bool>),
    Ranges(Vec<(u32, u32)>),
}

struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bits<'_> {
    fn read(&mut self, n: usize) -> Option<u64> {
        let mut v = 0u64;
        for _ in 0..n {
            let byte = *self.data.get(self.pos / 8)?;
            let bit = (byte >> (7 - self.pos % 8)) & 1;
            v = (v << 1) | bit as u64;
            self.pos += 1;
        }
        Some(v)
    }
}

impl TcString {
    /// Decodes the core segment (before the first `.`) of a TCF 2 consent string.
    pub fn decode(s: &str) -> Option<TcString> {
        let core = s.split('.').next()?;
        if core.is_empty() || !core.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_') {
            return None;
        }
        let data = crate::util::base64_decode(core)?;
        let mut b = Bits { data: &data, pos: 0 };
        if b.read(6)? != 2 {
            return None;
        }
        // Created, LastUpdated, CmpId, CmpVersion, ConsentScreen, ConsentLanguage,
        // VendorListVersion, TcfPolicyVersion, IsServiceSpecific, UseNonStandardTexts,
        // SpecialFeatureOptIns.
        b.read(36)?;
        b.read(36)?;
        b.read(12 + 12 + 6 + 12 + 12 + 6 + 1 + 1 + 12)?;
        let purposes = b.read(24)? as u32;
        // PurposesLITransparency, PurposeOneTreatment, PublisherCC.
        b.read(24 + 1 + 12)?;
        let max_vendor = b.read(16)? as usize;
        let vendors = if b.read(1)? == 0 {
            let mut bits = Vec::with_capacity(max_vendor);
            for _ in 0..max_vendor {
                bits.push(b.read(1)? == 1);
            }
            VendorConsents::Bits(bits)
        } else {
            let n = b.read(12)? as usize;
            let mut ranges = Vec::with_capacity(n);
            for _ in 0..n {
                let is_range = b.read(1)? == 1;
                let start = b.read(16)? as u32;
                let end = if is_range { b.read(16)? as u32 } else { start };
                ranges.push((start, end));
            }
            VendorConsents::Ranges(ranges)
        };
        Some(TcString { purposes, vendors })
    }

    /// Whether purpose `n` (1-24) has consent.
    pub fn purpose(&self, n: u32) -> bool {
        (1..=24).contains(&n) && self.purposes >> (24 - n) & 1 == 1
    }

    /// Whether vendor `id` has consent.
    pub fn vendor(&self, id: u32) -> bool {
        match &self.vendors {
            VendorConsents::Bits(bits) => id >= 1 && bits.get(id as usize - 1).copied().unwrap_or(false),
            VendorConsents::Ranges(r) => r.iter().any(|&(a, b)| a <= id && id <= b),
        }
    }
}

/// Builds TCF 2 core strings for tests (the emulator itself only decodes them).
#[doc(hidden)]
pub fn encode_tc_string_for_tests(purposes: &[u32], vendors: &[u32], ranges: bool) -> String {
    let mut bits: Vec<bool> = Vec::new();
    let mut push = |v: u64, n: usize| {
        for i in (0..n).rev() {
            bits.push(v >> i & 1 == 1);
        }
    };
    push(2, 6);
    push(16_000_000_000, 36);
    push(16_000_000_000, 36);
    push(7, 12);
    push(1, 12);
    push(1, 6);
    push(4 * 26 + 13, 12); // "EN"
    push(100, 12);
    push(2, 6);
    push(0, 1);
    push(0, 1);
    push(0, 12);
    let mut p = 0u64;
    for &n in purposes {
        p |= 1 << (24 - n);
    }
    push(p, 24);
    push(0, 24);
    push(0, 1);
    push(4 * 26 + 13, 12);
    let max = vendors.iter().copied().max().unwrap_or(0) as u64;
    push(max, 16);
    if ranges {
        push(1, 1);
        push(vendors.len() as u64, 12);
        for &v in vendors {
            push(0, 1);
            push(v as u64, 16);
        }
    } else {
        push(0, 1);
        for id in 1..=max {
            push(vendors.contains(&(id as u32)) as u64, 1);
        }
    }
    let mut bytes = vec![0u8; bits.len().div_ceil(8)];
    for (i, b) in bits.iter().enumerate() {
        if *b {
            bytes[i / 8] |= 0x80 >> (i % 8);
        }
    }
    crate::util::base64_encode(&bytes).trim_end_matches('=').replace('+', "-").replace('/', "_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(v: Value) -> Result<Option<General>, Vec<String>> {
        evaluate(Some(&v)).map(|e| e.general)
    }

    #[test]
    fn adobe_standards() {
        let a1 = |g: &str| json!([{"standard": "Adobe", "version": "1.0", "value": {"general": g}}]);
        assert_eq!(eval(a1("in")), Ok(Some(General::In)));
        assert_eq!(eval(a1("out")), Ok(Some(General::Out)));
        assert_eq!(eval(a1("pending")), Ok(None));
        assert!(eval(a1("maybe")).is_err());
        let a2 = |v: &str| json!([{"standard": "Adobe", "version": "2.0", "value": {"collect": {"val": v}}}]);
        assert_eq!(eval(a2("y")), Ok(Some(General::In)));
        assert_eq!(eval(a2("n")), Ok(Some(General::Out)));
        assert_eq!(eval(a2("u")), Ok(None));
        let e = eval(json!([{"standard": "Adobe", "version": "3.0", "value": {}}])).unwrap_err();
        assert!(e[0].contains("index 0"), "{e:?}");
        assert!(eval(json!([])).is_err());
        assert!(eval(json!({})).is_err());
        assert!(evaluate(None).is_err());
    }

    #[test]
    fn iab_rules() {
        let iab = |s: &str, applies: bool| json!([{"standard": "IAB TCF", "version": "2.0", "value": s, "gdprApplies": applies}]);
        let all = encode_tc_string_for_tests(&[1, 2, 10], &[1, 565], false);
        assert_eq!(eval(iab(&all, true)), Ok(Some(General::In)));
        let ranged = encode_tc_string_for_tests(&[1, 10], &[565, 700], true);
        assert_eq!(eval(iab(&ranged, true)), Ok(Some(General::In)));
        let no_p10 = encode_tc_string_for_tests(&[1], &[565], false);
        assert_eq!(eval(iab(&no_p10, true)), Ok(Some(General::Out)));
        let no_vendor = encode_tc_string_for_tests(&[1, 10], &[564], false);
        assert_eq!(eval(iab(&no_vendor, true)), Ok(Some(General::Out)));
        assert_eq!(eval(iab("", false)), Ok(Some(General::In)));
        let e = eval(json!([
            {"standard": "IAB TCF", "version": "2.0", "value": "", "gdprApplies": true},
            {"standard": "Adobe", "version": "9", "value": {}}
        ]))
        .unwrap_err();
        assert_eq!(e.len(), 2);
        assert!(eval(iab("not a tc string!", true)).is_err());
        // IAB in + Adobe out: out wins.
        let mixed = json!([
            {"standard": "IAB TCF", "version": "2.0", "value": all, "gdprApplies": true},
            {"standard": "Adobe", "version": "1.0", "value": {"general": "out"}}
        ]);
        assert_eq!(eval(mixed), Ok(Some(General::Out)));
    }

    #[test]
    fn decodes_alloys_sample_string() {
        // The string alloy's tests use (captures/iab.json); it must decode without error.
        let tc = TcString::decode("CO052l-O052l-DGAMBFRACBgAIBAAAAAAIYgEawAQEagAAAA").unwrap();
        let _ = (tc.purpose(1), tc.vendor(ADOBE_VENDOR_ID));
    }
}
