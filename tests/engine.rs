//! Delivery scenarios driven through the engine's door (`Engine::handle`) on the host: routing,
//! identity gating, retries, bounds, save and restore. Deterministic: time and randomness are
//! inputs.

use serde_json::{json, Value};
use storefront_collector::engine::diagnostic::Code;
use storefront_collector::engine::json;
use storefront_collector::engine::outbox::Limits;
use storefront_collector::engine::xdm::PageFacts;
use storefront_collector::engine::{Effect, Engine, Input, Publish, Start};

const T0: f64 = 1_795_435_200_000.0;
const ECID: &str = "12345678901234567890123456789012345678";
const IDENTITY_COOKIE: &str = "CiYxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3OA==";

fn engine(cookies: &str, limits: Limits) -> Engine {
    let mut engine = Engine::new();
    engine.handle(Input::Start(Start {
        now_ms: T0,
        page_key: "storefront-collector.outbox.p1".into(),
        cookies: cookies.into(),
        saved: vec![],
        limits,
    }));
    engine.handle(Input::SetContext { key: "pageContext".into(), value: Some(ours(json!({"pageType": "Home"}))) });
    engine
}

/// A serde_json value (handy to write in tests) as the engine's JSON value.
fn ours(value: Value) -> json::Value {
    json::parse(&value.to_string()).unwrap()
}

/// Feeds `input`, answering the shell's synchronous questions (the apex-domain probe) as the web
/// shell does.
fn run(engine: &mut Engine, input: Input) -> Vec<Effect> {
    let mut effects = engine.handle(input);
    if effects.contains(&Effect::ProbeDomain) {
        effects.extend(engine.handle(Input::Domain("example.test".into())));
    }
    effects
}

fn set(engine: &mut Engine, key: &str, value: Value) -> Vec<Effect> {
    run(engine, Input::SetContext { key: key.into(), value: Some(ours(value)) })
}

fn direct(engine: &mut Engine) {
    direct_with_consent(engine, Value::Null);
}

/// Direct mode with forwarding on and `consent` as `aepContext.consent` (`null`: not given).
fn direct_with_consent(engine: &mut Engine, consent: Value) {
    let mut aep = json!({"imsOrgId": "1234@AdobeOrg", "datastreamId": "ds-1", "edgeDomain": "edge.example.test"});
    if !consent.is_null() {
        aep["consent"] = consent;
    }
    set(engine, "aepContext", aep);
    set(engine, "eventForwardingContext", json!({"aep": true}));
}

/// The ECID in the identity map of the first event of the first request among `effects`.
fn first_request_ecid(effects: &[Effect]) -> Value {
    let Some(Effect::Fetch { body, .. }) = effects.iter().find(|x| matches!(x, Effect::Fetch { .. })) else {
        panic!("no request: {effects:?}")
    };
    let body: Value = serde_json::from_str(body).unwrap();
    body["events"][0]["xdm"]["identityMap"]["ECID"][0]["id"].clone()
}

fn page_view(engine: &mut Engine, id: &str, at: f64) -> Vec<Effect> {
    run(
        engine,
        Input::Publish(Publish {
            method: "pageView".into(),
            args: vec![],
            event_id: id.into(),
            at_ms: at,
            page: PageFacts { url: "https://shop.example.test/".into(), referrer: String::new() },
            notify: false,
        }),
    )
}

/// The request ids of the fetches asked for.
fn fetched(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| if let Effect::Fetch { request_id, .. } = e { Some(request_id.clone()) } else { None })
        .collect()
}

/// The events each fetch carries.
fn fetched_events(effects: &[Effect]) -> Vec<Vec<String>> {
    effects
        .iter()
        .filter_map(|e| if let Effect::Fetch { events, .. } = e { Some(events.clone()) } else { None })
        .collect()
}

/// The end of the task that published: the zero-delay timer direct mode asked for fires.
fn end_task(engine: &mut Engine, at: f64) -> Vec<Effect> {
    run(engine, Input::Tick { now_ms: at })
}

/// An Edge answer that stores the identity cookie (`state:store`), as the first answer does.
fn identity_answer() -> String {
    format!(
        r#"{{"handle":[{{"type":"state:store","payload":[{{"key":"kndctr_1234_AdobeOrg_identity","value":"{IDENTITY_COOKIE}","maxAge":34128000}}]}}]}}"#
    )
}

fn codes(effects: &[Effect]) -> Vec<Code> {
    effects.iter().filter_map(|e| if let Effect::Diagnose(d) = e { Some(d.code) } else { None }).collect()
}

fn ok(engine: &mut Engine, id: &str, at: f64, body: &str) -> Vec<Effect> {
    run(
        engine,
        Input::Response {
            request_id: id.into(),
            status: 200,
            retry_after: None,
            body: Some(body.into()),
            now_ms: at,
            jitter: 0.5,
        },
    )
}

#[test]
fn events_wait_for_configuration_in_any_order_then_go() {
    let mut e = engine("", Limits::default());
    let effects = page_view(&mut e, "a", T0);
    assert!(fetched(&effects).is_empty());
    assert!(codes(&effects).contains(&Code::AwaitingConfiguration));
    set(&mut e, "eventForwardingContext", json!({"aep": true}));
    let effects = set(&mut e, "aepContext", json!({"imsOrgId": "1234@AdobeOrg", "datastreamId": "ds-1"}));
    assert!(effects.contains(&Effect::ScheduleTick { at_ms: T0 }), "a send at the end of the task: {effects:?}");
    assert_eq!(fetched(&end_task(&mut e, T0)), ["a"], "the held event goes as soon as the configuration is complete");
    page_view(&mut e, "b", T0 + 1.0);
    assert!(fetched(&end_task(&mut e, T0 + 1.0)).is_empty(), "one request at a time until an identity exists");
}

#[test]
fn a_burst_of_publishes_goes_as_one_request_at_the_end_of_the_task() {
    let cookie = format!("kndctr_1234_AdobeOrg_identity={IDENTITY_COOKIE}");
    let mut e = engine(&cookie, Limits::default());
    direct(&mut e);
    for i in 0..20 {
        let effects = page_view(&mut e, &format!("e{i}"), T0);
        assert!(fetched(&effects).is_empty(), "nothing is sent while the task runs");
    }
    let effects = end_task(&mut e, T0);
    let expected: Vec<String> = (0..20).map(|i| format!("e{i}")).collect();
    assert_eq!(fetched_events(&effects), std::slice::from_ref(&expected));
    let Some(Effect::Fetch { body, keepalive, url, .. }) = effects.iter().find(|x| matches!(x, Effect::Fetch { .. }))
    else {
        panic!()
    };
    assert!(*keepalive, "a batch of ordinary events fits a keep-alive request ({} bytes)", body.len());
    assert!(url.contains("requestId=e0"), "{url}");
    let body: Value = serde_json::from_str(body).unwrap();
    let ids: Vec<&str> = body["events"].as_array().unwrap().iter().map(|x| x["xdm"]["_id"].as_str().unwrap()).collect();
    assert_eq!(ids, expected, "in publish order");
    ok(&mut e, "e0", T0 + 30.0, r#"{"handle":[]}"#);
    assert_eq!(e.held_count(), 0, "one answer settles every event of the request");
}

#[test]
fn a_failed_batch_is_retried_event_by_event_with_each_events_own_attempts() {
    let cookie = format!("kndctr_1234_AdobeOrg_identity={IDENTITY_COOKIE}");
    let mut e = engine(&cookie, Limits::default());
    direct(&mut e);
    page_view(&mut e, "a", T0);
    page_view(&mut e, "b", T0);
    end_task(&mut e, T0);
    let effects = run(
        &mut e,
        Input::Response {
            request_id: "a".into(),
            status: 503,
            retry_after: Some("1".into()),
            body: None,
            now_ms: T0 + 5.0,
            jitter: 0.5,
        },
    );
    assert!(fetched(&effects).is_empty());
    assert_eq!(e.held_count(), 2, "both events of the failed request wait");
    page_view(&mut e, "c", T0 + 1005.0);
    let effects = end_task(&mut e, T0 + 1005.0);
    assert_eq!(fetched_events(&effects), [["a", "b", "c"]], "the retried events go first, with the new one");
}

#[test]
fn forwarding_off_reports_and_keeps_nothing() {
    let mut e = engine("", Limits::default());
    set(&mut e, "eventForwardingContext", json!({"aep": false}));
    let effects = page_view(&mut e, "a", T0);
    assert_eq!(codes(&effects), [Code::ForwardingDisabled]);
    assert_eq!(e.held_count(), 0);
}

#[test]
fn the_identity_from_the_first_response_opens_the_gate_to_four_requests() {
    let mut e = engine("", Limits::default());
    direct(&mut e);
    for i in 0..400 {
        page_view(&mut e, &format!("e{i}"), T0);
    }
    let first = fetched_events(&end_task(&mut e, T0));
    assert_eq!(first.len(), 1, "one request until an identity exists");
    let in_first = first[0].len();
    assert!((2..=64).contains(&in_first), "a bounded batch: {in_first} events");
    let cookie_answer = identity_answer();
    let effects = ok(&mut e, "e0", T0 + 50.0, &cookie_answer);
    assert!(effects.iter().any(|x| matches!(x, Effect::SetCookie(c) if c.key == "kndctr_1234_AdobeOrg_identity")));
    let requests = fetched_events(&effects);
    assert_eq!(requests.len(), 4);
    assert_eq!(requests[0][0], format!("e{in_first}"), "the next events in order");
    for request in &requests {
        let Some(Effect::Fetch { body, keepalive, .. }) =
            effects.iter().find(|x| matches!(x, Effect::Fetch { events, .. } if events == request))
        else {
            panic!()
        };
        assert!(*keepalive && body.len() <= 16 * 1024, "each batch fits keep-alive: {} bytes", body.len());
    }
    assert_eq!(first_request_ecid(&effects), ECID);
}

#[test]
fn a_response_without_identity_keeps_one_request_at_a_time() {
    let mut e = engine("", Limits::default());
    direct(&mut e);
    page_view(&mut e, "a", T0);
    assert_eq!(fetched(&end_task(&mut e, T0)), ["a"]);
    page_view(&mut e, "b", T0 + 1.0);
    page_view(&mut e, "c", T0 + 1.0);
    assert!(fetched(&end_task(&mut e, T0 + 1.0)).is_empty());
    let effects = ok(&mut e, "a", T0 + 10.0, r#"{"handle":[]}"#);
    assert_eq!(fetched_events(&effects), [["b", "c"]]);
}

#[test]
fn retry_after_is_honoured_and_the_same_event_is_resent() {
    let cookie = format!("kndctr_1234_AdobeOrg_identity={IDENTITY_COOKIE}");
    let mut e = engine(&cookie, Limits::default());
    direct(&mut e);
    page_view(&mut e, "a", T0);
    end_task(&mut e, T0);
    let effects = e.handle(Input::Response {
        request_id: "a".into(),
        status: 429,
        retry_after: Some("2".into()),
        body: None,
        now_ms: T0 + 10.0,
        jitter: 0.9,
    });
    assert!(effects.contains(&Effect::ScheduleTick { at_ms: T0 + 2010.0 }));
    assert!(fetched(&run(&mut e, Input::Tick { now_ms: T0 + 1000.0 })).is_empty());
    assert_eq!(fetched(&run(&mut e, Input::Tick { now_ms: T0 + 2010.0 })), ["a"]);
    ok(&mut e, "a", T0 + 2050.0, r#"{"handle":[]}"#);
    assert_eq!(e.held_count(), 0);
}

#[test]
fn a_fatal_answer_drops_the_event_with_the_problem_title() {
    let mut e = engine("", Limits::default());
    direct(&mut e);
    page_view(&mut e, "a", T0);
    end_task(&mut e, T0);
    let effects = e.handle(Input::Response {
        request_id: "a".into(),
        status: 400,
        retry_after: None,
        body: Some(r#"{"type":"x","status":400,"title":"Invalid datastream","detail":"ds-1 is unknown"}"#.into()),
        now_ms: T0 + 5.0,
        jitter: 0.5,
    });
    let Some(Effect::Diagnose(d)) =
        effects.iter().find(|x| matches!(x, Effect::Diagnose(d) if d.code == Code::DeliveryFailed))
    else {
        panic!("no delivery-failed diagnostic: {effects:?}")
    };
    assert!(d.message.contains("Invalid datastream (ds-1 is unknown)"), "{}", d.message);
    assert_eq!(e.held_count(), 0);
}

#[test]
fn the_count_bound_drops_the_oldest_waiting_event_with_a_diagnostic() {
    let mut e = engine("", Limits { max_events: 3, max_bytes: 1_000_000 });
    for i in 0..3 {
        page_view(&mut e, &format!("e{i}"), T0);
    }
    let effects = page_view(&mut e, "e3", T0);
    let dropped: Vec<_> = effects
        .iter()
        .filter_map(|x| {
            if let Effect::Diagnose(d) = x {
                (d.code == Code::QueueFull).then(|| d.event_id.clone())
            } else {
                None
            }
        })
        .collect();
    assert_eq!(dropped, [Some("e0".to_string())]);
    assert_eq!(e.held_count(), 3);
}

#[test]
fn saved_outboxes_are_restored_once_and_live_ones_left_alone() {
    let mut first = engine("", Limits::default());
    page_view(&mut first, "a", T0);
    page_view(&mut first, "b", T0);
    let saved = |engine: &mut Engine, closing| {
        engine
            .handle(Input::Save { now_ms: T0 + 100.0, closing })
            .into_iter()
            .find_map(|x| if let Effect::Store { json, .. } = x { Some(json) } else { None })
            .unwrap()
    };
    let open = saved(&mut first, false);
    let closed = saved(&mut first, true);
    let mut second = Engine::new();
    let effects = second.handle(Input::Start(Start {
        now_ms: T0 + 200.0,
        page_key: "storefront-collector.outbox.p2".into(),
        saved: vec![("k-open".into(), open), ("k-closed".into(), closed.clone())],
        ..Start::default()
    }));
    assert_eq!(second.held_count(), 2, "the closed page's events");
    assert!(effects.contains(&Effect::Unstore { key: "k-closed".into() }));
    assert!(!effects.contains(&Effect::Unstore { key: "k-open".into() }), "a live page keeps its outbox");
    // The same events offered again (another copy) are not queued twice.
    let mut third = Engine::new();
    third.handle(Input::Start(Start {
        now_ms: T0 + 300.0,
        saved: vec![("x".into(), closed.clone()), ("y".into(), closed)],
        ..Start::default()
    }));
    assert_eq!(third.held_count(), 2);
}

#[test]
fn hand_off_waits_for_the_ecid_and_keeps_publish_order() {
    let mut e = engine("", Limits::default());
    set(&mut e, "aepContext", json!({"imsOrgId": "1234@AdobeOrg", "webSdkName": "alloy"}));
    set(&mut e, "eventForwardingContext", json!({"aep": true}));
    let first = page_view(&mut e, "a", T0);
    assert!(first.contains(&Effect::ResolveIdentity { sdk_name: "alloy".into() }));
    assert!(!page_view(&mut e, "b", T0).iter().any(|x| matches!(x, Effect::ResolveIdentity { .. })), "asked once");
    let effects = e.handle(Input::IdentityResolved { ecid: Some("0".repeat(38)) });
    let handed: Vec<_> = effects
        .iter()
        .filter_map(|x| if let Effect::HandOff { event_id, xdm, .. } = x { Some((event_id, xdm)) } else { None })
        .collect();
    assert_eq!(handed.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    assert!(handed[0].1.get("identityMap").is_none(), "an all-zero ECID is omitted, not sent as primary");
    assert!(codes(&effects).contains(&Code::IdentityUnavailable));
}

#[test]
fn events_older_than_a_week_expire_with_a_diagnostic() {
    let mut e = engine("", Limits::default());
    page_view(&mut e, "old", T0);
    let effects = e.handle(Input::Tick { now_ms: T0 + 8.0 * 24.0 * 3600.0 * 1000.0 });
    assert!(codes(&effects).contains(&Code::Expired));
    assert_eq!(e.held_count(), 0);
}

#[test]
fn a_set_consent_request_without_identity_goes_alone_so_the_edge_mints_one_ecid() {
    let mut e = engine("", Limits::default());
    direct_with_consent(&mut e, json!({"default": "pending", "edge": true}));
    page_view(&mut e, "a", T0);
    assert!(fetched(&end_task(&mut e, T0)).is_empty(), "pending: nothing goes");
    let effects = run(&mut e, Input::ConsentChoice { choice: ours(json!("in")), request_id: "consent-1".into() });
    let effects = [effects, end_task(&mut e, T0 + 1.0)].concat();
    assert_eq!(fetched(&effects), ["consent-1"], "the choice goes first, alone: {effects:?}");
    let cookie_answer = identity_answer();
    let effects = ok(&mut e, "consent-1", T0 + 20.0, &cookie_answer);
    assert_eq!(fetched_events(&effects), [["a"]], "then the event, with the identity the answer minted");
    assert_eq!(first_request_ecid(&effects), ECID);
}

#[test]
fn a_choice_made_while_an_event_request_is_under_way_without_identity_waits_for_its_answer() {
    let mut e = engine("", Limits::default());
    direct_with_consent(&mut e, json!({"edge": true}));
    page_view(&mut e, "a", T0);
    assert_eq!(fetched(&end_task(&mut e, T0)), ["a"]);
    let effects = run(&mut e, Input::ConsentChoice { choice: ours(json!("in")), request_id: "consent-1".into() });
    assert!(fetched(&effects).is_empty(), "no second request before the identity exists");
    let cookie_answer = identity_answer();
    assert_eq!(fetched(&ok(&mut e, "a", T0 + 20.0, &cookie_answer)), ["consent-1"]);
}

#[test]
fn a_request_refused_as_a_whole_is_retried_event_by_event_and_only_the_bad_event_is_dropped() {
    let cookie = format!("kndctr_1234_AdobeOrg_identity={IDENTITY_COOKIE}");
    let mut e = engine(&cookie, Limits::default());
    direct(&mut e);
    for id in ["a", "b", "c"] {
        page_view(&mut e, id, T0);
    }
    assert_eq!(fetched_events(&end_task(&mut e, T0)), [["a", "b", "c"]]);
    let refuse = |e: &mut Engine, id: &str| {
        run(
            e,
            Input::Response {
                request_id: id.into(),
                status: 422,
                retry_after: None,
                body: Some(r#"{"type":"x","status":422,"title":"Invalid XDM"}"#.into()),
                now_ms: T0 + 10.0,
                jitter: 0.5,
            },
        )
    };
    let effects = refuse(&mut e, "a");
    assert!(!codes(&effects).contains(&Code::DeliveryFailed), "nothing dropped for a refused batch");
    assert_eq!(fetched_events(&effects), [["a"], ["b"], ["c"]], "each event alone now");
    ok(&mut e, "a", T0 + 20.0, r#"{"handle":[]}"#);
    let effects = refuse(&mut e, "b");
    assert_eq!(codes(&effects), [Code::DeliveryFailed], "the event refused by itself is dropped");
    ok(&mut e, "c", T0 + 30.0, r#"{"handle":[]}"#);
    assert_eq!(e.held_count(), 0);
}

#[test]
fn a_refused_beacon_keeps_its_events_for_the_next_page_without_a_late_fetch() {
    let cookie = format!("kndctr_1234_AdobeOrg_identity={IDENTITY_COOKIE}");
    let mut e = engine(&cookie, Limits::default());
    direct(&mut e);
    page_view(&mut e, "a", T0);
    run(&mut e, Input::Domain("example.test".into()));
    let effects = run(&mut e, Input::PageHidden { now_ms: T0 + 1.0 });
    let Some(Effect::Beacon { request_id, events, .. }) = effects.iter().find(|x| matches!(x, Effect::Beacon { .. }))
    else {
        panic!("a beacon: {effects:?}")
    };
    assert_eq!(events, &["a"]);
    let effects = run(&mut e, Input::BeaconQueued { request_id: request_id.clone(), accepted: false });
    assert!(fetched(&effects).is_empty(), "no fetch after the page was hidden: {effects:?}");
    let saved = e.handle(Input::Save { now_ms: T0 + 2.0, closing: true });
    assert!(
        saved.iter().any(|x| matches!(x, Effect::Store { json, .. } if json.contains("\"id\":\"a\""))),
        "the event is in the closing snapshot"
    );
}

#[test]
fn a_second_consent_choice_waits_for_the_answer_to_the_first() {
    let cookie = format!("kndctr_1234_AdobeOrg_identity={IDENTITY_COOKIE}");
    let mut e = engine(&cookie, Limits::default());
    direct_with_consent(&mut e, json!({"edge": true}));
    let first = run(&mut e, Input::ConsentChoice { choice: ours(json!("in")), request_id: "c-1".into() });
    assert_eq!(fetched(&first), ["c-1"]);
    let second = run(&mut e, Input::ConsentChoice { choice: ours(json!("out")), request_id: "c-2".into() });
    assert!(fetched(&second).is_empty(), "not while the first is under way");
    assert_eq!(fetched(&ok(&mut e, "c-1", T0 + 10.0, r#"{"handle":[]}"#)), ["c-2"]);
}

/// The `eventInfo` of one published call (`notify` on): `{...contexts, ...extras, customContext?}`.
fn event_info(engine: &mut Engine, method: &str, args: Vec<Value>) -> String {
    let effects = run(
        engine,
        Input::Publish(Publish {
            method: method.into(),
            args: args.into_iter().map(ours).collect(),
            event_id: format!("e-{method}"),
            at_ms: T0,
            page: PageFacts { url: "https://shop.example.test/".into(), referrer: String::new() },
            notify: true,
        }),
    );
    let Some(Effect::Notify { event_info, .. }) = effects.into_iter().find(|e| matches!(e, Effect::Notify { .. }))
    else {
        panic!("no notify effect")
    };
    event_info
}

/// Every publish builds an `eventInfo` (late subscribers get them replayed), so the state's JSON
/// is written once per change of the contexts and reused: the text must always be the current
/// state, with the call's extras and custom context where it has them, keys in the reference's
/// order (a key the call replaces stays in its place).
#[test]
fn event_info_is_the_state_with_the_calls_extras_and_custom_context_in_order() {
    let mut engine = engine("", Limits::default());
    set(&mut engine, "shopperContext", json!({"shopperId": "guest"}));
    let page = r#""pageContext":{"pageType":"Home"}"#;
    let shopper = r#""shopperContext":{"shopperId":"guest"}"#;
    assert_eq!(event_info(&mut engine, "pageView", vec![]), format!("{{{page},{shopper}}}"));
    // Again, from the kept text.
    assert_eq!(event_info(&mut engine, "signIn", vec![]), format!("{{{page},{shopper}}}"));
    // Extras and a custom context are appended.
    assert_eq!(
        event_info(&mut engine, "searchRequestSent", vec![json!("unit-1"), json!({"a": "\"1\""})]),
        format!(r#"{{{page},{shopper},"searchUnitId":"unit-1","customContext":{{"a":"\"1\""}}}}"#)
    );
    // A context change is seen at once.
    set(&mut engine, "pageContext", json!({"pageType": "PDP"}));
    let pdp = r#""pageContext":{"pageType":"PDP"}"#;
    assert_eq!(event_info(&mut engine, "pageView", vec![]), format!("{{{pdp},{shopper}}}"));
    // A custom context argument replaces the customContext context in its place.
    set(&mut engine, "customContext", json!({"from": "setCustom"}));
    assert_eq!(
        event_info(&mut engine, "custom", vec![json!({"from": "argument"})]),
        format!(r#"{{{pdp},{shopper},"customContext":{{"from":"argument"}}}}"#)
    );
    // A cleared context is gone, and with no contexts the object is empty.
    run(&mut engine, Input::SetContext { key: "customContext".into(), value: None });
    run(&mut engine, Input::SetContext { key: "shopperContext".into(), value: None });
    run(&mut engine, Input::SetContext { key: "pageContext".into(), value: None });
    assert_eq!(event_info(&mut engine, "signOut", vec![]), "{}");
    assert_eq!(event_info(&mut engine, "searchResponseReceived", vec![json!("u")]), r#"{"searchUnitId":"u"}"#);
}
