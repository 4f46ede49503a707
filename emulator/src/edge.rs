//! The Edge Network endpoints: `/{base}[/{hint}]/v1/{interact,collect,privacy/set-consent,
//! identity/acquire}` and `/{base}[/{hint}]/v2/{interact,collect}`.
//!
//! A request goes through these checks, in order, each answering an RFC 7807 problem shaped like the
//! real Edge's: body over 64 KB → 413 EXEG-0112; content type not JSON-ish → 415 EXEG-0111; unknown
//! datastream → 400 EXEG-0003; injected faults; malformed JSON → 400 EXEG-0101; wrong request shape
//! → 400 EXEG-0102; XDM or consent field problems → 422 EXEG-0104 with `report.errors`; v2 events
//! without a primary identity (and no identity cookie) → 400 EXEG-0306. Accepted events go to the
//! store; the answer carries the handles alloy consumes (`identity:result`, `locationHint:result`,
//! `state:store`, `personalization:decisions`).

use serde_json::{json, Map, Value};

use crate::config::Datastream;
use crate::consent;
use crate::identity::{self, Source};
use crate::server::{AppState, BodyRead, Reply};
use crate::store::{EventRow, RejectedRow};
use crate::util;
use crate::xdm::{self, CheckedEvent, IdPolicy};

/// Largest accepted request body (the Edge's 64 KB guardrail).
pub const MAX_BODY: usize = 64 * 1024;
/// Identity cookie lifetime (395 days).
pub const IDENTITY_MAX_AGE: i64 = 34_128_000;
/// Cluster cookie lifetime.
pub const CLUSTER_MAX_AGE: i64 = 1800;
/// Consent cookie lifetime (180 days).
pub const CONSENT_MAX_AGE: i64 = 15_552_000;
/// The location hint the emulator answers (and its region for `x-adobe-edge`).
pub const HINT: &str = "or2";
/// `x-adobe-edge` header value.
pub const EDGE_HEADER: &str = "OR2;9";
const REGION: &str = "OR2";
const DAY_MS: i64 = 86_400_000;

/// The Edge action a path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// `interact`: events in, handles out.
    Interact,
    /// `collect`: events in, 204 (v1) / 202 (v2) out.
    Collect,
    /// `privacy/set-consent` (v1 only).
    SetConsent,
    /// `identity/acquire` (v1 only).
    Acquire,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Action::Interact => "interact",
            Action::Collect => "collect",
            Action::SetConsent => "privacy/set-consent",
            Action::Acquire => "identity/acquire",
        }
    }
}

/// A parsed Edge path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// First segment (`ee` for alloy's default `edgeBasePath`).
    pub base: String,
    /// Location hint segment, if any (e.g. `or2`).
    pub hint: Option<String>,
    /// API version: 1 or 2.
    pub version: u8,
    /// The action.
    pub action: Action,
}

/// Recognises `/{base}[/{hint}]/v1|v2/{action}`.
pub fn parse_route(path: &str) -> Option<Route> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let vpos = segs.iter().position(|s| *s == "v1" || *s == "v2")?;
    if !(1..=2).contains(&vpos) || segs[0].starts_with("__") {
        return None;
    }
    let version = if segs[vpos] == "v1" { 1 } else { 2 };
    let action = match (&segs[vpos + 1..], version) {
        (["interact"], _) => Action::Interact,
        (["collect"], _) => Action::Collect,
        (["privacy", "set-consent"], 1) => Action::SetConsent,
        (["identity", "acquire"], 1) => Action::Acquire,
        _ => return None,
    };
    Some(Route {
        base: segs[0].to_string(),
        hint: if vpos == 2 { Some(segs[1].to_string()) } else { None },
        version,
        action,
    })
}

/// An Edge request as the handler sees it.
pub struct EdgeRequest<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Path.
    pub path: &'a str,
    /// Raw query string.
    pub query: &'a str,
    /// Headers, names lower-cased, repeated headers joined with `, ` (`cookie` with `; `).
    pub headers: &'a [(String, String)],
    /// `http` or `https`.
    pub scheme: &'static str,
}

impl EdgeRequest<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn host(&self) -> &str {
        self.header("host").unwrap_or("")
    }

    fn url(&self) -> String {
        let q = if self.query.is_empty() { String::new() } else { format!("?{}", self.query) };
        format!("{}://{}{}{}", self.scheme, self.host(), self.path, q)
    }
}

/// Per-request facts gathered while handling, recorded with the request.
#[derive(Default)]
struct Ctx {
    request_id: String,
    client_request_id: String,
    datastream_id: Option<String>,
    datastream: Option<Datastream>,
    warnings: Vec<String>,
    notes: Vec<String>,
    ecid: Option<(String, Source)>,
    cookies_set: Vec<Value>,
    fault: Option<String>,
    stored: usize,
    duplicates: usize,
    error_code: Option<String>,
    error_detail: Option<String>,
}

fn problem(ctx: &mut Ctx, status: u16, code: &str, title: &str, detail: &str, errors: &[String]) -> Reply {
    let mut report = Map::new();
    report.insert("requestId".into(), json!(ctx.request_id));
    if let Some(ds) = &ctx.datastream {
        report.insert("configId".into(), json!(ds.id));
        report.insert("orgId".into(), json!(ds.org_id));
    }
    if !errors.is_empty() {
        report.insert("errors".into(), json!(errors));
    }
    let type_code = format!("EXEG-{code}-{status}");
    let body = json!({
        "type": format!("https://ns.adobe.com/aep/errors/{type_code}"),
        "status": status,
        "title": title,
        "detail": detail,
        "report": report,
    });
    ctx.error_code = Some(type_code);
    ctx.error_detail =
        Some(if errors.is_empty() { detail.to_string() } else { format!("{detail} {}", errors.join("; ")) });
    Reply::json(status, &body).content_type("application/problem+json;charset=utf-8")
}

fn warning(code: &str, title: &str, detail: &str) -> Value {
    json!({ "type": format!("https://ns.adobe.com/aep/errors/{code}"), "status": 200, "title": title, "detail": detail })
}

/// Handles one Edge request: validates, stores, answers, and records it.
pub async fn handle(state: &AppState, req: &EdgeRequest<'_>, route: &Route, body: BodyRead) -> Reply {
    let received_ms = util::now_ms();
    let params = util::parse_query(req.query);
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
    let mut ctx = Ctx::default();
    ctx.client_request_id = param("requestId")
        .or_else(|| req.header("x-request-id").map(str::to_string))
        .map(|s| util::truncate(&s, 128).to_string())
        .unwrap_or_else(util::uuid_v4);
    ctx.request_id = format!("{}-{}", ctx.client_request_id, util::random_hex(8));
    ctx.datastream_id = if route.version == 1 {
        param("configId").or_else(|| param("datastreamId"))
    } else {
        param("datastreamId").or_else(|| param("configId"))
    };

    let (reply, parsed) = respond(state, req, route, body, &params, &mut ctx).await;
    let reply = reply
        .header("x-request-id", &ctx.request_id)
        .header("x-adobe-edge", EDGE_HEADER)
        .header("cache-control", "no-store");
    record(state, req, route, &ctx, &reply, parsed, received_ms);
    reply
}

/// The body as recorded: parsed JSON, or the (lossy) text when it is not JSON.
enum Parsed {
    None,
    Json(Value),
    Text(String),
}

async fn respond(
    state: &AppState,
    req: &EdgeRequest<'_>,
    route: &Route,
    body: BodyRead,
    params: &[(String, String)],
    ctx: &mut Ctx,
) -> (Reply, Parsed) {
    if req.method != "POST" {
        let r = problem(ctx, 405, "0001", "Method not allowed", "Edge endpoints accept POST only.", &[]);
        return (r.header("allow", "POST, OPTIONS"), Parsed::None);
    }
    let bytes = match body {
        BodyRead::Ok(b) => b,
        BodyRead::TooLarge => {
            let detail = format!("The request body exceeds the maximum allowed size of {MAX_BODY} bytes.");
            return (problem(ctx, 413, "0112", "Payload too large", &detail, &[]), Parsed::None);
        }
        BodyRead::TimedOut => {
            let r = problem(ctx, 408, "0113", "Request timeout", "The request body was not received in time.", &[]);
            return (r.header("connection", "close"), Parsed::None);
        }
        BodyRead::Failed(e) => {
            let r = problem(
                ctx,
                400,
                "0101",
                "Malformed request",
                &format!("The request body could not be read: {e}"),
                &[],
            );
            return (r, Parsed::None);
        }
    };
    let text_of = |b: &[u8]| Parsed::Text(String::from_utf8_lossy(util::truncate_bytes(b, 16 * 1024)).into_owned());

    let ctype = req.header("content-type").unwrap_or("");
    let mime = ctype.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if !matches!(
        mime.as_str(),
        "" | "application/json" | "text/plain" | "text/javascript" | "application/x-jackson-smile"
    ) {
        let detail = format!(
            "Content type '{}' is not supported. Supported content types: application/json, application/x-jackson-smile, text/plain, text/javascript.",
            util::truncate(ctype, 100)
        );
        return (problem(ctx, 415, "0111", "Unsupported media type", &detail, &[]), text_of(&bytes));
    }

    let ds_id = ctx.datastream_id.clone().unwrap_or_default();
    let Some(ds) = state.config.datastream(&ds_id) else {
        let shown = util::truncate(&ds_id, 100).to_string();
        let detail = format!(
            "The datastream ID '{shown}' referenced in your request does not exist. Update the request with a valid datastream ID and try again."
        );
        return (problem(ctx, 400, "0003", "Invalid datastream ID", &detail, &[]), text_of(&bytes));
    };
    ctx.datastream = Some(ds.clone());

    let decision = state.faults().decide(&ds.id, req.path);
    if decision.delay_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(decision.delay_ms)).await;
        ctx.fault = Some(format!("{} (delay {} ms)", decision.source, decision.delay_ms));
    }
    if let Some(status) = decision.status {
        ctx.fault = Some(format!("{}: status {status}", decision.source));
        let (code, title) = match status {
            429 => ("0009", "Too many requests"),
            500..=599 => ("0201", "The service is temporarily unable to serve this request. Please try again later."),
            _ => ("0100", "Injected failure"),
        };
        let detail = format!("Injected by the edge emulator ({}).", decision.source);
        let mut r = if status < 400 {
            Reply::json(status, &json!({"requestId": ctx.request_id, "handle": []}))
        } else {
            problem(ctx, status, code, title, &detail, &[])
        };
        if let Some(ra) = &decision.retry_after {
            r = r.header("retry-after", ra);
        }
        return (r, text_of(&bytes));
    }

    if mime == "application/x-jackson-smile" && bytes.first() == Some(&b':') {
        let r = problem(
            ctx,
            415,
            "0111",
            "Unsupported media type",
            "The edge emulator does not decode Smile bodies; send JSON.",
            &[],
        );
        return (r, text_of(&bytes));
    }
    let body: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            let detail = format!("The request body is not valid JSON: {e}.");
            return (problem(ctx, 400, "0101", "Malformed JSON", &detail, &[]), text_of(&bytes));
        }
    };
    let reply = match body.as_object() {
        None => problem(ctx, 400, "0102", "Invalid request", "The request body must be a JSON object.", &[]),
        Some(obj) => match route.action {
            Action::Interact | Action::Collect => data_collection(state, req, route, params, obj, &ds, ctx),
            Action::SetConsent => set_consent(req, obj, &ds, ctx),
            Action::Acquire => acquire(req, obj, &ds, ctx),
        },
    };
    (reply, Parsed::Json(body))
}

/// The request's cookies: the `Cookie` header, then `meta.state.entries` for names not seen.
fn cookie_jar(req: &EdgeRequest<'_>, body: &Map<String, Value>) -> Vec<(String, String)> {
    let mut jar: Vec<(String, String)> = Vec::new();
    if let Some(h) = req.header("cookie") {
        for part in h.split(';') {
            if let Some((k, v)) = part.trim().split_once('=') {
                jar.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
    }
    let entries =
        body.get("meta").and_then(|m| m.get("state")).and_then(|s| s.get("entries")).and_then(Value::as_array);
    for e in entries.into_iter().flatten() {
        if let (Some(k), Some(v)) = (e.get("key").and_then(Value::as_str), e.get("value").and_then(Value::as_str)) {
            if !jar.iter().any(|(n, _)| n == k) {
                jar.push((k.to_string(), v.to_string()));
            }
        }
    }
    jar
}

fn jar_get<'a>(jar: &'a [(String, String)], name: &str) -> Option<&'a str> {
    jar.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The identity established for a request, and whether the identity cookie must be (re)written.
struct Established {
    ecid: String,
    source: Source,
    write_cookie: bool,
}

/// Priority as on the real Edge: ECID in identityMap, ECID in the cookie, FPID in identityMap, mint.
fn establish_identity(
    jar: &[(String, String)],
    ds: &Datastream,
    ecid_in_map: Option<String>,
    fpid_in_map: Option<String>,
    now_ms: i64,
    ctx: &mut Ctx,
) -> Established {
    let cookie = jar_get(jar, &format!("{}identity", ds.cookie_prefix())).and_then(identity::decode_cookie);
    let est = if let Some(ecid) = ecid_in_map {
        let same = cookie.as_ref().is_some_and(|c| c.ecid == ecid);
        Established { ecid, source: Source::IdentityMap, write_cookie: !same }
    } else if let Some(c) = cookie {
        let stale = c.write_time_ms.is_none_or(|t| now_ms - t > DAY_MS);
        Established { ecid: c.ecid, source: Source::Cookie, write_cookie: stale }
    } else if let Some(fpid) = fpid_in_map {
        if util::is_uuid(&fpid) {
            Established { ecid: identity::ecid_from_fpid(&fpid), source: Source::Fpid, write_cookie: true }
        } else {
            ctx.warnings.push(format!("FPID '{}' is not a UUID; ignored", util::truncate(&fpid, 64)));
            Established { ecid: identity::mint_ecid(), source: Source::Minted, write_cookie: true }
        }
    } else {
        Established { ecid: identity::mint_ecid(), source: Source::Minted, write_cookie: true }
    };
    ctx.ecid = Some((est.ecid.clone(), est.source));
    est
}

fn identity_fetch(body: &Map<String, Value>, events: &[&Value]) -> Vec<String> {
    let mut out = Vec::new();
    let lists = std::iter::once(body.get("query")).chain(events.iter().map(|e| e.get("query")));
    for q in lists.flatten() {
        if let Some(list) = q.get("identity").and_then(|i| i.get("fetch")).and_then(Value::as_array) {
            out.extend(list.iter().filter_map(Value::as_str).map(str::to_string));
        }
    }
    out
}

/// Builds the handles every interact-like answer carries.
fn identity_handles(
    req: &EdgeRequest<'_>,
    ds: &Datastream,
    est: &Established,
    fetch: &[String],
    extra_store: Vec<Value>,
    force_identity_cookie: bool,
    ctx: &mut Ctx,
) -> Vec<Value> {
    let mut handle = Vec::new();
    if fetch.iter().any(|f| f == "ECID") || force_identity_cookie {
        let mut payload = vec![json!({"id": est.ecid, "namespace": {"code": "ECID"}})];
        if fetch.iter().any(|f| f == "CORE") && req.host().starts_with("adobedc.demdex.net") {
            payload.push(json!({"id": identity::core_id_for(&est.ecid), "namespace": {"code": "CORE"}}));
        }
        handle.push(json!({"type": "identity:result", "payload": payload}));
    }
    handle.push(json!({"type": "locationHint:result", "payload": [
        {"scope": "Target", "hint": "35", "ttlSeconds": CLUSTER_MAX_AGE},
        {"scope": "AAM", "hint": "9", "ttlSeconds": CLUSTER_MAX_AGE},
        {"scope": "EdgeNetwork", "hint": HINT, "ttlSeconds": CLUSTER_MAX_AGE},
    ]}));
    let prefix = ds.cookie_prefix();
    let mut store = Vec::new();
    if est.write_cookie || force_identity_cookie {
        let value = identity::encode_cookie(&est.ecid, est.source, REGION, util::now_ms());
        store.push(json!({"key": format!("{prefix}identity"), "value": value, "maxAge": IDENTITY_MAX_AGE, "attrs": {"SameSite": "None"}}));
    }
    store.extend(extra_store);
    store.push(json!({"key": format!("{prefix}cluster"), "value": HINT, "maxAge": CLUSTER_MAX_AGE}));
    ctx.cookies_set = store.clone();
    handle.push(json!({"type": "state:store", "payload": store}));
    handle
}

fn server_event_id(ds: &str, client_request_id: &str, index: usize) -> String {
    let digest = util::sha256(format!("{ds}\n{client_request_id}\n{index}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    util::uuid_from_bytes(b)
}

fn data_collection(
    state: &AppState,
    req: &EdgeRequest<'_>,
    route: &Route,
    params: &[(String, String)],
    body: &Map<String, Value>,
    ds: &Datastream,
    ctx: &mut Ctx,
) -> Reply {
    // The events, by API version.
    let events: Vec<(&Value, String)> = if route.version == 2 && route.action == Action::Interact {
        match body.get("event") {
            Some(e) => vec![(e, "event".to_string())],
            None => {
                let detail = "A v2 interact request carries exactly one event under 'event'.";
                return problem(ctx, 400, "0102", "Invalid request", detail, &["The field 'event' is required".into()]);
            }
        }
    } else {
        match body.get("events") {
            Some(Value::Array(a)) => a.iter().enumerate().map(|(i, e)| (e, format!("events[{i}]"))).collect(),
            None | Some(Value::Null) if route.version == 1 && route.action == Action::Interact => Vec::new(),
            None | Some(Value::Null) => {
                return problem(ctx, 400, "0102", "Invalid request", "The field 'events' is required.", &[]);
            }
            Some(_) => {
                return problem(ctx, 400, "0102", "Invalid request", "The field 'events' must be an array.", &[]);
            }
        }
    };
    if route.action == Action::Collect && events.is_empty() {
        return problem(ctx, 400, "0102", "Invalid request", "The 'events' array must not be empty.", &[]);
    }

    // Shape checks.
    let policy = if route.version == 1 { IdPolicy::AssignIfMissing } else { IdPolicy::Require };
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let request_map = body.get("xdm").and_then(|x| x.get("identityMap"));
    if let Some(map) = request_map {
        xdm::check_identity_map(map, "xdm.identityMap", &mut errors, &mut warnings);
    }
    let mut checked: Vec<CheckedEvent> = Vec::new();
    for (i, (ev, path)) in events.iter().enumerate() {
        match xdm::check_event(ev, path, policy, &server_event_id(&ds.id, &ctx.client_request_id, i)) {
            Ok(c) => checked.push(c),
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        let detail = "Invalid request (report attached). Please check your input and try again.";
        return problem(ctx, 422, "0104", "Unprocessable entity", detail, &errors);
    }
    for c in &checked {
        warnings.extend(c.warnings.iter().cloned());
    }

    let jar = cookie_jar(req, body);
    let prefix = ds.cookie_prefix();
    let has_cookie_identity = jar_get(&jar, &format!("{prefix}identity")).and_then(identity::decode_cookie).is_some();
    if route.version == 2 && !has_cookie_identity {
        let missing: Vec<String> = events
            .iter()
            .zip(&checked)
            .filter(|(_, c)| !c.has_primary_identity)
            .map(|((_, path), _)| format!("No primary identity in '{path}.xdm.identityMap'"))
            .collect();
        if !missing.is_empty() {
            let detail = "No primary identity found in the input event. Update the request accordingly to your schema and try again.";
            return problem(ctx, 400, "0306", "No primary identity set in request (event)", detail, &missing);
        }
    }

    let now = util::now_ms();
    let first = checked.first();
    let ecid_in_map = xdm::identity_map_id(request_map, "ECID").or_else(|| first.and_then(|c| c.ecid.clone()));
    let fpid_in_map = xdm::identity_map_id(request_map, "FPID").or_else(|| first.and_then(|c| c.fpid.clone()));
    let est = establish_identity(&jar, ds, ecid_in_map, fpid_in_map, now, ctx);

    // Consent: an explicit "out" cookie means the Edge ignores the events.
    let consent_out = jar_get(&jar, &format!("{prefix}consent"))
        .map(|v| util::percent_decode(v, false))
        .is_some_and(|v| v.split(';').any(|p| p.trim() == "general=out"));
    let mut response_warnings: Vec<Value> = Vec::new();
    if consent_out {
        let msg = "The user declined consent (kndctr consent cookie general=out); the events were not stored.";
        response_warnings.push(warning("EXEG-0301-200", "User consent missing", msg));
        ctx.notes.push(msg.into());
    } else {
        let dataset = body
            .get("meta")
            .and_then(|m| m.get("configOverrides"))
            .and_then(|c| c.get("com_adobe_experience_platform"))
            .and_then(|c| c.get("datasets"))
            .and_then(|d| d.get("event"))
            .and_then(|e| e.get("datasetId"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or(&ds.dataset_id)
            .to_string();
        let received_at = util::format_iso_ms(now);
        let rows: Vec<EventRow> = checked
            .iter()
            .map(|c| {
                // A v2 batch may mix visitors: each event's own identity wins over the request's.
                let ecid = if route.version == 2 {
                    c.ecid
                        .clone()
                        .or_else(|| c.fpid.as_deref().filter(|f| util::is_uuid(f)).map(identity::ecid_from_fpid))
                } else {
                    None
                }
                .unwrap_or_else(|| est.ecid.clone());
                EventRow {
                    timestamp: c.timestamp.clone(),
                    event_type: c.event_type.clone(),
                    id: c.id.clone(),
                    ecid: Some(ecid),
                    email: c.email.clone(),
                    datastream: ds.id.clone(),
                    dataset_id: dataset.clone(),
                    received_at: received_at.clone(),
                    request_id: ctx.request_id.clone(),
                    xdm: c.xdm.to_string(),
                    data: c.data.as_ref().map(Value::to_string),
                }
            })
            .collect();
        match state.store.insert_events(&rows) {
            Ok(n) => {
                ctx.stored = n.stored;
                ctx.duplicates = n.duplicates;
            }
            Err(e) => {
                let detail = format!("The event store failed: {e}");
                return problem(ctx, 500, "0000", "Internal server error", &detail, &[]);
            }
        }
    }
    for w in &warnings {
        response_warnings.push(warning("EXEG-0000-200", "Emulator warning", w));
    }
    ctx.warnings.extend(warnings);

    match (route.version, route.action) {
        (1, Action::Collect) => Reply::empty(204),
        (_, Action::Collect) => {
            let silent = params.iter().any(|(k, v)| k == "silent" && v == "true");
            if silent {
                Reply::empty(204)
            } else {
                Reply::json(202, &json!({"requestId": ctx.request_id}))
            }
        }
        _ => {
            let event_refs: Vec<&Value> = events.iter().map(|(e, _)| *e).collect();
            let fetch = identity_fetch(body, &event_refs);
            let mut handle = identity_handles(req, ds, &est, &fetch, Vec::new(), false, ctx);
            for (i, ev) in event_refs.iter().enumerate() {
                if ev.get("query").and_then(|q| q.get("personalization")).is_some() {
                    handle.insert(
                        handle.len() - 2,
                        json!({"type": "personalization:decisions", "payload": [], "eventIndex": i}),
                    );
                }
            }
            let mut out = json!({"requestId": ctx.request_id, "handle": handle});
            if !response_warnings.is_empty() {
                out["warnings"] = Value::Array(response_warnings);
            }
            Reply::json(200, &out)
        }
    }
}

fn set_consent(req: &EdgeRequest<'_>, body: &Map<String, Value>, ds: &Datastream, ctx: &mut Ctx) -> Reply {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let map = body.get("identityMap");
    if let Some(m) = map {
        xdm::check_identity_map(m, "identityMap", &mut errors, &mut warnings);
    }
    let eval = match consent::evaluate(body.get("consent")) {
        Ok(e) if errors.is_empty() => e,
        Ok(_) => consent::Evaluation::default(),
        Err(e) => {
            errors.extend(e);
            consent::Evaluation::default()
        }
    };
    if !errors.is_empty() {
        let detail = "Invalid request (report attached). Please check your input and try again.";
        return problem(ctx, 422, "0104", "Unprocessable entity", detail, &errors);
    }
    ctx.warnings.extend(warnings);
    ctx.notes.extend(eval.notes);
    let jar = cookie_jar(req, body);
    let est = establish_identity(
        &jar,
        ds,
        xdm::identity_map_id(map, "ECID"),
        xdm::identity_map_id(map, "FPID"),
        util::now_ms(),
        ctx,
    );
    let mut extra = Vec::new();
    match eval.general {
        Some(g) => {
            extra.push(json!({"key": format!("{}consent", ds.cookie_prefix()), "value": g.cookie_value(), "maxAge": CONSENT_MAX_AGE}));
            ctx.notes.push(format!("consent cookie: {}", g.cookie_value()));
        }
        None => ctx.notes.push("no consent decision: consent cookie not written".into()),
    }
    let fetch = identity_fetch(body, &[]);
    let handle = identity_handles(req, ds, &est, &fetch, extra, true, ctx);
    Reply::json(200, &json!({"requestId": ctx.request_id, "handle": handle}))
}

fn acquire(req: &EdgeRequest<'_>, body: &Map<String, Value>, ds: &Datastream, ctx: &mut Ctx) -> Reply {
    let jar = cookie_jar(req, body);
    let map = body.get("xdm").and_then(|x| x.get("identityMap"));
    let est = establish_identity(
        &jar,
        ds,
        xdm::identity_map_id(map, "ECID"),
        xdm::identity_map_id(map, "FPID"),
        util::now_ms(),
        ctx,
    );
    let mut fetch = identity_fetch(body, &[]);
    if fetch.is_empty() {
        fetch.push("ECID".into());
    }
    let handle = identity_handles(req, ds, &est, &fetch, Vec::new(), false, ctx);
    Reply::json(200, &json!({"requestId": ctx.request_id, "handle": handle}))
}

/// Appends the request to the in-memory log and, when refused, to the `rejected` table.
fn record(
    state: &AppState,
    req: &EdgeRequest<'_>,
    route: &Route,
    ctx: &Ctx,
    reply: &Reply,
    parsed: Parsed,
    received_ms: i64,
) {
    let mut headers = Map::new();
    for (k, v) in req.headers {
        headers.insert(k.clone(), json!(v));
    }
    let response_body: Value = if reply.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&reply.body).unwrap_or_else(|_| json!(String::from_utf8_lossy(&reply.body)))
    };
    let (body_json, body_text) = match parsed {
        Parsed::None => (Value::Null, None),
        Parsed::Json(v) => (v, None),
        Parsed::Text(t) => (Value::Null, Some(t)),
    };
    let response_headers: Map<String, Value> = reply.headers.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    let entry = json!({
        "time": util::format_iso_ms(received_ms),
        "method": req.method,
        "url": req.url(),
        "host": req.host(),
        "path": req.path,
        "version": route.version,
        "action": route.action.name(),
        "locationHint": route.hint,
        "datastream": ctx.datastream_id,
        "orgId": ctx.datastream.as_ref().map(|d| d.org_id.clone()),
        "requestId": ctx.request_id,
        "headers": headers,
        "body": body_json,
        "bodyText": body_text,
        "status": reply.status,
        "responseHeaders": response_headers,
        "response": response_body,
        "cookiesSet": ctx.cookies_set,
        "ecid": ctx.ecid.as_ref().map(|(e, _)| e.clone()),
        "ecidSource": ctx.ecid.as_ref().map(|(_, s)| s.as_str()),
        "stored": ctx.stored,
        "duplicates": ctx.duplicates,
        "warnings": ctx.warnings,
        "notes": ctx.notes,
        "fault": ctx.fault,
    });
    if state.config.verbose {
        eprintln!(
            "[edge] {} {} {} -> {} stored={} dup={}",
            util::format_iso_ms(received_ms),
            req.method,
            util::truncate(&req.url(), 200),
            reply.status,
            ctx.stored,
            ctx.duplicates
        );
    }
    if reply.status >= 400 {
        let body_prefix = match (&entry["body"], &entry["bodyText"]) {
            (Value::Null, Value::String(t)) => t.clone(),
            (Value::Null, _) => String::new(),
            (v, _) => v.to_string(),
        };
        let q = if req.query.is_empty() { String::new() } else { format!("?{}", req.query) };
        let row = RejectedRow {
            received_at: util::format_iso_ms(received_ms),
            request: util::truncate(&format!("{} {}{}", req.method, req.path, q), 2048).to_string(),
            datastream: ctx.datastream_id.clone(),
            status: reply.status,
            error: ctx.error_code.clone().unwrap_or_else(|| format!("HTTP {}", reply.status)),
            detail: [ctx.error_detail.clone(), ctx.fault.clone()].into_iter().flatten().collect::<Vec<_>>().join(" | "),
            body: util::truncate(&body_prefix, 4096).to_string(),
        };
        if let Err(e) = state.store.insert_rejected(&row) {
            eprintln!("[edge] could not record a rejected request: {e}");
        }
    }
    state.log_request(entry);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let r = parse_route("/ee/v1/interact").unwrap();
        assert_eq!((r.base.as_str(), r.hint.as_deref(), r.version, r.action), ("ee", None, 1, Action::Interact));
        let r = parse_route("/ee/or2/v1/privacy/set-consent").unwrap();
        assert_eq!((r.hint.as_deref(), r.action), (Some("or2"), Action::SetConsent));
        assert_eq!(parse_route("/ee-pre-prd/va6/v2/collect").unwrap().action, Action::Collect);
        assert_eq!(parse_route("/ee/v1/identity/acquire").unwrap().action, Action::Acquire);
        for bad in [
            "/",
            "/v1/interact",
            "/ee/v2/privacy/set-consent",
            "/ee/a/b/v1/interact",
            "/ee/v1/nope",
            "/__admin/v1/collect",
        ] {
            assert!(parse_route(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn server_ids_are_stable_per_request() {
        assert_eq!(server_event_id("ds", "r1", 0), server_event_id("ds", "r1", 0));
        assert_ne!(server_event_id("ds", "r1", 0), server_event_id("ds", "r1", 1));
        assert!(util::is_uuid(&server_event_id("ds", "r1", 0)));
    }
}
