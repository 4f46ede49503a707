//! Bad input of every kind, through every publish method: the engine never panics, and every event
//! that is not sent as asked is accounted for by a diagnostic.

use serde_json::{json, Value};
use storefront_collector::engine::diagnostic::Level;
use storefront_collector::engine::method::METHODS;
use storefront_collector::engine::xdm::PageFacts;
use storefront_collector::engine::{json, Effect, Engine, Input, Publish};

fn ours(value: &Value) -> json::Value {
    json::parse(&value.to_string()).unwrap()
}

/// Garbage for contexts and arguments: wrong types, NaN-as-null, huge strings, deep nesting.
fn garbage() -> Vec<Value> {
    // 120 levels: just under the parser's limit (deeper input is refused at the boundary with an
    // `unreadable-input` diagnostic, tested in engine::json).
    let mut deep = json!(1);
    for _ in 0..60 {
        deep = json!({"a": [deep]});
    }
    vec![
        json!(null),
        json!(42),
        json!("a string"),
        json!(true),
        json!([1, "two", null]),
        json!({}),
        json!({"items": "not an array", "units": 7, "pricing": {"regularPrice": null, "specialPrice": "abc"}}),
        json!({"items": [null, 3, {"product": 5, "prices": {"price": {"value": "NaN"}}, "quantity": -1}]}),
        json!({"units": [{"searchUnitId": 1, "filter": [null, {"range": "x"}], "sort": [1], "products": {}}]}),
        json!({"id": {"nested": true}, "orderId": [], "payments": [null, {"total": "many"}], "shipping": 3}),
        json!({"sku": "x".repeat(1_000_000)}),
        json!({"identityMap": [{"id": 1}, "x", {"namespace": {"code": 7}}], "imsOrgId": 5}),
        deep,
    ]
}

const CONTEXTS: &[&str] = &[
    "storefrontInstanceContext",
    "pageContext",
    "productContext",
    "shoppingCartContext",
    "changedProductsContext",
    "orderContext",
    "accountContext",
    "requisitionListContext",
    "requisitionListItemsContext",
    "orderPageContext",
    "searchInputContext",
    "searchResultsContext",
    "customContext",
    "debugContext",
    "channelContext",
];

#[test]
fn every_method_survives_every_kind_of_garbage() {
    let ecid = "12345678901234567890123456789012345678";
    for (round, bad) in garbage().iter().enumerate() {
        let mut engine = Engine::new();
        engine.handle(Input::SetContext {
            key: "aepContext".into(),
            value: Some(ours(&json!({"imsOrgId": "1234@AdobeOrg", "webSdkName": "alloy"}))),
        });
        engine.handle(Input::SetContext {
            key: "eventForwardingContext".into(),
            value: Some(ours(&json!({"aep": true}))),
        });
        for key in CONTEXTS {
            engine.handle(Input::SetContext { key: (*key).into(), value: Some(ours(bad)) });
        }
        engine.handle(Input::IdentityResolved { ecid: Some(ecid.into()) });
        for (i, method) in METHODS.iter().enumerate() {
            let args = match round % 3 {
                0 => vec![],
                1 => vec![ours(bad)],
                _ => vec![ours(bad), ours(bad), ours(bad), ours(bad)],
            };
            let effects = engine.handle(Input::Publish(Publish {
                method: method.name.into(),
                args,
                event_id: format!("e-{round}-{i}"),
                at_ms: 1_795_435_200_000.0,
                page: PageFacts::default(),
                notify: true,
            }));
            let handed = effects.iter().any(|e| matches!(e, Effect::HandOff { .. }));
            let reported = effects.iter().any(|e| matches!(e, Effect::Diagnose(_)));
            assert!(handed || reported, "{}: neither sent nor reported (round {round})", method.name);
            for effect in &effects {
                if let Effect::HandOff { xdm, .. } = effect {
                    // Whatever the input, what goes out is valid JSON with an event id and time.
                    let text = json::Value::Object(xdm.clone()).to_json();
                    let back: Value = serde_json::from_str(&text).expect("valid JSON out");
                    assert!(back["_id"].is_string() && back["timestamp"].is_string(), "{}", method.name);
                }
                if let Effect::Diagnose(d) = effect {
                    assert!(!d.message.is_empty());
                    if d.level == Level::Error {
                        assert!(!d.event.is_empty() || !d.path.is_empty(), "an error names the event or field: {d:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn unknown_methods_and_unparseable_contexts_are_reported() {
    let mut engine = Engine::new();
    let effects = engine.handle(Input::Publish(Publish {
        method: "noSuchMethod".into(),
        args: vec![],
        event_id: "x".into(),
        at_ms: 0.0,
        page: PageFacts::default(),
        notify: false,
    }));
    assert!(matches!(&effects[..], [Effect::Diagnose(d)] if d.code.as_str() == "unknown-method"));
    for text in ["{", "[1,", "\"unterminated", "01", "nul", ""] {
        assert!(json::parse(text).is_err(), "{text:?}");
    }
}
