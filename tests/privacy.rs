//! Privacy properties of the engine, on the host:
//! * with `aepContext.hashEmail` the shopper's plain email is in no request body and no saved
//!   outbox; the identity is `Email_LC_SHA256` of the trimmed, lowercased address;
//! * the email never appears in a diagnostic, whatever the page passes where (every method, every
//!   context carrying the email in good and wrong-typed fields);
//! * `engine::sha256` agrees with the `sha2` crate.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use storefront_collector::engine::json;
use storefront_collector::engine::method::METHODS;
use storefront_collector::engine::outbox::Limits;
use storefront_collector::engine::sha256;
use storefront_collector::engine::xdm::PageFacts;
use storefront_collector::engine::{Effect, Engine, Input, Publish, Start};

const T0: f64 = 1_795_435_200_000.0;
const EMAIL: &str = "Roni_Cost@Example.com";
const IDENTITY_COOKIE: &str = "kndctr_1234_AdobeOrg_identity=CiYxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3OA==";

fn ours(value: &Value) -> json::Value {
    json::parse(&value.to_string()).unwrap()
}

/// A direct-mode engine with an identity, the given AEP extras, and every context set.
fn engine(aep_extra: Value, contexts: &[(&str, Value)]) -> (Engine, Vec<Effect>) {
    let mut engine = Engine::new();
    let mut effects = engine.handle(Input::Start(Start {
        now_ms: T0,
        page_key: "storefront-collector.outbox.p1".into(),
        cookies: IDENTITY_COOKIE.into(),
        saved: vec![],
        limits: Limits::default(),
    }));
    let mut aep = json!({"imsOrgId": "1234@AdobeOrg", "datastreamId": "ds-1", "edgeDomain": "edge.example.test"});
    aep.as_object_mut().unwrap().extend(aep_extra.as_object().unwrap().clone());
    let mut all = vec![("aepContext", aep), ("eventForwardingContext", json!({"aep": true}))];
    all.extend(contexts.iter().map(|(k, v)| (*k, v.clone())));
    for (key, value) in all {
        effects.extend(engine.handle(Input::SetContext { key: key.into(), value: Some(ours(&value)) }));
    }
    (engine, effects)
}

/// Publishes `method` and plays the shell: the domain probe, the end-of-task tick, a save.
fn publish(engine: &mut Engine, method: &str, args: Vec<json::Value>, id: &str) -> Vec<Effect> {
    let mut effects = engine.handle(Input::Publish(Publish {
        method: method.into(),
        args,
        event_id: id.into(),
        at_ms: T0,
        page: PageFacts { url: format!("https://shop.example.test/?{EMAIL}"), referrer: String::new() },
        notify: true,
    }));
    for input in [Input::Tick { now_ms: T0 }, Input::Domain("example.test".into()), Input::Tick { now_ms: T0 }] {
        effects.extend(engine.handle(input));
    }
    effects.extend(engine.handle(Input::Save { now_ms: T0, closing: true }));
    effects
}

fn bodies(effects: &[Effect]) -> Vec<Value> {
    effects
        .iter()
        .filter_map(
            |e| if let Effect::Fetch { body, .. } = e { Some(serde_json::from_str(body).unwrap()) } else { None },
        )
        .collect()
}

fn stored(effects: &[Effect]) -> Vec<&str> {
    effects.iter().filter_map(|e| if let Effect::Store { json, .. } = e { Some(json.as_str()) } else { None }).collect()
}

fn sha2_hex(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn hash_email_sends_only_the_hashed_identity_and_stores_no_plain_address() {
    let account = json!({"firstName": "Roni", "emailAddress": format!("  {EMAIL} "), "accountId": "42"});
    let (mut e, _) = engine(json!({"hashEmail": true}), &[("accountContext", account)]);
    let effects = publish(&mut e, "signIn", vec![], "ev-1");
    let body = &bodies(&effects)[0];
    let xdm = &body["events"][0]["xdm"];
    let expected = sha2_hex(EMAIL.to_ascii_lowercase().as_bytes());
    assert_eq!(xdm["identityMap"]["Email_LC_SHA256"], json!([{"id": expected, "primary": false}]));
    assert_eq!(xdm["identityMap"]["ECID"][0]["primary"], json!(true));
    assert!(xdm["identityMap"].get("email").is_none());
    assert_eq!(xdm["personalEmail"], json!({}), "the plain address is taken out");
    let lower = EMAIL.to_ascii_lowercase();
    for text in stored(&effects).into_iter().chain([body.to_string().as_str()]) {
        assert!(!text.to_ascii_lowercase().contains(&lower), "plain email in {text}");
    }
}

#[test]
fn without_hash_email_the_reference_behaviour_is_kept() {
    let account = json!({"emailAddress": EMAIL, "accountId": "42"});
    let (mut e, _) = engine(json!({}), &[("accountContext", account)]);
    let xdm = &bodies(&publish(&mut e, "signIn", vec![], "ev-1"))[0]["events"][0]["xdm"];
    assert_eq!(xdm["identityMap"]["email"], json!([{"id": EMAIL, "primary": false}]));
    assert_eq!(xdm["personalEmail"]["address"], json!(EMAIL));
}

#[test]
fn a_merchants_identity_map_wins_and_the_plain_address_still_stays_home() {
    let account = json!({"emailAddress": EMAIL});
    let custom = json!({"CRMID": [{"id": "c-1", "primary": true}]});
    let (mut e, _) = engine(json!({"hashEmail": true, "identityMap": custom}), &[("accountContext", account)]);
    let xdm = &bodies(&publish(&mut e, "createAccount", vec![], "ev-1"))[0]["events"][0]["xdm"];
    assert_eq!(xdm["identityMap"], custom);
    assert!(!xdm.to_string().to_ascii_lowercase().contains(&EMAIL.to_ascii_lowercase()));
}

/// Every way a page might put the email into contexts: in the right field, in wrong-typed fields,
/// nested where a string is expected, as keys.
fn email_everywhere() -> Vec<(&'static str, Value)> {
    let e = EMAIL;
    vec![
        ("accountContext", json!({"emailAddress": {"nested": e}, "accountId": [e], "firstName": 5})),
        ("shopperContext", json!({"shopperId": e, "email": e})),
        ("pageContext", json!({"pageType": {"x": e}, "pageName": e})),
        ("storefrontInstanceContext", json!({"environmentId": [e], "storeCode": {e: e}, "websiteCode": e})),
        ("productContext", json!({"sku": {"e": e}, "name": [e], "pricing": e})),
        ("shoppingCartContext", json!({"id": [e], "items": [{"product": {"sku": {"x": e}}, "quantity": e}]})),
        ("changedProductsContext", json!({"items": e})),
        ("orderContext", json!({"orderId": [e], "payments": [{"paymentMethodCode": {"x": e}, "total": e}]})),
        ("requisitionListContext", json!({"id": [e], "name": {"x": e}})),
        ("requisitionListItemsContext", json!({"items": [{"sku": [e]}]})),
        ("searchInputContext", json!({"units": [{"searchUnitId": [e], "phrase": {"x": e}}]})),
        ("searchResultsContext", json!({"units": e})),
        ("customContext", json!({"personalEmail": {"address": 7}, "x": e})),
        ("debugContext", json!({"eventId": {"x": e}})),
    ]
}

#[test]
fn the_email_never_appears_in_a_diagnostic() {
    let lower = EMAIL.to_ascii_lowercase();
    for hash in [false, true] {
        let (mut e, mut effects) = engine(
            json!({"hashEmail": hash, "identityMap": [{"id": EMAIL}], "consent": {"x": EMAIL}}),
            &email_everywhere(),
        );
        for (i, method) in METHODS.iter().enumerate() {
            let args = vec![ours(&json!(EMAIL)), ours(&json!({"x": EMAIL})), ours(&json!([EMAIL]))];
            effects.extend(publish(&mut e, method.name, args, &format!("ev-{i}")));
        }
        let first_request = effects
            .iter()
            .find_map(|x| if let Effect::Fetch { request_id, .. } = x { Some(request_id.clone()) } else { None })
            .expect("something was sent");
        // The Edge's error texts may quote what it received.
        let answer =
            json!({"type": "x", "status": 400, "title": "Invalid email", "detail": format!("'{EMAIL}' is not allowed"),
            "handle": [], "errors": [{"title": format!("bad {EMAIL}"), "detail": EMAIL}]})
            .to_string();
        effects.extend(e.handle(Input::Response {
            request_id: first_request.clone(),
            status: 400,
            retry_after: None,
            body: Some(answer),
            now_ms: T0,
            jitter: 0.5,
        }));
        let diagnostics: Vec<String> =
            effects.iter().filter_map(|x| if let Effect::Diagnose(d) = x { Some(d.to_json()) } else { None }).collect();
        assert!(diagnostics.len() > 40, "the hostile contexts were reported ({} diagnostics)", diagnostics.len());
        assert!(
            diagnostics.iter().any(|d| d.contains("delivery-failed") && d.contains("Invalid email")),
            "the Edge's rejection was reported"
        );
        assert!(diagnostics.iter().any(|d| d.contains("[email]")), "and its quoted email redacted");
        for d in &diagnostics {
            assert!(!d.to_ascii_lowercase().contains(&lower), "email in a diagnostic: {d}");
        }
    }
}

#[test]
fn sha256_agrees_with_the_sha2_crate() {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for len in 0..300usize {
        let data: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect();
        assert_eq!(sha256::hex_digest(&data), sha2_hex(&data), "length {len}");
    }
}

#[test]
fn events_published_before_the_configuration_are_hashed_when_it_arrives() {
    let mut e = Engine::new();
    e.handle(Input::Start(Start {
        now_ms: T0,
        page_key: "storefront-collector.outbox.p1".into(),
        cookies: IDENTITY_COOKIE.into(),
        saved: vec![],
        limits: Limits::default(),
    }));
    let account = json!({"emailAddress": EMAIL, "accountId": "42"});
    e.handle(Input::SetContext { key: "accountContext".into(), value: Some(ours(&account)) });
    let mut effects = publish(&mut e, "signIn", vec![], "ev-1");
    let aep = json!({"imsOrgId": "1234@AdobeOrg", "datastreamId": "ds-1", "edgeDomain": "edge.example.test", "hashEmail": true});
    effects.extend(e.handle(Input::SetContext { key: "aepContext".into(), value: Some(ours(&aep)) }));
    let forwarding = json!({"aep": true});
    effects
        .extend(e.handle(Input::SetContext { key: "eventForwardingContext".into(), value: Some(ours(&forwarding)) }));
    for input in [Input::Tick { now_ms: T0 }, Input::Domain("example.test".into()), Input::Tick { now_ms: T0 }] {
        effects.extend(e.handle(input));
    }
    effects.extend(e.handle(Input::Save { now_ms: T0, closing: true }));
    let body = &bodies(&effects)[0];
    let hashed = sha2_hex(EMAIL.to_ascii_lowercase().as_bytes());
    assert_eq!(body["events"][0]["xdm"]["identityMap"]["Email_LC_SHA256"][0]["id"], json!(hashed));
    let lower = EMAIL.to_ascii_lowercase();
    assert!(!body.to_string().to_ascii_lowercase().contains(&lower));
    let last_save = stored(&effects).last().copied().unwrap_or_default();
    assert!(!last_save.to_ascii_lowercase().contains(&lower), "the saved outbox lost the address too");
}
