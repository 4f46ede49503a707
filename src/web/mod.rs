//! The web shell (wasm32 only) and the **JavaScript API boundary**.
//!
//! [`Collector`] is the one class exported to JavaScript. The JS API layer (`js/api.js`) owns the
//! page-facing surface (`window.magentoStorefrontEvents`), serializes page input to JSON with the
//! page's original `JSON.stringify`, and calls into this class; everything here stays thin: decode
//! JSON, stamp an event id, feed the [`Engine`](crate::engine::Engine), run the effects.
//!
//! Nothing in this module may panic or throw on page input: bad JSON becomes a diagnostic.

mod alloy;
mod driver;
mod env;

use std::rc::Rc;

use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::engine::diagnostic::{Code, Diagnostic, Level};
use crate::engine::xdm::PageFacts;
use crate::engine::{Input, Publish};
use driver::{Driver, Hooks};

/// One collector per page, driven by the JavaScript API layer.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Collector {
    driver: Rc<Driver>,
}

#[wasm_bindgen]
impl Collector {
    /// Creates a collector. `on_diagnostic(json)` receives every diagnostic as a JSON string;
    /// `on_notify(event, eventInfoJson)` receives subscriber notifications; `find_alloy(name)`
    /// resolves with `window[name]` once the site has defined it.
    #[wasm_bindgen(constructor)]
    pub fn new(
        on_diagnostic: js_sys::Function,
        on_notify: js_sys::Function,
        find_alloy: js_sys::Function,
    ) -> Collector {
        #[cfg(feature = "panic-hook")]
        console_error_panic_hook::set_once();
        Collector { driver: Driver::new(Hooks { on_diagnostic, on_notify, find_alloy }) }
    }

    /// Replaces the context `key` with the JSON text `json`; `undefined` clears it.
    #[wasm_bindgen(js_name = setContext)]
    pub fn set_context(&self, key: &str, json: Option<String>) {
        let value = match json.as_deref().map(serde_json::from_str::<Value>) {
            None => None,
            Some(Ok(v)) => Some(v),
            Some(Err(_)) => {
                self.driver.diagnose(Diagnostic::new(
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
            Some(key) => engine.context(&key).map(Value::to_string),
            None => Some(Value::Object(engine.state()).to_string()),
        })
    }

    /// Publishes `method` with its arguments as a JSON array. `at_ms`, `url` and `referrer` are
    /// taken by the caller when the page made the call, so queued calls keep their real time.
    pub fn publish(&self, method: &str, args_json: &str, at_ms: f64, url: String, referrer: String, notify: bool) {
        let args = match serde_json::from_str::<Value>(args_json) {
            Ok(Value::Array(args)) => args,
            _ => {
                self.driver.diagnose(Diagnostic::new(
                    Level::Error,
                    Code::UnreadableInput,
                    method,
                    "",
                    "publish arguments could not be read; the event was dropped",
                ));
                return;
            }
        };
        self.driver.handle(Input::Publish(Publish {
            method: method.to_owned(),
            args,
            event_id: env::uuid_v4(),
            at_ms,
            page: PageFacts { url, referrer },
            notify,
        }));
    }

    /// Events the collector holds (waiting for configuration or the ECID).
    #[wasm_bindgen(js_name = heldCount)]
    pub fn held_count(&self) -> usize {
        self.driver.with_engine(|engine| engine.held_count())
    }
}
