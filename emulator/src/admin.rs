//! The admin API (`/__admin/...`) used by tests and the viewer, the viewer page itself (`/`,
//! `/viewer`) and the CA download (`/ca.pem`).
//!
//! These routes answer only for loopback/IP or certificate host names (a DNS-rebinding guard), send
//! no CORS headers (so other sites' pages cannot read them), and state-changing calls must be sent
//! as `Content-Type: application/json` (which a cross-site page cannot do without a preflight).

use std::time::Duration;

use serde_json::{json, Value};

use crate::faults::Rule;
use crate::server::{AppState, BodyRead, Reply};
use crate::store;
use crate::util;

/// Largest admin request body.
pub const MAX_ADMIN_BODY: usize = 64 * 1024;
/// Rows returned by `/__admin/query` at most.
pub const QUERY_ROW_LIMIT: usize = 1000;

const VIEWER_HTML: &str = include_str!("viewer.html");

/// The viewer's Content-Security-Policy: only its own inline script (by hash) runs, and it may only
/// talk to its own origin.
fn viewer_csp() -> String {
    let script = VIEWER_HTML
        .split_once("<script>")
        .and_then(|(_, rest)| rest.split_once("</script>"))
        .map(|(s, _)| s)
        .unwrap_or("");
    let hash = util::base64_encode(&util::sha256(script.as_bytes()));
    format!(
        "default-src 'none'; script-src 'sha256-{hash}'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
}

fn error(status: u16, msg: &str) -> Reply {
    Reply::json(status, &json!({ "error": msg }))
}

fn host_allowed(state: &AppState, host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map(|(h, p)| if p.bytes().all(|b| b.is_ascii_digit()) { h } else { host }).unwrap_or(host)
    };
    let name = name.to_ascii_lowercase();
    if name.is_empty() || name.parse::<std::net::IpAddr>().is_ok() || name == "localhost" {
        return true;
    }
    state.config.cert_names().iter().any(|n| {
        let n = n.to_ascii_lowercase();
        match n.strip_prefix("*.") {
            Some(suffix) => {
                name.ends_with(&format!(".{suffix}")) && !name[..name.len() - suffix.len() - 1].contains('.')
            }
            None => n == name,
        }
    })
}

/// Handles a non-Edge request.
pub async fn handle(
    state: &AppState,
    method: &str,
    path: &str,
    query: &str,
    headers: &[(String, String)],
    body: BodyRead,
) -> Reply {
    let header = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    let known_page = matches!(path, "/" | "/viewer" | "/viewer.html" | "/index.html" | "/ca.pem" | "/favicon.ico");
    if !known_page && !path.starts_with("/__admin/") {
        return error(404, "not found: Edge paths look like /ee[/hint]/v1/interact?configId=...");
    }
    if !host_allowed(state, header("host").unwrap_or("")) {
        return error(403, "unknown Host for the admin API and viewer; add it with --host");
    }
    let params = util::parse_query(query);
    let param = |n: &str| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    let num = |n: &str, default: u64| param(n).and_then(|v| v.parse::<u64>().ok()).unwrap_or(default);

    if matches!(method, "POST" | "PUT" | "DELETE") {
        let json_ct = header("content-type").is_some_and(|c| c.to_ascii_lowercase().starts_with("application/json"));
        if !json_ct {
            return error(415, "admin calls that change state must be sent with Content-Type: application/json");
        }
    }
    let body_json = || -> Result<Value, Reply> {
        match &body {
            BodyRead::Ok(b) if b.iter().all(u8::is_ascii_whitespace) => Ok(Value::Null),
            BodyRead::Ok(b) => serde_json::from_slice(b).map_err(|e| error(400, &format!("invalid JSON: {e}"))),
            BodyRead::TooLarge => Err(error(413, "body too large")),
            BodyRead::TimedOut => Err(error(408, "body not received in time")),
            BodyRead::Failed(e) => Err(error(400, e)),
        }
    };

    match (method, path) {
        ("GET" | "HEAD", "/" | "/viewer" | "/viewer.html" | "/index.html") => {
            Reply::bytes(200, "text/html;charset=utf-8", VIEWER_HTML)
                .header("content-security-policy", &viewer_csp())
                .header("x-content-type-options", "nosniff")
                .header("referrer-policy", "no-referrer")
                .header("cache-control", "no-store")
        }
        ("GET", "/ca.pem") => Reply::bytes(200, "application/x-pem-file", state.tls_files.ca_pem.clone())
            .header("content-disposition", "attachment; filename=\"edge-emulator-ca.pem\""),
        ("GET", "/favicon.ico") => Reply::empty(204),
        ("GET", "/__admin/health") => {
            let (https, http) = *state.addrs.lock().unwrap_or_else(|p| p.into_inner());
            Reply::json(
                200,
                &json!({
                    "ok": true,
                    "version": env!("CARGO_PKG_VERSION"),
                    "https": https.map(|a| a.to_string()),
                    "http": http.map(|a| a.to_string()),
                    "db": state.store.path().display().to_string(),
                    "caPem": state.tls_files.ca_pem_path.display().to_string(),
                }),
            )
        }
        ("GET", "/__admin/datastreams") => {
            let list: Vec<Value> = state
                .config
                .datastreams
                .values()
                .map(|d| json!({"id": d.id, "orgId": d.org_id, "datasetId": d.dataset_id}))
                .collect();
            Reply::json(200, &json!({ "datastreams": list }))
        }
        ("GET", "/__admin/requests") => {
            let list = state.log().since(num("since", 0), num("limit", 500) as usize, param("datastream"));
            Reply::json(200, &json!({ "requests": list }))
        }
        ("DELETE", "/__admin/requests") => {
            state.log().clear();
            Reply::json(200, &json!({ "ok": true }))
        }
        ("GET", "/__admin/faults") => Reply::json(200, &json!({ "faults": state.faults().list() })),
        ("POST", "/__admin/faults") => {
            let v = match body_json() {
                Ok(v) => v,
                Err(r) => return r,
            };
            let items = match v {
                Value::Array(a) => a,
                other => vec![other],
            };
            let mut rules = Vec::new();
            for item in &items {
                match Rule::from_json(item) {
                    Ok(r) => rules.push(r),
                    Err(e) => return error(400, &format!("fault: {e}")),
                }
            }
            let mut faults = state.faults();
            let ids: Vec<u64> = rules.into_iter().map(|r| faults.add(r)).collect();
            Reply::json(200, &json!({ "ok": true, "ids": ids, "faults": faults.list() }))
        }
        ("DELETE", "/__admin/faults") => {
            state.faults().clear();
            Reply::json(200, &json!({ "ok": true }))
        }
        ("POST", "/__admin/reset") => {
            if let Err(r) = body_json() {
                return r;
            }
            state.faults().clear();
            state.log().clear();
            let keep_events = param("events") == Some("keep");
            let profiles = param("profiles") == Some("clear");
            if !keep_events {
                if let Err(e) = state.store.clear(profiles) {
                    return error(500, &e);
                }
            }
            Reply::json(
                200,
                &json!({ "ok": true, "eventsCleared": !keep_events, "profilesCleared": profiles && !keep_events }),
            )
        }
        ("GET", "/__admin/events") => {
            let limit = num("limit", 200).clamp(1, 2000) as usize;
            match state.store.events_after(num("after", 0) as i64, limit, param("eventType").filter(|s| !s.is_empty()))
            {
                Ok(v) => Reply::json(200, &v),
                Err(e) => error(500, &e),
            }
        }
        ("GET", "/__admin/counts") => match state.store.counts() {
            Ok(v) => Reply::json(200, &v),
            Err(e) => error(500, &e),
        },
        ("GET", "/__admin/rejected") => match state.store.rejected(num("limit", 100).clamp(1, 1000) as usize) {
            Ok(v) => Reply::json(200, &json!({ "rejected": v })),
            Err(e) => error(500, &e),
        },
        ("GET", "/__admin/profiles") => match state.store.profiles_with_events(param("email"), 100) {
            Ok(v) => Reply::json(200, &json!({ "profiles": v })),
            Err(e) => error(500, &e),
        },
        ("GET", "/__admin/query") => {
            let Some(sql) = param("sql").map(str::to_string) else {
                return error(400, "missing ?sql=");
            };
            let path = state.store.path().to_path_buf();
            let run = tokio::task::spawn_blocking(move || {
                store::query_readonly(&path, &sql, Some(QUERY_ROW_LIMIT), Duration::from_secs(5))
            });
            match run.await {
                Ok(Ok(result)) => Reply::json(200, &result.to_json()),
                Ok(Err(e)) => error(400, &e),
                Err(e) => error(500, &format!("query task failed: {e}")),
            }
        }
        (_, p) if p.starts_with("/__admin/") => error(404, "no such admin endpoint; see emulator/README.md"),
        _ => error(404, "not found: Edge paths look like /ee[/hint]/v1/interact?configId=..."),
    }
}
