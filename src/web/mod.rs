//! The web shell (wasm32 only) and the **JavaScript API boundary**.
//!
//! [`Collector`] is the one class exported to JavaScript. The JavaScript layer (`js/api.js`) owns
//! the page-facing API and passes page input in as JSON text; it also implements [`Host`], which
//! performs the engine's effects with the page's APIs (`fetch`, `sendBeacon`, cookies,
//! `localStorage`, timers, the site's alloy). This module stays thin: decode JSON, feed the
//! [`Engine`](crate::engine::Engine), hand effects to the host.
//!
//! Why the page I/O is JavaScript rather than web-sys/gloo-net/wasm-bindgen-futures: measured on
//! this crate, doing the alloy calls in Rust with `JsFuture` cost 3.4 KB brotli of wasm and 0.6 KB of
//! glue; the same in JavaScript costs a few hundred bytes.
//!
//! Nothing here may panic or throw on page input: bad JSON becomes a diagnostic.

mod driver;

/// talc instead of the default dlmalloc: 5.7 KB of dlmalloc code measured in this module.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

use std::rc::Rc;

use crate::engine::json::{self, Value};
use wasm_bindgen::prelude::*;

use crate::engine::consent::Signal;
use crate::engine::diagnostic::{Code, Diagnostic, Level};
use crate::engine::outbox::Limits;
use crate::engine::xdm::PageFacts;
use crate::engine::{Input, Publish, Start};
use driver::Driver;

#[wasm_bindgen]
extern "C" {
    /// The page-side host (`js/api.js`) that carries out effects. Its methods never throw.
    #[derive(Debug)]
    pub type Host;

    /// Reports a diagnostic (JSON).
    #[wasm_bindgen(method)]
    pub fn diagnostic(this: &Host, json: &str);
    /// Calls the page's subscribers of `event` with `{event, eventInfo: JSON.parse(json)}`.
    #[wasm_bindgen(method)]
    pub fn notify(this: &Host, event: &str, json: &str);
    /// Reads the ECID from `window[sdk]("getIdentity")`, answering `Collector.identityResolved`.
    #[wasm_bindgen(method, js_name = resolveIdentity)]
    pub fn resolve_identity(this: &Host, sdk: &str);
    /// Calls `window[sdk]("sendEvent", {xdm})`, answering `Collector.handOffSettled`.
    #[wasm_bindgen(method, js_name = handOff)]
    pub fn hand_off(this: &Host, sdk: &str, event_id: &str, xdm_json: &str);
    /// POSTs `body` as `text/plain` with credentials, answering `Collector.response`.
    #[wasm_bindgen(method)]
    pub fn fetch(this: &Host, event_id: &str, url: &str, body: &str, keepalive: bool);
    /// `navigator.sendBeacon(url, body)`; whether the browser took it.
    #[wasm_bindgen(method)]
    pub fn beacon(this: &Host, url: &str, body: &str) -> bool;
    /// Writes a cookie on the apex domain.
    #[wasm_bindgen(method, js_name = setCookie)]
    pub fn set_cookie(this: &Host, key: &str, value: &str, max_age: Option<f64>, same_site: Option<String>);
    /// Calls `Collector.tick` at `at_ms` (replacing an earlier timer).
    #[wasm_bindgen(method)]
    pub fn schedule(this: &Host, at_ms: f64);
    /// Calls `Collector.save` soon.
    #[wasm_bindgen(method, js_name = scheduleSave)]
    pub fn schedule_save(this: &Host);
    /// `localStorage.setItem`; `false` if storage is blocked or full.
    #[wasm_bindgen(method)]
    pub fn store(this: &Host, key: &str, json: &str) -> bool;
    /// `localStorage.removeItem`.
    #[wasm_bindgen(method)]
    pub fn unstore(this: &Host, key: &str);
    /// The page's apex domain (alloy's cookie probe); `""` on localhost or an IP address.
    #[wasm_bindgen(method, js_name = apexDomain)]
    pub fn apex_domain(this: &Host) -> String;
    /// `window[sdk]("setConsent", {consent: [Adobe 1.0 {general}]})`.
    #[wasm_bindgen(method, js_name = alloyConsent)]
    pub fn alloy_consent(this: &Host, sdk: &str, general: &str);
}

/// One collector per page, driven by the JavaScript API layer.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Collector {
    driver: Rc<Driver>,
}

#[wasm_bindgen]
impl Collector {
    /// Creates a collector whose effects `host` carries out.
    #[wasm_bindgen(constructor)]
    pub fn new(host: Host) -> Collector {
        #[cfg(feature = "panic-hook")]
        console_error_panic_hook::set_once();
        Collector { driver: Driver::new(host) }
    }

    /// Start-up facts: `saved_json` is a JSON array of `[storageKey, snapshotJson]` pairs saved by
    /// earlier pages; `max_events`/`max_bytes` bound the outbox (0 = default).
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        &self,
        now_ms: f64,
        page_key: String,
        cookies: String,
        saved_json: &str,
        max_events: u32,
        max_bytes: u32,
    ) {
        let saved = match json::parse(saved_json) {
            Ok(Value::Array(pairs)) => pairs
                .iter()
                .filter_map(|pair| Some((pair.at(0)?.as_str()?.to_owned(), pair.at(1)?.as_str()?.to_owned())))
                .collect(),
            _ => Vec::new(),
        };
        let mut limits = Limits::default();
        if max_events > 0 {
            limits.max_events = max_events as usize;
        }
        if max_bytes > 0 {
            limits.max_bytes = max_bytes as usize;
        }
        self.driver.handle(Input::Start(Start { now_ms, page_key, cookies, saved, limits }));
    }

    /// Replaces the context `key` with the JSON text `json`; `undefined` clears it.
    #[wasm_bindgen(js_name = setContext)]
    pub fn set_context(&self, key: &str, json: Option<String>) {
        let value = match json.as_deref().map(json::parse) {
            None => None,
            Some(Ok(v)) => Some(v),
            Some(Err(_)) => {
                self.driver.diagnose(&Diagnostic::new(
                    Level::Error,
                    Code::UnreadableInput,
                    "",
                    key,
                    "context is not valid JSON; it was not changed",
                ));
                return;
            }
        };
        self.driver.handle(Input::SetContext { key: key.to_owned(), value });
    }

    /// The context `key` as JSON text (`undefined` when not set), or the whole state when `key` is
    /// `undefined`.
    #[wasm_bindgen(js_name = getContext)]
    pub fn get_context(&self, key: Option<String>) -> Option<String> {
        self.driver.with_engine(|engine| match key {
            Some(key) => engine.context(&key).map(Value::to_json),
            None => Some(Value::Object(engine.state()).to_json()),
        })
    }

    /// Publishes `method` with its arguments as a JSON array. The time, URL, referrer and event id
    /// are taken by the caller when the page made the call, so queued calls keep them.
    #[allow(clippy::too_many_arguments)]
    pub fn publish(
        &self,
        method: &str,
        args_json: &str,
        at_ms: f64,
        url: String,
        referrer: String,
        notify: bool,
        event_id: String,
    ) {
        let args = match json::parse(args_json) {
            Ok(Value::Array(args)) => args,
            _ => {
                self.driver.diagnose(&Diagnostic::new(
                    Level::Error,
                    Code::UnreadableInput,
                    method,
                    "",
                    "publish arguments could not be read; the event was dropped",
                ));
                return;
            }
        };
        let page = PageFacts { url, referrer };
        self.driver.handle(Input::Publish(Publish { method: method.to_owned(), args, event_id, at_ms, page, notify }));
    }

    /// The answer to `host.resolveIdentity`: the ECID, or `undefined`.
    #[wasm_bindgen(js_name = identityResolved)]
    pub fn identity_resolved(&self, ecid: Option<String>) {
        self.driver.handle(Input::IdentityResolved { ecid });
    }

    /// The answer to `host.handOff`: `error` is `undefined` when alloy resolved.
    #[wasm_bindgen(js_name = handOffSettled)]
    pub fn hand_off_settled(&self, event_id: String, error: Option<String>, now_ms: f64, jitter: f64) {
        self.driver.handle(Input::HandOffSettled { event_id, error, now_ms, jitter });
    }

    /// The answer to `host.fetch`: status 0 for a network failure.
    #[allow(clippy::too_many_arguments)]
    pub fn response(
        &self,
        event_id: String,
        status: u16,
        retry_after: Option<String>,
        body: Option<String>,
        now_ms: f64,
        jitter: f64,
    ) {
        self.driver.handle(Input::Response { event_id, status, retry_after, body, now_ms, jitter });
    }

    /// A timer from `host.schedule` fired, or the browser came back online.
    pub fn tick(&self, now_ms: f64) {
        self.driver.handle(Input::Tick { now_ms });
    }

    /// `pagehide`: beacons what can go, then saves the outbox for the next page.
    #[wasm_bindgen(js_name = pageHidden)]
    pub fn page_hidden(&self, now_ms: f64) {
        self.driver.handle(Input::PageHidden { now_ms });
        self.driver.handle(Input::Save { now_ms, closing: true });
    }

    /// Saves the outbox now (after `host.scheduleSave`, or when the page becomes hidden).
    pub fn save(&self, now_ms: f64) {
        self.driver.handle(Input::Save { now_ms, closing: false });
    }

    /// Whether info-level diagnostics are wanted (someone subscribed, or debug mode).
    #[wasm_bindgen(js_name = reportInfo)]
    pub fn report_info(&self, on: bool) {
        self.driver.handle(Input::ReportInfo(on));
    }

    /// A consent signal: `kind` is `"choice"` (the argument of `consent.set`, as JSON), `"gpc"` or
    /// `"mgdnt"` (`"true"`/`"false"`), or `"tcf"` (`{gdprApplies, ready, purposes, vendors}`).
    pub fn consent(&self, kind: &str, json: &str, request_id: String) {
        let value = json::parse(json).unwrap_or(Value::Null);
        let flag = value.as_bool() == Some(true);
        let ids = |key: &str| -> Vec<u32> {
            value.get(key).and_then(Value::as_array).map_or_else(Vec::new, |list| {
                list.iter().filter_map(|n| n.as_u64().and_then(|n| u32::try_from(n).ok())).collect()
            })
        };
        let input = match kind {
            "choice" => Input::ConsentChoice { choice: value.clone(), request_id },
            "gpc" => Input::Consent(Signal::Gpc(flag)),
            "mgdnt" => Input::Consent(Signal::MgDnt(flag)),
            "tcf" => Input::Consent(Signal::Tcf {
                gdpr_applies: value.get("gdprApplies").and_then(Value::as_bool).unwrap_or(true),
                ready: value.get("ready").and_then(Value::as_bool).unwrap_or(false),
                purposes: ids("purposes"),
                vendors: ids("vendors"),
            }),
            _ => return,
        };
        self.driver.handle(input);
    }

    /// The effective consent state: `"in"`, `"pending"` or `"out"`.
    #[wasm_bindgen(js_name = consentState)]
    pub fn consent_state(&self) -> String {
        self.driver.with_engine(|engine| engine.consent_state().as_str().to_owned())
    }

    /// Events waiting in the outbox.
    #[wasm_bindgen(js_name = heldCount)]
    pub fn held_count(&self) -> usize {
        self.driver.with_engine(|engine| engine.held_count())
    }
}
