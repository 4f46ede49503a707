//! The driver owns the engine, feeds it inputs and hands its effects to the JavaScript host.
//!
//! It drops its borrow of the engine *before* running effects, so page code that re-enters the
//! collector from a subscriber, a beacon answer or an alloy callback never meets "already borrowed".

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::engine::json::Value;

use super::Host;
use crate::engine::diagnostic::{Code, Diagnostic, Level};
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

    /// Reads the engine; `f` must not call back into the page.
    pub fn with_engine<T>(&self, f: impl FnOnce(&Engine) -> T) -> T {
        f(&self.engine.borrow())
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
        self.host.diagnostic(&diagnostic.to_json());
    }

    fn run(self: &Rc<Self>, effect: Effect) {
        match effect {
            Effect::Diagnose(d) => self.diagnose(&d),
            Effect::Notify { event, event_info } => self.host.notify(event, &Value::Object(event_info).to_json()),
            Effect::ResolveIdentity { sdk_name } => self.host.resolve_identity(&sdk_name),
            Effect::HandOff { sdk_name, event_id, xdm, .. } => {
                self.host.hand_off(&sdk_name, &event_id, &Value::Object(xdm).to_json())
            }
            Effect::Fetch { event_id, url, body, keepalive } => self.host.fetch(&event_id, &url, &body, keepalive),
            Effect::Beacon { event_id, url, body } => {
                let accepted = self.host.beacon(&url, &body);
                self.handle(Input::BeaconQueued { event_id, accepted });
            }
            Effect::SetCookie(c) => self.host.set_cookie(&c.key, &c.value, c.max_age, c.same_site),
            Effect::ScheduleTick { at_ms } => self.host.schedule(at_ms),
            Effect::ScheduleSave => self.host.schedule_save(),
            Effect::Store { key, json } => {
                if !self.host.store(&key, &json) && !self.storage_failure_reported.replace(true) {
                    self.diagnose(&Diagnostic::new(
                        Level::Warning,
                        Code::StorageUnavailable,
                        "",
                        "",
                        "localStorage is blocked or full; waiting events are kept in memory only",
                    ));
                }
            }
            Effect::Unstore { key } => self.host.unstore(&key),
            Effect::ProbeDomain => {
                let domain = self.host.apex_domain();
                self.handle(Input::Domain(domain));
            }
            Effect::AlloyConsent { sdk_name, general } => self.host.alloy_consent(&sdk_name, general),
        }
    }
}
