//! The pure engine: storefront calls in, effects out.
//!
//! The engine never sees a `JsValue`, a clock, a random number or the network. The web shell turns
//! each page call into an [`Input`] (stamping the time and a fresh event id), calls
//! [`Engine::handle`], and carries out the returned [`Effect`]s (calling alloy, notifying
//! subscribers, logging diagnostics). Because all of that is outside, every behaviour here is tested
//! on the host with plain `cargo test`, deterministically.

pub mod config;
pub mod consent;
pub mod context;
pub mod diagnostic;
pub mod edge;
pub mod identity;
pub mod json;
pub mod method;
pub mod money;
pub mod outbox;
pub mod sha256;
pub mod time;
pub mod value;
pub mod xdm;

use std::rc::Rc;

use json::{Map, Value};

use config::{Destination, Routing};
use consent::{Consent, Signal};
use context::ContextStore;
use diagnostic::{Code, Diagnostic, Level};
use edge::{CookieWrite, EdgeConfig, Verdict};
use method::Method;
use outbox::{Entry, Limits, Outbox, State};
use xdm::{Outcome, PageFacts, Snapshot};

/// Most requests under way at once in direct mode (once the shopper has an identity).
pub const MAX_IN_FLIGHT: usize = 4;
/// Largest body sent with `fetch(…, {keepalive: true})`; browsers cap all keep-alive bodies of a
/// page at 64 KB together.
pub const KEEPALIVE_MAX_BYTES: usize = 16 * 1024;
/// Most events in one direct-mode request.
pub const MAX_BATCH_EVENTS: usize = 64;
/// Bytes of XDM one request is filled with (plus [`BATCH_EVENT_OVERHEAD`] per event), so that a
/// batch of ordinary events still fits [`KEEPALIVE_MAX_BYTES`] with its `meta` and identities.
pub const BATCH_MAX_BYTES: usize = KEEPALIVE_MAX_BYTES - 1536;
/// What sending adds to an event's XDM in a request body (`{"xdm":…}`, `identityMap`, `personID`).
pub const BATCH_EVENT_OVERHEAD: usize = 192;
/// A hand-off that alloy rejected is tried this many times in all.
pub const MAX_HAND_OFF_ATTEMPTS: u32 = 3;
/// While events wait, the saved outbox is refreshed this often so other pages see it is alive.
pub const HEARTBEAT_MS: f64 = outbox::STALE_AFTER_MS / 3.0;

/// One thing that happened on the page.
#[derive(Debug, Clone)]
pub enum Input {
    /// The page loaded: facts the engine needs before anything else.
    Start(Start),
    /// `context.setX(value)`: replace (or, with `None`, clear) the context `key` (`"pageContext"`).
    SetContext {
        /// Data-layer key.
        key: String,
        /// The new value; `None`/`null` clears.
        value: Option<Value>,
    },
    /// `publish.<method>(...args)`.
    Publish(Publish),
    /// The ECID read from the site's alloy (`getIdentity`), or `None` when it could not be read.
    IdentityResolved {
        /// The ECID, if any.
        ecid: Option<String>,
    },
    /// The site's alloy settled a `sendEvent` promise.
    HandOffSettled {
        /// The event's `_id`.
        event_id: String,
        /// `None` when it resolved; the rejection's message otherwise.
        error: Option<String>,
        /// Now, epoch ms.
        now_ms: f64,
        /// A random number in `[0, 1)` for backoff jitter.
        jitter: f64,
    },
    /// A direct-mode `fetch` finished (`status` 0: it failed at the network level).
    Response {
        /// The request's id, as in [`Effect::Fetch`].
        request_id: String,
        /// HTTP status, or 0 for a network failure.
        status: u16,
        /// The `Retry-After` header, if any.
        retry_after: Option<String>,
        /// The response body, if it could be read.
        body: Option<String>,
        /// Now, epoch ms.
        now_ms: f64,
        /// A random number in `[0, 1)` for backoff jitter.
        jitter: f64,
    },
    /// The answer of `navigator.sendBeacon` for an [`Effect::Beacon`].
    BeaconQueued {
        /// The request's id, as in [`Effect::Beacon`].
        request_id: String,
        /// Whether the browser took the beacon.
        accepted: bool,
    },
    /// A timer asked for with [`Effect::ScheduleTick`] fired (or the browser came back online).
    Tick {
        /// Now, epoch ms.
        now_ms: f64,
    },
    /// The page is being hidden or unloaded (`pagehide`): hand what we can to the browser.
    PageHidden {
        /// Now, epoch ms.
        now_ms: f64,
    },
    /// Save the outbox now (after [`Effect::ScheduleSave`], and right after `PageHidden`).
    Save {
        /// Now, epoch ms.
        now_ms: f64,
        /// Whether the page is going away (then another page may take the saved events over).
        closing: bool,
    },
    /// Whether info-level diagnostics (handed off, delivered, …) are wanted; errors and warnings
    /// are always reported.
    ReportInfo(bool),
    /// A consent signal from the page (GPC, `mg_dnt`, IAB TCF).
    Consent(Signal),
    /// The shopper's explicit choice through `consent.set(choice)`: `"in"`/`"out"`/`"pending"` or
    /// an Adobe 1.0/2.0 consent object.
    ConsentChoice {
        /// The choice as given.
        choice: Value,
        /// A fresh UUID, the request id of a `set-consent` call if one is made.
        request_id: String,
    },
    /// The page's apex domain, answering [`Effect::ProbeDomain`].
    Domain(String),
}

/// Facts from the page at start-up.
#[derive(Debug, Clone, Default)]
pub struct Start {
    /// Now, epoch ms.
    pub now_ms: f64,
    /// The storage key this page saves its outbox under (unique per page load).
    pub page_key: String,
    /// `document.cookie` as read at start-up.
    pub cookies: String,
    /// Outboxes saved by earlier pages: `(storage key, JSON)`.
    pub saved: Vec<(String, String)>,
    /// Outbox bounds.
    pub limits: Limits,
}

/// A publish call, stamped by the shell.
#[derive(Debug, Clone)]
pub struct Publish {
    /// The JavaScript method name (`"addToCart"`).
    pub method: String,
    /// The call's arguments, in order (positional extras, then the optional custom context).
    pub args: Vec<Value>,
    /// A fresh UUID for this event; used as `_id` unless `debugContext.eventId` is set.
    pub event_id: String,
    /// Publish time, epoch milliseconds; becomes `timestamp`.
    pub at_ms: f64,
    /// URL and referrer at publish time.
    pub page: PageFacts,
    /// Whether page code subscribed to this event (then a [`Effect::Notify`] is produced).
    pub notify: bool,
}

/// Something the shell must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Call the page's subscribers of the event published by `method` with `{event, eventInfo}`
    /// (the host knows each method's data-layer event name, `addToCart` → `add-to-cart`).
    Notify {
        /// The publish method (`"addToCart"`).
        method: &'static str,
        /// The state snapshot plus the call's extras and custom context, as JSON text.
        event_info: String,
    },
    /// Read the ECID from the site's alloy (`window[sdk_name]("getIdentity")`) and answer with
    /// [`Input::IdentityResolved`].
    ResolveIdentity {
        /// The alloy global's name.
        sdk_name: String,
    },
    /// Call `window[sdk_name]("sendEvent", {xdm})` and answer with [`Input::HandOffSettled`].
    HandOff {
        /// The alloy global's name.
        sdk_name: String,
        /// The publish method the event came from (`"pageView"`).
        method: String,
        /// The event's `_id`.
        event_id: String,
        /// The complete XDM payload.
        xdm: Map,
    },
    /// `fetch(url, {method: "POST", body, credentials: "include", keepalive})` with a `text/plain`
    /// body; answer with [`Input::Response`].
    Fetch {
        /// The request id (in the URL): the `_id` of the first event it carries, or the id of a
        /// consent request.
        request_id: String,
        /// The `_id`s of the events in the body, in order (none for a consent request).
        events: Vec<String>,
        /// The Edge URL.
        url: String,
        /// The JSON body.
        body: String,
        /// Whether to ask for `keepalive` (small bodies only).
        keepalive: bool,
    },
    /// `navigator.sendBeacon(url, body)`; answer with [`Input::BeaconQueued`] at once.
    Beacon {
        /// The request id: the `_id` of the first event it carries.
        request_id: String,
        /// The `_id`s of the events in the body, in order.
        events: Vec<String>,
        /// The Edge `collect` URL.
        url: String,
        /// The JSON body.
        body: String,
    },
    /// Write a cookie on the page's apex domain, as alloy does for `state:store`.
    SetCookie(CookieWrite),
    /// Call back with [`Input::Tick`] at this time (epoch ms); replaces any earlier request.
    ScheduleTick {
        /// When.
        at_ms: f64,
    },
    /// Call back with [`Input::Save`] soon (once the current burst of calls is over).
    ScheduleSave,
    /// `localStorage.setItem(key, json)`.
    Store {
        /// Storage key.
        key: String,
        /// Value.
        json: String,
    },
    /// `localStorage.removeItem(key)`.
    Unstore {
        /// Storage key.
        key: String,
    },
    /// Find the page's apex domain (alloy's cookie probe) and answer with [`Input::Domain`] at once.
    /// Asked only when a request is about to be made, so nothing is written before consent.
    ProbeDomain,
    /// Hand-off mode with `consent.alloy` on: `window[sdk_name]("setConsent", …)` with Adobe 1.0
    /// `general: in|out` (the reference's behaviour).
    AlloyConsent {
        /// The alloy global's name.
        sdk_name: String,
        /// `"in"` or `"out"`.
        general: &'static str,
    },
    /// Report a diagnostic to subscribers and (in debug mode) the console.
    Diagnose(Diagnostic),
}

/// What the engine knows of the shopper's ECID in hand-off mode.
#[derive(Debug, Clone, PartialEq)]
enum Ecid {
    Unknown,
    Requested,
    Known(Option<String>),
}

/// The collector's state machine. One per page.
#[derive(Debug)]
pub struct Engine {
    contexts: ContextStore,
    /// The contexts as JSON text, written for the first `eventInfo` after a change and reused by
    /// the next ones (every publish notifies; the state is most of each `eventInfo`).
    state_json: Option<String>,
    /// Shared so that the pump can hold it while it mutates the engine (a deep clone measured
    /// 300 B of wasm).
    routing: Rc<Routing>,
    outbox: Outbox,
    /// Hand-off mode: the ECID from the site's alloy.
    handoff_ecid: Ecid,
    /// Direct mode: the page's cookies (`name → value`) as we know them.
    cookies: Vec<(String, String)>,
    /// The page's apex domain, once probed.
    domain: Option<String>,
    consent: Consent,
    /// The consent state last acted on.
    consent_state: consent::State,
    /// The last explicit choice, as given (sent to the Edge when `consent.edge` is on).
    consent_choice: Option<(Value, String)>,
    consent_reported: bool,
    /// This page's storage key; empty until [`Input::Start`].
    page_key: String,
    /// Whether a snapshot of ours is in storage.
    stored: bool,
    save_scheduled: bool,
    last_saved_ms: f64,
    /// The time of the wake-up we last asked for.
    tick_at: Option<f64>,
    now_ms: f64,
    /// Events handed to the browser for good on `pagehide` (beacon or keep-alive fetch).
    handed_to_browser: Vec<String>,
    /// Direct-mode requests under way: request id → the events it carries.
    requests: Vec<(String, Vec<String>)>,
    /// The id of a `set-consent` request under way (it counts against the one-request limit
    /// until the shopper has an identity, since its answer may mint one).
    consent_request: Option<String>,
    /// A publish arrived in this task: direct mode waits for the end of the task (a zero-delay
    /// tick) so that a burst of publishes goes out as one request.
    burst_open: bool,
    awaiting_reported: bool,
    report_info: bool,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    /// A fresh engine with no contexts.
    pub fn new() -> Self {
        let contexts = ContextStore::default();
        let routing = Rc::new(config::routing(&contexts));
        Engine {
            contexts,
            state_json: None,
            routing,
            outbox: Outbox::default(),
            handoff_ecid: Ecid::Unknown,
            cookies: Vec::new(),
            domain: None,
            consent: Consent::default(),
            consent_state: consent::State::In,
            consent_choice: None,
            consent_reported: false,
            page_key: String::new(),
            stored: false,
            save_scheduled: false,
            last_saved_ms: 0.0,
            tick_at: None,
            now_ms: 0.0,
            handed_to_browser: Vec::new(),
            requests: Vec::new(),
            consent_request: None,
            burst_open: false,
            awaiting_reported: false,
            report_info: true,
        }
    }

    /// The context `key`, if set (for `context.getX()`).
    pub fn context(&self, key: &str) -> Option<&Value> {
        self.contexts.get(key)
    }

    /// The whole context state as JSON text (for `context.getContext()`).
    pub fn state_to_json(&self) -> String {
        self.contexts.to_json()
    }

    /// The effective consent state.
    pub fn consent_state(&self) -> consent::State {
        self.consent.state()
    }

    /// How many events wait in the outbox (not yet delivered).
    pub fn held_count(&self) -> usize {
        self.outbox.len()
    }

    /// Feeds one input and returns what the shell must do, in order.
    pub fn handle(&mut self, input: Input) -> Vec<Effect> {
        let mut effects = Vec::new();
        match input {
            Input::Start(start) => self.start(start, &mut effects),
            Input::SetContext { key, value } => self.set_context(&key, value, &mut effects),
            Input::Publish(publish) => self.publish(publish, &mut effects),
            Input::IdentityResolved { ecid } => {
                if ecid.as_deref().is_none_or(|e| !identity::is_valid_ecid(e)) {
                    effects.push(Effect::Diagnose(Diagnostic::new(
                        Level::Warning,
                        Code::IdentityUnavailable,
                        "",
                        "",
                        "the ECID could not be read from alloy; events are sent without ECID and personID",
                    )));
                }
                self.handoff_ecid = Ecid::Known(ecid);
            }
            Input::HandOffSettled { event_id, error, now_ms, jitter } => {
                self.now_ms = self.now_ms.max(now_ms);
                self.hand_off_settled(&event_id, error, jitter, &mut effects);
            }
            Input::Response { request_id, status, retry_after, body, now_ms, jitter } => {
                self.now_ms = self.now_ms.max(now_ms);
                self.response(&request_id, status, retry_after.as_deref(), body.as_deref(), jitter, &mut effects);
            }
            Input::BeaconQueued { request_id, accepted } => {
                for event_id in self.take_request(&request_id) {
                    if accepted {
                        if let Some(entry) = self.outbox.remove(&event_id) {
                            self.handed_to_browser.push(event_id);
                            self.info(
                                &mut effects,
                                Code::Delivered,
                                &entry,
                                "sent with sendBeacon as the page was hidden",
                            );
                        }
                    } else if let Some(entry) = self.outbox.get_mut(&event_id) {
                        entry.state = State::Queued;
                    }
                }
                self.changed(&mut effects);
                // The page is going away: a refused beacon's events stay for the next page (a
                // fetch now could succeed after the closing snapshot listed them: a duplicate).
                return effects;
            }
            Input::Tick { now_ms } => {
                self.now_ms = self.now_ms.max(now_ms);
                self.tick_at = None;
                self.burst_open = false;
                if !self.outbox.is_empty() && self.now_ms - self.last_saved_ms >= HEARTBEAT_MS {
                    self.changed(&mut effects);
                }
            }
            Input::PageHidden { now_ms } => {
                self.now_ms = self.now_ms.max(now_ms);
                self.page_hidden(&mut effects);
                return effects;
            }
            Input::Save { now_ms, closing } => {
                self.now_ms = self.now_ms.max(now_ms);
                self.save(closing, &mut effects);
                return effects;
            }
            Input::ReportInfo(on) => self.report_info = on,
            Input::Consent(signal) => self.consent.signal(signal),
            Input::ConsentChoice { choice, request_id } => match consent::decode_choice(&choice) {
                Some(state) => {
                    self.consent.signal(Signal::Explicit(state));
                    self.consent_choice = Some((choice, request_id));
                }
                None => effects.push(Effect::Diagnose(Diagnostic::new(
                    Level::Error,
                    Code::InvalidArgument,
                    "",
                    "consent",
                    "consent.set takes \"in\", \"out\", \"pending\" or an Adobe 1.0/2.0 consent object",
                ))),
            },
            Input::Domain(domain) => self.domain = Some(domain),
        }
        self.pump(&mut effects);
        effects
    }

    fn start(&mut self, start: Start, effects: &mut Vec<Effect>) {
        self.now_ms = self.now_ms.max(start.now_ms);
        self.page_key = start.page_key;
        self.cookies = parse_cookies(&start.cookies);
        self.outbox = Outbox::new(start.limits);
        let mut restored = 0usize;
        for (key, json) in start.saved {
            match outbox::read_snapshot(&json, self.now_ms) {
                Some(saved) if !saved.claimable => continue,
                Some(saved) => {
                    for entry in saved.entries {
                        let (added, evicted) = self.outbox.push(entry);
                        restored += usize::from(added);
                        self.report_evicted(evicted, effects);
                    }
                }
                None => {}
            }
            effects.push(Effect::Unstore { key });
        }
        if restored > 0 {
            let mut message = String::new();
            json::push_uint(&mut message, restored as u64);
            message.push_str(" undelivered events from an earlier page were restored");
            self.diagnose_info(effects, Code::Restored, "", "", message);
            self.changed(effects);
        }
    }

    fn set_context(&mut self, key: &str, value: Option<Value>, effects: &mut Vec<Effect>) {
        self.contexts.set(key, value);
        self.state_json = None;
        if key == "aepContext" {
            let config = self.contexts.get("aepContext").and_then(|a| value::at(a, "consent"));
            let (settings, bad) = consent::Settings::from_json(config);
            for path in bad {
                let mut full = String::from("aepContext.");
                full.push_str(path);
                effects.push(Effect::Diagnose(Diagnostic::new(
                    Level::Warning,
                    Code::InvalidConfiguration,
                    "",
                    &full,
                    "not understood; the default is used",
                )));
            }
            self.consent.configure(settings);
            // Events published before the configuration said hashEmail still hold the address.
            let hash = self.contexts.get("aepContext").and_then(|a| value::at(a, "hashEmail"));
            if hash.and_then(Value::as_bool) == Some(true) && self.outbox.rewrite_waiting(identity::hash_email) {
                self.changed(effects);
            }
        }
        if key == "aepContext" || key == "eventForwardingContext" {
            let routing = config::routing(&self.contexts);
            if routing != *self.routing {
                self.awaiting_reported = false;
                if matches!(routing, Routing::Deliver(Destination::HandOff { .. })) {
                    // Another alloy instance may know another ECID: ask again.
                    self.handoff_ecid = Ecid::Unknown;
                }
                self.routing = Rc::new(routing);
            }
        }
    }

    fn publish(&mut self, call: Publish, effects: &mut Vec<Effect>) {
        self.now_ms = self.now_ms.max(call.at_ms);
        let Some(method) = method::find(&call.method) else {
            effects.push(Effect::Diagnose(Diagnostic::new(
                Level::Error,
                Code::UnknownMethod,
                &call.method,
                "",
                "unknown publish method",
            )));
            return;
        };
        let (extras, custom_arg) = split_args(method, call.args, effects);
        if call.notify {
            effects.push(Effect::Notify { method: method.name, event_info: self.event_info(&extras, &custom_arg) });
        }
        let state_custom = self.contexts.get("customContext").and_then(Value::as_object);
        let custom = match &custom_arg {
            Some(Value::Object(map)) => Some(map),
            _ => state_custom,
        };
        let snapshot = Snapshot { method, contexts: &self.contexts, custom, extras: &extras, page: &call.page };
        let (mut xdm, warnings) = match xdm::build(&snapshot) {
            Outcome::Built { xdm, warnings } => (xdm, warnings),
            Outcome::NotForwarded => {
                if self.report_info {
                    effects.push(Effect::Diagnose(
                        Diagnostic::new(
                            Level::Info,
                            Code::NotForwarded,
                            method.name,
                            "",
                            "this event is published to subscribers only; it has no Experience Platform event type",
                        )
                        .with_event_id(&call.event_id),
                    ));
                }
                return;
            }
            Outcome::Dropped(d) => {
                effects.push(Effect::Diagnose(d.with_event_id(&call.event_id)));
                return;
            }
        };
        let event_id = self
            .contexts
            .get("debugContext")
            .and_then(|d| value::str_at(d, "eventId"))
            .map_or(call.event_id, str::to_owned);
        for w in warnings {
            effects.push(Effect::Diagnose(w.with_event_id(&event_id)));
        }
        xdm.insert("_id", Value::String(event_id.clone()));
        xdm.insert("timestamp", Value::String(time::iso8601(call.at_ms)));
        if xdm.get("channel").is_none_or(Value::is_null) {
            if let Some(channel) = self.contexts.get("channelContext") {
                xdm.insert("channel", channel.clone());
            }
        }
        let aep = self.contexts.get("aepContext");
        let mut custom_identity_map = aep.and_then(|a| value::at(a, "identityMap")).cloned();
        if aep.and_then(|a| value::at(a, "hashEmail")).and_then(Value::as_bool) == Some(true) {
            let _ = identity::hash_email(&mut xdm, &mut custom_identity_map);
        }
        let entry = Entry::new(event_id, method.name.to_owned(), xdm, custom_identity_map, call.at_ms);
        if self.consent.state() == consent::State::Out {
            self.consent_drop(&entry, effects);
            return;
        }
        if matches!(*self.routing, Routing::Disabled) {
            self.forwarding_disabled(&entry, effects);
            return;
        }
        let (added, evicted) = self.outbox.push(entry);
        if !added {
            effects.push(Effect::Diagnose(Diagnostic::new(
                Level::Warning,
                Code::Duplicate,
                method.name,
                "debugContext.eventId",
                "an event with this _id is already waiting; the duplicate was not queued",
            )));
        }
        self.report_evicted(evicted, effects);
        self.burst_open = true;
        self.changed(effects);
    }

    /// `{...state, ...extras, customContext?}` as the reference's subscribers see it, as JSON text.
    /// Most events have neither extras nor a custom context: their `eventInfo` is the state's
    /// text, written once per change of the contexts and reused.
    fn event_info(&mut self, extras: &Map, custom_arg: &Option<Value>) -> String {
        let contexts = &self.contexts;
        if extras.is_empty() && custom_arg.is_none() {
            return self.state_json.get_or_insert_with(|| contexts.to_json()).clone();
        }
        let mut info = contexts.state();
        for (k, v) in extras.iter() {
            info.insert(k, v.clone());
        }
        if let Some(custom) = custom_arg {
            info.insert("customContext", custom.clone());
        }
        info.to_json()
    }

    /// Sends what can be sent now, and asks for a wake-up for what must wait.
    fn pump(&mut self, effects: &mut Vec<Effect>) {
        self.expire(effects);
        if !self.consent_allows(effects) {
            self.schedule(effects);
            return;
        }
        match &*Rc::clone(&self.routing) {
            Routing::Awaiting(reason) => {
                if !self.awaiting_reported && !self.outbox.is_empty() {
                    self.awaiting_reported = true;
                    effects.push(Effect::Diagnose(reason.clone()));
                }
            }
            Routing::Disabled => {
                for entry in self.outbox.drain_waiting() {
                    self.forwarding_disabled(&entry, effects);
                }
                self.changed(effects);
            }
            Routing::Deliver(Destination::HandOff { sdk_name }) => self.pump_hand_off(sdk_name, effects),
            Routing::Deliver(Destination::Direct(config)) => self.pump_direct(config, effects),
        }
        self.schedule(effects);
    }

    fn pump_hand_off(&mut self, sdk_name: &str, effects: &mut Vec<Effect>) {
        let ecid = match &self.handoff_ecid {
            Ecid::Unknown => {
                if !self.outbox.is_empty() {
                    self.handoff_ecid = Ecid::Requested;
                    effects.push(Effect::ResolveIdentity { sdk_name: sdk_name.to_owned() });
                }
                return;
            }
            Ecid::Requested => return,
            Ecid::Known(ecid) => ecid.clone(),
        };
        for id in self.outbox.due_ids(self.now_ms) {
            let Some(entry) = self.outbox.get_mut(&id) else { continue };
            entry.state = State::InFlight;
            let (method, xdm) = (entry.method.clone(), finalize(entry, ecid.as_deref(), effects));
            effects.push(Effect::HandOff { sdk_name: sdk_name.to_owned(), method, event_id: id, xdm });
        }
    }

    fn pump_direct(&mut self, config: &EdgeConfig, effects: &mut Vec<Effect>) {
        if !self.outbox.has_due(self.now_ms) && self.consent_choice.is_none() {
            return;
        }
        if self.burst_open {
            // More publishes may follow in this task: send them together at its end.
            if self.tick_at.is_none_or(|at| at > self.now_ms) {
                self.tick_at = Some(self.now_ms);
                effects.push(Effect::ScheduleTick { at_ms: self.now_ms });
            }
            return;
        }
        if self.domain.is_none() {
            // The shell answers with Input::Domain before this returns; the next pump sends.
            effects.push(Effect::ProbeDomain);
            return;
        }
        self.send_consent_to_edge(config, effects);
        let ecid = self.direct_ecid(config);
        // Until the shopper has an identity, one request at a time (a set-consent request
        // included): its answer mints the identity cookie the others need, so that the Edge does
        // not mint one ECID per request (alloy does the same).
        let limit = if ecid.is_some() { MAX_IN_FLIGHT } else { 1 };
        let hint = self.cookie(&config.cookie_name("cluster")).map(str::to_owned);
        let state = self.meta_state(config, false);
        while self.requests.len() + usize::from(self.consent_request.is_some()) < limit {
            let Some((request_id, events, body)) = self.next_batch(config, ecid.as_deref(), &state, effects) else {
                break;
            };
            let url = config.url("interact", hint.as_deref(), &request_id);
            let keepalive = body.len() <= KEEPALIVE_MAX_BYTES;
            for id in &events {
                if let Some(entry) = self.outbox.get_mut(id) {
                    entry.keepalive = keepalive;
                }
            }
            self.requests.push((request_id.clone(), events.clone()));
            effects.push(Effect::Fetch { keepalive, request_id, events, url, body });
        }
    }

    /// Marks the next batch of due events in flight and builds its request body: `(request id,
    /// event ids, body)`, or `None` when nothing is due.
    fn next_batch(
        &mut self,
        config: &EdgeConfig,
        ecid: Option<&str>,
        state: &str,
        effects: &mut Vec<Effect>,
    ) -> Option<(String, Vec<String>, String)> {
        let ids = self.outbox.due_batch(self.now_ms, MAX_BATCH_EVENTS, BATCH_MAX_BYTES, BATCH_EVENT_OVERHEAD);
        let mut events = String::new();
        let mut oldest_ms = self.now_ms;
        for id in &ids {
            if let Some(entry) = self.outbox.get_mut(id) {
                entry.state = State::InFlight;
                oldest_ms = oldest_ms.min(entry.published_ms);
                edge::push_event(&mut events, &finalize(entry, ecid, effects));
            }
        }
        let request_id = ids.first()?.clone();
        let body = edge::request_body(config, &events, state, self.now_ms - oldest_ms);
        Some((request_id, ids, body))
    }

    /// Forgets the request `request_id` and returns the events it carried (none if unknown).
    fn take_request(&mut self, request_id: &str) -> Vec<String> {
        match self.requests.iter().position(|(id, _)| id == request_id) {
            Some(i) => self.requests.swap_remove(i).1,
            None => Vec::new(),
        }
    }

    #[inline(never)]
    fn direct_ecid(&self, config: &EdgeConfig) -> Option<String> {
        self.cookie(&config.cookie_name("identity")).and_then(edge::decode_identity_cookie)
    }

    /// `meta.state` for this page's requests (see [`edge::meta_state`]).
    fn meta_state(&self, config: &EdgeConfig, always_entries: bool) -> String {
        edge::meta_state(config, self.domain.as_deref().unwrap_or_default(), &self.cookies, always_entries)
    }

    /// Acts on the consent state: `out` drops every waiting event, `pending` keeps them; returns
    /// whether sending may go on.
    fn consent_allows(&mut self, effects: &mut Vec<Effect>) -> bool {
        if let Routing::Deliver(Destination::Direct(config)) = &*self.routing {
            let cookie = self.cookie(&config.cookie_name("consent")).map(str::to_owned);
            self.consent.signal(Signal::EdgeCookie(cookie));
        }
        let state = self.consent.state();
        if state != self.consent_state {
            self.consent_state = state;
            self.consent_reported = false;
            let mut message = String::from("consent is now ");
            message.push_str(state.as_str());
            message.push_str(" (");
            message.push_str(self.consent.source());
            message.push(')');
            self.diagnose_info(effects, Code::ConsentChanged, "", "", message);
            if self.consent.settings().apply_to_alloy && state != consent::State::Pending {
                if let Routing::Deliver(Destination::HandOff { sdk_name }) = &*self.routing {
                    effects.push(Effect::AlloyConsent { sdk_name: sdk_name.clone(), general: state.as_str() });
                }
            }
        }
        match state {
            consent::State::In => true,
            consent::State::Pending => {
                if !self.consent_reported && !self.outbox.is_empty() {
                    self.consent_reported = true;
                    self.diagnose_info(
                        effects,
                        Code::ConsentPending,
                        "",
                        "",
                        String::from("events are kept until the shopper consents"),
                    );
                }
                // In direct mode the choice itself may still go to the Edge.
                self.consent_to_edge_if_configured(effects);
                false
            }
            consent::State::Out => {
                for entry in self.outbox.drain_waiting() {
                    self.consent_drop(&entry, effects);
                }
                self.consent_to_edge_if_configured(effects);
                self.changed(effects);
                false
            }
        }
    }

    /// Direct mode: sends a pending explicit choice to the Edge (probing the domain first).
    fn consent_to_edge_if_configured(&mut self, effects: &mut Vec<Effect>) {
        let routing = Rc::clone(&self.routing);
        let Routing::Deliver(Destination::Direct(config)) = &*routing else { return };
        if !self.consent.settings().send_to_edge || self.consent_choice.is_none() {
            return;
        }
        if self.domain.is_none() {
            effects.push(Effect::ProbeDomain);
            return;
        }
        self.send_consent_to_edge(config, effects);
    }

    /// Direct mode with `consent.edge` on: posts the shopper's latest explicit choice to
    /// `/privacy/set-consent` once, in the standard the page used (Adobe 1.0 for plain in/out).
    fn send_consent_to_edge(&mut self, config: &EdgeConfig, effects: &mut Vec<Effect>) {
        if !self.consent.settings().send_to_edge {
            return;
        }
        if self.consent_request.is_some() || (self.direct_ecid(config).is_none() && !self.requests.is_empty()) {
            // Wait for the request under way: a consent answer must not overtake an earlier one,
            // and without an identity the answer brings the one this request should use.
            return;
        }
        let Some((choice, request_id)) = self.consent_choice.take() else { return };
        self.consent_request = Some(request_id.clone());
        let state = self.meta_state(config, true);
        let body = edge::consent_body(&choice, &state);
        let hint = self.cookie(&config.cookie_name("cluster")).map(str::to_owned);
        let url = config.url("privacy/set-consent", hint.as_deref(), &request_id);
        effects.push(Effect::Fetch { request_id, events: Vec::new(), url, body, keepalive: true });
    }

    fn consent_drop(&self, entry: &Entry, effects: &mut Vec<Effect>) {
        let mut message = String::from("the shopper has not consented (");
        message.push_str(self.consent.source());
        message.push_str("); the event was dropped and nothing was sent");
        effects.push(Effect::Diagnose(
            Diagnostic::new(Level::Info, Code::ConsentOut, &entry.method, "", message.as_str())
                .with_event_id(&entry.id),
        ));
    }

    fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn response(
        &mut self,
        request_id: &str,
        status: u16,
        retry_after: Option<&str>,
        body: Option<&str>,
        jitter: f64,
        effects: &mut Vec<Effect>,
    ) {
        if let Some(handles) = body.and_then(edge::parse_response) {
            for cookie in handles.cookies {
                // Every earlier value of it goes (a page may hold one per path), then the new one
                // goes last. (A search per copy: cheaper in code than `retain`, and there are few.)
                while let Some(at) = self.cookies.iter().position(|(k, _)| *k == cookie.key) {
                    self.cookies.remove(at);
                }
                self.cookies.push((cookie.key.clone(), cookie.value.clone()));
                effects.push(Effect::SetCookie(cookie));
            }
            if !handles.errors.is_empty() {
                effects.push(Effect::Diagnose(
                    Diagnostic::new(Level::Warning, Code::EdgeWarning, "", "", handles.errors.as_str())
                        .with_event_id(request_id),
                ));
            }
        }
        if self.consent_request.as_deref() == Some(request_id) {
            self.consent_request = None;
        }
        let events = self.take_request(request_id);
        let alone = events.len() == 1;
        for event_id in events {
            self.event_answered(&event_id, status, retry_after, body, jitter, alone, effects);
        }
        self.changed(effects);
    }

    /// Acts on the answer to the request that carried `event_id`: done, retry later, or give up.
    #[allow(clippy::too_many_arguments)]
    fn event_answered(
        &mut self,
        event_id: &str,
        status: u16,
        retry_after: Option<&str>,
        body: Option<&str>,
        jitter: f64,
        alone: bool,
        effects: &mut Vec<Effect>,
    ) {
        let Some(entry) = self.outbox.get_mut(event_id) else { return };
        let attempt = entry.attempts;
        match edge::verdict(status, retry_after, attempt, jitter) {
            Verdict::Delivered => {
                if let Some(entry) = self.outbox.remove(event_id) {
                    self.info(effects, Code::Delivered, &entry, "the Edge accepted the event");
                }
            }
            Verdict::Retry(wait_ms) => {
                entry.attempts += 1;
                entry.state = State::RetryAt(self.now_ms + wait_ms);
                if self.report_info {
                    let mut message = String::from(if status == 0 { "network failure" } else { "the Edge answered " });
                    if status != 0 {
                        json::push_uint(&mut message, u64::from(status));
                    }
                    message.push_str("; retrying in ");
                    json::push_uint(&mut message, wait_ms.round() as u64);
                    message.push_str(" ms");
                    let d = Diagnostic::new(Level::Info, Code::Retrying, &entry.method, "", message.as_str())
                        .with_event_id(event_id);
                    effects.push(Effect::Diagnose(d));
                }
            }
            // One bad event makes the Edge refuse its whole request: retry each of them alone
            // (no attempt counted), and drop only the event refused by itself.
            Verdict::Rejected(_) if !alone => {
                entry.state = State::Queued;
                entry.solo = true;
            }
            Verdict::Rejected(reason) => {
                if let Some(entry) = self.outbox.remove(event_id) {
                    let mut message = reason;
                    if let Some(detail) = body.and_then(problem_title) {
                        message.push_str(": ");
                        message.push_str(&detail);
                    }
                    effects.push(Effect::Diagnose(
                        Diagnostic::new(Level::Error, Code::DeliveryFailed, &entry.method, "", message.as_str())
                            .with_event_id(event_id),
                    ));
                }
            }
        }
    }

    fn hand_off_settled(&mut self, event_id: &str, error: Option<String>, jitter: f64, effects: &mut Vec<Effect>) {
        match error {
            None => {
                if let Some(entry) = self.outbox.remove(event_id) {
                    self.info(effects, Code::HandedOff, &entry, "alloy accepted the event");
                }
            }
            Some(mut message) => {
                if message.is_empty() {
                    // alloy (or page code) may reject with "" or a blank error: still say what happened.
                    message.push_str("alloy rejected the event");
                }
                let now = self.now_ms;
                let Some(entry) = self.outbox.get_mut(event_id) else { return };
                entry.attempts += 1;
                if entry.attempts >= MAX_HAND_OFF_ATTEMPTS {
                    if let Some(entry) = self.outbox.remove(event_id) {
                        let mut text = String::from("alloy rejected the event ");
                        json::push_uint(&mut text, u64::from(MAX_HAND_OFF_ATTEMPTS));
                        text.push_str(" times; last: ");
                        text.push_str(&message);
                        effects.push(Effect::Diagnose(
                            Diagnostic::new(
                                Level::Error,
                                Code::DeliveryFailed,
                                &entry.method,
                                "aepContext.webSdkName",
                                text.as_str(),
                            )
                            .with_event_id(event_id),
                        ));
                    }
                } else {
                    let wait = match edge::verdict(0, None, entry.attempts, jitter) {
                        Verdict::Retry(ms) => ms,
                        _ => 1000.0,
                    };
                    entry.state = State::RetryAt(now + wait);
                    let d = Diagnostic::new(
                        Level::Warning,
                        Code::Retrying,
                        &entry.method,
                        "aepContext.webSdkName",
                        message.as_str(),
                    )
                    .with_event_id(event_id);
                    effects.push(Effect::Diagnose(d));
                }
            }
        }
        self.changed(effects);
    }

    /// `pagehide`: in direct mode, hand every waiting event to `sendBeacon` (once the shopper has an
    /// identity, as alloy does); keep-alive requests under way will finish without us.
    fn page_hidden(&mut self, effects: &mut Vec<Effect>) {
        let routing = Rc::clone(&self.routing);
        let Routing::Deliver(Destination::Direct(config)) = &*routing else { return };
        // Keep-alive requests under way outlive the page: the next page must not send them again.
        for entry in self.outbox.iter() {
            if entry.state == State::InFlight && entry.keepalive {
                self.handed_to_browser.push(entry.id.clone());
            }
        }
        if self.consent.state() != consent::State::In || self.domain.is_none() {
            return;
        }
        let Some(ecid) = self.direct_ecid(config) else { return };
        let hint = self.cookie(&config.cookie_name("cluster")).map(str::to_owned);
        let state = self.meta_state(config, false);
        // Everything waiting goes, retries included: the page will not be there to retry.
        for entry in self.outbox.iter_mut().filter(|e| e.state != State::InFlight) {
            entry.state = State::Queued;
        }
        while let Some((request_id, events, body)) = self.next_batch(config, Some(&ecid), &state, effects) {
            let url = config.url("collect", hint.as_deref(), &request_id);
            self.requests.push((request_id.clone(), events.clone()));
            effects.push(Effect::Beacon { request_id, events, url, body });
        }
    }

    fn save(&mut self, closing: bool, effects: &mut Vec<Effect>) {
        self.save_scheduled = false;
        self.last_saved_ms = self.now_ms;
        if self.page_key.is_empty() {
            return;
        }
        // Nothing to keep (no event, or all of them handed to the browser): remove ours.
        if self.outbox.iter().all(|e| self.handed_to_browser.contains(&e.id)) {
            if self.stored {
                self.stored = false;
                effects.push(Effect::Unstore { key: self.page_key.clone() });
            }
            return;
        }
        self.stored = true;
        let json = self.outbox.snapshot(self.now_ms, closing, &self.handed_to_browser);
        effects.push(Effect::Store { key: self.page_key.clone(), json });
    }

    /// The outbox changed: ask for a save (once per burst).
    fn changed(&mut self, effects: &mut Vec<Effect>) {
        if !self.save_scheduled && !self.page_key.is_empty() {
            self.save_scheduled = true;
            effects.push(Effect::ScheduleSave);
        }
    }

    /// Asks for a wake-up at the next retry (or heartbeat) time, if that changed.
    fn schedule(&mut self, effects: &mut Vec<Effect>) {
        let heartbeat = (!self.outbox.is_empty()).then_some(self.last_saved_ms.max(self.now_ms) + HEARTBEAT_MS);
        // A retry already due was held back by the pump (every request slot busy, consent,
        // configuration): the input that frees it pumps again. A wake-up in the past would only
        // spin the page's timer loop until then.
        let retry = self.outbox.next_retry().filter(|at| *at > self.now_ms);
        let wanted = match (retry, heartbeat) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if let Some(at) = wanted {
            if self.tick_at.is_none_or(|current| at < current) {
                self.tick_at = Some(at);
                effects.push(Effect::ScheduleTick { at_ms: at });
            }
        }
    }

    /// Drops events too old to send.
    fn expire(&mut self, effects: &mut Vec<Effect>) {
        let now = self.now_ms;
        let mut expired = Vec::new();
        for e in self.outbox.iter() {
            if e.state != State::InFlight && now - e.published_ms > outbox::MAX_AGE_MS {
                expired.push(e.id.clone());
            }
        }
        for id in expired {
            if let Some(entry) = self.outbox.remove(&id) {
                effects.push(Effect::Diagnose(
                    Diagnostic::new(
                        Level::Error,
                        Code::Expired,
                        &entry.method,
                        "",
                        "the event waited over 7 days and was dropped",
                    )
                    .with_event_id(&id),
                ));
            }
        }
    }

    fn report_evicted(&self, evicted: Vec<Entry>, effects: &mut Vec<Effect>) {
        for entry in evicted {
            effects.push(Effect::Diagnose(
                Diagnostic::new(
                    Level::Error,
                    Code::QueueFull,
                    &entry.method,
                    "",
                    "the outbox is full (count or bytes); the oldest waiting event was dropped",
                )
                .with_event_id(&entry.id),
            ));
        }
    }

    fn forwarding_disabled(&self, entry: &Entry, effects: &mut Vec<Effect>) {
        if self.report_info {
            effects.push(Effect::Diagnose(
                Diagnostic::new(
                    Level::Info,
                    Code::ForwardingDisabled,
                    &entry.method,
                    "eventForwardingContext.aep",
                    "AEP forwarding is off; the event is not sent to Experience Platform",
                )
                .with_event_id(&entry.id),
            ));
        }
    }

    fn info(&self, effects: &mut Vec<Effect>, code: Code, entry: &Entry, message: &str) {
        if self.report_info {
            effects.push(Effect::Diagnose(
                Diagnostic::new(Level::Info, code, &entry.method, "", message).with_event_id(&entry.id),
            ));
        }
    }

    fn diagnose_info(&self, effects: &mut Vec<Effect>, code: Code, event: &str, path: &str, message: String) {
        if self.report_info {
            effects.push(Effect::Diagnose(Diagnostic::new(Level::Info, code, event, path, message.as_str())));
        }
    }
}

/// The XDM to send for `entry`: its payload plus `personID`/`identityMap` for `ecid`.
fn finalize(entry: &Entry, ecid: Option<&str>, effects: &mut Vec<Effect>) -> Map {
    let mut xdm = entry.xdm.clone();
    let mut diagnostics = Vec::new();
    identity::apply(&mut xdm, entry.custom_identity_map.as_ref(), ecid, &entry.method, &mut diagnostics);
    for d in diagnostics {
        effects.push(Effect::Diagnose(d.with_event_id(&entry.id)));
    }
    xdm
}

/// The `title` (and `detail`) of an RFC 7807 problem body.
fn problem_title(body: &str) -> Option<String> {
    let problem = json::parse(body).ok()?;
    let title = value::str_at(&problem, "title")?;
    Some(match value::str_at(&problem, "detail") {
        Some(detail) => {
            let mut text = title.to_owned();
            text.push_str(" (");
            text.push_str(detail);
            text.push(')');
            text
        }
        None => title.to_owned(),
    })
}

/// `document.cookie` → `(name, value)` pairs.
fn parse_cookies(cookies: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for pair in value::pieces(cookies, b';') {
        if let Some((name, value)) = value::split_at_byte(pair, b'=') {
            pairs.push((name.trim_ascii().to_owned(), value.trim_ascii().to_owned()));
        }
    }
    pairs
}

/// Splits publish arguments into named positional extras and the optional custom context.
fn split_args(method: &'static Method, mut args: Vec<Value>, effects: &mut Vec<Effect>) -> (Map, Option<Value>) {
    let custom = if args.len() > method.extras.len() { args.drain(method.extras.len()..).next() } else { None };
    let mut extras = Map::new();
    for (name, v) in method.extras.iter().zip(args) {
        extras.insert(name, v);
    }
    let custom = match custom {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => Some(v),
        Some(_) => {
            effects.push(Effect::Diagnose(Diagnostic::new(
                Level::Warning,
                Code::InvalidArgument,
                method.name,
                "customContext",
                "the custom context argument must be an object; it is ignored",
            )));
            None
        }
    };
    (extras, custom)
}
