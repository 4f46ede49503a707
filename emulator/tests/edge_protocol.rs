//! The Edge wire protocol against a live emulator over HTTPS: identity minting and cookies, location
//! hints, collect, the v2 server API, and set-consent under each standard.

mod common;

use common::*;
use edge_emulator::consent::encode_tc_string_for_tests;
use edge_emulator::identity::decode_cookie;
use serde_json::{json, Value};

const ID_COOKIE: &str = "kndctr_1234_AdobeOrg_identity";

#[tokio::test]
async fn interact_mints_identity_with_state_store_and_identity_result() {
    let dir = TempDir::new("mint");
    let emu = Emu::start(dir.path()).await;
    let mut body = alloy_body("web.webpagedetails.pageViews", json!({}));
    body["events"][0]["query"] = json!({"personalization": {"decisionScopes": ["__view__"]}});
    let r = emu
        .client
        .alloy_post("/ee/v1/interact?configId=ds-1&requestId=f3e20692-3c1d-4da4-94c7-af65e14a1fb2", &body, None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-adobe-edge"), Some("OR2;9"));
    assert_eq!(r.header("access-control-allow-origin"), Some("https://shop.example.test"));
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    let expose = r.header("access-control-expose-headers").unwrap();
    for h in ["x-adobe-edge", "retry-after", "x-request-id"] {
        assert!(expose.contains(h), "{expose}");
    }
    assert!(r.header("content-type").unwrap().starts_with("application/json"));
    let v = r.json();
    let rid = v["requestId"].as_str().unwrap();
    let suffix = rid.strip_prefix("f3e20692-3c1d-4da4-94c7-af65e14a1fb2-").expect("client id echoed");
    assert!(suffix.len() == 16 && suffix.bytes().all(|b| b.is_ascii_hexdigit()), "{rid}");
    assert_eq!(r.header("x-request-id"), Some(rid));

    let ecid = handle(&v, "identity:result").unwrap()["payload"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(handle(&v, "identity:result").unwrap()["payload"][0]["namespace"]["code"], "ECID");
    assert_eq!(ecid.len(), 38);
    assert!(ecid.bytes().all(|b| b.is_ascii_digit()));

    let id_entry = store_entry(&v, "_identity").unwrap();
    assert_eq!(id_entry["key"], ID_COOKIE);
    assert_eq!(id_entry["maxAge"], 34_128_000);
    assert_eq!(id_entry["attrs"]["SameSite"], "None");
    let decoded = decode_cookie(id_entry["value"].as_str().unwrap()).unwrap();
    assert_eq!(decoded.ecid, ecid, "the cookie's protobuf field 1 is the ECID");
    let cluster = store_entry(&v, "_cluster").unwrap();
    assert_eq!(
        (cluster["key"].as_str(), cluster["value"].as_str(), cluster["maxAge"].as_i64()),
        (Some("kndctr_1234_AdobeOrg_cluster"), Some("or2"), Some(1800))
    );
    let hints = &handle(&v, "locationHint:result").unwrap()["payload"];
    assert!(hints
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["scope"] == "EdgeNetwork" && h["hint"] == "or2" && h["ttlSeconds"] == 1800));
    let decisions = handle(&v, "personalization:decisions").unwrap();
    assert_eq!(decisions["eventIndex"], 0);
    // alloy never sends _id: the emulator assigned one and says so.
    assert!(v["warnings"][0]["detail"].as_str().unwrap().contains("_id"));

    let rows = emu.client.query("SELECT eventType, ECID, datastream, datasetId, _id FROM dataset").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], "web.webpagedetails.pageViews");
    assert_eq!(rows[0][1], json!(ecid));
    assert_eq!(rows[0][2], "ds-1");
    assert_eq!(rows[0][3], "storefront-events");

    let log = emu.client.admin_get("/__admin/requests").await;
    let rec = &log["requests"][0];
    assert_eq!(rec["method"], "POST");
    assert_eq!(rec["status"], 200);
    assert_eq!(rec["ecidSource"], "minted");
    assert_eq!(rec["body"]["events"][0]["xdm"]["eventType"], "web.webpagedetails.pageViews");
    assert_eq!(rec["headers"]["origin"], "https://shop.example.test");
    assert_eq!(rec["cookiesSet"][0]["key"], ID_COOKIE);
    emu.stop().await;
}

#[tokio::test]
async fn cookie_round_trip_keeps_the_ecid_via_header_and_state_entries() {
    let dir = TempDir::new("cookie");
    let emu = Emu::start(dir.path()).await;
    let first = emu
        .client
        .alloy_post("/ee/v1/interact?configId=ds-1&requestId=r1", &alloy_body("a", json!({})), None)
        .await
        .json();
    let ecid = handle(&first, "identity:result").unwrap()["payload"][0]["id"].as_str().unwrap().to_string();
    let cookie_value = store_entry(&first, "_identity").unwrap()["value"].as_str().unwrap().to_string();

    // First-party: the browser sends the cookie back in the Cookie header.
    let cookie = format!("{ID_COOKIE}={cookie_value}; kndctr_1234_AdobeOrg_cluster=or2; other=1");
    let second = emu
        .client
        .alloy_post("/ee/or2/v1/interact?configId=ds-1&requestId=r2", &alloy_body("b", json!({})), Some(&cookie))
        .await;
    assert_eq!(second.status, 200);
    let second = second.json();
    assert_eq!(handle(&second, "identity:result").unwrap()["payload"][0]["id"], json!(ecid));
    assert!(store_entry(&second, "_identity").is_none(), "a fresh identity cookie is not rewritten");
    assert!(store_entry(&second, "_cluster").is_some(), "the cluster cookie is renewed on every answer");

    // Third-party endpoint: alloy forwards its kndctr cookies in meta.state.entries.
    let mut body = alloy_body("c", json!({}));
    body["meta"]["state"]["entries"] = json!([{"key": ID_COOKIE, "value": cookie_value}]);
    let third = emu.client.alloy_post("/ee/v1/interact?configId=ds-1&requestId=r3", &body, None).await.json();
    assert_eq!(handle(&third, "identity:result").unwrap()["payload"][0]["id"], json!(ecid));

    // A cookie for another org is not this datastream's identity.
    let foreign = format!("kndctr_OTHER_AdobeOrg_identity={cookie_value}");
    let fourth = emu
        .client
        .alloy_post("/ee/v1/interact?configId=ds-1&requestId=r4", &alloy_body("d", json!({})), Some(&foreign))
        .await
        .json();
    assert_ne!(handle(&fourth, "identity:result").unwrap()["payload"][0]["id"], json!(ecid));

    let rows = emu.client.query("SELECT ECID FROM dataset WHERE eventType IN ('a','b','c') GROUP BY ECID").await;
    assert_eq!(rows, vec![vec![json!(ecid)]]);
    emu.stop().await;
}

#[tokio::test]
async fn migration_ecid_and_cluster_hint_paths() {
    let dir = TempDir::new("hint");
    let emu = Emu::start(dir.path()).await;
    // A legacy ECID sent as request-level identityMap seeds the identity.
    let legacy = "61301899440851568845071704394003833642";
    let mut body = alloy_body("web.webpagedetails.pageViews", json!({}));
    body["xdm"] = json!({"identityMap": {"ECID": [{"id": legacy}]}});
    let r = emu.client.alloy_post("/ee/or2/v1/interact?configId=ds-1&requestId=m1", &body, None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(handle(&v, "identity:result").unwrap()["payload"][0]["id"], legacy);
    assert_eq!(decode_cookie(store_entry(&v, "_identity").unwrap()["value"].as_str().unwrap()).unwrap().ecid, legacy);
    // Other base paths and hints route too.
    let r = emu
        .client
        .alloy_post("/ee-pre-prd/va6/v1/interact?configId=ds-1&requestId=m2", &alloy_body("x", json!({})), None)
        .await;
    assert_eq!(r.status, 200);
    let log = emu.client.admin_get("/__admin/requests").await;
    let hints: Vec<&Value> = log["requests"].as_array().unwrap().iter().map(|r| &r["locationHint"]).collect();
    assert_eq!(hints, vec![&json!("or2"), &json!("va6")]);
    // Unknown paths are a 404 problem, not a crash.
    let r = emu.client.alloy_post("/ee/v1/nope?configId=ds-1", &json!({}), None).await;
    assert_eq!(r.status, 404);
    emu.stop().await;
}

#[tokio::test]
async fn collect_answers_204_and_stores_the_beacon_event() {
    let dir = TempDir::new("collect");
    let emu = Emu::start(dir.path()).await;
    let body = alloy_body(
        "web.webinteraction.linkClicks",
        json!({"web": {"webInteraction": {"type": "exit", "name": "exit"}}}),
    );
    let r = emu
        .client
        .request(
            "POST",
            "edge.example.test",
            "/ee/or2/v1/collect?configId=demo-datastream&requestId=e19e7422-946c-45b7-9d3b-5ade892a7660",
            &[("Content-Type", "text/plain; charset=utf-8"), ("Origin", "https://shop.example.test")],
            body.to_string().as_bytes(),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert!(r.body.is_empty());
    assert_eq!(
        emu.client.query("SELECT eventType, datastream FROM dataset").await,
        vec![vec![json!("web.webinteraction.linkClicks"), json!("demo-datastream")]]
    );
    emu.stop().await;
}

#[tokio::test]
async fn identity_acquire_answers_identity_and_core_on_demdex() {
    let dir = TempDir::new("acquire");
    let emu = Emu::start(dir.path()).await;
    let body = json!({"query": {"identity": {"fetch": ["ECID", "CORE"]}}, "meta": {"state": {"domain": "example.test", "cookiesEnabled": true}}});
    let r = emu
        .client
        .request(
            "POST",
            "adobedc.demdex.net",
            "/ee/v1/identity/acquire?configId=ds-1&requestId=q1",
            &[("Content-Type", "text/plain")],
            body.to_string().as_bytes(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    let payload = handle(&v, "identity:result").unwrap()["payload"].as_array().unwrap().clone();
    assert_eq!(payload.len(), 2);
    assert_eq!(payload[1]["namespace"]["code"], "CORE");
    assert!(store_entry(&v, "_identity").is_some());
    assert_eq!(emu.client.count().await, 0, "acquire stores no events");
    emu.stop().await;
}

#[tokio::test]
async fn v2_interact_and_collect_batches() {
    let dir = TempDir::new("v2");
    let emu = Emu::start(dir.path()).await;
    let fpid = "123e4567-e89b-42d3-9456-426614174000";
    let interact = json!({"event": {"xdm": {
        "_id": "v2-i-1", "eventType": "commerce.productViews", "timestamp": "2026-01-01T12:00:00.000Z",
        "identityMap": {"FPID": [{"id": fpid, "authenticatedState": "ambiguous", "primary": true}]},
        "productListItems": [{"SKU": "sku-1", "quantity": 1, "priceTotal": 59.5}]
    }, "data": {"storefront": {"cartId": "c-1"}}}, "query": {"identity": {"fetch": ["ECID"]}}});
    let r = emu.client.post_json("/ee/v2/interact?datastreamId=ds-1", &interact).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let ecid = handle(&r.json(), "identity:result").unwrap()["payload"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(ecid, edge_emulator::identity::ecid_from_fpid(fpid), "the same FPID always gives the same ECID");

    let ev = |id: &str, email: &str, ty: &str| {
        json!({"xdm": {"_id": id, "eventType": ty, "timestamp": "2026-01-01T12:00:01Z",
            "identityMap": {"Email": [{"id": email, "primary": true}]}}})
    };
    let batch = json!({"events": [ev("v2-c-1", "ann@example.com", "web.webpagedetails.pageViews"), ev("v2-c-2", "bob@example.com", "web.webinteraction.linkClicks")]});
    let r = emu.client.post_json("/ee/or2/v2/collect?datastreamId=ds-1", &batch).await;
    assert_eq!(r.status, 202, "{}", r.text());
    assert!(r.json()["requestId"].as_str().unwrap().len() > 20);
    let silent = json!({"events": [ev("v2-c-3", "cy@example.com", "t")]});
    let r = emu.client.post_json("/ee/v2/collect?datastreamId=ds-1&silent=true", &silent).await;
    assert_eq!(r.status, 204);
    let rows = emu.client.query("SELECT _id, email FROM dataset WHERE _id LIKE 'v2-c-%' ORDER BY _id").await;
    assert_eq!(
        rows,
        vec![
            vec![json!("v2-c-1"), json!("ann@example.com")],
            vec![json!("v2-c-2"), json!("bob@example.com")],
            vec![json!("v2-c-3"), json!("cy@example.com")]
        ]
    );

    // v2 requires _id and a primary identity.
    let no_id = json!({"events": [{"xdm": {"eventType": "t", "timestamp": "2026-01-01T12:00:01Z", "identityMap": {"Email": [{"id": "a@b.c", "primary": true}]}}}]});
    let r = emu.client.post_json("/ee/v2/collect?datastreamId=ds-1", &no_id).await;
    assert_eq!(r.status, 422);
    assert!(r.json()["report"]["errors"][0].as_str().unwrap().contains("events[0].xdm._id"));
    let no_primary = json!({"events": [{"xdm": {"_id": "np", "eventType": "t", "timestamp": "2026-01-01T12:00:01Z"}}]});
    let r = emu.client.post_json("/ee/v2/collect?datastreamId=ds-1", &no_primary).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["type"], "https://ns.adobe.com/aep/errors/EXEG-0306-400");
    // v2 interact needs `event`.
    let r = emu.client.post_json("/ee/v2/interact?datastreamId=ds-1", &json!({"events": []})).await;
    assert_eq!(r.status, 400);
    emu.stop().await;
}

async fn consent_cookie(emu: &Emu, consent: Value) -> (u16, Value) {
    let body = json!({"consent": consent, "query": {"identity": {"fetch": ["ECID"]}}, "meta": {"state": {"domain": "example.test", "cookiesEnabled": true}}});
    let r = emu.client.alloy_post("/ee/v1/privacy/set-consent?configId=ds-1&requestId=c1", &body, None).await;
    (r.status, r.json())
}

#[tokio::test]
async fn set_consent_writes_the_consent_cookie_per_standard() {
    let dir = TempDir::new("consent");
    let emu = Emu::start(dir.path()).await;
    let value_of = |v: &Value| {
        store_entry(v, "_consent").map(|e| (e["value"].as_str().unwrap().to_string(), e["maxAge"].as_i64().unwrap()))
    };

    let (s, v) =
        consent_cookie(&emu, json!([{"standard": "Adobe", "version": "1.0", "value": {"general": "in"}}])).await;
    assert_eq!(s, 200);
    assert_eq!(value_of(&v), Some(("general=in".into(), 15_552_000)));
    assert!(store_entry(&v, "_identity").is_some(), "set-consent always carries the identity cookie");
    assert!(handle(&v, "identity:result").is_some());
    assert_eq!(store_entry(&v, "_consent").unwrap()["key"], "kndctr_1234_AdobeOrg_consent");

    let (_, v) =
        consent_cookie(&emu, json!([{"standard": "Adobe", "version": "1.0", "value": {"general": "out"}}])).await;
    assert_eq!(value_of(&v).unwrap().0, "general=out");
    let (_, v) = consent_cookie(&emu, json!([{"standard": "Adobe", "version": "2.0", "value": {"collect": {"val": "y"}, "metadata": {"time": "2024-01-01T00:00:00Z"}}}])).await;
    assert_eq!(value_of(&v).unwrap().0, "general=in");
    let (_, v) =
        consent_cookie(&emu, json!([{"standard": "Adobe", "version": "2.0", "value": {"collect": {"val": "n"}}}]))
            .await;
    assert_eq!(value_of(&v).unwrap().0, "general=out");

    let full = encode_tc_string_for_tests(&[1, 2, 3, 10], &[2, 565], false);
    let (_, v) =
        consent_cookie(&emu, json!([{"standard": "IAB TCF", "version": "2.0", "value": full, "gdprApplies": true}]))
            .await;
    assert_eq!(value_of(&v).unwrap().0, "general=in");
    let no_adobe = encode_tc_string_for_tests(&[1, 10], &[2, 566], true);
    let (_, v) = consent_cookie(
        &emu,
        json!([{"standard": "IAB TCF", "version": "2.0", "value": no_adobe, "gdprApplies": true}]),
    )
    .await;
    assert_eq!(value_of(&v).unwrap().0, "general=out");
    let (_, v) =
        consent_cookie(&emu, json!([{"standard": "IAB TCF", "version": "2.0", "value": "", "gdprApplies": false}]))
            .await;
    assert_eq!(value_of(&v).unwrap().0, "general=in");
    // IAB + Adobe in one call, with a top-level identityMap (captures/iab.json).
    let mut body = json!({"consent": [
        {"standard": "IAB TCF", "version": "2.0", "value": full, "gdprApplies": true},
        {"standard": "Adobe", "version": "1.0", "value": {"general": "in"}}
    ], "identityMap": {"CRMID": [{"authenticatedState": "authenticated", "id": "cust-42", "primary": false}]}});
    body["query"] = json!({"identity": {"fetch": ["ECID"]}});
    let r = emu.client.alloy_post("/ee/v1/privacy/set-consent?configId=ds-1&requestId=c9", &body, None).await;
    assert_eq!(store_entry(&r.json(), "_consent").unwrap()["value"], "general=in");

    // Validation failures: 422 EXEG-0104 naming each bad entry.
    let (s, v) = consent_cookie(
        &emu,
        json!([
            {"standard": "Adobe", "version": "3.0", "value": {"general": "in"}},
            {"standard": "IAB TCF", "version": "2.0", "value": "", "gdprApplies": true}
        ]),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(v["type"], "https://ns.adobe.com/aep/errors/EXEG-0104-422");
    let errors = v["report"]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert!(errors[1].as_str().unwrap().contains("IAB consent string value must not be empty"));
    let (s, _) = consent_cookie(&emu, json!([])).await;
    assert_eq!(s, 422);
    emu.stop().await;
}

#[tokio::test]
async fn events_under_consent_out_are_not_stored() {
    let dir = TempDir::new("out");
    let emu = Emu::start(dir.path()).await;
    let cookie = "kndctr_1234_AdobeOrg_consent=general=out";
    let r = emu
        .client
        .alloy_post("/ee/v1/interact?configId=ds-1&requestId=o1", &alloy_body("t", json!({})), Some(cookie))
        .await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["warnings"][0]["type"], "https://ns.adobe.com/aep/errors/EXEG-0301-200");
    assert_eq!(emu.client.count().await, 0);
    emu.stop().await;
}

#[tokio::test]
async fn dataset_comes_from_config_or_overrides() {
    let dir = TempDir::new("dataset");
    let mut cfg = test_config(dir.path());
    cfg.add_datastream(
        edge_emulator::config::parse_datastream("shop-ds=ABC@AdobeOrg:5f00000000000000000000aa").unwrap(),
    );
    let emu = Emu::start_with(cfg).await;
    let r =
        emu.client.alloy_post("/ee/v1/interact?configId=shop-ds&requestId=d1", &alloy_body("a", json!({})), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(store_entry(&r.json(), "_identity").unwrap()["key"], "kndctr_ABC_AdobeOrg_identity");
    let mut body = alloy_body("b", json!({}));
    body["meta"]["configOverrides"] =
        json!({"com_adobe_experience_platform": {"datasets": {"event": {"datasetId": "override-ds"}}}});
    let r = emu.client.alloy_post("/ee/v1/interact?configId=shop-ds&requestId=d2", &body, None).await;
    assert_eq!(r.status, 200);
    let rows = emu.client.query("SELECT eventType, datasetId FROM dataset ORDER BY eventType").await;
    assert_eq!(rows, vec![vec![json!("a"), json!("5f00000000000000000000aa")], vec![json!("b"), json!("override-ds")]]);
    emu.stop().await;
}
