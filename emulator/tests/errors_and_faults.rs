//! Error answers (RFC 7807 bodies with EXEG codes), fault injection, and hostile input: every bad
//! request gets its documented error and the emulator keeps serving.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use tokio::io::AsyncWriteExt;

fn problem_type(r: &Resp) -> String {
    assert!(r.header("content-type").unwrap_or("").starts_with("application/problem+json"), "{:?}", r.headers);
    r.json()["type"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn each_error_status_has_its_problem_body() {
    let dir = TempDir::new("errors");
    let emu = Emu::start(dir.path()).await;
    let c = &emu.client;

    // 400: unknown datastream (the exact text alloy shows in its rejection).
    let r = c.alloy_post("/ee/v1/interact?configId=BOGUS&requestId=b1", &alloy_body("t", json!({})), None).await;
    assert_eq!(r.status, 400);
    assert_eq!(problem_type(&r), "https://ns.adobe.com/aep/errors/EXEG-0003-400");
    let v = r.json();
    assert_eq!(v["title"], "Invalid datastream ID");
    assert_eq!(v["detail"], "The datastream ID 'BOGUS' referenced in your request does not exist. Update the request with a valid datastream ID and try again.");
    assert!(v["report"]["requestId"].as_str().unwrap().starts_with("b1-"));
    assert_eq!(r.header("access-control-allow-origin"), Some("https://shop.example.test"), "errors carry CORS too");
    let r = c.alloy_post("/ee/v1/interact", &alloy_body("t", json!({})), None).await;
    assert_eq!(problem_type(&r), "https://ns.adobe.com/aep/errors/EXEG-0003-400", "a missing configId too");

    // 400: malformed JSON.
    let r = c
        .request(
            "POST",
            "edge.example.test",
            "/ee/v1/interact?configId=ds-1",
            &[("Content-Type", "text/plain")],
            b"{\"events\": [",
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(problem_type(&r), "https://ns.adobe.com/aep/errors/EXEG-0101-400");
    let r = c
        .request(
            "POST",
            "edge.example.test",
            "/ee/v1/interact?configId=ds-1",
            &[("Content-Type", "text/plain")],
            b"[1,2]",
        )
        .await;
    assert_eq!(problem_type(&r), "https://ns.adobe.com/aep/errors/EXEG-0102-400");

    // 413: over 64 KB.
    let mut big = alloy_body("t", json!({}));
    big["events"][0]["data"] = json!({"pad": "x".repeat(70 * 1024)});
    let r = c.alloy_post("/ee/v1/interact?configId=ds-1", &big, None).await;
    assert_eq!(r.status, 413);
    assert_eq!(problem_type(&r), "https://ns.adobe.com/aep/errors/EXEG-0112-413");
    // A declared length far beyond the limit is refused without reading the body.
    let raw = c
        .raw_tls("edge.example.test", b"POST /ee/v1/interact?configId=ds-1 HTTP/1.1\r\nHost: e\r\nContent-Type: text/plain\r\nContent-Length: 99999999\r\n\r\n{")
        .await
        .unwrap();
    assert_eq!(parse_response(&raw).status, 413);

    // 415: content type.
    let r = c
        .request(
            "POST",
            "edge.example.test",
            "/ee/v1/interact?configId=ds-1",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            b"a=b",
        )
        .await;
    assert_eq!(r.status, 415);
    assert_eq!(problem_type(&r), "https://ns.adobe.com/aep/errors/EXEG-0111-415");
    assert!(r.json()["detail"].as_str().unwrap().contains("application/json"));
    for ok in ["application/json", "text/javascript", "text/plain;charset=UTF-8"] {
        let r = c
            .request(
                "POST",
                "edge.example.test",
                "/ee/v1/interact?configId=ds-1",
                &[("Content-Type", ok)],
                alloy_body("t", json!({})).to_string().as_bytes(),
            )
            .await;
        assert_eq!(r.status, 200, "{ok}");
    }

    // 422: XDM shape, each bad field named.
    let bad = json!({"events": [
        {"xdm": {"timestamp": "2026-01-01T00:00:00Z"}},
        {"xdm": {"eventType": "t", "timestamp": "last tuesday", "identityMap": {"Email": [{"id": 5, "primary": "maybe"}], "ECID": "x"}}},
        {"xdm": {"eventType": ["t"], "timestamp": 17, "_id": 3}},
        "not an event"
    ]});
    let r = c.alloy_post("/ee/v1/interact?configId=ds-1&requestId=s1", &bad, None).await;
    assert_eq!(r.status, 422);
    assert_eq!(problem_type(&r), "https://ns.adobe.com/aep/errors/EXEG-0104-422");
    let errors: Vec<String> =
        r.json()["report"]["errors"].as_array().unwrap().iter().map(|e| e.as_str().unwrap().to_string()).collect();
    let all = errors.join("\n");
    for field in [
        "events[0].xdm.eventType",
        "events[1].xdm.timestamp",
        "events[1].xdm.identityMap.Email[0].id",
        "events[1].xdm.identityMap.Email[0].primary",
        "events[1].xdm.identityMap.ECID",
        "events[2].xdm.eventType",
        "events[2].xdm.timestamp",
        "events[2].xdm._id",
        "events[3]",
    ] {
        assert!(all.contains(field), "{field} missing from {all}");
    }
    assert_eq!(c.count().await, 3, "only the three content-type probes were stored; a bad request stores nothing");

    // The rejected table holds them, with the error code.
    let rej = c.admin_get("/__admin/rejected").await;
    let codes: Vec<&str> = rej["rejected"].as_array().unwrap().iter().map(|r| r["error"].as_str().unwrap()).collect();
    for code in ["EXEG-0003-400", "EXEG-0101-400", "EXEG-0112-413", "EXEG-0111-415", "EXEG-0104-422"] {
        assert!(codes.contains(&code), "{code} not in {codes:?}");
    }
    let rows = c.query("SELECT status, error FROM rejected WHERE error = 'EXEG-0104-422'").await;
    assert_eq!(rows, vec![vec![json!(422), json!("EXEG-0104-422")]]);
    emu.stop().await;
}

#[tokio::test]
async fn fault_injection_by_datastream_id() {
    let dir = TempDir::new("faults-id");
    let emu = Emu::start(dir.path()).await;
    let c = &emu.client;
    let body = alloy_body("t", json!({}));
    // RATE: first call 429 with Retry-After 1 (exposed to scripts), the retry (same URL) succeeds.
    let url = "/ee/v1/interact?configId=RATE-ds&requestId=same-id";
    let r = c.alloy_post(url, &body, None).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert!(r.header("access-control-expose-headers").unwrap().contains("retry-after"));
    assert_eq!(problem_type(&r), "https://ns.adobe.com/aep/errors/EXEG-0009-429");
    let r = c.alloy_post(url, &body, None).await;
    assert_eq!(r.status, 200);
    // RATE_2: two refusals.
    for expect in [429, 429, 200] {
        assert_eq!(c.alloy_post("/ee/v1/interact?configId=RATE_2-x", &body, None).await.status, expect);
    }
    // FAIL503: always; FAIL502_1: once.
    for _ in 0..2 {
        let r = c.alloy_post("/ee/v1/interact?configId=FAIL503", &body, None).await;
        assert_eq!(r.status, 503);
        assert_eq!(problem_type(&r), "https://ns.adobe.com/aep/errors/EXEG-0201-503");
    }
    assert_eq!(c.alloy_post("/ee/v1/collect?configId=FAIL502_1", &body, None).await.status, 502);
    assert_eq!(c.alloy_post("/ee/v1/collect?configId=FAIL502_1", &body, None).await.status, 204);
    // SLOW_300: delayed, then normal.
    let t = Instant::now();
    let r = c.alloy_post("/ee/v1/interact?configId=SLOW_300", &body, None).await;
    assert_eq!(r.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    emu.stop().await;
}

#[tokio::test]
async fn fault_injection_via_admin_api_and_reset() {
    let dir = TempDir::new("faults-admin");
    let emu = Emu::start(dir.path()).await;
    let c = &emu.client;
    let body = alloy_body("t", json!({}));
    let r = c
        .admin_post(
            "/__admin/faults",
            &json!({"status": 503, "count": 2, "retryAfter": 2, "datastream": "ds-1", "path": "interact"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(c.admin_get("/__admin/faults").await["faults"][0]["count"], 2);
    // Another datastream and another action are untouched.
    assert_eq!(c.alloy_post("/ee/v1/interact?configId=demo-datastream", &body, None).await.status, 200);
    assert_eq!(c.alloy_post("/ee/v1/collect?configId=ds-1", &body, None).await.status, 204);
    for _ in 0..2 {
        let r = c.alloy_post("/ee/v1/interact?configId=ds-1", &body, None).await;
        assert_eq!(r.status, 503);
        assert_eq!(r.header("retry-after"), Some("2"));
    }
    assert_eq!(c.alloy_post("/ee/v1/interact?configId=ds-1", &body, None).await.status, 200);

    // A 429 with a delay and no count stays until removed.
    c.admin_post("/__admin/faults", &json!([{"status": 429, "retryAfter": "1", "delayMs": 150}])).await;
    let t = Instant::now();
    assert_eq!(c.alloy_post("/ee/v1/interact?configId=ds-1", &body, None).await.status, 429);
    assert!(t.elapsed() >= Duration::from_millis(150));
    assert_eq!(c.alloy_post("/ee/v1/interact?configId=ds-1", &body, None).await.status, 429);
    let log = c.admin_get("/__admin/requests").await;
    let last = log["requests"].as_array().unwrap().last().unwrap().clone();
    assert!(last["fault"].as_str().unwrap().contains("admin fault"));

    // Bad fault specs are refused.
    assert_eq!(c.admin_post("/__admin/faults", &json!({"status": "x"})).await.status, 400);
    assert_eq!(c.admin_post("/__admin/faults", &json!({})).await.status, 400);

    // Reset: faults, log, events and rejected rows are gone.
    let r = c.admin_post("/__admin/reset", &json!({})).await;
    assert_eq!(r.status, 200);
    assert_eq!(c.admin_get("/__admin/faults").await["faults"], json!([]));
    assert_eq!(c.admin_get("/__admin/requests").await["requests"], json!([]));
    assert_eq!(c.count().await, 0);
    assert_eq!(c.query("SELECT count(*) FROM rejected").await[0][0], 0);
    assert_eq!(c.alloy_post("/ee/v1/interact?configId=ds-1", &body, None).await.status, 200);
    // ?events=keep keeps the store.
    c.admin_post("/__admin/reset?events=keep", &json!({})).await;
    assert_eq!(c.count().await, 1);
    emu.stop().await;
}

#[tokio::test]
async fn hostile_input_never_breaks_the_server() {
    let dir = TempDir::new("hostile");
    let emu = Emu::start(dir.path()).await;
    let c = &emu.client;

    // Garbage instead of HTTP.
    let raw = c.raw_tls("edge.example.test", b"\x00\x01\x02 not http at all\r\n\r\n").await.unwrap();
    assert!(raw.is_empty() || String::from_utf8_lossy(&raw).starts_with("HTTP/1.1 400"));
    // Not TLS on the TLS port.
    let mut tcp = tokio::net::TcpStream::connect(c.https).await.unwrap();
    tcp.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    drop(tcp);
    // Invalid UTF-8 and deep nesting are malformed JSON, not panics.
    let r = c
        .request(
            "POST",
            "edge.example.test",
            "/ee/v1/interact?configId=ds-1",
            &[("Content-Type", "text/plain")],
            b"{\"events\":\"\xff\xfe\"}",
        )
        .await;
    assert_eq!(r.status, 400);
    let deep = "[".repeat(5000) + &"]".repeat(5000);
    let r = c
        .request(
            "POST",
            "edge.example.test",
            "/ee/v1/interact?configId=ds-1",
            &[("Content-Type", "text/plain")],
            deep.as_bytes(),
        )
        .await;
    assert_eq!(r.status, 400);
    // Wrong method, preflight.
    let r = c.request("GET", "edge.example.test", "/ee/v1/interact?configId=ds-1", &[], b"").await;
    assert_eq!(r.status, 405);
    let r = c
        .request(
            "OPTIONS",
            "edge.example.test",
            "/ee/v1/interact?configId=ds-1",
            &[
                ("Origin", "https://shop.example.test"),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type"),
            ],
            b"",
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some("https://shop.example.test"));
    assert_eq!(r.header("access-control-allow-headers"), Some("content-type"));
    assert!(r.header("access-control-allow-methods").unwrap().contains("POST"));
    // Huge, weird query strings and ids.
    let long = format!("/ee/v1/interact?configId={}&requestId={}", "%ff".repeat(2000), "x".repeat(5000));
    let r = c.alloy_post(&long, &alloy_body("t", json!({})), None).await;
    assert_eq!(r.status, 400);
    // A bad identity cookie is ignored (a new ECID is minted).
    let r = c
        .alloy_post(
            "/ee/v1/interact?configId=ds-1",
            &alloy_body("t", json!({})),
            Some("kndctr_1234_AdobeOrg_identity=%%%; =; ;;"),
        )
        .await;
    assert_eq!(r.status, 200);

    // Slow client: headers, then a body that never comes -> 408 within the client timeout (2 s).
    let t = Instant::now();
    let raw = c
        .raw_tls("edge.example.test", b"POST /ee/v1/interact?configId=ds-1 HTTP/1.1\r\nHost: e\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n{")
        .await
        .unwrap();
    assert_eq!(parse_response(&raw).status, 408);
    assert!(t.elapsed() < Duration::from_secs(6));
    // Slow client that never finishes its headers is cut off too.
    let t = Instant::now();
    let raw = c.raw_tls("edge.example.test", b"POST /ee/v1/interact HTTP/1.1\r\nHost: e\r\n").await.unwrap();
    assert!(
        raw.is_empty() || String::from_utf8_lossy(&raw).starts_with("HTTP/1.1 408"),
        "{:?}",
        String::from_utf8_lossy(&raw)
    );
    assert!(t.elapsed() < Duration::from_secs(8));

    // Many connections at once.
    let mut tasks = Vec::new();
    for i in 0..40 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            c.alloy_post(
                &format!("/ee/v1/interact?configId=ds-1&requestId=p{i}"),
                &alloy_body("parallel", json!({})),
                None,
            )
            .await
            .status
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }

    // Admin API: JSON content type required for changes; foreign Host names refused.
    let r = c.request("POST", "127.0.0.1", "/__admin/reset", &[("Content-Type", "text/plain")], b"{}").await;
    assert_eq!(r.status, 415);
    // (A DNS-rebinding page would reach us under its own name; over plain HTTP no certificate stops it.)
    let raw = c
        .raw_http(b"GET /__admin/requests HTTP/1.1\r\nHost: evil.example.com:80\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(parse_response(&raw).status, 403);
    let raw = c
        .raw_http(b"GET /__admin/counts HTTP/1.1\r\nHost: shop.example.test\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(parse_response(&raw).status, 200, "certificate names are allowed");
    let r = c.request("GET", "127.0.0.1", "/__admin/requests", &[("Origin", "https://evil.example.com")], b"").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), None, "the admin API sends no CORS headers");
    let r = c.request("GET", "127.0.0.1", "/__admin/nope", &[], b"").await;
    assert_eq!(r.status, 404);

    // Still serving.
    let r = c.alloy_post("/ee/v1/interact?configId=ds-1", &alloy_body("after", json!({})), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(c.admin_get("/__admin/counts").await["byEventType"]["parallel"], 40);
    emu.stop().await;
}
