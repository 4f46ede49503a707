//! The Edge Network's v1 browser contract, as alloy speaks it (spec `edge.md` §2), without I/O:
//! request URLs and bodies, the handles in a response, the identity cookie, and the retry rule.
//!
//! The shell performs the `fetch`/`sendBeacon` calls and the cookie writes these functions describe,
//! so the Edge cannot tell our requests from alloy's.

use super::json::{self, Map, Value};

use super::value;

/// Direct-mode settings, from `aepContext` (drop-in) or the typed configuration (ESM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeConfig {
    /// The datastream id, sent as `configId`.
    pub datastream_id: String,
    /// The IMS org; names the `kndctr_<org>_*` cookies and is never sent on the wire.
    pub org_id: String,
    /// Edge host (a first-party CNAME or `edge.adobedc.net`).
    pub edge_domain: String,
    /// First path segment, `ee` unless the merchant's setup says otherwise; one segment without
    /// slashes (`config::routing` refuses anything else), so it is used as it is.
    pub base_path: String,
    /// Dataset id sent as a datastream override, when configured.
    pub dataset_id: Option<String>,
}

impl EdgeConfig {
    /// `kndctr_<org with @ as _>_<suffix>`.
    pub fn cookie_name(&self, suffix: &str) -> String {
        let mut name = String::from("kndctr_");
        // Each piece between `@`s, then `_`: the org with `@` as `_`, and the `_` before the suffix.
        for piece in super::value::pieces(&self.org_id, b'@') {
            name.push_str(piece);
            name.push('_');
        }
        name.push_str(suffix);
        name
    }

    /// `https://{domain}/{base}[/{hint}]/v1/{action}?configId=…&requestId=…`.
    pub fn url(&self, action: &str, hint: Option<&str>, request_id: &str) -> String {
        let mut url = String::from("https://");
        url.push_str(&self.edge_domain);
        url.push('/');
        url.push_str(&self.base_path);
        if let Some(hint) = hint.filter(|h| is_safe_segment(h)) {
            url.push('/');
            url.push_str(hint);
        }
        url.push_str("/v1/");
        url.push_str(action);
        url.push_str("?configId=");
        push_query_component(&mut url, &self.datastream_id);
        url.push_str("&requestId=");
        push_query_component(&mut url, request_id);
        url
    }
}

/// A location hint is used as a path segment only if it is a plain token (`or2`, `va6`).
fn is_safe_segment(hint: &str) -> bool {
    !hint.is_empty() && hint.len() <= 16 && hint.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Percent-encodes everything outside RFC 3986's unreserved set.
fn push_query_component(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

/// `meta.state` as JSON text: the page's apex `domain` (`""` on `localhost` or an IP address),
/// and, as `entries`, the `kndctr_<org>_*` ones among the page's `cookies` when the Edge host is
/// not under that domain (the browser will not send them in the `Cookie` header then), or always
/// with `always_entries`. Written once per pump and shared by its requests.
pub fn meta_state(config: &EdgeConfig, domain: &str, cookies: &[(String, String)], always_entries: bool) -> String {
    let under_apex = !domain.is_empty()
        && (config.edge_domain == domain
            || config.edge_domain.strip_suffix(domain).is_some_and(|head| head.ends_with('.')));
    let prefix = config.cookie_name("");
    let mut out = String::from("{\"domain\":");
    json::write_string(domain, &mut out);
    out.push_str(",\"cookiesEnabled\":true");
    if always_entries || !under_apex {
        let mut first = true;
        for (key, value) in cookies.iter().filter(|(k, _)| k.starts_with(&prefix)) {
            out.push_str(if first { ",\"entries\":[{\"key\":" } else { ",{\"key\":" });
            first = false;
            json::write_string(key, &mut out);
            out.push_str(",\"value\":");
            json::write_string(value, &mut out);
            out.push('}');
        }
        if !first {
            out.push(']');
        }
    }
    out.push('}');
    out
}

/// Appends one event, `{"xdm":…}`, to `events`: the list of a request body being built, its
/// items separated by commas (for [`request_body`]).
pub fn push_event(events: &mut String, xdm: &Map) {
    if !events.is_empty() {
        events.push(',');
    }
    events.push_str("{\"xdm\":");
    json::write_map(xdm, events);
    events.push('}');
}

/// The JSON body of one `interact`/`collect` request, shaped as alloy sends it, carrying `events`
/// (written by [`push_event`]; alloy sends one per request, the Edge's v1 API takes an array, and
/// we batch a burst) and `state` from [`meta_state`]. `queue_ms` is how long the oldest of them
/// waited. Written as text directly (the same JSON a tree of [`Value`]s would give, with less
/// code): `{"events":[{"xdm":…},…],"query":…,"meta":{"queueTimeMillis":…,"state":…,
/// "configOverrides"?:…}}`.
pub fn request_body(config: &EdgeConfig, events: &str, state: &str, queue_ms: f64) -> String {
    let mut out = String::from("{\"events\":[");
    out.push_str(events);
    out.push(']');
    push_query_and_meta(&mut out);
    out.push_str("\"queueTimeMillis\":");
    json::push_int(&mut out, queue_ms.max(0.0).round().min(9.0e15) as i64);
    out.push_str(",\"state\":");
    out.push_str(state);
    if let Some(dataset) = &config.dataset_id {
        out.push_str(
            ",\"configOverrides\":{\"com_adobe_experience_platform\":{\"datasets\":{\"event\":{\"datasetId\":",
        );
        json::write_string(dataset, &mut out);
        out.push_str("}}}}");
    }
    out.push_str("}}");
    out
}

/// `,"query":{"identity":{"fetch":["ECID"]}},"meta":{`: what follows the events or the consent.
fn push_query_and_meta(out: &mut String) {
    out.push_str(",\"query\":{\"identity\":{\"fetch\":[\"ECID\"]}},\"meta\":{");
}

/// The body of a `privacy/set-consent` request for the shopper's explicit `choice`, in the
/// standard the page used: a plain `"in"`/`"out"` as Adobe 1.0 `general`, an object with a
/// `consent` list as that list, anything else (one standard object) as a list of one. Then the
/// identity query, and `meta.state` (from [`meta_state`], with the cookies always).
pub fn consent_body(choice: &Value, state: &str) -> String {
    let mut out = String::from("{\"consent\":");
    match choice {
        Value::String(general) => {
            out.push_str("[{\"standard\":\"Adobe\",\"version\":\"1.0\",\"value\":{\"general\":");
            json::write_string(general, &mut out);
            out.push_str("}}]");
        }
        Value::Object(o) if o.contains_key("consent") => json::write(&o["consent"], &mut out),
        other => {
            out.push('[');
            json::write(other, &mut out);
            out.push(']');
        }
    }
    push_query_and_meta(&mut out);
    out.push_str("\"state\":");
    out.push_str(state);
    out.push_str("}}");
    out
}

/// A cookie the Edge asked us to write (`state:store`).
#[derive(Debug, Clone, PartialEq)]
pub struct CookieWrite {
    /// Cookie name.
    pub key: String,
    /// Cookie value.
    pub value: String,
    /// Lifetime in seconds; `None` for a session cookie.
    pub max_age: Option<f64>,
    /// `SameSite` attribute, if given.
    pub same_site: Option<String>,
}

/// What the engine takes from an Edge response. The ECID and the location hint come back as the
/// `kndctr_<org>_identity` and `_cluster` cookies among the `state:store` entries, and are read
/// from there (as alloy does on the next page), so their `identity:result` and
/// `locationHint:result` handles are not read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Handles {
    /// `state:store` entries.
    pub cookies: Vec<CookieWrite>,
    /// `errors[]` titles of a 207 (partial success) answer, each followed by `"; "`.
    pub errors: String,
}

/// Reads the handles the engine consumes from a response body; `None` if it is not an Edge
/// answer (no `handle` array).
pub fn parse_response(body: &str) -> Option<Handles> {
    let response = json::parse(body).ok()?;
    let mut handles = Handles::default();
    for handle in response.get("handle")?.as_array()? {
        let payload = handle.get("payload").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        if let Some("state:store") = handle.get("type").and_then(Value::as_str) {
            handles.cookies.extend(payload.iter().filter_map(|p| {
                Some(CookieWrite {
                    key: value::str_at(p, "key")?.to_owned(),
                    value: value::at(p, "value")?.as_str()?.to_owned(),
                    max_age: value::num_at(p, "maxAge"),
                    same_site: value::str_at(p, "attrs.SameSite").map(str::to_owned),
                })
            }));
        }
    }
    if let Some(errors) = response.get("errors").and_then(Value::as_array) {
        for title in errors.iter().filter_map(|e| value::str_at(e, "title")) {
            handles.errors.push_str(title);
            handles.errors.push_str("; ");
        }
    }
    Some(handles)
}

/// The ECID inside a `kndctr_<org>_identity` cookie value: base64 (standard or URL-safe alphabet,
/// possibly URI-encoded) of a protobuf message whose field 1 is the ECID string.
pub fn decode_identity_cookie(cookie: &str) -> Option<String> {
    let bytes = base64_decode(cookie)?;
    // Field 1, wire type 2 (length-delimited): tag byte 0x0A, varint length, bytes.
    let (&tag, rest) = bytes.split_first()?;
    if tag != 0x0A {
        return None;
    }
    let (len, rest) = read_varint(rest)?;
    let ecid = rest.get(..usize::try_from(len).ok()?)?;
    (!ecid.is_empty() && ecid.iter().all(u8::is_ascii_digit)).then(|| ecid.iter().map(|&b| char::from(b)).collect())
}

fn read_varint(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut value = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, bytes.get(i + 1..)?));
        }
    }
    None
}

/// Base64 (standard or URL-safe alphabet, padding optional), also when URI-encoded (`%2B`,
/// `%2F`, `%3D`).
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    let mut bytes = text.bytes();
    while let Some(mut c) = bytes.next() {
        if c == b'%' {
            c = match (bytes.next(), bytes.next()) {
                (Some(b'2'), Some(b'B' | b'b')) => b'+',
                (Some(b'2'), Some(b'F' | b'f')) => b'/',
                (Some(b'3'), Some(b'D' | b'd')) => b'=',
                _ => return None,
            };
        }
        if c == b'=' {
            continue;
        }
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// What to do after a response (or a network failure, `status == 0`).
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The Edge has the event.
    Delivered,
    /// Try again after this many milliseconds.
    Retry(f64),
    /// The Edge refused the event for good; the text says why.
    Rejected(String),
}

/// Longest wait between two attempts.
pub const MAX_BACKOFF_MS: f64 = 60_000.0;

/// Decides from the HTTP status. 429/502/503/504 and network failures are retried after
/// `Retry-After` (seconds; the shell converts the HTTP-date form) or an exponential backoff (1 s, 2 s, 4 s … capped at
/// [`MAX_BACKOFF_MS`]) with ±30 % jitter; `jitter` is a random number in `[0, 1)` from the shell.
pub fn verdict(status: u16, retry_after: Option<&str>, attempt: u32, jitter: f64) -> Verdict {
    match status {
        200..=299 => Verdict::Delivered,
        0 | 429 | 502 | 503 | 504 => {
            let advised = retry_after.and_then(retry_after_ms);
            let backoff = (1000.0 * f64::from(1u32 << attempt.min(6))).min(MAX_BACKOFF_MS);
            let jittered = backoff * (0.7 + 0.6 * jitter.clamp(0.0, 1.0));
            Verdict::Retry(advised.unwrap_or(jittered).clamp(0.0, MAX_BACKOFF_MS))
        }
        _ => {
            let mut reason = String::from("the Edge answered HTTP ");
            json::push_uint(&mut reason, u64::from(status));
            Verdict::Rejected(reason)
        }
    }
}

/// `Retry-After` as milliseconds from now. The header is delta-seconds; the shell turns the
/// HTTP-date form into seconds before it reaches the engine (JavaScript's `Date.parse` does that
/// for free, and a date parser here cost 1 KB of wasm).
pub fn retry_after_ms(header: &str) -> Option<f64> {
    json::parse_f64(header).filter(|s| s.is_finite() && *s >= 0.0).map(|seconds| seconds * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::json::json;

    fn events(xdms: &[Map]) -> String {
        let mut events = String::new();
        for xdm in xdms {
            push_event(&mut events, xdm);
        }
        events
    }

    fn config() -> EdgeConfig {
        EdgeConfig {
            datastream_id: "ds-1".into(),
            org_id: "1234@AdobeOrg".into(),
            edge_domain: "edge.example.test".into(),
            base_path: "ee".into(),
            dataset_id: Some("dataset-9".into()),
        }
    }

    #[test]
    fn urls_follow_alloys_shape() {
        let c = config();
        assert_eq!(
            c.url("interact", None, "r-1"),
            "https://edge.example.test/ee/v1/interact?configId=ds-1&requestId=r-1"
        );
        assert_eq!(
            c.url("collect", Some("or2"), "r 2"),
            "https://edge.example.test/ee/or2/v1/collect?configId=ds-1&requestId=r%202"
        );
        assert_eq!(
            c.url("interact", Some("../x"), "r"),
            "https://edge.example.test/ee/v1/interact?configId=ds-1&requestId=r"
        );
        assert_eq!(c.cookie_name("identity"), "kndctr_1234_AdobeOrg_identity");
    }

    #[test]
    fn body_has_the_events_identity_query_state_and_dataset_override() {
        let mut xdm = Map::new();
        xdm.insert("eventType", "commerce.productViews");
        let mut second = Map::new();
        second.insert("eventType", "commerce.productListAdds");
        let cookies = [("kndctr_1234_AdobeOrg_identity".into(), "v".into()), ("other".into(), "x".into())];
        let first_party = meta_state(&config(), "example.test", &cookies, false);
        let body = json::parse(&request_body(&config(), &events(&[xdm.clone(), second]), &first_party, 12.4)).unwrap();
        assert_eq!(
            body["events"],
            json!([{"xdm": {"eventType": "commerce.productViews"}}, {"xdm": {"eventType": "commerce.productListAdds"}}])
        );
        assert_eq!(body["query"], json!({"identity": {"fetch": ["ECID"]}}));
        assert_eq!(body["meta"]["state"], json!({"domain": "example.test", "cookiesEnabled": true}));
        assert_eq!(body["meta"]["queueTimeMillis"], json!(12.0));
        assert_eq!(
            body["meta"]["configOverrides"]["com_adobe_experience_platform"]["datasets"]["event"]["datasetId"],
            "dataset-9"
        );
        let third_party = meta_state(&config(), "shop.test", &cookies, false);
        let body = json::parse(&request_body(&config(), &events(&[xdm]), &third_party, 0.0)).unwrap();
        assert_eq!(body["meta"]["state"]["entries"], json!([{"key": "kndctr_1234_AdobeOrg_identity", "value": "v"}]));
    }

    #[test]
    fn bodies_are_the_json_alloy_sends_byte_for_byte() {
        let mut xdm = Map::new();
        xdm.insert("eventType", "a\"b");
        let cookies = [
            ("kndctr_1234_AdobeOrg_identity".into(), "v".into()),
            ("mg_dnt".into(), "1".into()),
            ("kndctr_1234_AdobeOrg_cluster".into(), "or2".into()),
        ];
        let entries = r#""entries":[{"key":"kndctr_1234_AdobeOrg_identity","value":"v"},{"key":"kndctr_1234_AdobeOrg_cluster","value":"or2"}]"#;
        let third_party = meta_state(&config(), "shop.test", &cookies, false);
        assert_eq!(third_party, [r#"{"domain":"shop.test","cookiesEnabled":true,"#, entries, "}"].concat());
        assert_eq!(
            request_body(&config(), &events(&[xdm.clone(), Map::new()]), &third_party, 3.6),
            [
                r#"{"events":[{"xdm":{"eventType":"a\"b"}},{"xdm":{}}],"query":{"identity":{"fetch":["ECID"]}},"#,
                r#""meta":{"queueTimeMillis":4,"state":"#,
                &third_party,
                r#","configOverrides":{"com_adobe_experience_platform":{"datasets":{"event":{"datasetId":"dataset-9"}}}}}}"#
            ]
            .concat()
        );
        let no_dataset = EdgeConfig { dataset_id: None, ..config() };
        let apex = meta_state(&no_dataset, "example.test", &cookies, false);
        assert_eq!(apex, r#"{"domain":"example.test","cookiesEnabled":true}"#);
        assert_eq!(meta_state(&no_dataset, "shop.test", &[], false), r#"{"domain":"shop.test","cookiesEnabled":true}"#);
        assert_eq!(
            request_body(&no_dataset, &events(&[xdm]), &apex, -1.0),
            concat!(
                r#"{"events":[{"xdm":{"eventType":"a\"b"}}],"query":{"identity":{"fetch":["ECID"]}},"#,
                r#""meta":{"queueTimeMillis":0,"state":{"domain":"example.test","cookiesEnabled":true}}}"#
            )
        );
        let always = meta_state(&no_dataset, "example.test", &cookies, true);
        assert_eq!(always, [r#"{"domain":"example.test","cookiesEnabled":true,"#, entries, "}"].concat());
        let tail = [r#","query":{"identity":{"fetch":["ECID"]}},"meta":{"state":"#, &always, "}}"].concat();
        for (choice, consent) in [
            (json!("out"), r#"[{"standard":"Adobe","version":"1.0","value":{"general":"out"}}]"#),
            (json!({"consent": [{"standard": "IAB TCF"}]}), r#"[{"standard":"IAB TCF"}]"#),
            (json!({"standard": "Adobe", "version": "2.0"}), r#"[{"standard":"Adobe","version":"2.0"}]"#),
        ] {
            assert_eq!(consent_body(&choice, &always), [r#"{"consent":"#, consent, &tail].concat());
        }
    }

    #[test]
    fn decodes_the_identity_cookie_from_the_spec() {
        let value = "CiY3NTE0MjEzODM0NDQ2MjI2Mzg5NDUwNzMzMTgxMjUxMTY1ODgxMFIQCM68vcXoMhgBKgNPUjIwAaAB0ry9xegysAG8swHwAc68vcXoMg==";
        assert_eq!(decode_identity_cookie(value).as_deref(), Some("75142138344462263894507331812511658810"));
        assert_eq!(decode_identity_cookie("not base64!"), None);
        let uri_encoded = value.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D");
        assert_eq!(decode_identity_cookie(&uri_encoded).as_deref(), Some("75142138344462263894507331812511658810"));
        assert_eq!(decode_identity_cookie(""), None);
    }

    #[test]
    fn reads_handles() {
        let body = r#"{"requestId":"r-x","handle":[
            {"type":"identity:result","payload":[{"id":"111","namespace":{"code":"ECID"}}]},
            {"type":"locationHint:result","payload":[{"scope":"Target","hint":"35"},{"scope":"EdgeNetwork","hint":"or2","ttlSeconds":1800}]},
            {"type":"state:store","payload":[{"key":"kndctr_1234_AdobeOrg_cluster","value":"or2","maxAge":1800},
                                             {"key":"k2","value":"v2","maxAge":5,"attrs":{"SameSite":"None"}}]}]}"#;
        let h = parse_response(body).unwrap();
        assert_eq!(h.cookies.len(), 2);
        assert_eq!(h.cookies[0].key, "kndctr_1234_AdobeOrg_cluster");
        assert_eq!(h.cookies[1].same_site.as_deref(), Some("None"));
        assert_eq!(parse_response("{}"), None);
        assert_eq!(parse_response("<html>"), None);
    }

    #[test]
    fn retries_only_what_alloy_retries_plus_network_failures() {
        assert_eq!(verdict(200, None, 0, 0.5), Verdict::Delivered);
        assert_eq!(verdict(429, Some("2"), 0, 0.5), Verdict::Retry(2000.0));
        assert_eq!(verdict(503, None, 0, 0.5), Verdict::Retry(1000.0));
        assert_eq!(verdict(503, None, 3, 0.0), Verdict::Retry(5600.0));
        assert_eq!(verdict(0, None, 20, 1.0), Verdict::Retry(MAX_BACKOFF_MS));
        assert!(matches!(verdict(400, None, 0, 0.5), Verdict::Rejected(_)));
        assert_eq!(retry_after_ms("Wed, 21 Oct 2015 07:28:05 GMT"), None, "dates are the shell's job");
        assert_eq!(retry_after_ms("1.5"), Some(1500.0));
    }
}
