//! The calls of the JavaScript boundary, decoded: `collector_call(handle, op, a, b)` → what the
//! shell must do. Pure and built for every target, so that the host tests and `tests/fuzz.rs`
//! exercise the very decoding the wasm runs (the `web` shell is wasm32-only).
//!
//! `a` carries the main payload (JSON text, a key, a body), `b` a JSON array of small arguments:
//!
//! | op | a | b | returns |
//! |---|---|---|---|
//! | `start` | JSON array of `[storageKey, snapshotJson]` saved by earlier pages | `[now, pageKey, document.cookie, maxEvents, maxBytes]` | |
//! | `set` | context key | the context as JSON, or `""` to clear | |
//! | `get` | context key, or `""` for the whole state | | JSON, or `""` when not set |
//! | `publish` | the arguments as a JSON array | `[method, now, url, referrer, notify, eventId]` | |
//! | `identity` | the ECID from alloy's `getIdentity`, or `""` | | |
//! | `settled` | alloy's rejection message (`""` when it resolved) | `[eventId, resolved, now, jitter]` | |
//! | `response` | the response body (`""` when unreadable) | `[eventId, status, retryAfter\|null, now, jitter]` | |
//! | `tick`, `save` | | `[now]` | |
//! | `hide` | | `[now, persisted]` (`pagehide`; persisted: kept in the back/forward cache) | |
//! | `report` | | `[wantInfo]` | |
//! | `consent` | the signal as JSON | `[kind, requestId]`: `choice`, `gpc`, `mgdnt`, `tcf` | |
//! | `consent-state` | | | `in`, `pending` or `out` |
//! | `held` | | | events waiting, as decimal text |
//!
//! Nothing here panics on page input: unreadable JSON is reported through [`Target::unreadable`].

use crate::engine::consent::{self, Signal};
use crate::engine::json::{self, Value};
use crate::engine::outbox::Limits;
use crate::engine::xdm::PageFacts;
use crate::engine::{Input, Publish, Start};

/// What a call can ask of the collector behind it: the web shell's driver in the wasm, a
/// recorder in the tests.
pub trait Target {
    /// Feeds one input to the engine.
    fn feed(&mut self, input: Input);
    /// Reports an `unreadable-input` error about `event` at `path`.
    fn unreadable(&mut self, event: &str, path: &str, message: &str);
    /// `get`: the context `key` as JSON (`""`: the whole state; `""` when not set).
    fn context(&mut self, key: &str) -> String;
    /// `consent-state`: `in`, `pending` or `out`.
    fn consent_state(&mut self) -> String;
    /// `held`: how many events wait, as decimal text.
    fn held(&mut self) -> String;
}

/// Small positional arguments (`b`), parsed once for every operation (`set` reads its context
/// from the same parse).
struct Args(Result<Value, json::ParseError>);

impl Args {
    fn at(&self, i: usize) -> Option<&Value> {
        self.0.as_ref().ok()?.at(i)
    }
    fn opt_str(&self, i: usize) -> Option<String> {
        self.at(i).and_then(Value::as_str).map(str::to_owned)
    }
    /// The string argument `i`, `""` when absent (one function, not an unwrap per call site).
    #[inline(never)]
    fn str(&self, i: usize) -> String {
        self.opt_str(i).unwrap_or_default()
    }
    fn num(&self, i: usize) -> f64 {
        self.at(i).and_then(Value::as_f64).unwrap_or(0.0)
    }
    fn flag(&self, i: usize) -> bool {
        self.at(i).and_then(Value::as_bool).unwrap_or(false)
    }
}

/// Carries out one call on `target` (see the module docs for the operations; `hide` feeds two
/// inputs); returns the answer of the synchronous ones, `""` otherwise.
pub fn decode(target: &mut impl Target, op: &str, a: &str, b: &str) -> String {
    let args = Args(json::parse(b));
    let input = match op {
        "start" => {
            // `[key, json]` pairs; anything else in the list is skipped.
            let mut saved = Vec::new();
            if let Ok(Value::Array(pairs)) = json::parse(a) {
                for pair in &pairs {
                    if let (Some(key), Some(json)) = (pair[0].as_str(), pair[1].as_str()) {
                        saved.push((key.to_owned(), json.to_owned()));
                    }
                }
            }
            let mut limits = Limits::default();
            if args.num(3) >= 1.0 {
                limits.max_events = args.num(3) as usize;
            }
            if args.num(4) >= 1.0 {
                limits.max_bytes = args.num(4) as usize;
            }
            Input::Start(Start { now_ms: args.num(0), page_key: args.str(1), cookies: args.str(2), saved, limits })
        }
        "set" => {
            let value = if b.is_empty() {
                None
            } else if let Ok(v) = args.0 {
                Some(v)
            } else {
                target.unreadable("", a, "context is not valid JSON; it was not changed");
                return String::new();
            };
            Input::SetContext { key: a.to_owned(), value }
        }
        "get" => return target.context(a),
        "publish" => {
            let method = args.str(0);
            let Ok(Value::Array(call_args)) = json::parse(a) else {
                target.unreadable(&method, "", "publish arguments could not be read; the event was dropped");
                return String::new();
            };
            Input::Publish(Publish {
                method,
                args: call_args,
                at_ms: args.num(1),
                page: PageFacts { url: args.str(2), referrer: args.str(3) },
                notify: args.flag(4),
                event_id: args.str(5),
            })
        }
        "identity" => Input::IdentityResolved { ecid: (!a.is_empty()).then(|| a.to_owned()) },
        "settled" => Input::HandOffSettled {
            event_id: args.str(0),
            error: (!args.flag(1)).then(|| a.to_owned()),
            now_ms: args.num(2),
            jitter: args.num(3),
        },
        "response" => Input::Response {
            request_id: args.str(0),
            status: args.num(1).clamp(0.0, 999.0) as u16,
            retry_after: args.opt_str(2),
            body: (!a.is_empty()).then(|| a.to_owned()),
            now_ms: args.num(3),
            jitter: args.num(4),
        },
        "tick" => Input::Tick { now_ms: args.num(0) },
        // `[now, persisted]`: a page kept in the back/forward cache may come back with its events,
        // so its snapshot is not closed (no other page takes it over at once).
        "hide" => {
            let now_ms = args.num(0);
            target.feed(Input::PageHidden { now_ms });
            Input::Save { now_ms, closing: !args.flag(1) }
        }
        "save" => Input::Save { now_ms: args.num(0), closing: false },
        "report" => Input::ReportInfo(args.flag(0)),
        "consent" => {
            let value = json::parse(a).unwrap_or_default();
            let flag = value.as_bool() == Some(true);
            let ids = |key: &str| {
                let mut ids = Vec::new();
                for id in value.get(key).and_then(Value::as_array).map_or(&[][..], Vec::as_slice) {
                    if let Some(id) = consent::as_u32(id) {
                        ids.push(id);
                    }
                }
                ids
            };
            match args.str(0).as_str() {
                "choice" => Input::ConsentChoice { choice: value.clone(), request_id: args.str(1) },
                "gpc" => Input::Consent(Signal::Gpc(flag)),
                "mgdnt" => Input::Consent(Signal::MgDnt(flag)),
                "tcf" => Input::Consent(Signal::Tcf {
                    gdpr_applies: value.get("gdprApplies").and_then(Value::as_bool).unwrap_or(true),
                    ready: value.get("ready").and_then(Value::as_bool).unwrap_or(false),
                    purposes: ids("purposes"),
                    vendors: ids("vendors"),
                }),
                _ => return String::new(),
            }
        }
        "consent-state" => return target.consent_state(),
        "held" => return target.held(),
        _ => return String::new(),
    };
    target.feed(input);
    String::new()
}
