//! The driver owns the engine, feeds it inputs and hands its effects to the JavaScript host.
//!
//! It drops its borrow of the engine *before* running effects, so page code that re-enters the
//! collector from a subscriber, a beacon answer or an alloy callback never meets "already borrowed".
//!
//! Effects become `host.run(op, a, b, c)` calls:
//!
//! | op | a | b | c | answer |
//! |---|---|---|---|---|
//! | `diagnostic` | diagnostic JSON | | | |
//! | `notify` | publish method (the host names its event) | `eventInfo` JSON | | |
//! | `identity` | alloy global name | | | later: `call("identity", ecid)` |
//! | `handoff` | alloy global name | event id | XDM JSON | later: `call("settled", …)` |
//! | `fetch`, `fetch-keepalive` | event id | URL | body | later: `call("response", …)` |
//! | `beacon` | URL | body | | `"1"` if the browser took it |
//! | `cookie` | name | value | `[maxAge\|null, sameSite\|null]` | |
//! | `schedule` | epoch ms | | | later: `call("tick", …)` |
//! | `save-soon` | | | | later: `call("save", …)` |
//! | `store` | key | JSON | | `"1"` if stored |
//! | `unstore` | key | | | |
//! | `domain` | | | | the apex domain |
//! | `alloy-consent` | alloy global name | `in` or `out` | | |

use std::cell::{Cell, Ref, RefCell};
use std::rc::Rc;

use super::Host;
use crate::engine::diagnostic::{Code, Diagnostic, Level};
use crate::engine::json;
use crate::engine::{Effect, Engine, Input};

/// The engine plus the host that performs its effects.
#[derive(Debug)]
pub struct Driver {
    engine: RefCell<Engine>,
    host: Host,
    storage_failure_reported: Cell<bool>,
}

impl Driver {
    /// A driver with a fresh engine.
    pub fn new(host: Host) -> Rc<Driver> {
        Rc::new(Driver { engine: RefCell::new(Engine::new()), host, storage_failure_reported: Cell::new(false) })
    }

    /// The engine, to read; the guard must be dropped before anything calls back into the page
    /// (effects run only after `handle` has let go of it, so no call holds it then).
    pub fn engine(&self) -> Ref<'_, Engine> {
        self.engine.borrow()
    }

    /// Feeds one input and runs the resulting effects. A re-entrant call while the engine is
    /// borrowed (impossible by construction) is reported, not panicked on.
    pub fn handle(self: &Rc<Self>, input: Input) {
        let effects = match self.engine.try_borrow_mut() {
            Ok(mut engine) => engine.handle(input),
            Err(_) => {
                self.diagnose(&Diagnostic::new(
                    Level::Error,
                    Code::UnreadableInput,
                    "",
                    "",
                    "internal: re-entrant call",
                ));
                return;
            }
        };
        for effect in effects {
            self.run(effect);
        }
    }

    /// Reports a diagnostic raised by the shell itself.
    pub fn diagnose(&self, diagnostic: &Diagnostic) {
        self.host.run("diagnostic", &diagnostic.to_json(), "", "");
    }

    /// Carries out one effect. Matched by reference, so that the effect is dropped once, whole,
    /// rather than field by field in every arm.
    fn run(self: &Rc<Self>, effect: Effect) {
        let host = &self.host;
        match &effect {
            Effect::Diagnose(d) => self.diagnose(d),
            Effect::Notify { method, event_info } => {
                host.run("notify", method, event_info, "");
            }
            Effect::ResolveIdentity { sdk_name } => {
                host.run("identity", sdk_name, "", "");
            }
            Effect::HandOff { sdk_name, event_id, xdm, .. } => {
                host.run("handoff", sdk_name, event_id, &xdm.to_json());
            }
            Effect::Fetch { request_id, url, body, keepalive, .. } => {
                host.run(if *keepalive { "fetch-keepalive" } else { "fetch" }, request_id, url, body);
            }
            Effect::Beacon { request_id, url, body, .. } => {
                let accepted = host.run("beacon", url, body, "") == "1";
                self.handle(Input::BeaconQueued { request_id: request_id.clone(), accepted });
            }
            Effect::SetCookie(c) => {
                // `[maxAge|null, sameSite|null]` as JSON text.
                let mut attributes = String::from("[");
                attributes.push_str(&c.max_age.map_or_else(|| "null".to_owned(), number_text));
                attributes.push(',');
                match &c.same_site {
                    Some(same_site) => json::write_string(same_site, &mut attributes),
                    None => attributes.push_str("null"),
                }
                attributes.push(']');
                host.run("cookie", &c.key, &c.value, &attributes);
            }
            Effect::ScheduleTick { at_ms } => {
                host.run("schedule", &number_text(*at_ms), "", "");
            }
            Effect::ScheduleSave => {
                host.run("save-soon", "", "", "");
            }
            Effect::Store { key, json } => {
                if host.run("store", key, json, "") != "1" && !self.storage_failure_reported.replace(true) {
                    self.diagnose(&Diagnostic::new(
                        Level::Warning,
                        Code::StorageUnavailable,
                        "",
                        "",
                        "localStorage is blocked or full; waiting events are kept in memory only",
                    ));
                }
            }
            Effect::Unstore { key } => {
                host.run("unstore", key, "", "");
            }
            Effect::ProbeDomain => {
                let domain = host.run("domain", "", "", "");
                self.handle(Input::Domain(domain));
            }
            Effect::AlloyConsent { sdk_name, general } => {
                host.run("alloy-consent", sdk_name, general, "");
            }
        }
    }
}

/// A whole number of milliseconds or seconds as decimal text.
fn number_text(value: f64) -> String {
    let mut out = String::new();
    json::push_int(&mut out, if value.is_finite() { value.round().clamp(-9.0e15, 9.0e15) as i64 } else { 0 });
    out
}
