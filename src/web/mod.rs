//! The web shell (wasm32 only) and the **JavaScript API boundary**.
//!
//! The boundary is deliberately narrow, because every exported or imported function costs
//! wasm-bindgen glue (measured: about 0.8 KB of wasm per export):
//!
//! * JavaScript → Rust: [`collector_call`]`(handle, op, a, b)`, where `a` carries the main payload
//!   (JSON text, a key, a body) and `b` a JSON array of small arguments. The operations are listed
//!   on [`collector_call`]. A collector is a `u32` handle from [`collector_new`]`(host)`, dropped by
//!   [`collector_free`]: free functions rather than an exported class, whose constructor shim,
//!   pointer borrow checks with their error strings and `free`/`FinalizationRegistry` glue
//!   measured 342 B brotli more (wasm 217, loader 125).
//! * Rust → JavaScript: `host.run(op, a, b, c)` on the [`Host`] object `js/api.js` passes in, which
//!   performs an effect with the page's APIs (`fetch`, `sendBeacon`, cookies, `localStorage`,
//!   timers, the site's alloy) and answers the synchronous ones. The operations are listed in
//!   `driver.rs`.
//!
//! Page I/O is JavaScript rather than web-sys/gloo-net/wasm-bindgen-futures: doing the alloy calls
//! in Rust with `JsFuture` measured 3.4 KB brotli of wasm and 0.6 KB of glue more.
//!
//! Nothing here may panic or throw on page input: bad JSON becomes a diagnostic.

mod driver;

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::engine::consent::Signal;
use crate::engine::diagnostic::{Code, Diagnostic, Level};
use crate::engine::json::{self, Value};
use crate::engine::outbox::Limits;
use crate::engine::xdm::PageFacts;
use crate::engine::{Input, Publish, Start};
use driver::Driver;

/// talc instead of the default dlmalloc, which measured 5.7 KB of code in this module.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[wasm_bindgen]
extern "C" {
    /// The page-side host (`js/api.js`) that carries out effects. Its `run` never throws.
    #[derive(Debug)]
    pub type Host;

    /// Performs effect `op` with up to three string arguments; returns the answer of synchronous
    /// effects (`""` otherwise).
    #[wasm_bindgen(method)]
    pub fn run(this: &Host, op: &str, a: &str, b: &str, c: &str) -> String;
}

thread_local! {
    /// Every collector created, indexed by the handles `collector_new` returns (`None` once freed).
    /// Slots are not reused, so a stale handle never reaches a newer collector; a page creates two
    /// (its own and js/api.js's throw-away warm-up), an ES module user a few more.
    static COLLECTORS: RefCell<Vec<Option<Rc<Driver>>>> = const { RefCell::new(Vec::new()) };
}

/// Creates a collector whose effects `host` carries out; returns its handle for [`collector_call`]
/// and [`collector_free`].
#[wasm_bindgen]
pub fn collector_new(host: Host) -> u32 {
    #[cfg(feature = "panic-hook")]
    console_error_panic_hook::set_once();
    let driver = Driver::new(host);
    COLLECTORS.with(|collectors| {
        let mut collectors = collectors.borrow_mut();
        collectors.push(Some(driver));
        collectors.len() as u32 - 1
    })
}

/// Drops the collector `handle` (an unknown or already freed handle is ignored). Safe from inside
/// an effect: a call under way keeps its collector until it returns.
#[wasm_bindgen]
pub fn collector_free(handle: u32) {
    // Dropped after the slab's borrow ends.
    let _driver = COLLECTORS.with(|collectors| collectors.borrow_mut().get_mut(handle as usize).and_then(Option::take));
}

/// Small positional arguments (`b` of [`collector_call`]).
struct Args(Value);

impl Args {
    fn parse(b: &str) -> Args {
        Args(json::parse(b).unwrap_or_default())
    }
    fn opt_str(&self, i: usize) -> Option<String> {
        self.0.at(i).and_then(Value::as_str).map(str::to_owned)
    }
    /// The string argument `i`, `""` when absent (one function, not an unwrap per call site).
    #[inline(never)]
    fn str(&self, i: usize) -> String {
        self.opt_str(i).unwrap_or_default()
    }
    fn num(&self, i: usize) -> f64 {
        self.0.at(i).and_then(Value::as_f64).unwrap_or(0.0)
    }
    fn flag(&self, i: usize) -> bool {
        self.0.at(i).and_then(Value::as_bool).unwrap_or(false)
    }
}

/// Feeds one page input to the collector `handle`. `a` is the main payload, `b` a JSON array of small arguments:
///
/// | op | a | b | returns |
/// |---|---|---|---|
/// | `start` | JSON array of `[storageKey, snapshotJson]` saved by earlier pages | `[now, pageKey, document.cookie, maxEvents, maxBytes]` | |
/// | `set` | context key | the context as JSON, or `""` to clear | |
/// | `get` | context key, or `""` for the whole state | | JSON, or `""` when not set |
/// | `publish` | the arguments as a JSON array | `[method, now, url, referrer, notify, eventId]` | |
/// | `identity` | the ECID from alloy's `getIdentity`, or `""` | | |
/// | `settled` | alloy's rejection message (`""` when it resolved) | `[eventId, resolved, now, jitter]` | |
/// | `response` | the response body (`""` when unreadable) | `[eventId, status, retryAfter\|null, now, jitter]` | |
/// | `tick`, `save` | | `[now]` | |
/// | `hide` | | `[now, persisted]` (`pagehide`; persisted: kept in the back/forward cache) | |
/// | `report` | | `[wantInfo]` | |
/// | `consent` | the signal as JSON | `[kind, requestId]`: `choice`, `gpc`, `mgdnt`, `tcf` | |
/// | `consent-state` | | | `in`, `pending` or `out` |
/// | `held` | | | events waiting, as decimal text |
///
/// An unknown or freed `handle` does nothing and returns `""`.
#[wasm_bindgen]
pub fn collector_call(handle: u32, op: &str, a: &str, b: &str) -> String {
    // A clone of the `Rc`, so the slab is not borrowed while effects run: a subscriber may
    // publish (or create or free a collector) from inside one.
    let Some(driver) = COLLECTORS.with(|collectors| collectors.borrow().get(handle as usize).cloned().flatten()) else {
        return String::new();
    };
    let driver = &driver;
    let args = || Args::parse(b);
    let unreadable = |event: &str, path: &str, message: &str| {
        driver.diagnose(&Diagnostic::new(Level::Error, Code::UnreadableInput, event, path, message));
    };
    let input = match op {
        "start" => {
            let args = args();
            let saved = match json::parse(a) {
                Ok(Value::Array(pairs)) => pairs
                    .iter()
                    .filter_map(|pair| Some((pair.at(0)?.as_str()?.to_owned(), pair.at(1)?.as_str()?.to_owned())))
                    .collect(),
                _ => Vec::new(),
            };
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
            } else if let Ok(v) = json::parse(b) {
                Some(v)
            } else {
                unreadable("", a, "context is not valid JSON; it was not changed");
                return String::new();
            };
            Input::SetContext { key: a.to_owned(), value }
        }
        "get" => {
            return driver.with_engine(|engine| {
                if a.is_empty() {
                    Value::Object(engine.state()).to_json()
                } else {
                    engine.context(a).map(Value::to_json).unwrap_or_default()
                }
            })
        }
        "publish" => {
            let args = args();
            let method = args.str(0);
            let Ok(Value::Array(call_args)) = json::parse(a) else {
                unreadable(&method, "", "publish arguments could not be read; the event was dropped");
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
        "settled" => {
            let args = args();
            Input::HandOffSettled {
                event_id: args.str(0),
                error: (!args.flag(1)).then(|| a.to_owned()),
                now_ms: args.num(2),
                jitter: args.num(3),
            }
        }
        "response" => {
            let args = args();
            Input::Response {
                request_id: args.str(0),
                status: args.num(1).clamp(0.0, 999.0) as u16,
                retry_after: args.opt_str(2),
                body: (!a.is_empty()).then(|| a.to_owned()),
                now_ms: args.num(3),
                jitter: args.num(4),
            }
        }
        "tick" => Input::Tick { now_ms: args().num(0) },
        "hide" => {
            // `[now, persisted]`: a page kept in the back/forward cache may come back with its
            // events, so its snapshot is not closed (no other page takes it over at once).
            let args = args();
            let now_ms = args.num(0);
            driver.handle(Input::PageHidden { now_ms });
            Input::Save { now_ms, closing: !args.flag(1) }
        }
        "save" => Input::Save { now_ms: args().num(0), closing: false },
        "report" => Input::ReportInfo(args().flag(0)),
        "consent" => {
            let args = args();
            let value = json::parse(a).unwrap_or_default();
            let flag = value.as_bool() == Some(true);
            let ids = |key: &str| -> Vec<u32> {
                value.get(key).and_then(Value::as_array).map_or_else(Vec::new, |list| {
                    list.iter().filter_map(|n| n.as_u64().and_then(|n| u32::try_from(n).ok())).collect()
                })
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
        "consent-state" => return driver.with_engine(|engine| engine.consent_state().as_str().to_owned()),
        "held" => {
            let mut out = String::new();
            json::push_uint(&mut out, driver.with_engine(|engine| engine.held_count()) as u64);
            return out;
        }
        _ => return String::new(),
    };
    driver.handle(input);
    String::new()
}
