//! Golden tests as data: each `tests/fixtures/*.json` gives contexts and publish calls and the
//! expected XDM (or drop) and diagnostics. One runner, `check`, runs them on the host
//! (`cargo +stable test --target x86_64-unknown-linux-gnu --test golden`) and in headless Chromium
//! (`cargo test --test golden`). Fixtures are compiled in with `include_str!`, so the browser run
//! needs no file access. `GOLDEN_BLESS=1` on the host rewrites the `expect` fields from the current
//! output; every blessed change is reviewed against spec/collector.md §2 before it is committed.

use storefront_collector::engine::json::{self, Map, Value};
use storefront_collector::engine::xdm::PageFacts;
use storefront_collector::engine::{Effect, Engine, Input, Publish};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Contexts every fixture starts from (a fixture's `contexts` override them; `null` removes one).
const BASE: &str = include_str!("fixtures/_contexts.json");

/// One test per fixture file, named after it; the file is compiled in.
macro_rules! fixtures {
    ($($name:ident),* $(,)?) => {$(
        #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
        #[cfg_attr(not(target_arch = "wasm32"), test)]
        fn $name() {
            run(stringify!($name), include_str!(concat!("fixtures/", stringify!($name), ".json")));
        }
    )*
        /// Every listed fixture, for the completeness check.
        const LISTED: &[&str] = &[$(stringify!($name)),*];
    };
}

fixtures!(
    page_view,
    page_view_without_page,
    product_page_view,
    product_page_view_custom_first_line,
    product_page_view_without_pricing,
    product_page_view_without_product,
    product_page_view_bad_fields,
    add_to_cart,
    add_to_cart_custom_sku_merge,
    add_to_cart_without_storefront,
    add_to_cart_without_changed_products,
    add_to_cart_changed_products_without_items,
    add_to_cart_bad_lines,
    remove_from_cart,
    open_cart,
    shopping_cart_view,
    shopping_cart_view_without_cart,
    initiate_checkout,
    place_order,
    place_order_custom_merge,
    place_order_split_payments,
    place_order_without_payments,
    place_order_without_order,
    sign_in,
    sign_in_without_account,
    sign_out,
    create_account,
    edit_account,
    search_request_sent,
    search_request_filters,
    search_request_unknown_unit,
    search_response_received,
    search_response_unknown_unit,
    create_requisition_list,
    add_to_requisition_list,
    add_to_requisition_list_from_order_page,
    add_to_requisition_list_from_cart,
    remove_from_requisition_list,
    remove_from_requisition_list_without_items,
    delete_requisition_list,
    requisition_without_list,
    custom,
    custom_without_payload,
    custom_argument_not_object,
    set_custom_persists,
    storefront_not_an_object,
    identity_map_array,
    ecid_unavailable,
    not_forwarded_methods,
);

/// Every `tests/fixtures/*.json` (but `_contexts.json`) is listed above, so none is skipped.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_fixture_file_is_listed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if let Some(stem) = name.strip_suffix(".json").filter(|s| !s.starts_with('_')) {
            assert!(LISTED.contains(&stem), "tests/fixtures/{name} is not listed in tests/golden.rs");
        }
    }
}

/// Runs one fixture; returns the actual `expect` list (for blessing) and panics on a mismatch.
fn check(name: &str, text: &str) -> Vec<Value> {
    let fixture = json::parse(text).unwrap_or_else(|_| {
        // Ours says only that it is not JSON; serde_json says where.
        panic!("{name}: bad fixture JSON: {:?}", serde_json::from_str::<serde_json::Value>(text).err())
    });
    let mut contexts = json::parse(BASE).unwrap().as_object().cloned().unwrap();
    if let Some(overrides) = fixture.get("contexts").and_then(Value::as_object) {
        for (key, value) in overrides.iter() {
            if value.is_null() {
                contexts.remove(key);
            } else {
                contexts.insert(key.clone(), value.clone());
            }
        }
    }
    let mut engine = Engine::new();
    for (key, value) in contexts.iter() {
        engine.handle(Input::SetContext { key: key.clone(), value: Some(value.clone()) });
    }
    let mut effects = Vec::new();
    for (i, call) in fixture.get("calls").and_then(Value::as_array).cloned().unwrap_or_default().iter().enumerate() {
        effects.extend(engine.handle(Input::Publish(Publish {
            method: call.get("method").and_then(Value::as_str).unwrap_or_default().to_owned(),
            args: call.get("args").and_then(Value::as_array).cloned().unwrap_or_default(),
            event_id: format!("00000000-0000-4000-8000-{i:012}"),
            at_ms: 1_795_435_200_000.0 + i as f64,
            page: PageFacts {
                url: "https://shop.example.com/catalog/t-shirt.html".into(),
                referrer: "https://www.google.com/".into(),
            },
            notify: false,
        })));
    }
    let ecid = fixture.get("ecid").and_then(Value::as_str).map(str::to_owned);
    effects.extend(engine.handle(Input::IdentityResolved { ecid }));

    // What happened, in order: each event handed off (its XDM) or reported (code and path).
    let mut actual = Vec::new();
    for effect in effects {
        match effect {
            Effect::HandOff { xdm, .. } => {
                let mut entry = Map::new();
                entry.insert("xdm", xdm);
                actual.push(Value::Object(entry));
            }
            Effect::Diagnose(d) if d.level != storefront_collector::engine::diagnostic::Level::Info => {
                let mut entry = Map::new();
                entry.insert("diagnostic", format!("{} {} {}", d.level.as_str(), d.code.as_str(), d.path));
                actual.push(Value::Object(entry));
            }
            _ => {}
        }
    }
    let expected = fixture.get("expect").and_then(Value::as_array).cloned().unwrap_or_default();
    if !blessing() && actual != expected {
        let show = |list: &[Value]| list.iter().map(|v| pretty(v, 0)).collect::<Vec<_>>().join("\n");
        panic!("{name}: expected\n{}\nactual\n{}", show(&expected), show(&actual));
    }
    actual
}

fn blessing() -> bool {
    #[cfg(not(target_arch = "wasm32"))]
    return std::env::var_os("GOLDEN_BLESS").is_some();
    #[cfg(target_arch = "wasm32")]
    false
}

/// Checks one fixture, or with `GOLDEN_BLESS` set rewrites its `expect` from the actual output.
fn run(name: &str, text: &str) {
    let actual = check(name, text);
    #[cfg(not(target_arch = "wasm32"))]
    if blessing() {
        let mut fixture = json::parse(text).unwrap().as_object().cloned().unwrap();
        fixture.insert("expect", Value::Array(actual));
        let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
        std::fs::write(path, pretty(&Value::Object(fixture), 0) + "\n").unwrap();
    }
    #[cfg(target_arch = "wasm32")]
    let _ = actual;
}

/// Indented JSON for readable fixture diffs.
fn pretty(value: &Value, depth: usize) -> String {
    let pad = "  ".repeat(depth + 1);
    let end = "  ".repeat(depth);
    match value {
        Value::Object(map) if !map.is_empty() => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{pad}{}: {}", Value::from(k.as_str()).to_json(), pretty(v, depth + 1)))
                .collect();
            format!("{{\n{}\n{end}}}", items.join(",\n"))
        }
        Value::Array(items) if !items.is_empty() => {
            let items: Vec<String> = items.iter().map(|v| format!("{pad}{}", pretty(v, depth + 1))).collect();
            format!("[\n{}\n{end}]", items.join(",\n"))
        }
        other => other.to_json(),
    }
}
