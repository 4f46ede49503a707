//! The pure engine: storefront calls in, effects out.
//!
//! The engine never sees a `JsValue`, a clock, a random number or the network. The web shell turns
//! each page call into an [`Input`] (stamping the time and a fresh event id), calls
//! [`Engine::handle`], and carries out the returned [`Effect`]s (calling alloy, notifying
//! subscribers, logging diagnostics). Because all of that is outside, every behaviour here is tested
//! on the host with plain `cargo test`, deterministically.

pub mod config;
pub mod context;
pub mod diagnostic;
pub mod edge;
pub mod identity;
pub mod method;
pub mod money;
pub mod outbox;
pub mod time;
pub mod value;
pub mod xdm;

use std::collections::VecDeque;

use serde_json::{Map, Value};

use config::{Destination, Routing};
use context::ContextStore;
use diagnostic::{Code, Diagnostic, Level};
use method::Method;
use xdm::{Outcome, PageFacts, Snapshot};

/// Most events kept while AEP forwarding is not configured or the ECID is being read. Past it the
/// oldest is dropped, with a diagnostic.
pub const MAX_HELD_EVENTS: usize = 1000;

/// One thing that happened on the page.
#[derive(Debug, Clone)]
pub enum Input {
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
    /// Call the page's subscribers of `event` with `{event, eventInfo}`.
    Notify {
        /// Data-layer event name (`"add-to-cart"`).
        event: &'static str,
        /// The state snapshot plus the call's extras and custom context.
        event_info: Map<String, Value>,
    },
    /// Read the ECID from the site's alloy (`window[sdk_name]("getIdentity")`) and answer with
    /// [`Input::IdentityResolved`].
    ResolveIdentity {
        /// The alloy global's name.
        sdk_name: String,
    },
    /// Call `window[sdk_name]("sendEvent", {xdm})`.
    HandOff {
        /// The alloy global's name.
        sdk_name: String,
        /// The publish method the event came from (`"pageView"`).
        method: &'static str,
        /// The event's `_id`.
        event_id: String,
        /// The complete XDM payload.
        xdm: Map<String, Value>,
    },
    /// Report a diagnostic to subscribers and (in debug mode) the console.
    Diagnose(Diagnostic),
}

/// An event whose XDM is built but which is not delivered yet.
#[derive(Debug, Clone)]
struct Held {
    method: &'static str,
    event_id: String,
    xdm: Map<String, Value>,
    /// `aepContext.identityMap` at publish time.
    custom_identity_map: Option<Value>,
}

/// What the engine knows of the shopper's ECID.
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
    routing: Routing,
    /// Events waiting for configuration or for the ECID, oldest first.
    held: VecDeque<Held>,
    ecid: Ecid,
    /// Whether the "awaiting configuration" diagnostic was already reported for the current reason.
    awaiting_reported: bool,
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
        let routing = config::routing(&contexts);
        Engine { contexts, routing, held: VecDeque::new(), ecid: Ecid::Unknown, awaiting_reported: false }
    }

    /// The context `key`, if set (for `context.getX()`).
    pub fn context(&self, key: &str) -> Option<&Value> {
        self.contexts.get(key)
    }

    /// The whole context state (for `context.getContext()`).
    pub fn state(&self) -> Map<String, Value> {
        self.contexts.state()
    }

    /// How many events are held (waiting for configuration or the ECID).
    pub fn held_count(&self) -> usize {
        self.held.len()
    }

    /// Feeds one input and returns what the shell must do, in order.
    pub fn handle(&mut self, input: Input) -> Vec<Effect> {
        let mut effects = Vec::new();
        match input {
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
                self.ecid = Ecid::Known(ecid);
                self.release(&mut effects);
            }
        }
        effects
    }

    fn set_context(&mut self, key: &str, value: Option<Value>, effects: &mut Vec<Effect>) {
        self.contexts.set(key, value);
        if key == "aepContext" || key == "eventForwardingContext" {
            let routing = config::routing(&self.contexts);
            if routing != self.routing {
                self.awaiting_reported = false;
                if matches!(routing, Routing::Deliver(Destination::HandOff { .. })) {
                    // Another alloy instance may know another ECID: ask again.
                    self.ecid = Ecid::Unknown;
                }
                self.routing = routing;
                self.release(effects);
            }
        }
    }

    fn publish(&mut self, call: Publish, effects: &mut Vec<Effect>) {
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
            effects.push(Effect::Notify { event: method.event, event_info: self.event_info(&extras, &custom_arg) });
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
        effects.extend(warnings.into_iter().map(|w| Effect::Diagnose(w.with_event_id(&event_id))));
        xdm.insert("_id".into(), Value::String(event_id.clone()));
        xdm.insert("timestamp".into(), Value::String(time::iso8601(call.at_ms)));
        if xdm.get("channel").is_none_or(Value::is_null) {
            if let Some(channel) = self.contexts.get("channelContext") {
                xdm.insert("channel".into(), channel.clone());
            }
        }
        let custom_identity_map = self.contexts.get("aepContext").and_then(|a| value::at(a, "identityMap")).cloned();
        self.hold(Held { method: method.name, event_id, xdm, custom_identity_map }, effects);
        self.release(effects);
    }

    /// `{...state, ...extras, customContext?}` as the reference's subscribers see it.
    fn event_info(&self, extras: &Map<String, Value>, custom_arg: &Option<Value>) -> Map<String, Value> {
        let mut info = self.contexts.state();
        info.extend(extras.iter().map(|(k, v)| (k.clone(), v.clone())));
        if let Some(custom) = custom_arg {
            info.insert("customContext".into(), custom.clone());
        }
        info
    }

    fn hold(&mut self, event: Held, effects: &mut Vec<Effect>) {
        if self.held.len() >= MAX_HELD_EVENTS {
            if let Some(oldest) = self.held.pop_front() {
                effects.push(Effect::Diagnose(
                    Diagnostic::new(
                        Level::Error,
                        Code::QueueFull,
                        oldest.method,
                        "",
                        format!("more than {MAX_HELD_EVENTS} events waiting; the oldest was dropped"),
                    )
                    .with_event_id(&oldest.event_id),
                ));
            }
        }
        self.held.push_back(event);
    }

    /// Delivers, keeps or drops the held events according to routing and ECID state.
    fn release(&mut self, effects: &mut Vec<Effect>) {
        if self.held.is_empty() {
            return;
        }
        match &self.routing {
            Routing::Awaiting(reason) => {
                if !self.awaiting_reported {
                    self.awaiting_reported = true;
                    effects.push(Effect::Diagnose(reason.clone()));
                }
            }
            Routing::Disabled => {
                for event in self.held.drain(..) {
                    effects.push(Effect::Diagnose(
                        Diagnostic::new(
                            Level::Info,
                            Code::ForwardingDisabled,
                            event.method,
                            "eventForwardingContext.aep",
                            "AEP forwarding is off; the event is not sent to Experience Platform",
                        )
                        .with_event_id(&event.event_id),
                    ));
                }
            }
            Routing::Deliver(Destination::HandOff { sdk_name }) => {
                let sdk_name = sdk_name.clone();
                match &self.ecid {
                    Ecid::Unknown => {
                        self.ecid = Ecid::Requested;
                        effects.push(Effect::ResolveIdentity { sdk_name });
                    }
                    Ecid::Requested => {}
                    Ecid::Known(ecid) => {
                        let ecid = ecid.clone();
                        for mut event in self.held.drain(..) {
                            let mut diagnostics = Vec::new();
                            identity::apply(
                                &mut event.xdm,
                                event.custom_identity_map.as_ref(),
                                ecid.as_deref(),
                                event.method,
                                &mut diagnostics,
                            );
                            effects.extend(diagnostics.into_iter().map(Effect::Diagnose));
                            effects.push(Effect::HandOff {
                                sdk_name: sdk_name.clone(),
                                method: event.method,
                                event_id: event.event_id,
                                xdm: event.xdm,
                            });
                        }
                    }
                }
            }
            Routing::Deliver(Destination::Direct { .. }) => {
                if !self.awaiting_reported {
                    self.awaiting_reported = true;
                    effects.push(Effect::Diagnose(Diagnostic::new(
                        Level::Info,
                        Code::AwaitingConfiguration,
                        "",
                        "aepContext.webSdkName",
                        "direct Edge delivery is not available in this build; events are kept until a webSdkName is set",
                    )));
                }
            }
        }
    }
}

/// Splits publish arguments into named positional extras and the optional custom context.
fn split_args(
    method: &'static Method,
    mut args: Vec<Value>,
    effects: &mut Vec<Effect>,
) -> (Map<String, Value>, Option<Value>) {
    let custom = if args.len() > method.extras.len() { args.drain(method.extras.len()..).next() } else { None };
    let extras = method.extras.iter().zip(args).map(|(name, v)| ((*name).to_owned(), v)).collect();
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
