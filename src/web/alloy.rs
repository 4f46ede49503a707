//! Hand-off to the site's alloy instance, found by its global name (`aepContext.webSdkName`).
//!
//! We only ever call `getIdentity` and `sendEvent` on a site-owned instance, never `configure` or
//! `setConsent`. The instance is looked up lazily through the JavaScript layer's `findAlloy(name)`,
//! which waits until the site defines `window[name]`; so it does not matter whether alloy's base
//! code runs before or after us. We do not install alloy's queueing stub ourselves: calls queued in
//! a stub before the site's own `configure` would be rejected by alloy.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::engine::diagnostic::{Code, Diagnostic, Level};

/// Waits for `window[name]` (via `find`) and calls it with `command` and `options`.
async fn call(name: &str, find: &Function, command: &str, options: &JsValue) -> Result<JsValue, String> {
    let lookup = find.call1(&JsValue::NULL, &JsValue::from_str(name)).map_err(|e| describe(&e))?;
    let instance = JsFuture::from(Promise::resolve(&lookup))
        .await
        .map_err(|e| describe(&e))?
        .dyn_into::<Function>()
        .map_err(|_| format!("window.{name} is not a function"))?;
    let answer = instance
        .call2(&JsValue::NULL, &JsValue::from_str(command), options)
        .map_err(|e| format!("{command} threw: {}", describe(&e)))?;
    JsFuture::from(Promise::resolve(&answer)).await.map_err(|e| format!("{command} was rejected: {}", describe(&e)))
}

/// Reads the shopper's ECID with `getIdentity`; `Ok(None)` when alloy answers without one
/// (consent out).
pub fn get_identity(name: String, find: Function, done: impl FnOnce(Result<Option<String>, Diagnostic>) + 'static) {
    wasm_bindgen_futures::spawn_local(async move {
        let result = call(&name, &find, "getIdentity", &JsValue::UNDEFINED).await;
        done(match result {
            Ok(answer) => Ok(Reflect::get(&answer, &"identity".into())
                .and_then(|identity| Reflect::get(&identity, &"ECID".into()))
                .ok()
                .and_then(|ecid| ecid.as_string())),
            Err(message) => {
                Err(Diagnostic::new(Level::Warning, Code::IdentityUnavailable, "", "aepContext.webSdkName", message))
            }
        });
    });
}

/// Calls `sendEvent` with `{xdm}`; `report` receives one diagnostic: handed off, or why not.
pub fn send_event(
    name: String,
    find: Function,
    event: &'static str,
    event_id: String,
    xdm_json: String,
    report: impl FnOnce(Diagnostic) + 'static,
) {
    wasm_bindgen_futures::spawn_local(async move {
        let result = match js_sys::JSON::parse(&xdm_json) {
            Err(e) => Err(format!("internal error: the XDM was not JSON: {}", describe(&e))),
            Ok(xdm) => {
                let options = js_sys::Object::new();
                let _ = Reflect::set(&options, &"xdm".into(), &xdm);
                call(&name, &find, "sendEvent", &options).await
            }
        };
        let diagnostic = match result {
            Ok(_) => Diagnostic::new(Level::Info, Code::HandedOff, event, "", format!("handed to window.{name}")),
            Err(message) => {
                Diagnostic::new(Level::Error, Code::DeliveryFailed, event, "aepContext.webSdkName", message)
            }
        };
        report(diagnostic.with_event_id(&event_id));
    });
}

/// A short text for a thrown JavaScript value (an Error's message, or the value as a string).
fn describe(error: &JsValue) -> String {
    Reflect::get(error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".into())
}
