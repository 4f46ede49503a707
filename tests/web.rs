//! Browser tests (wasm32 only): the web shell in real headless Chromium, run by
//! `wasm-bindgen-test-runner` through chromedriver (`cargo test`, see .cargo/config.toml).
//!
//! Only real platform glue is tested here; XDM rules are tested on the host (tests/golden.rs runs
//! in the browser too).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Promise, Reflect, JSON};
use storefront_collector::web::Collector;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ECID: &str = "12345678901234567890123456789012345678";

/// Installs `window[name]` as a stub alloy that records `[command, options]` pairs in
/// `window[name].calls` and answers `getIdentity` with an ECID.
fn install_stub_alloy(name: &str) -> Array {
    let stub = Function::new_with_args(
        "command, options",
        &format!(
            "const self = window['{name}']; self.calls.push([command, JSON.parse(JSON.stringify(options === undefined ? null : options))]);
             return Promise.resolve(command === 'getIdentity' ? {{identity: {{ECID: '{ECID}'}}}} : {{}});"
        ),
    );
    let calls = Array::new();
    Reflect::set(&stub, &"calls".into(), &calls).unwrap();
    Reflect::set(&js_sys::global(), &name.into(), &stub).unwrap();
    calls
}

/// Hooks that collect diagnostics into an array and resolve alloy from `window`.
fn hooks() -> (Function, Function, Function, Array) {
    let diagnostics = Array::new();
    Reflect::set(&js_sys::global(), &"__diagnostics".into(), &diagnostics).unwrap();
    let on_diagnostic = Function::new_with_args("json", "window.__diagnostics.push(JSON.parse(json))");
    let on_notify = Function::new_no_args("");
    let find_alloy = Function::new_with_args("name", "return window[name]");
    (on_diagnostic, on_notify, find_alloy, diagnostics)
}

/// Waits `ms` milliseconds (lets promises and timers run).
async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |v, key| Reflect::get(&v, &key.into()).unwrap_or(JsValue::UNDEFINED))
}

#[wasm_bindgen_test]
async fn page_view_reaches_the_sites_alloy_by_name() {
    let calls = install_stub_alloy("myAlloy");
    let (on_diagnostic, on_notify, find_alloy, diagnostics) = hooks();
    let collector = Collector::new(on_diagnostic, on_notify, find_alloy);
    collector.set_context(
        "aepContext",
        Some(r#"{"imsOrgId":"1234@AdobeOrg","datastreamId":"ds-1","webSdkName":"myAlloy"}"#.into()),
    );
    collector.set_context("eventForwardingContext", Some(r#"{"aep":true}"#.into()));
    collector.set_context("pageContext", Some(r#"{"pageType":"Category","pageName":"Shirts"}"#.into()));
    collector.publish(
        "pageView",
        "[]",
        1_795_435_200_123.0,
        "https://shop.example.com/catalog/t-shirt.html".into(),
        "https://www.google.com/".into(),
        false,
    );
    sleep(50).await;

    let commands: Vec<String> = calls.iter().map(|c| get(&c, "0").as_string().unwrap()).collect();
    assert_eq!(commands, ["getIdentity", "sendEvent"], "alloy calls: {commands:?}");
    let xdm = get(&calls.get(1), "1.xdm");
    assert_eq!(get(&xdm, "eventType"), "web.webpagedetails.pageViews");
    assert_eq!(get(&xdm, "web.webPageDetails.pageViews.value"), 1);
    assert_eq!(get(&xdm, "web.webPageDetails.name"), "Shirts");
    assert_eq!(get(&xdm, "web.webPageDetails.siteSection"), "Category");
    assert_eq!(get(&xdm, "web.webPageDetails.URL"), "https://shop.example.com/catalog/t-shirt.html");
    assert_eq!(get(&xdm, "web.webReferrer.URL"), "https://www.google.com/");
    assert_eq!(get(&xdm, "timestamp"), "2026-11-23T12:00:00.123Z");
    assert_eq!(get(&xdm, "personID"), ECID);
    assert_eq!(get(&xdm, "identityMap.ECID.0.id"), ECID);
    assert_eq!(get(&xdm, "identityMap.ECID.0.primary"), true);
    let id = get(&xdm, "_id").as_string().unwrap();
    assert_eq!((id.len(), id.as_bytes()[14]), (36, b'4'), "a v4 UUID: {id}");
    assert!(
        diagnostics.iter().any(|d| get(&d, "code") == "handed-off"),
        "diagnostics: {:?}",
        JSON::stringify(&diagnostics).ok()
    );
}

#[wasm_bindgen_test]
async fn events_wait_for_an_alloy_that_loads_later() {
    let (on_diagnostic, on_notify, _, _) = hooks();
    // findAlloy resolves only once window.lateAlloy exists, as js/api.js does.
    let find_alloy = Function::new_with_args(
        "name",
        "return new Promise(r => { const t = setInterval(() => { if (window[name]) { clearInterval(t); r(window[name]); } }, 10); })",
    );
    let collector = Collector::new(on_diagnostic, on_notify, find_alloy);
    collector.set_context("aepContext", Some(r#"{"imsOrgId":"1234@AdobeOrg","webSdkName":"lateAlloy"}"#.into()));
    collector.set_context("eventForwardingContext", Some(r#"{"aep":true}"#.into()));
    for _ in 0..3 {
        collector.publish("pageView", "[]", 0.0, "https://a.test/".into(), String::new(), false);
    }
    sleep(60).await;
    let calls = install_stub_alloy("lateAlloy");
    sleep(80).await;
    let sends = calls.iter().filter(|c| get(c, "0") == "sendEvent").count();
    assert_eq!(sends, 3);
}

#[wasm_bindgen_test]
fn bad_json_is_a_diagnostic_not_a_throw() {
    let (on_diagnostic, on_notify, find_alloy, diagnostics) = hooks();
    let collector = Collector::new(on_diagnostic, on_notify, find_alloy);
    collector.set_context("pageContext", Some("{not json".into()));
    collector.publish("pageView", "not an array", 0.0, String::new(), String::new(), false);
    collector.publish("noSuchMethod", "[]", 0.0, String::new(), String::new(), false);
    let codes: Vec<String> = diagnostics.iter().map(|d| get(&d, "code").as_string().unwrap()).collect();
    assert_eq!(codes, ["unreadable-input", "unreadable-input", "unknown-method"]);
    assert!(collector.get_context(Some("pageContext".into())).is_none());
}

#[wasm_bindgen_test]
fn event_ids_are_unique_v4_uuids() {
    let (on_diagnostic, on_notify, find_alloy, diagnostics) = hooks();
    let collector = Collector::new(on_diagnostic, on_notify, find_alloy);
    collector.set_context("eventForwardingContext", Some(r#"{"aep":false}"#.into()));
    for _ in 0..50 {
        collector.publish("pageView", "[]", 0.0, String::new(), String::new(), false);
    }
    let mut ids: Vec<String> = diagnostics
        .iter()
        .filter(|d| get(d, "code") == "forwarding-disabled")
        .filter_map(|d| get(&d, "eventId").as_string())
        .collect();
    assert_eq!(ids.len(), 50);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 50);
}
