//! The event store and the command line: duplicates stored once, nothing lost on restart, the
//! `query` and `import-profiles` subcommands, the binary's `serve` start-up line, and the viewer.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_edge-emulator");

#[tokio::test]
async fn duplicate_ids_are_stored_once() {
    let dir = TempDir::new("dup");
    let emu = Emu::start(dir.path()).await;
    let c = &emu.client;
    let ev = json!({"events": [{"xdm": {"_id": "order-1", "eventType": "commerce.purchases", "timestamp": "2026-01-01T10:00:00Z",
        "identityMap": {"Email": [{"id": "ann@example.com", "primary": true}]}}}]});
    assert_eq!(c.post_json("/ee/v2/collect?datastreamId=ds-1", &ev).await.status, 202);
    assert_eq!(
        c.post_json("/ee/v2/collect?datastreamId=ds-1", &ev).await.status,
        202,
        "a duplicate is still a success"
    );
    let mut v1 = alloy_body("commerce.purchases", json!({"_id": "order-1"}));
    v1["events"][0]["xdm"]["_id"] = json!("order-1");
    assert_eq!(c.alloy_post("/ee/v1/interact?configId=ds-1", &v1, None).await.status, 200);
    assert_eq!(c.query("SELECT count(*) FROM dataset WHERE _id = 'order-1'").await[0][0], 1);

    // alloy's retry after a 429 repeats the URL (same requestId) and body without an _id: the
    // server-assigned _id is the same, so the event is stored once.
    let body = alloy_body("web.webpagedetails.pageViews", json!({}));
    for _ in 0..3 {
        assert_eq!(c.alloy_post("/ee/v1/interact?configId=ds-1&requestId=retry-1", &body, None).await.status, 200);
    }
    assert_eq!(c.query("SELECT count(*) FROM dataset WHERE eventType = 'web.webpagedetails.pageViews'").await[0][0], 1);
    let log = c.admin_get("/__admin/requests").await;
    let dups: Vec<i64> =
        log["requests"].as_array().unwrap().iter().map(|r| r["duplicates"].as_i64().unwrap()).collect();
    assert_eq!(dups, vec![0, 1, 1, 0, 1, 1]);
    emu.stop().await;
}

#[tokio::test]
async fn restart_keeps_events() {
    let dir = TempDir::new("restart");
    let emu = Emu::start(dir.path()).await;
    for i in 0..5 {
        let r = emu
            .client
            .alloy_post(&format!("/ee/v1/interact?configId=ds-1&requestId=k{i}"), &alloy_body("keep", json!({})), None)
            .await;
        assert_eq!(r.status, 200);
    }
    let ca_before = emu.server.state.tls_files.ca_pem.clone();
    emu.stop().await;

    let emu = Emu::start(dir.path()).await;
    assert_eq!(emu.client.count().await, 5);
    assert_eq!(emu.server.state.tls_files.ca_pem, ca_before, "the CA is kept, so a trusted CA stays trusted");
    let r =
        emu.client.alloy_post("/ee/v1/interact?configId=ds-1&requestId=k9", &alloy_body("keep", json!({})), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(emu.client.count().await, 6);
    emu.stop().await;
}

#[tokio::test]
async fn query_cli_prints_an_aligned_table() {
    let dir = TempDir::new("cli");
    let emu = Emu::start(dir.path()).await;
    for (ty, ts) in [
        ("web.webpagedetails.pageViews", "2026-01-01T10:00:00Z"),
        ("commerce.productViews", "2026-01-01T11:00:00+00:00"),
    ] {
        let ev = json!({"events": [{"xdm": {"_id": ty, "eventType": ty, "timestamp": ts, "identityMap": {"Email": [{"id": "ann@example.com", "primary": true}]}}}]});
        assert_eq!(emu.client.post_json("/ee/v2/collect?datastreamId=ds-1", &ev).await.status, 202);
    }
    let db = dir.path().join("events.db");
    // The server is still running: the CLI reads alongside it (WAL).
    let out = Command::new(BIN)
        .args(["query", "--db"])
        .arg(&db)
        .arg("SELECT timestamp, eventType, email FROM dataset ORDER BY timestamp DESC")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let expected = "\
timestamp                | eventType                    | email
-------------------------+------------------------------+----------------
2026-01-01T11:00:00.000Z | commerce.productViews        | ann@example.com
2026-01-01T10:00:00.000Z | web.webpagedetails.pageViews | ann@example.com
(2 rows)
";
    assert_eq!(text, expected);

    // SELECT * works and long cells are cut; --json gives one object per row.
    let out = Command::new(BIN)
        .args(["query", "--db"])
        .arg(&db)
        .arg("SELECT * FROM dataset ORDER BY timestamp DESC")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("timestamp "), "{text}");
    assert!(text.contains("xdm"));
    assert!(text.contains('…'));
    let out = Command::new(BIN)
        .args(["query", "--json", "--db"])
        .arg(&db)
        .arg("SELECT eventType FROM dataset ORDER BY eventType")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "{\"eventType\":\"commerce.productViews\"}\n{\"eventType\":\"web.webpagedetails.pageViews\"}\n"
    );

    // Only SELECT.
    for bad in ["DELETE FROM dataset", "SELECT 1; DROP TABLE dataset", "UPDATE dataset SET email = NULL"] {
        let out = Command::new(BIN).args(["query", "--db"]).arg(&db).arg(bad).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("only SELECT"), "{bad}");
    }
    assert_eq!(emu.client.count().await, 2);
    emu.stop().await;
    // After the server stopped too.
    let out =
        Command::new(BIN).args(["query", "--db"]).arg(&db).arg("SELECT count(*) AS n FROM dataset").output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "n\n-\n2\n(1 row)\n");
}

#[tokio::test]
async fn viewer_is_served_and_escapes_event_strings() {
    let dir = TempDir::new("viewer");
    let emu = Emu::start(dir.path()).await;
    let c = &emu.client;
    let evil = "<img src=x onerror=alert(1)>";
    let ev = json!({"events": [{"xdm": {"_id": "x1", "eventType": evil, "timestamp": "2026-01-01T10:00:00Z",
        "identityMap": {"Email": [{"id": "\"><script>alert(2)</script>@x.y", "primary": true}]}}}]});
    assert_eq!(c.post_json("/ee/v2/collect?datastreamId=ds-1", &ev).await.status, 202);

    for page in ["/", "/viewer"] {
        let r = c.request("GET", "127.0.0.1", page, &[], b"").await;
        assert_eq!(r.status, 200);
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
        let csp = r.header("content-security-policy").unwrap();
        assert!(csp.contains("script-src 'sha256-") && csp.contains("default-src 'none'"), "{csp}");
        let html = r.text();
        assert!(html.contains("textContent"));
        for forbidden in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("] {
            assert!(!html.contains(forbidden), "the viewer must not use {forbidden}");
        }
        assert!(!html.contains(evil), "event data is never baked into the page");
    }
    // Plain HTTP serves the viewer as well.
    let r = c.request_http("GET", "/", &[], b"").await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("edge-emulator"));

    // The data the viewer polls is JSON (served as such, not sniffable as HTML).
    let r = c.request("GET", "127.0.0.1", "/__admin/events?after=0", &[], b"").await;
    assert!(r.header("content-type").unwrap().starts_with("application/json"));
    let v = r.json();
    assert_eq!(v["events"][0]["eventType"], evil);
    assert_eq!(v["events"][0]["xdm"]["eventType"], evil);
    let counts = c.admin_get("/__admin/counts").await;
    assert_eq!(counts["byEventType"][evil], 1);
    let filtered = c.admin_get(&format!("/__admin/events?eventType={}", percent_encode(evil))).await;
    assert_eq!(filtered["events"].as_array().unwrap().len(), 1);
    let none = c.admin_get("/__admin/events?eventType=other").await;
    assert_eq!(none["events"], json!([]));

    // The SQL box's endpoint: read-only SELECTs as JSON.
    let rows = c.query("SELECT eventType, email FROM dataset").await;
    assert_eq!(rows[0][0], evil);
    let r = c
        .request("GET", "127.0.0.1", &format!("/__admin/query?sql={}", percent_encode("DELETE FROM dataset")), &[], b"")
        .await;
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].as_str().unwrap().contains("only SELECT"));
    let r = c
        .request(
            "GET",
            "127.0.0.1",
            &format!("/__admin/query?sql={}", percent_encode("SELECT nope FROM nowhere")),
            &[],
            b"",
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(c.count().await, 1);

    // The CA can be downloaded from the server itself.
    let r = c.request("GET", "127.0.0.1", "/ca.pem", &[], b"").await;
    assert!(r.text().starts_with("-----BEGIN CERTIFICATE-----"));
    emu.stop().await;
}

#[tokio::test]
async fn import_profiles_and_stitch_events() {
    let dir = TempDir::new("profiles");
    let emu = Emu::start(dir.path()).await;
    let c = &emu.client;
    // Anonymous browsing, then a signed-in event carrying the email, on the same ECID.
    let first = c
        .alloy_post("/ee/v1/interact?configId=ds-1&requestId=a1", &alloy_body("commerce.productViews", json!({})), None)
        .await
        .json();
    let cookie = format!(
        "kndctr_1234_AdobeOrg_identity={}",
        store_entry(&first, "_identity").unwrap()["value"].as_str().unwrap()
    );
    let signed = alloy_body("userAccount.login", json!({"personalEmail": {"address": "ann@example.com"}}));
    assert_eq!(c.alloy_post("/ee/v1/interact?configId=ds-1&requestId=a2", &signed, Some(&cookie)).await.status, 200);
    c.alloy_post("/ee/v1/interact?configId=ds-1&requestId=a3", &alloy_body("other.visitor", json!({})), None).await;

    let jsonl = dir.path().join("profiles.jsonl");
    std::fs::write(
        &jsonl,
        concat!(
            r#"{"identityMap": {"Email": [{"id": "ann@example.com", "primary": true}]}, "person": {"name": {"firstName": "Ann", "lastName": "Lee"}}, "mobilePhone": {"number": "+1 555"}, "userAccount": {"ID": "cust-1", "accountType": "B2C"}}"#,
            "\n",
            r#"{"identityMap": {"CRMID": [{"id": "c-2"}]}, "person": {"name": {"firstName": "NoMail"}}}"#,
            "\n"
        ),
    )
    .unwrap();
    let db = dir.path().join("events.db");
    let out = Command::new(BIN).args(["import-profiles", "--db"]).arg(&db).arg(&jsonl).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "a rejected record makes the exit status 1");
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported 1 profile"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("profiles.jsonl:2:") && err.contains("Email"), "{err}");

    let csv = dir.path().join("profiles.csv");
    std::fs::write(&csv, "email,firstName,lastName,accountId\nbob@example.com,Bob,Ray,cust-2\n").unwrap();
    let out = Command::new(BIN).args(["import-profiles", "--db"]).arg(&db).arg(&csv).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let v = c.admin_get("/__admin/profiles").await;
    let profiles = v["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 2);
    let ann = profiles.iter().find(|p| p["email"] == "ann@example.com").unwrap();
    assert_eq!(ann["firstName"], "Ann");
    assert_eq!(ann["accountId"], "cust-1");
    let types: Vec<&str> = ann["events"].as_array().unwrap().iter().map(|e| e["eventType"].as_str().unwrap()).collect();
    assert_eq!(types.len(), 2, "the login event by email and the anonymous one by its ECID: {types:?}");
    assert!(types.contains(&"commerce.productViews") && types.contains(&"userAccount.login"));
    let bob = profiles.iter().find(|p| p["email"] == "bob@example.com").unwrap();
    assert_eq!(bob["events"], json!([]));
    emu.stop().await;
}

#[test]
fn serve_prints_ready_and_answers() {
    let dir = TempDir::new("bin");
    let mut child = Command::new(BIN)
        .args(["--port", "0", "--http-port", "0", "--data-dir"])
        .arg(dir.path())
        .args(["--datastream", "cli-ds=CLI@AdobeOrg:cli-dataset", "--host", "shop.local.test"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut ready = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("READY ") {
            ready = Some(rest.to_string());
            break;
        }
    }
    let ready = ready.expect("READY line");
    let port = |name: &str| -> u16 {
        ready.split(' ').find_map(|kv| kv.strip_prefix(&format!("{name}="))).unwrap().parse().unwrap()
    };
    let (https, http) = (port("https_port"), port("http_port"));
    assert!(
        dir.path().join("ca.pem").exists()
            && dir.path().join("cert.pem").exists()
            && dir.path().join("events.db").exists()
    );

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let status = rt.block_on(async {
        let ca = std::fs::read_to_string(dir.path().join("ca.pem")).unwrap();
        let c = Client::new(&ca, ([127, 0, 0, 1], https).into(), Some(([127, 0, 0, 1], http).into()));
        // The extra --host name is in the certificate.
        let r = c.alloy_post("/ee/v1/interact?configId=cli-ds", &alloy_body("t", json!({})), None).await;
        assert_eq!(store_entry(&r.json(), "_identity").unwrap()["key"], "kndctr_CLI_AdobeOrg_identity");
        let raw = c
            .raw_tls(
                "shop.local.test",
                b"GET /__admin/health HTTP/1.1\r\nHost: shop.local.test\r\nConnection: close\r\n\r\n",
            )
            .await
            .unwrap();
        assert_eq!(parse_response(&raw).status, 200);
        c.request_http("GET", "/__admin/datastreams", &[], b"").await.json()
    });
    assert!(status["datastreams"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["id"] == "cli-ds" && d["datasetId"] == "cli-dataset"));
    child.kill().unwrap();
    let _ = child.wait();
}
