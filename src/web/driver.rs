//! The driver owns the engine, feeds it inputs and carries out its effects.
//!
//! It drops its borrow of the engine *before* running effects, so page code that re-enters the
//! collector from a subscriber or an alloy callback never meets an "already borrowed" error.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::Value;
use wasm_bindgen::JsValue;

use super::alloy;
use crate::engine::diagnostic::Diagnostic;
use crate::engine::{Effect, Engine, Input};

/// Callbacks into the JavaScript API layer.
#[derive(Debug)]
pub struct Hooks {
    /// `(diagnosticJson) => void`.
    pub on_diagnostic: js_sys::Function,
    /// `(event, eventInfoJson) => void`.
    pub on_notify: js_sys::Function,
    /// `(name) => Promise<Function>`: resolves with `window[name]` once the site defines it.
    pub find_alloy: js_sys::Function,
}

/// The engine plus the page callbacks.
#[derive(Debug)]
pub struct Driver {
    engine: RefCell<Engine>,
    hooks: Hooks,
}

impl Driver {
    /// A driver with a fresh engine.
    pub fn new(hooks: Hooks) -> Rc<Driver> {
        Rc::new(Driver { engine: RefCell::new(Engine::new()), hooks })
    }

    /// Reads the engine; `f` must not call back into the page.
    pub fn with_engine<T>(&self, f: impl FnOnce(&Engine) -> T) -> T {
        f(&self.engine.borrow())
    }

    /// Feeds one input and runs the resulting effects.
    pub fn handle(self: &Rc<Self>, input: Input) {
        let effects = self.engine.borrow_mut().handle(input);
        for effect in effects {
            self.run(effect);
        }
    }

    /// Reports a diagnostic raised by the shell itself.
    pub fn diagnose(&self, diagnostic: Diagnostic) {
        let json = serde_json::to_string(&diagnostic).unwrap_or_default();
        // A throwing page callback must not stop the collector.
        let _ = self.hooks.on_diagnostic.call1(&JsValue::NULL, &JsValue::from_str(&json));
    }

    fn run(self: &Rc<Self>, effect: Effect) {
        match effect {
            Effect::Diagnose(d) => self.diagnose(d),
            Effect::Notify { event, event_info } => {
                let json = Value::Object(event_info).to_string();
                let _ =
                    self.hooks.on_notify.call2(&JsValue::NULL, &JsValue::from_str(event), &JsValue::from_str(&json));
            }
            Effect::ResolveIdentity { sdk_name } => {
                let driver = Rc::clone(self);
                alloy::get_identity(sdk_name, self.hooks.find_alloy.clone(), move |result| match result {
                    Ok(ecid) => driver.handle(Input::IdentityResolved { ecid }),
                    Err(d) => {
                        driver.diagnose(d);
                        driver.handle(Input::IdentityResolved { ecid: None });
                    }
                });
            }
            Effect::HandOff { sdk_name, method, event_id, xdm } => {
                let driver = Rc::clone(self);
                let xdm = Value::Object(xdm).to_string();
                alloy::send_event(sdk_name, self.hooks.find_alloy.clone(), method, event_id, xdm, move |d| {
                    driver.diagnose(d)
                });
            }
        }
    }
}
