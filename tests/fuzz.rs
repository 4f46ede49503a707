//! Fuzzing of everything the engine decodes and builds, as a plain host test (no cargo-fuzz: it
//! needs nightly plus libFuzzer, and a seeded, structure-aware generator finds more here anyway).
//!
//! Three kinds of input, 40 % / 20 % / 40 % of the count, all derived from one seed:
//!
//! * **json**: raw text for `engine::json::parse`: the golden fixtures, Edge answers, saved
//!   outboxes and generated documents, mutated byte by byte (flips, splices, token insertions,
//!   truncations). Accepted text must round-trip (parse → write → parse gives the same value and
//!   writing is stable) and must mean what serde_json says it means; `parse` accepts exactly what
//!   serde_json accepts, but for the documented differences (numbers out of `f64` range, lone
//!   surrogate escapes, serde_json's own nesting limit).
//! * **decoder**: the engine's smaller page-facing decoders called directly: saved-outbox restore
//!   (`outbox::read_snapshot`), Edge answers (`edge::parse_response`), the identity cookie, the
//!   `Retry-After` header, consent settings and choices, decimal parsing, money rounding, time.
//! * **engine**: whole page lives at the engine's door (`Engine::handle`): `Start` with mutated
//!   saved outboxes and cookies, contexts from the golden fixtures mutated structurally (every
//!   context, including `aepContext` and its `consent`/`outbox` settings), every publish method
//!   plus unknown ones with mutated arguments, alloy and Edge answers with random statuses, bodies and
//!   `Retry-After`s, beacons, ticks, hides, saves, consent signals and choices. A share of these
//!   inputs comes from string calls decoded by `calls::decode`, the decoder `collector_call(handle,
//!   op, a, b)` in `src/web/mod.rs` uses, with mutated `b` arrays. Every effect is
//!   checked: XDM handed off and request bodies are valid JSON with `_id`/`timestamp`, saved outboxes
//!   read back, diagnostics say something.
//!
//! Every input is counted; an engine input counts once per `Engine::handle` call.
//!
//! Runs:
//! * CI (part of `cargo +stable test --target x86_64-unknown-linux-gnu`): `fuzz_ci`, 100,000
//!   inputs (about 10 s in a debug build).
//! * Full, at least a million inputs, prints the count and the time:
//!   `cargo +stable test --release --target x86_64-unknown-linux-gnu --test fuzz -- --ignored --nocapture`
//! * `FUZZ_INPUTS=N` sets the count of either run, `FUZZ_SEED=S` the seed (default fixed, so runs
//!   repeat). `FUZZ_EFFECT_LOG=path` also writes every engine effect (`Debug`) to `path`, one per
//!   line: run it at two commits and `cmp` the logs to show a refactor changed no behaviour. A panic prints the case seed, replays the case with every input printed, and fails.
//!
//! What it found is fixed and has a regression test at the end of this file.

use std::panic::{self, AssertUnwindSafe};
use std::time::Instant;

use storefront_collector::calls;
use storefront_collector::engine::consent::{self, Signal, State};
use storefront_collector::engine::json::{self, Map, Value};
use storefront_collector::engine::method::METHODS;
use storefront_collector::engine::outbox::{self, Limits};
use storefront_collector::engine::xdm::PageFacts;
use storefront_collector::engine::{edge, money, time, Effect, Engine, Input, Publish, Start};

/// xorshift64*: small, fast, and the same everywhere.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------------
// Seeds and generators
// ---------------------------------------------------------------------------------------------

/// A publish call of a fixture: method and arguments.
type Call = (String, Vec<Value>);

/// Texts every mutation starts from.
struct Corpus {
    /// Raw JSON texts (fixtures, Edge answers, snapshots).
    texts: Vec<String>,
    /// The contexts of `_contexts.json` (a realistic store).
    base_contexts: Map,
    /// Each fixture's contexts overrides and calls.
    fixtures: Vec<(Map, Vec<Call>)>,
}

const EDGE_ANSWER: &str = r#"{"requestId":"r-x","handle":[{"type":"identity:result","payload":[{"id":"12345678901234567890123456789012345678","namespace":{"code":"ECID"}}]},{"type":"locationHint:result","payload":[{"scope":"Target","hint":"35"},{"scope":"EdgeNetwork","hint":"or2","ttlSeconds":1800}]},{"type":"state:store","payload":[{"key":"kndctr_1234_AdobeOrg_cluster","value":"or2","maxAge":1800},{"key":"kndctr_1234_AdobeOrg_identity","value":"CiYxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3OA==","maxAge":34128000,"attrs":{"SameSite":"None"}},{"key":"kndctr_1234_AdobeOrg_consent","value":"general=in","maxAge":15552000}]}],"errors":[{"type":"x","status":400,"title":"bad dataset"}]}"#;
const SNAPSHOT: &str = r#"{"v":1,"updated":1795435200000,"closed":true,"events":[{"id":"00000000-0000-4000-8000-000000000001","method":"pageView","xdm":{"eventType":"web.webpagedetails.pageViews","web":{"webPageDetails":{"name":"Home","pageViews":{"value":1}}},"_id":"00000000-0000-4000-8000-000000000001","timestamp":"2026-11-23T12:00:00.000Z"},"at":1795435200000,"attempts":2,"identityMap":{"email":[{"id":"a@b.c"}]}}]}"#;
const IDENTITY_COOKIE: &str = "CiYxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3OA==";

impl Corpus {
    fn load() -> Corpus {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .expect("tests/fixtures")
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        let mut texts = vec![EDGE_ANSWER.to_owned(), SNAPSHOT.to_owned()];
        let mut base_contexts = Map::new();
        let mut fixtures = Vec::new();
        for path in names {
            let text = std::fs::read_to_string(&path).expect("fixture");
            let value = json::parse(&text).expect("fixture JSON");
            if path.file_name().is_some_and(|n| n == "_contexts.json") {
                base_contexts = value.as_object().cloned().expect("contexts object");
            } else {
                let contexts = value.get("contexts").and_then(Value::as_object).cloned().unwrap_or_default();
                let calls = value
                    .get("calls")
                    .and_then(Value::as_array)
                    .map(|calls| {
                        calls
                            .iter()
                            .map(|c| {
                                let method = c.get("method").and_then(Value::as_str).unwrap_or_default().to_owned();
                                (method, c.get("args").and_then(Value::as_array).cloned().unwrap_or_default())
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                fixtures.push((contexts, calls));
            }
            texts.push(text);
        }
        assert!(fixtures.len() >= 40, "the golden fixtures are the seeds");
        Corpus { texts, base_contexts, fixtures }
    }
}

/// Strings that tend to break things: empty, numeric-looking, non-ASCII, control characters,
/// JSON-looking, long.
fn random_string(rng: &mut Rng) -> String {
    const SPECIAL: &[&str] = &[
        "",
        " ",
        "0",
        "-0",
        "1e999",
        "-1e999",
        "NaN",
        "Infinity",
        "undefined",
        "null",
        "true",
        "12.5",
        "1.005",
        "0x10",
        "9007199254740993",
        "roni_cost@example.com",
        "1234@AdobeOrg",
        "@AdobeOrg",
        "USD",
        "é😀\u{0}\u{1f}\u{2028}",
        "\u{FFFD}\u{FEFF}",
        "\"},{\"",
        "\\u0000",
        "<script>alert(1)</script>",
        "%2B%2F%3D%",
        "a.b.c",
        "__proto__",
        "constructor",
        "12345678901234567890123456789012345678",
        "00000000000000000000000000000000000000",
        "general=out",
        "general=in",
        "in",
        "out",
        "pending",
        "https://shop.example.com/p?q=1#x",
        "edge.example.test",
        "-.",
        "1e",
    ];
    match rng.below(10) {
        0..=4 => (*rng.pick(SPECIAL)).to_owned(),
        5..=7 => {
            let len = rng.below(24);
            (0..len)
                .map(|_| match rng.below(6) {
                    0 => char::from_u32(rng.below(0x20) as u32).unwrap_or('x'),
                    1 => char::from_u32(0x80 + rng.below(0x2FF80) as u32).unwrap_or('\u{FFFD}'),
                    _ => char::from(b' ' + rng.below(95) as u8),
                })
                .collect()
        }
        8 => "x".repeat(rng.below(4000)),
        _ => {
            let mut s = (*rng.pick(SPECIAL)).to_owned();
            let extra: &&str = rng.pick(SPECIAL);
            s.push_str(extra);
            s
        }
    }
}

/// Number texts at the edges: zeros, huge and tiny exponents, long mantissas, money.
fn random_number(rng: &mut Rng) -> Value {
    const SPECIAL: &[&str] = &[
        "0",
        "-0",
        "1",
        "-1",
        "0.1",
        "4.999999999999998",
        "1.005",
        "1e308",
        "1e309",
        "-1e999",
        "1e-400",
        "5e-324",
        "2.2250738585072014e-308",
        "9007199254740993",
        "18446744073709551616",
        "123456789012345678901234567890",
        "0.30000000000000004",
        "1E+2",
        "99999999999999999999e-20",
        "4294967296",
        "4294967295",
        "-2147483649",
        "1e19",
        "9.2e18",
    ];
    let text = match rng.below(3) {
        0 => (*rng.pick(SPECIAL)).to_owned(),
        1 => format!("{}.{:02}", rng.below(100_000), rng.below(100)),
        _ => {
            let mut t = String::new();
            if rng.chance(3) {
                t.push('-');
            }
            t.push_str(&(rng.next() >> rng.below(64)).to_string());
            if rng.chance(2) {
                t.push('.');
                t.push_str(&rng.below(1_000_000).to_string());
            }
            if rng.chance(4) {
                t.push('e');
                t.push_str(&(rng.below(700) as i64 - 350).to_string());
            }
            t
        }
    };
    json::parse(&text).unwrap_or_else(|_| Value::from(0i64))
}

/// Keys the mappers read, so random objects hit real fields.
const KEYS: &[&str] = &[
    "items",
    "product",
    "sku",
    "productSku",
    "name",
    "price",
    "value",
    "prices",
    "regularPrice",
    "specialPrice",
    "quantity",
    "currencyCode",
    "pricing",
    "units",
    "searchUnitId",
    "filter",
    "sort",
    "products",
    "orderId",
    "payments",
    "total",
    "paymentMethodCode",
    "shipping",
    "shippingMethod",
    "shippingAmount",
    "taxAmount",
    "discountAmount",
    "grandTotal",
    "identityMap",
    "imsOrgId",
    "webSdkName",
    "datastreamId",
    "edgeDomain",
    "edgeBasePath",
    "datasetId",
    "consent",
    "default",
    "gpc",
    "tcf",
    "purposes",
    "vendor",
    "edge",
    "alloy",
    "outbox",
    "maxEvents",
    "maxBytes",
    "aep",
    "eventId",
    "emailAddress",
    "email",
    "shopperId",
    "pageType",
    "pageName",
    "web",
    "webPageDetails",
    "commerce",
    "productListItems",
    "_id",
    "timestamp",
    "eventType",
    "id",
    "namespace",
    "code",
    "primary",
    "authenticatedState",
    "storeCode",
    "environmentId",
    "storeViewCode",
    "websiteCode",
    "baseCurrencyCode",
    "storeViewCurrencyCode",
    "mainImageUrl",
    "productId",
    "cartId",
    "requisitionList",
    "requisitionListId",
    "query",
    "phrase",
    "range",
    "from",
    "to",
    "attribute",
    "eq",
    "in",
    "",
];

/// A random JSON value, shallow or (rarely) deep.
fn random_value(rng: &mut Rng, depth: usize) -> Value {
    let leaf_only = depth > 5;
    match rng.below(if leaf_only { 5 } else { 8 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(2)),
        2 => random_number(rng),
        3 | 4 => Value::String(random_string(rng)),
        5 => Value::Array((0..rng.below(5)).map(|_| random_value(rng, depth + 1)).collect()),
        6 if rng.chance(40) => {
            // Deep nesting, up to just below and above the parser's limit in text form.
            let mut v = Value::Null;
            for _ in 0..rng.below(140) {
                v = Value::Array(vec![v]);
            }
            v
        }
        _ => {
            let mut map = Map::new();
            for _ in 0..rng.below(6) {
                map.insert(*rng.pick(KEYS), random_value(rng, depth + 1));
            }
            Value::Object(map)
        }
    }
}

/// A structural mutation of `v`: replace, delete or add at a random place, change a type, duplicate
/// a list. Applied a few times per call.
fn mutate_value(rng: &mut Rng, v: &Value) -> Value {
    let mut out = v.clone();
    for _ in 0..=rng.below(4) {
        mutate_in_place(rng, &mut out, 0);
    }
    out
}

fn mutate_in_place(rng: &mut Rng, v: &mut Value, depth: usize) {
    // Walk down with some probability, otherwise mutate here.
    let descend = depth < 12 && rng.below(3) != 0;
    match v {
        Value::Object(map) if descend && !map.is_empty() => {
            let key = map.iter().nth(rng.below(map.len())).map(|(k, _)| k.clone()).unwrap_or_default();
            if let Some(child) = map.get_mut(&key) {
                mutate_in_place(rng, child, depth + 1);
            }
            return;
        }
        Value::Array(items) if descend && !items.is_empty() => {
            let i = rng.below(items.len());
            mutate_in_place(rng, &mut items[i], depth + 1);
            return;
        }
        _ => {}
    }
    match rng.below(8) {
        0 => *v = random_value(rng, depth),
        1 => *v = Value::Null,
        2 => {
            if let Value::Object(map) = v {
                if !map.is_empty() {
                    let key = map.iter().nth(rng.below(map.len())).map(|(k, _)| k.clone()).unwrap_or_default();
                    map.remove(&key);
                }
            } else if let Value::Array(items) = v {
                if !items.is_empty() {
                    items.remove(rng.below(items.len()));
                }
            }
        }
        3 => match v {
            Value::Object(map) => {
                map.insert(*rng.pick(KEYS), random_value(rng, depth + 1));
            }
            Value::Array(items) => items.push(random_value(rng, depth + 1)),
            _ => *v = random_value(rng, depth),
        },
        4 => {
            // Same content, other type: object ↔ array, number ↔ string.
            *v = match std::mem::take(v) {
                Value::Object(map) => Value::Array(map.values().cloned().collect()),
                Value::Array(items) => items.into_iter().next().unwrap_or_default(),
                Value::Number(n) => Value::String(n.as_str().to_owned()),
                Value::String(s) => json::parse(&s).unwrap_or(Value::String(s)),
                other => Value::Array(vec![other]),
            }
        }
        5 => {
            if let Value::Array(items) = v {
                let copy = items.clone();
                items.extend(copy);
            } else {
                *v = Value::Array(vec![v.clone(), v.clone()]);
            }
        }
        6 => *v = random_number(rng),
        _ => *v = Value::String(random_string(rng)),
    }
}

/// Byte-level mutation of a text: the classic fuzzer moves plus JSON tokens.
fn mutate_bytes(rng: &mut Rng, seed: &[u8], corpus: &Corpus) -> Vec<u8> {
    const TOKENS: &[&[u8]] = &[
        b"{",
        b"}",
        b"[",
        b"]",
        b",",
        b":",
        b"\"",
        b"\\",
        b"\\u",
        b"\\ud83d",
        b"\\ude00",
        b"\\ud800",
        b"\\udc00",
        b"\\u0000",
        b"null",
        b"true",
        b"false",
        b"-",
        b"0",
        b"1e999",
        b"-0.0e-0",
        b"\x00",
        b"\x7f",
        b"\xc3\xa9",
        b"\xf0\x9f\x98\x80",
        b"\xff",
        b"\xed\xa0\x80",
        b" ",
        b"\t",
        b"\n",
        b"\r",
        b"\x0c",
        b"1.",
        b".5",
        b"01",
        b"{\"a\":1,\"a\":2}",
        b"[[[[[[[[",
        b"]]]]]]]]",
    ];
    let mut out = seed.to_vec();
    for _ in 0..=rng.below(6) {
        let at = rng.below(out.len() + 1);
        match rng.below(9) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] = rng.next() as u8;
            }
            2 if !out.is_empty() => {
                let end = (at + rng.below(16)).min(out.len());
                out.drain(at.min(end)..end);
            }
            3 => {
                let token = rng.pick(TOKENS);
                out.splice(at..at, token.iter().copied());
            }
            4 if !out.is_empty() => {
                // Duplicate a chunk somewhere else.
                let start = rng.below(out.len());
                let end = (start + rng.below(64)).min(out.len());
                let chunk = out[start..end].to_vec();
                let at = rng.below(out.len() + 1);
                out.splice(at..at, chunk);
            }
            5 => out.truncate(at),
            6 => {
                // Splice in a piece of another seed.
                let other = rng.pick(&corpus.texts).as_bytes();
                let start = rng.below(other.len());
                let end = (start + rng.below(200)).min(other.len());
                out.splice(at..at, other[start..end].iter().copied());
            }
            7 => {
                let digits = rng.next().to_string();
                out.splice(at..at, digits.bytes());
            }
            _ => {
                let token = rng.pick(TOKENS);
                out.splice(at..at, token.iter().copied());
                let token = rng.pick(TOKENS);
                let at = rng.below(out.len() + 1);
                out.splice(at..at, token.iter().copied());
            }
        }
    }
    out
}

/// A mutated text: valid UTF-8 (the engine only ever sees JavaScript strings).
fn mutated_text(rng: &mut Rng, seed: &str, corpus: &Corpus) -> String {
    String::from_utf8_lossy(&mutate_bytes(rng, seed.as_bytes(), corpus)).into_owned()
}

// ---------------------------------------------------------------------------------------------
// json: raw text
// ---------------------------------------------------------------------------------------------

/// Nesting depth of a text's brackets (outside strings), for the serde_json comparison.
fn text_depth(text: &str) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for b in text.bytes() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn check_json(text: &str) {
    let ours = json::parse(text);
    let theirs = serde_json::from_str::<serde_json::Value>(text);
    if let Ok(value) = &ours {
        // Round trip: what we write parses back to the same value, and writing is stable.
        let written = value.to_json();
        let again = json::parse(&written).unwrap_or_else(|e| panic!("our output does not parse: {e:?}: {written}"));
        assert_eq!(&again, value, "parse → write → parse changed the value of {text:?}");
        assert_eq!(again.to_json(), written, "writing is not stable for {text:?}");
        // Same meaning as serde_json, where serde_json reads it.
        if let Ok(theirs) = &theirs {
            let back: serde_json::Value = serde_json::from_str(&written).expect("serde_json reads our output");
            assert_eq!(&back, theirs, "we and serde_json read {text:?} differently");
        }
    }
    // Accept exactly what serde_json accepts, but for the documented differences.
    if ours.is_ok() != theirs.is_ok() {
        let documented = match &theirs {
            Err(e) => {
                let why = e.to_string();
                why.contains("out of range")
                    || why.contains("surrogate")
                    || why.contains("hex escape")
                    || why.contains("recursion limit")
            }
            Ok(_) => {
                // Refused only for its depth: it reads with a deeper limit.
                ours.is_err()
                    && text_depth(text) > json::MAX_DEPTH
                    && json::parse_nested(text, 2 * json::MAX_DEPTH).is_ok()
            }
        };
        assert!(documented, "accept differs for {text:?}: ours {:?}, serde_json {:?}", ours.err(), theirs.err());
    }
}

fn fuzz_json(rng: &mut Rng, corpus: &Corpus) {
    let text = match rng.below(6) {
        0 => random_value(rng, 0).to_json(),
        1 => {
            let seed = random_value(rng, 0).to_json();
            mutated_text(rng, &seed, corpus)
        }
        2 => {
            // Random bytes from JSON's alphabet.
            let alphabet = b"{}[],:\"\\0123456789.eE-+truefalsn \t\n\x01u";
            let bytes: Vec<u8> = (0..rng.below(40)).map(|_| *rng.pick(alphabet)).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        _ => {
            let seed = rng.pick(&corpus.texts).clone();
            mutated_text(rng, &seed, corpus)
        }
    };
    check_json(&text);
    if let Some(n) = json::Number::from_text(text.trim()) {
        // A valid JSON number: our decimal reader is close to core's correctly rounded one.
        let ours = n.as_f64();
        let exact: f64 = text.trim().parse().expect("core parses a JSON number");
        let close = ours == exact
            || (ours.is_finite() && exact.is_finite() && ((ours - exact) / exact).abs() < 1e-13)
            || exact.abs() < 1e-300;
        assert!(close, "{text:?}: parse_f64 gives {ours}, core {exact}");
    }
}

// ---------------------------------------------------------------------------------------------
// decoder: the smaller decoders, directly
// ---------------------------------------------------------------------------------------------

fn fuzz_decoder(rng: &mut Rng, corpus: &Corpus) {
    match rng.below(9) {
        0 => {
            let text = if rng.chance(2) {
                mutated_text(rng, SNAPSHOT, corpus)
            } else {
                let v = json::parse(SNAPSHOT).expect("snapshot");
                mutate_value(rng, &v).to_json()
            };
            if let Some(restored) = outbox::read_snapshot(&text, 1_795_435_260_000.0) {
                // What was restored saves again and reads back the same.
                let mut ob = outbox::Outbox::new(Limits::default());
                for e in restored.entries {
                    ob.push(e);
                }
                let saved = ob.snapshot(1_795_435_260_000.0, true, &[]);
                let back = outbox::read_snapshot(&saved, 0.0).expect("our own snapshot reads back");
                assert!(back.claimable);
                let ids =
                    |list: &mut dyn Iterator<Item = &outbox::Entry>| list.map(|e| e.id.clone()).collect::<Vec<_>>();
                assert_eq!(
                    ids(&mut back.entries.iter()),
                    ids(&mut ob.iter()),
                    "restore → save → restore keeps the events"
                );
            }
        }
        1 => {
            let text = if rng.chance(2) {
                mutated_text(rng, EDGE_ANSWER, corpus)
            } else {
                mutate_value(rng, &json::parse(EDGE_ANSWER).expect("edge answer")).to_json()
            };
            let _ = edge::parse_response(&text);
        }
        2 => {
            let text = mutated_text(rng, IDENTITY_COOKIE, corpus);
            if let Some(ecid) = edge::decode_identity_cookie(&text) {
                assert!(!ecid.is_empty() && ecid.bytes().all(|b| b.is_ascii_digit()));
            }
        }
        3 => {
            let text = if rng.chance(2) { random_string(rng) } else { mutated_text(rng, "120", corpus) };
            if let Some(ms) = edge::retry_after_ms(&text) {
                assert!(ms >= 0.0 || ms.is_nan(), "Retry-After {text:?} gave {ms}");
            }
            let status = rng.below(1000) as u16;
            let _ = edge::verdict(status, Some(&text), rng.below(40) as u32, (rng.next() % 1000) as f64 / 1000.0);
        }
        4 => {
            let seed = json::parse(
                r#"{"default":"pending","gpc":false,"tcf":{"purposes":[1,2],"vendor":565},"edge":true,"alloy":false}"#,
            )
            .expect("consent settings");
            let v = if rng.chance(5) { random_value(rng, 0) } else { mutate_value(rng, &seed) };
            let _ = consent::Settings::from_json(Some(&v));
        }
        5 => {
            let seed = json::parse(
                r#"{"standard":"Adobe","version":"2.0","value":{"collect":{"val":"y"},"metadata":{"time":"2026-11-23T12:00:00Z"}}}"#,
            )
            .expect("consent choice");
            let v = if rng.chance(4) { random_value(rng, 0) } else { mutate_value(rng, &seed) };
            let _ = consent::decode_choice(&v);
            let _ = State::parse(&random_string(rng));
        }
        6 => {
            let text = if rng.chance(2) { random_string(rng) } else { random_number(rng).to_json() };
            if let Some(x) = json::parse_f64(&text) {
                let _ = money::round2(x);
            }
            let _ = json::parse_uint(&text);
        }
        7 => {
            let bits = rng.next();
            let x = match rng.below(4) {
                0 => f64::from_bits(bits),
                1 => (bits % 10_000_000_000_000) as f64 * if rng.chance(2) { -1.0 } else { 1.0 },
                2 => *rng.pick(&[f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 8.64e15, -8.64e15, 1e300]),
                _ => (bits % 100_000_000) as f64 / 1000.0,
            };
            let t = time::iso8601(x);
            assert!(t.is_ascii(), "{x}: {t}");
            let _ = money::round2(x);
        }
        _ => {
            let _ = storefront_collector::engine::config::is_valid_host(&random_string(rng));
            let v = Value::String(random_string(rng));
            let _ = storefront_collector::engine::config::validate_ims_org_id(Some(&v));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// engine: page lives through the engine's door
// ---------------------------------------------------------------------------------------------

const CONTEXT_KEYS: &[&str] = &[
    "aepContext",
    "eventForwardingContext",
    "storefrontInstanceContext",
    "pageContext",
    "productContext",
    "shoppingCartContext",
    "changedProductsContext",
    "orderContext",
    "accountContext",
    "shopperContext",
    "requisitionListContext",
    "requisitionListItemsContext",
    "orderPageContext",
    "searchInputContext",
    "searchResultsContext",
    "customContext",
    "debugContext",
    "channelContext",
    "recommendationsContext",
    "magentoExtensionContext",
    "unknownContext",
    "",
];

/// The engine inputs `collector_call(handle, op, a, b)` feeds, decoded by the shell's own
/// `calls::decode` (none where the shell answers without the engine or ignores the call).
fn input_from_call(op: &str, a: &str, b: &str) -> Vec<Input> {
    /// Keeps the inputs; the answers and reports the shell would make need no engine.
    struct Inputs(Vec<Input>);
    impl calls::Target for Inputs {
        fn feed(&mut self, input: Input) {
            self.0.push(input);
        }
        fn unreadable(&mut self, _: &str, _: &str, _: &str) {}
        fn context(&mut self, _: &str) -> String {
            String::new()
        }
        fn consent_state(&mut self) -> String {
            String::new()
        }
        fn held(&mut self) -> String {
            String::new()
        }
    }
    let mut inputs = Inputs(Vec::new());
    calls::decode(&mut inputs, op, a, b);
    inputs.0
}

/// One page's world: the engine, time, what is under way, and what the page has stored.
struct World {
    engine: Engine,
    now: f64,
    page: u32,
    in_flight: Vec<String>,
    handed: Vec<String>,
    ids: Vec<String>,
    storage: Vec<(String, String)>,
    inputs: u64,
    trace: bool,
    /// Whether a saved outbox was mutated before a page read it.
    mangled_storage: bool,
}

impl World {
    /// Feeds one input and plays its effects as the shell and browser would, checking each.
    fn feed(&mut self, rng: &mut Rng, input: Input) {
        let mut queue = vec![input];
        while let Some(input) = queue.pop() {
            if self.trace {
                let mut shown = format!("{input:?}");
                if shown.len() > 600 {
                    let mut cut = 600;
                    while !shown.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    shown.truncate(cut);
                    shown.push('…');
                }
                eprintln!("  input {}: {shown}", self.inputs);
            }
            self.inputs += 1;
            for effect in self.engine.handle(input) {
                log_effect(&effect);
                self.check(rng, effect, &mut queue);
            }
        }
    }

    fn check(&mut self, rng: &mut Rng, effect: Effect, queue: &mut Vec<Input>) {
        match effect {
            Effect::HandOff { event_id, xdm, .. } => {
                let text = Value::Object(xdm).to_json();
                assert_json(&text, "handed-off XDM");
                let back = json::parse_nested(&text, 2 * json::MAX_DEPTH).expect("handed-off XDM");
                // (Unless it came from a saved outbox the fuzzer mangled: restore takes XDM as saved.)
                assert!(
                    self.mangled_storage
                        || back.get("_id").and_then(Value::as_str).is_some()
                            && back.get("timestamp").and_then(Value::as_str).is_some(),
                    "XDM without _id/timestamp: {text}"
                );
                self.handed.push(event_id);
            }
            Effect::Fetch { request_id, url, body, .. } => {
                assert!(url.starts_with("https://"), "{url}");
                assert_json(&body, "a request body");
                let back = json::parse_nested(&body, 2 * json::MAX_DEPTH).expect("a request body");
                assert!(
                    back.get("events").or_else(|| back.get("consent")).and_then(Value::as_array).is_some(),
                    "{body}"
                );
                self.in_flight.push(request_id);
            }
            Effect::Beacon { request_id, url, body, .. } => {
                assert!(url.starts_with("https://"), "{url}");
                assert_json(&body, "a beacon body");
                queue.push(Input::BeaconQueued { request_id, accepted: rng.below(4) != 0 });
            }
            Effect::ProbeDomain => {
                let domain = match rng.below(5) {
                    0 => random_string(rng),
                    1 => String::new(),
                    _ => "example.test".to_owned(),
                };
                queue.push(Input::Domain(domain));
            }
            Effect::Store { key, json } => {
                assert_json(&json, "a saved outbox");
                assert!(outbox::read_snapshot(&json, self.now).is_some(), "a saved outbox reads back: {json}");
                self.storage.retain(|(k, _)| *k != key);
                self.storage.push((key, json));
            }
            Effect::Unstore { key } => self.storage.retain(|(k, _)| *k != key),
            Effect::Diagnose(d) => {
                assert!(!d.message.is_empty(), "a diagnostic says something: {d:?}");
            }
            Effect::SetCookie(c) => assert!(!c.key.is_empty(), "{c:?}"),
            Effect::Notify { .. }
            | Effect::ResolveIdentity { .. }
            | Effect::ScheduleTick { .. }
            | Effect::ScheduleSave
            | Effect::AlloyConsent { .. } => {}
        }
    }
}

/// `text` is JSON (RFC 8259) as serde_json reads it, but for numbers beyond `f64` (a page cannot
/// produce them, `JSON.stringify` writes `null`, but the fuzzer feeds them and they pass through)
/// and for nesting beyond serde_json's limit of 128 (page input may be 128 deep, and XDM and
/// request bodies wrap it a few levels deeper); those our own parser checks.
fn assert_json(text: &str, what: &str) {
    if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
        let why = e.to_string();
        let documented = why.contains("out of range") || why.contains("recursion limit");
        assert!(documented && json::parse_nested(text, 2 * json::MAX_DEPTH).is_ok(), "{what} is not JSON: {e}: {text}");
    }
}

/// Times: mostly a plausible clock, sometimes anything.
fn random_time(rng: &mut Rng, now: f64) -> f64 {
    match rng.below(20) {
        0 => *rng.pick(&[f64::NAN, f64::INFINITY, -1.0, 0.0, 1e300, -1e300, 8.64e15 + 1.0]),
        1 => now - rng.below(100_000) as f64,
        _ => now + rng.below(70_000) as f64,
    }
}

fn random_cookies(rng: &mut Rng, corpus: &Corpus) -> String {
    let mut parts = Vec::new();
    for _ in 0..rng.below(5) {
        parts.push(match rng.below(7) {
            0 => format!("kndctr_1234_AdobeOrg_identity={IDENTITY_COOKIE}"),
            1 => format!("kndctr_1234_AdobeOrg_identity={}", mutated_text(rng, IDENTITY_COOKIE, corpus)),
            2 => format!(
                "kndctr_1234_AdobeOrg_consent={}",
                rng.pick(&["general=in", "general=out", "general%3Dout", "x"])
            ),
            3 => "mg_dnt=1".to_owned(),
            4 => "kndctr_1234_AdobeOrg_cluster=or2".to_owned(),
            5 => random_string(rng),
            _ => format!("{}={}", random_string(rng), random_string(rng)),
        });
    }
    parts.join(if rng.chance(5) { ";" } else { "; " })
}

/// Contexts for one page: the realistic store, a fixture's overrides, then mutations; hand-off or
/// direct mode.
fn page_contexts(rng: &mut Rng, corpus: &Corpus) -> Vec<(String, Option<Value>)> {
    let mut contexts = corpus.base_contexts.clone();
    let (overrides, _) = rng.pick(&corpus.fixtures);
    for (k, v) in overrides.iter() {
        contexts.insert(k.clone(), v.clone());
    }
    if rng.chance(2) {
        let direct = r#"{"imsOrgId":"1234@AdobeOrg","datastreamId":"ds-1","edgeDomain":"edge.example.test","datasetId":"ds","consent":{"default":"in","edge":true},"outbox":{"maxEvents":5,"maxBytes":20000}}"#;
        contexts.insert("aepContext", json::parse(direct).expect("direct aepContext"));
    }
    let mut out: Vec<(String, Option<Value>)> = contexts
        .iter()
        .map(|(k, v)| {
            let v = if rng.chance(3) { mutate_value(rng, v) } else { v.clone() };
            (k.clone(), if rng.chance(30) { None } else { Some(v) })
        })
        .collect();
    // Order matters (routing is decided as contexts arrive): shuffle a little.
    for _ in 0..rng.below(3) {
        let (i, j) = (rng.below(out.len()), rng.below(out.len()));
        out.swap(i, j);
    }
    out
}

/// Arguments for a publish: a fixture call's, mutated, or random.
fn publish_args(rng: &mut Rng, corpus: &Corpus) -> (String, Vec<Value>) {
    let (_, calls) = rng.pick(&corpus.fixtures);
    let (mut method, mut args) = if calls.is_empty() || rng.chance(3) {
        (rng.pick(METHODS).name.to_owned(), Vec::new())
    } else {
        rng.pick(calls).clone()
    };
    if rng.chance(30) {
        method = random_string(rng);
    }
    match rng.below(4) {
        0 => {}
        1 => args = args.iter().map(|a| mutate_value(rng, a)).collect(),
        2 => args = (0..rng.below(5)).map(|_| random_value(rng, 1)).collect(),
        _ => args.push(random_value(rng, 0)),
    }
    (method, args)
}

/// One page life (or several, across reloads). Returns the number of engine inputs fed.
fn fuzz_engine(seed: u64, corpus: &Corpus, trace: bool) -> u64 {
    let mut rng = Rng::new(seed);
    let rng = &mut rng;
    let mut world = World {
        engine: Engine::new(),
        now: 1_795_435_200_000.0,
        page: 0,
        in_flight: Vec::new(),
        handed: Vec::new(),
        ids: Vec::new(),
        storage: Vec::new(),
        inputs: 0,
        trace,
        mangled_storage: false,
    };
    let pages = 1 + rng.below(3);
    for _ in 0..pages {
        world.page += 1;
        world.engine = Engine::new();
        world.in_flight.clear();
        world.handed.clear();
        // Saved outboxes: ours from the last page, sometimes mutated, plus foreign junk.
        let mut saved = world.storage.clone();
        for entry in &mut saved {
            if rng.chance(4) {
                world.mangled_storage = true;
                entry.1 = if rng.chance(2) {
                    mutated_text(rng, &entry.1, corpus)
                } else {
                    json::parse(&entry.1).map(|v| mutate_value(rng, &v).to_json()).unwrap_or_default()
                };
            }
        }
        if rng.chance(3) {
            world.mangled_storage = true;
            saved.push(("storefront-collector.outbox.x".into(), mutated_text(rng, SNAPSHOT, corpus)));
        }
        let limits = Limits {
            max_events: 1 + rng.below(8),
            max_bytes: if rng.chance(4) { 1 + rng.below(3000) } else { 1_000_000 },
        };
        let start = Input::Start(Start {
            now_ms: world.now,
            page_key: format!("storefront-collector.outbox.p{}", world.page),
            cookies: random_cookies(rng, corpus),
            saved,
            limits,
        });
        world.feed(rng, start);
        for (key, value) in page_contexts(rng, corpus) {
            world.feed(rng, Input::SetContext { key, value });
        }
        for step in 0..(5 + rng.below(30)) {
            let input = match rng.below(22) {
                0..=6 => {
                    let (method, args) = publish_args(rng, corpus);
                    let id = match rng.below(10) {
                        0 if !world.ids.is_empty() => rng.pick(&world.ids).clone(),
                        1 => random_string(rng),
                        _ => format!("00000000-0000-4000-8000-{:06}{step:06}", world.page),
                    };
                    world.ids.push(id.clone());
                    Input::Publish(Publish {
                        method,
                        args,
                        event_id: id,
                        at_ms: random_time(rng, world.now),
                        page: PageFacts { url: random_string(rng), referrer: random_string(rng) },
                        notify: rng.chance(2),
                    })
                }
                7 => {
                    let key = (*rng.pick(CONTEXT_KEYS)).to_owned();
                    let base = corpus.base_contexts.get(&key).cloned().unwrap_or_default();
                    let value = match rng.below(4) {
                        0 => None,
                        1 => Some(random_value(rng, 0)),
                        _ => Some(mutate_value(rng, &base)),
                    };
                    Input::SetContext { key, value }
                }
                8 => Input::IdentityResolved {
                    ecid: match rng.below(4) {
                        0 => None,
                        1 => Some(random_string(rng)),
                        _ => Some("12345678901234567890123456789012345678".into()),
                    },
                },
                9 | 10 => {
                    let event_id = if world.handed.is_empty() || rng.chance(8) {
                        random_string(rng)
                    } else {
                        let i = rng.below(world.handed.len());
                        world.handed.remove(i)
                    };
                    Input::HandOffSettled {
                        event_id,
                        error: rng.chance(3).then(|| random_string(rng)),
                        now_ms: random_time(rng, world.now),
                        jitter: (rng.next() % 1000) as f64 / 1000.0,
                    }
                }
                11..=13 => {
                    let request_id = if world.in_flight.is_empty() || rng.chance(8) {
                        random_string(rng)
                    } else {
                        let i = rng.below(world.in_flight.len());
                        world.in_flight.remove(i)
                    };
                    let status = if rng.chance(8) {
                        rng.below(1000) as u16
                    } else {
                        *rng.pick(&[200, 200, 204, 207, 0, 400, 401, 403, 404, 413, 429, 500, 502, 503, 504])
                    };
                    let body = match rng.below(5) {
                        0 => None,
                        1 => Some(mutated_text(rng, EDGE_ANSWER, corpus)),
                        2 => Some(mutate_value(rng, &json::parse(EDGE_ANSWER).expect("edge")).to_json()),
                        3 => Some(random_string(rng)),
                        _ => Some(EDGE_ANSWER.to_owned()),
                    };
                    let retry_after = match rng.below(4) {
                        0 => Some(random_string(rng)),
                        1 => Some(rng.below(100).to_string()),
                        _ => None,
                    };
                    Input::Response {
                        request_id,
                        status,
                        retry_after,
                        body,
                        now_ms: random_time(rng, world.now),
                        jitter: (rng.next() % 1000) as f64 / 1000.0,
                    }
                }
                14 | 15 => {
                    world.now += rng.below(70_000) as f64;
                    Input::Tick { now_ms: random_time(rng, world.now) }
                }
                16 => Input::Save { now_ms: world.now, closing: rng.chance(4) },
                17 => Input::ReportInfo(rng.chance(2)),
                18 => Input::Consent(match rng.below(5) {
                    0 => Signal::Explicit(*rng.pick(&[State::In, State::Out, State::Pending])),
                    1 => Signal::Gpc(rng.chance(2)),
                    2 => Signal::MgDnt(rng.chance(2)),
                    3 => Signal::EdgeCookie(rng.chance(2).then(|| random_string(rng))),
                    _ => Signal::Tcf {
                        gdpr_applies: rng.chance(2),
                        ready: rng.below(3) != 0,
                        purposes: (0..rng.below(4)).map(|_| rng.below(12) as u32).collect(),
                        vendors: (0..rng.below(4)).map(|_| *rng.pick(&[565, 1, u32::MAX, 0])).collect(),
                    },
                }),
                19 => {
                    let seed = json::parse(r#"{"standard":"Adobe","version":"1.0","value":{"general":"in"}}"#)
                        .expect("choice");
                    let choice = match rng.below(3) {
                        0 => Value::String(random_string(rng)),
                        1 => random_value(rng, 0),
                        _ => mutate_value(rng, &seed),
                    };
                    Input::ConsentChoice { choice, request_id: random_string(rng) }
                }
                20 => Input::Domain(random_string(rng)),
                _ => {
                    // The shell's own decoding, from strings with mutated small-argument arrays.
                    let (op, a, b) = random_call(rng, corpus, world.now);
                    world.mangled_storage |= op == "start";
                    for input in input_from_call(&op, &a, &b) {
                        world.feed(rng, input);
                    }
                    continue;
                }
            };
            world.feed(rng, input);
        }
        // The page goes away (or, sometimes, is killed without pagehide).
        if rng.below(5) != 0 {
            world.now += rng.below(2000) as f64;
            world.feed(rng, Input::PageHidden { now_ms: world.now });
            world.feed(rng, Input::Save { now_ms: world.now, closing: true });
        }
        world.now += rng.below(120_000) as f64;
    }
    world.inputs
}

/// `(op, a, b)` as `js/api.js` would call `collector_call`, with mutations.
fn random_call(rng: &mut Rng, corpus: &Corpus, now: f64) -> (String, String, String) {
    let ops = [
        "start",
        "set",
        "publish",
        "identity",
        "settled",
        "response",
        "tick",
        "hide",
        "save",
        "report",
        "consent",
        "get",
        "held",
        "consent-state",
        "",
    ];
    let op = (*rng.pick(&ops)).to_owned();
    let (a, b) = match op.as_str() {
        "start" => (
            format!(r#"[["k",{}],["j",1],5]"#, Value::String(SNAPSHOT.into()).to_json()),
            format!(r#"[{now},"k","mg_dnt=1",3,1000]"#),
        ),
        "set" => ((*rng.pick(CONTEXT_KEYS)).to_owned(), random_value(rng, 0).to_json()),
        "publish" => {
            let (method, args) = publish_args(rng, corpus);
            (
                Value::Array(args).to_json(),
                format!(r#"[{},{now},"https://shop.example.com/","",true,"e-1"]"#, Value::String(method).to_json()),
            )
        }
        "settled" => (random_string(rng), format!(r#"["e-1",false,{now},0.5]"#)),
        "response" => (EDGE_ANSWER.to_owned(), format!(r#"["e-1",503,"2",{now},0.5]"#)),
        "consent" => {
            let kind = *rng.pick(&["choice", "gpc", "mgdnt", "tcf", "x"]);
            let a = match kind {
                "tcf" => r#"{"gdprApplies":true,"ready":true,"purposes":[1,2],"vendors":[565]}"#.to_owned(),
                "choice" => r#"{"standard":"Adobe","version":"1.0","value":{"general":"out"}}"#.to_owned(),
                _ => "true".to_owned(),
            };
            (a, format!(r#"["{kind}","r-1"]"#))
        }
        _ => (random_string(rng), format!("[{now}]")),
    };
    let a = if rng.chance(3) { mutated_text(rng, &a, corpus) } else { a };
    let b = if rng.chance(2) { mutated_text(rng, &b, corpus) } else { b };
    (op, a, b)
}

// ---------------------------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------------------------

#[derive(Default, Debug)]
struct Counts {
    json: u64,
    decoder: u64,
    engine_inputs: u64,
    engine_pages: u64,
}

impl Counts {
    fn total(&self) -> u64 {
        self.json + self.decoder + self.engine_inputs
    }
}

/// Runs a case, and on a panic prints how to find it again (and, for engine cases, replays it with
/// every input printed) before failing.
fn guarded<T>(kind: &str, case_seed: u64, f: impl FnOnce() -> T, replay: impl FnOnce()) -> T {
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("fuzz: PANIC in a {kind} case, case seed {case_seed}; replaying:");
            let _ = panic::catch_unwind(AssertUnwindSafe(replay));
            panic::resume_unwind(e)
        }
    }
}

fn run(target: u64, seed: u64) -> Counts {
    let corpus = Corpus::load();
    let mut master = Rng::new(seed);
    let mut counts = Counts::default();
    while counts.total() < target {
        let case_seed = master.next();
        // Shares of the inputs: 40 % JSON texts, 20 % decoder calls, 40 % engine inputs.
        let kind = if counts.json <= counts.engine_inputs {
            0
        } else if counts.decoder * 2 <= counts.json {
            1
        } else {
            2
        };
        match kind {
            0 => {
                let mut rng = Rng::new(case_seed);
                let mut again = rng.clone();
                guarded("json", case_seed, || fuzz_json(&mut rng, &corpus), || fuzz_json(&mut again, &corpus));
                counts.json += 1;
            }
            1 => {
                let mut rng = Rng::new(case_seed);
                let mut again = rng.clone();
                guarded("decoder", case_seed, || fuzz_decoder(&mut rng, &corpus), || fuzz_decoder(&mut again, &corpus));
                counts.decoder += 1;
            }
            _ => {
                let n = guarded(
                    "engine",
                    case_seed,
                    || fuzz_engine(case_seed, &corpus, false),
                    || {
                        fuzz_engine(case_seed, &corpus, true);
                    },
                );
                counts.engine_inputs += n;
                counts.engine_pages += 1;
            }
        }
    }
    counts
}

/// Appends `effect` to the `FUZZ_EFFECT_LOG` file, when one is set (see the header).
fn log_effect(effect: &Effect) {
    use std::io::Write;
    static LOG: std::sync::OnceLock<Option<std::sync::Mutex<std::io::BufWriter<std::fs::File>>>> =
        std::sync::OnceLock::new();
    let log = LOG.get_or_init(|| {
        let path = std::env::var_os("FUZZ_EFFECT_LOG")?;
        let file = std::fs::File::create(&path).expect("FUZZ_EFFECT_LOG: cannot create the file");
        Some(std::sync::Mutex::new(std::io::BufWriter::new(file)))
    });
    if let Some(log) = log {
        let mut log = log.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        writeln!(log, "{effect:?}").expect("FUZZ_EFFECT_LOG: write failed");
        log.flush().expect("FUZZ_EFFECT_LOG: flush failed");
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().replace('_', "").parse().ok())
}

fn report(name: &str, target: u64, seed: u64) {
    let started = Instant::now();
    let counts = run(target, seed);
    let secs = started.elapsed().as_secs_f64();
    println!(
        "fuzz {name}: {} inputs without a panic in {secs:.1} s (seed {seed}): {} JSON texts, {} decoder calls, {} engine inputs over {} page lives",
        counts.total(),
        counts.json,
        counts.decoder,
        counts.engine_inputs,
        counts.engine_pages
    );
}

const DEFAULT_SEED: u64 = 20_261_123;

// Regression tests for what the fuzzer found.

fn page_view(event_id: &str, custom: Value) -> Input {
    Input::Publish(Publish {
        method: "pageView".into(),
        args: vec![custom],
        event_id: event_id.into(),
        at_ms: 1_795_435_200_000.0,
        page: PageFacts::default(),
        notify: false,
    })
}

fn hand_off_engine() -> Engine {
    let mut engine = Engine::new();
    for (key, value) in [
        ("aepContext", r#"{"imsOrgId":"1234@AdobeOrg","webSdkName":"alloy"}"#),
        ("eventForwardingContext", r#"{"aep":true}"#),
    ] {
        engine.handle(Input::SetContext { key: key.into(), value: json::parse(value).ok() });
    }
    engine
}

/// Found by the fuzzer: page input may nest up to `MAX_DEPTH` levels, the saved outbox wraps it a
/// few levels deeper, and the next page could not parse the snapshot, so every waiting event of the
/// page was lost.
#[test]
fn deeply_nested_page_input_survives_a_reload() {
    let mut deep = Value::Null;
    for _ in 0..json::MAX_DEPTH - 2 {
        deep = Value::Array(vec![deep]);
    }
    let mut custom = Map::new();
    custom.insert("deep", deep);
    let args = Value::Array(vec![Value::Object(custom.clone())]).to_json();
    assert!(json::parse(&args).is_ok(), "the page's arguments are within the input limit");

    let mut engine = hand_off_engine();
    engine.handle(Input::Start(Start { page_key: "k1".into(), ..Start::default() }));
    engine.handle(page_view("e-deep", Value::Object(custom)));
    engine.handle(page_view("e-plain", Value::Object(Map::new())));
    assert_eq!(engine.held_count(), 2, "waiting for alloy's identity");
    engine.handle(Input::PageHidden { now_ms: 1.0 });
    let saved: Vec<(String, String)> = engine
        .handle(Input::Save { now_ms: 1.0, closing: true })
        .into_iter()
        .filter_map(|e| if let Effect::Store { key, json } = e { Some((key, json)) } else { None })
        .collect();
    assert_eq!(saved.len(), 1);
    assert!(json::parse(&saved[0].1).is_err(), "the snapshot nests deeper than page input may");

    let mut next = hand_off_engine();
    next.handle(Input::Start(Start { now_ms: 2.0, page_key: "k2".into(), saved, ..Start::default() }));
    assert_eq!(next.held_count(), 2, "both events are taken over by the next page");
}

/// Found by the fuzzer: alloy rejecting with an empty reason gave a `retrying` diagnostic with an
/// empty message.
#[test]
fn an_alloy_rejection_without_a_reason_is_still_explained() {
    let mut engine = hand_off_engine();
    engine.handle(page_view("e-1", Value::Object(Map::new())));
    engine.handle(Input::IdentityResolved { ecid: Some("12345678901234567890123456789012345678".into()) });
    let effects = engine.handle(Input::HandOffSettled {
        event_id: "e-1".into(),
        error: Some(String::new()),
        now_ms: 5.0,
        jitter: 0.5,
    });
    let messages: Vec<&str> = effects
        .iter()
        .filter_map(|e| if let Effect::Diagnose(d) = e { Some(d.message.as_str()) } else { None })
        .collect();
    assert!(!messages.is_empty(), "the rejection is reported");
    assert!(messages.iter().all(|m| !m.is_empty()), "{messages:?}");
}

/// CI-sized: part of every host test run.
#[test]
fn fuzz_ci() {
    report("ci", env_u64("FUZZ_INPUTS").unwrap_or(100_000), env_u64("FUZZ_SEED").unwrap_or(DEFAULT_SEED));
}

/// The full run, at least a million inputs (see the header for the command).
#[test]
#[ignore = "a million inputs; run with --release -- --ignored"]
fn fuzz_full() {
    report("full", env_u64("FUZZ_INPUTS").unwrap_or(1_000_000), env_u64("FUZZ_SEED").unwrap_or(DEFAULT_SEED + 1));
}
