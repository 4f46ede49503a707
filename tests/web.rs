//! Browser tests (wasm32 only): the web shell in real headless Chromium, run by
//! `wasm-bindgen-test-runner` through chromedriver (`cargo test`, see .cargo/config.toml).
//!
//! The host here is a recording JavaScript object, so each test sees exactly which effects the
//! shell asked the page to perform. The real host (js/api.js) is exercised by tests/e2e/.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Reflect};
use storefront_collector::web::{collector_call, collector_free, collector_new_with};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Publish time of the test events (2026-11-23T12:00:00.123Z).
const T0: f64 = 1_795_435_200_123.0;
const ECID: &str = "12345678901234567890123456789012345678";
/// base64 of protobuf {1: ECID}: 0x0A 0x26 + 38 digits.
const IDENTITY_COOKIE: &str = "CiYxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3OA==";

/// A host that records every effect as `[name, ...args]` in `host.log`.
fn recording_host() -> (JsValue, Array) {
    let make = Function::new_no_args(
        "const log = [];
         const run = (op, a, b, c) => {
           switch (op) {
             case 'diagnostic': log.push(['diagnostic', JSON.parse(a)]); return '';
             case 'notify': log.push(['notify', a, JSON.parse(b)]); return '';
             case 'identity': log.push(['resolveIdentity', a]); return '';
             case 'handoff': log.push(['handOff', a, b, JSON.parse(c)]); return '';
             case 'fetch': case 'fetch-keepalive':
               log.push(['fetch', a, b, JSON.parse(c), op === 'fetch-keepalive']); return '';
             case 'beacon': log.push(['beacon', a, JSON.parse(b)]); return '1';
             case 'cookie': log.push(['setCookie', a, b, ...JSON.parse(c)]); return '';
             case 'schedule': log.push(['schedule', Number(a)]); return '';
             case 'save-soon': log.push(['scheduleSave']); return '';
             case 'store': log.push(['store', a, JSON.parse(b)]); return '1';
             case 'unstore': log.push(['unstore', a]); return '';
             case 'domain': return 'example.test';
             case 'alloy-consent': log.push(['alloyConsent', a, b]); return '';
           }
           throw new Error('unknown host op ' + op);
         };
         return { log, run };",
    );
    let host = make.call0(&JsValue::NULL).unwrap();
    let log: Array = Reflect::get(&host, &"log".into()).unwrap().unchecked_into();
    (host, log)
}

/// A collector handle through the one-function boundary, with named helpers for the tests; freed
/// on drop.
struct C(u32);

impl Drop for C {
    fn drop(&mut self) {
        collector_free(self.0);
    }
}

impl C {
    fn new(host: JsValue) -> C {
        C(collector_new_with(&host))
    }
    fn call(&self, op: &str, a: &str, b: &str) -> String {
        collector_call(self.0, op, a, b)
    }
    fn start(&self, now: f64, key: &str, cookies: &str, saved: &str) {
        self.call("start", saved, &format!("[{now},{key:?},{cookies:?},0,0]"));
    }
    fn set_context(&self, key: &str, json: Option<String>) {
        self.call("set", key, json.as_deref().unwrap_or(""));
    }
    fn get_context(&self, key: &str) -> Option<String> {
        Some(self.call("get", key, "")).filter(|s| !s.is_empty())
    }
    fn publish(&self, method: &str, args: &str, at: f64, url: &str, referrer: &str, id: &str) {
        self.call("publish", args, &format!("[{method:?},{at},{url:?},{referrer:?},false,{id:?}]"));
    }
    fn identity_resolved(&self, ecid: Option<&str>) {
        self.call("identity", ecid.unwrap_or(""), "");
    }
    fn hand_off_settled(&self, id: &str, error: Option<&str>, now: f64, jitter: f64) {
        self.call("settled", error.unwrap_or(""), &format!("[{id:?},{},{now},{jitter}]", error.is_none()));
    }
    fn response(&self, id: &str, status: u16, retry_after: Option<&str>, body: Option<String>, now: f64, jitter: f64) {
        let retry_after = retry_after.map_or("null".to_string(), |r| format!("{r:?}"));
        self.call(
            "response",
            body.as_deref().unwrap_or(""),
            &format!("[{id:?},{status},{retry_after},{now},{jitter}]"),
        );
    }
    fn tick(&self, now: f64) {
        self.call("tick", "", &format!("[{now}]"));
    }
    fn page_hidden(&self, now: f64) {
        self.call("hide", "", &format!("[{now}]"));
    }
    fn save(&self, now: f64) {
        self.call("save", "", &format!("[{now}]"));
    }
    fn held_count(&self) -> usize {
        self.call("held", "", "").parse().unwrap()
    }
}

fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |v, key| Reflect::get(&v, &key.into()).unwrap_or(JsValue::UNDEFINED))
}

/// The recorded effects named `name`.
fn effects(log: &Array, name: &str) -> Vec<JsValue> {
    log.iter().filter(|e| get(e, "0") == name).collect()
}

fn codes(log: &Array) -> Vec<String> {
    effects(log, "diagnostic").iter().filter_map(|d| get(d, "1.code").as_string()).collect()
}

fn collector_with(aep: &str, cookies: &str) -> (C, Array) {
    let (host, log) = recording_host();
    let collector = C::new(host);
    collector.start(1000.0, "storefront-collector.outbox.test", cookies, "[]");
    collector.set_context("aepContext", Some(aep.into()));
    collector.set_context("eventForwardingContext", Some(r#"{"aep":true}"#.into()));
    collector.set_context("pageContext", Some(r#"{"pageType":"Category","pageName":"Shirts"}"#.into()));
    (collector, log)
}

fn page_view(collector: &C, id: &str) {
    collector.publish(
        "pageView",
        "[]",
        T0,
        "https://shop.example.com/catalog/t-shirt.html",
        "https://www.google.com/",
        id,
    );
}

#[wasm_bindgen_test]
fn hand_off_asks_for_the_ecid_then_hands_the_page_view_to_alloy() {
    let (collector, log) =
        collector_with(r#"{"imsOrgId":"1234@AdobeOrg","datastreamId":"ds-1","webSdkName":"myAlloy"}"#, "");
    page_view(&collector, "e-1");
    assert_eq!(effects(&log, "resolveIdentity").len(), 1);
    assert!(effects(&log, "handOff").is_empty(), "nothing is handed over before the ECID is known");
    collector.identity_resolved(Some(ECID));
    let hand_offs = effects(&log, "handOff");
    assert_eq!(hand_offs.len(), 1);
    assert_eq!(get(&hand_offs[0], "1"), "myAlloy");
    let xdm = get(&hand_offs[0], "3");
    assert_eq!(get(&xdm, "eventType"), "web.webpagedetails.pageViews");
    assert_eq!(get(&xdm, "web.webPageDetails.name"), "Shirts");
    assert_eq!(get(&xdm, "web.webPageDetails.siteSection"), "Category");
    assert_eq!(get(&xdm, "web.webReferrer.URL"), "https://www.google.com/");
    assert_eq!(get(&xdm, "_id"), "e-1");
    assert_eq!(get(&xdm, "timestamp"), "2026-11-23T12:00:00.123Z");
    assert_eq!(get(&xdm, "identityMap.ECID.0.id"), ECID);
    assert_eq!(get(&xdm, "personID"), ECID);
    assert_eq!(collector.held_count(), 1, "kept until alloy resolves");
    collector.hand_off_settled("e-1", None, T0 + 50.0, 0.5);
    assert_eq!(collector.held_count(), 0);
}

#[wasm_bindgen_test]
fn a_rejected_hand_off_is_retried_then_reported() {
    let (collector, log) = collector_with(r#"{"imsOrgId":"1234@AdobeOrg","webSdkName":"a"}"#, "");
    collector.identity_resolved(None);
    page_view(&collector, "e-1");
    collector.hand_off_settled("e-1", Some("Network request failed"), T0 + 10.0, 0.0);
    assert!(!effects(&log, "schedule").is_empty(), "a retry is scheduled");
    collector.tick(T0 + 500.0);
    assert_eq!(effects(&log, "handOff").len(), 1, "not before the backoff is over");
    collector.tick(T0 + 2_000.0);
    assert_eq!(effects(&log, "handOff").len(), 2);
    collector.hand_off_settled("e-1", Some("again"), T0 + 2_010.0, 0.0);
    collector.tick(T0 + 10_000.0);
    collector.hand_off_settled("e-1", Some("and again"), T0 + 10_010.0, 0.0);
    assert_eq!(collector.held_count(), 0);
    assert!(codes(&log).contains(&"delivery-failed".to_string()), "{:?}", codes(&log));
}

#[wasm_bindgen_test]
fn direct_mode_posts_alloys_request_and_honours_state_store() {
    let (collector, log) = collector_with(
        r#"{"imsOrgId":"1234@AdobeOrg","datastreamId":"ds-1","edgeDomain":"edge.example.test","datasetId":"set-1"}"#,
        "",
    );
    page_view(&collector, "e-1");
    assert!(effects(&log, "fetch").is_empty(), "sent at the end of the task, not during it");
    collector.tick(T0);
    page_view(&collector, "e-2");
    collector.tick(T0);
    let fetches = effects(&log, "fetch");
    assert_eq!(fetches.len(), 1, "one request until an identity exists");
    assert_eq!(get(&fetches[0], "2"), "https://edge.example.test/ee/v1/interact?configId=ds-1&requestId=e-1");
    let body = get(&fetches[0], "3");
    assert_eq!(get(&body, "events.0.xdm.eventType"), "web.webpagedetails.pageViews");
    assert_eq!(get(&body, "query.identity.fetch.0"), "ECID");
    assert_eq!(get(&body, "meta.state.domain"), "example.test");
    assert_eq!(get(&body, "meta.configOverrides.com_adobe_experience_platform.datasets.event.datasetId"), "set-1");
    assert_eq!(get(&fetches[0], "4"), true, "small bodies use keepalive");

    let answer = format!(
        r#"{{"requestId":"e-1-0123456789abcdef","handle":[
            {{"type":"identity:result","payload":[{{"id":"{ECID}","namespace":{{"code":"ECID"}}}}]}},
            {{"type":"state:store","payload":[
                {{"key":"kndctr_1234_AdobeOrg_identity","value":"{IDENTITY_COOKIE}","maxAge":34128000}},
                {{"key":"kndctr_1234_AdobeOrg_cluster","value":"or2","maxAge":1800}}]}}]}}"#
    );
    collector.response("e-1", 200, None, Some(answer), T0 + 30.0, 0.5);
    let cookies = effects(&log, "setCookie");
    assert_eq!(cookies.len(), 2);
    assert_eq!(get(&cookies[1], "1"), "kndctr_1234_AdobeOrg_cluster");
    let fetches = effects(&log, "fetch");
    assert_eq!(fetches.len(), 2);
    assert_eq!(get(&fetches[1], "2"), "https://edge.example.test/ee/or2/v1/interact?configId=ds-1&requestId=e-2");
    assert_eq!(get(&get(&fetches[1], "3"), "events.0.xdm.identityMap.ECID.0.id"), ECID);
    assert_eq!(collector.held_count(), 1);
}

#[wasm_bindgen_test]
fn retry_after_then_success_and_beacons_on_pagehide() {
    let cookie = format!("kndctr_1234_AdobeOrg_identity={IDENTITY_COOKIE}; other=1");
    let (collector, log) = collector_with(
        r#"{"imsOrgId":"1234@AdobeOrg","datastreamId":"ds-1","edgeDomain":"edge.example.test"}"#,
        &cookie,
    );
    for i in 0..6 {
        page_view(&collector, &format!("e-{i}"));
    }
    collector.tick(T0);
    let fetches = effects(&log, "fetch");
    assert_eq!(fetches.len(), 1, "the burst goes as one request");
    assert_eq!(Array::from(&get(&fetches[0], "3.events")).length(), 6);
    collector.response("e-0", 429, Some("3"), None, T0 + 20.0, 0.5);
    let schedules = effects(&log, "schedule");
    assert_eq!(get(schedules.last().unwrap(), "1").as_f64(), Some(T0 + 3_020.0), "Retry-After: 3 s");
    page_view(&collector, "e-6");
    collector.tick(T0 + 30.0);
    let fetches = effects(&log, "fetch");
    assert_eq!(fetches.len(), 2, "a new event does not wait for the others' retry");
    assert_eq!(get(&fetches[1], "3.events.0.xdm._id"), "e-6");
    collector.save(T0 + 50.0); // the save the host scheduled
    let saved = effects(&log, "store");
    assert_eq!(Array::from(&get(saved.last().unwrap(), "2.events")).length(), 7);
    // The page goes away with e-0..e-5 waiting for their retry: they go by beacon, together.
    collector.page_hidden(T0 + 100.0);
    let beacons = effects(&log, "beacon");
    assert_eq!(beacons.len(), 1);
    assert!(get(&beacons[0], "1")
        .as_string()
        .unwrap()
        .starts_with("https://edge.example.test/ee/v1/collect?configId=ds-1&requestId=e-0"));
    assert_eq!(Array::from(&get(&beacons[0], "2.events")).length(), 6);
    // e-6 was in flight with keepalive, e-0..e-5 went by beacon: nothing is left to resend, so
    // the saved outbox is removed rather than left for the next page.
    assert_eq!(effects(&log, "store").len(), 1);
    assert_eq!(get(effects(&log, "unstore").last().unwrap(), "1"), "storefront-collector.outbox.test");
}

#[wasm_bindgen_test]
fn a_reloaded_page_restores_a_closed_outbox() {
    let saved = r#"[["storefront-collector.outbox.old","{\"v\":1,\"updated\":900,\"closed\":true,\"events\":[{\"id\":\"old-1\",\"method\":\"addToCart\",\"xdm\":{\"eventType\":\"commerce.productListAdds\",\"_id\":\"old-1\"},\"at\":800,\"attempts\":1}]}"]]"#;
    let (host, log) = recording_host();
    let collector = C::new(host);
    collector.start(1000.0, "storefront-collector.outbox.new", "", saved);
    assert_eq!(collector.held_count(), 1);
    assert_eq!(get(&effects(&log, "unstore")[0], "1"), "storefront-collector.outbox.old");
    collector.set_context("aepContext", Some(r#"{"imsOrgId":"1234@AdobeOrg","webSdkName":"alloy"}"#.into()));
    collector.set_context("eventForwardingContext", Some(r#"{"aep":true}"#.into()));
    collector.identity_resolved(Some(ECID));
    let hand_offs = effects(&log, "handOff");
    assert_eq!(hand_offs.len(), 1);
    assert_eq!(get(&hand_offs[0], "2"), "old-1");
}

#[wasm_bindgen_test]
fn bad_json_is_a_diagnostic_not_a_throw() {
    let (host, log) = recording_host();
    let collector = C::new(host);
    collector.set_context("pageContext", Some("{not json".into()));
    collector.publish("pageView", "not an array", 0.0, "", "", "x");
    collector.publish("noSuchMethod", "[]", 0.0, "", "", "y");
    assert_eq!(codes(&log), ["unreadable-input", "unreadable-input", "unknown-method"]);
    assert!(collector.get_context("pageContext").is_none());
}

#[wasm_bindgen_test]
fn handles_are_independent_and_freed_handles_answer_nothing() {
    let (first, _) = collector_with(r#"{"imsOrgId":"1234@AdobeOrg","webSdkName":"alloy"}"#, "");
    let (host, second_log) = recording_host();
    let second = C::new(host);
    assert_ne!(first.0, second.0);
    assert!(first.get_context("aepContext").is_some());
    assert!(second.get_context("aepContext").is_none(), "contexts are per collector");
    second.set_context("pageContext", Some("{not json".into()));
    assert_eq!(codes(&second_log), ["unreadable-input"], "effects go to the collector's own host");

    let freed = first.0;
    drop(first);
    assert_eq!(collector_call(freed, "get", "", ""), "", "a freed handle answers nothing");
    collector_call(freed, "set", "pageContext", "{not json"); // and does nothing
    collector_free(freed); // twice is harmless
    collector_free(u32::MAX);
    assert_eq!(collector_call(u32::MAX, "held", "", ""), "");

    let (host, _) = recording_host();
    let newer = C::new(host);
    assert_ne!(newer.0, freed, "handles are not reused");
    assert!(newer.get_context("aepContext").is_none(), "a fresh collector");
    assert!(second.get_context("pageContext").is_none());
}

/// A recording host that also calls `host.onNotify(method)` after recording a `notify` effect, as
/// js/api.js does when it runs a subscriber.
fn host_with_subscriber(on_notify: &Closure<dyn Fn(String)>) -> (JsValue, Array) {
    let (host, log) = recording_host();
    let wrap = Function::new_with_args(
        "host, onNotify",
        "const run = host.run;
         host.run = (op, a, b, c) => { const r = run(op, a, b, c); if (op === 'notify') onNotify(a); return r; };
         return host;",
    );
    let host = wrap.call2(&JsValue::NULL, &host, on_notify.as_ref()).unwrap();
    (host, log)
}

fn publish_notified(handle: u32, method: &str, id: &str) {
    collector_call(handle, "publish", "[]", &format!("[{method:?},{T0},\"\",\"\",true,{id:?}]"));
}

#[wasm_bindgen_test]
fn a_subscriber_may_publish_from_inside_an_effect() {
    let handle = std::rc::Rc::new(std::cell::Cell::new(u32::MAX));
    let inner = handle.clone();
    let on_notify = Closure::<dyn Fn(String)>::new(move |method: String| {
        if method == "pageView" {
            publish_notified(inner.get(), "addToCart", "e-2");
        }
    });
    let (host, log) = host_with_subscriber(&on_notify);
    let collector = C::new(host);
    handle.set(collector.0);
    collector.start(1000.0, "storefront-collector.outbox.test", "", "[]");
    publish_notified(collector.0, "pageView", "e-1");
    let notified: Vec<_> = effects(&log, "notify").iter().map(|n| get(n, "1")).collect();
    assert_eq!(notified, ["pageView", "addToCart"], "named by method; js/api.js names the events");
    let messages: Vec<_> = effects(&log, "diagnostic").iter().filter_map(|d| get(d, "1.message").as_string()).collect();
    assert!(!messages.iter().any(|m| m.contains("re-entrant")), "{messages:?}");
}

#[wasm_bindgen_test]
fn a_subscriber_may_free_its_collector_from_inside_an_effect() {
    let handle = std::rc::Rc::new(std::cell::Cell::new(u32::MAX));
    let inner = handle.clone();
    let on_notify = Closure::<dyn Fn(String)>::new(move |_: String| collector_free(inner.get()));
    let (host, log) = host_with_subscriber(&on_notify);
    let h = collector_new_with(&host);
    handle.set(h);
    collector_call(h, "start", "[]", "[1000,\"k\",\"\",0,0]");
    publish_notified(h, "pageView", "e-1"); // frees the collector halfway through its own call
    assert_eq!(effects(&log, "notify").len(), 1);
    publish_notified(h, "pageView", "e-2");
    assert_eq!(effects(&log, "notify").len(), 1, "freed: nothing more happens");
}

/// The engine's number reading and timestamp formatting go through JavaScript in the wasm build
/// (`Number`, `Date.prototype.toISOString`); they must give what the host build's Rust code gives
/// (pinned in `engine::json` and `engine::time`), at the edges of the clamped range included.
#[wasm_bindgen_test]
fn javascript_conversions_agree_with_the_host_build() {
    use storefront_collector::engine::{json::parse_f64, time::iso8601};
    for (text, expected) in [
        ("12.5", Some(12.5)),
        ("\t-.5e+1\r\n", Some(-5.0)),
        ("5.", Some(5.0)),
        ("0.30000000000000004", Some(0.30000000000000004)),
        ("1e999", Some(f64::INFINITY)),
        ("", None),
        (" ", None),
        ("0x10", None),
        ("Infinity", None),
        ("1_000", None),
        ("\u{a0}1", None),
    ] {
        assert_eq!(parse_f64(text), expected, "{text:?}");
    }
    assert_eq!(iso8601(T0), "2026-11-23T12:00:00.123Z");
    assert_eq!(iso8601(-1.5), "1969-12-31T23:59:59.999Z");
    assert_eq!(iso8601(f64::NAN), "1970-01-01T00:00:00.000Z");
    assert_eq!(iso8601(1e20), "9999-12-31T23:59:59.999Z");
    assert_eq!(iso8601(-1e20), "0000-01-01T00:00:00.000Z");
}

#[wasm_bindgen_test]
fn get_answers_one_context_or_the_whole_state_as_json() {
    let (host, _) = recording_host();
    let collector = C::new(host);
    let handle = collector.0;
    assert_eq!(collector_call(handle, "get", "", ""), "{}", "no context yet");
    collector.set_context("pageContext", Some(r#"{"pageType":"Home","n":1.50}"#.into()));
    collector.set_context("shopperContext", Some(r#"{"shopperId":"guest"}"#.into()));
    assert_eq!(
        collector_call(handle, "get", "", ""),
        r#"{"pageContext":{"pageType":"Home","n":1.50},"shopperContext":{"shopperId":"guest"}}"#,
        "every context, in the order set, numbers as given"
    );
    assert_eq!(collector_call(handle, "get", "shopperContext", ""), r#"{"shopperId":"guest"}"#);
    collector.set_context("pageContext", None);
    assert_eq!(collector_call(handle, "get", "", ""), r#"{"shopperContext":{"shopperId":"guest"}}"#);
    assert_eq!(collector_call(handle, "get", "pageContext", ""), "", "a cleared context answers nothing");
}
