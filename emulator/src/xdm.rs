//! XDM shape checks for incoming events and the fields the event store extracts from them.
//!
//! Each event needs `xdm.eventType` (non-empty string), `xdm.timestamp` (ISO-8601 date-time with a
//! zone) and `xdm._id` (non-empty string). alloy never sets `_id`, so for v1 requests a missing `_id`
//! is replaced by a server one (deterministic per request id and event index, so a retried request
//! maps to the same `_id`) and a warning is recorded; v2 requests must carry it. `identityMap` must be
//! an object whose values are arrays of `{id, primary?, authenticatedState?, namespace?, xid?}`.

use serde_json::{Map, Value};

use crate::util;

/// What to do when `xdm._id` is absent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdPolicy {
    /// Assign a server id and warn (alloy-shaped v1 traffic).
    AssignIfMissing,
    /// Missing `_id` is an error (v2 server API).
    Require,
}

/// An event that passed the checks, with what the store needs.
#[derive(Clone, Debug)]
pub struct CheckedEvent {
    /// The XDM as stored (with the server `_id` inserted when one was assigned).
    pub xdm: Value,
    /// The free-form `data` member, if any.
    pub data: Option<Value>,
    /// `xdm.eventType`.
    pub event_type: String,
    /// `xdm._id`.
    pub id: String,
    /// `xdm.timestamp` normalised to UTC `YYYY-MM-DDTHH:MM:SS.sssZ`.
    pub timestamp: String,
    /// The shopper's email from `identityMap` (`email`/`Email` namespaces) or `personalEmail.address`.
    pub email: Option<String>,
    /// `identityMap.ECID[0].id`, if present.
    pub ecid: Option<String>,
    /// `identityMap.FPID[0].id`, if present.
    pub fpid: Option<String>,
    /// Whether some identity in the event's `identityMap` is marked primary.
    pub has_primary_identity: bool,
    /// Warnings to record (server-assigned `_id`, string booleans, ...).
    pub warnings: Vec<String>,
}

/// Checks one event (`{xdm, data?, query?, meta?}`) found at `path` (e.g. `events[0]`).
/// `server_id` gives the `_id` to assign when the policy allows it. `Err` lists every problem found.
pub fn check_event(event: &Value, path: &str, policy: IdPolicy, server_id: &str) -> Result<CheckedEvent, Vec<String>> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let Some(ev) = event.as_object() else {
        return Err(vec![format!("The field '{path}' must be an object")]);
    };
    let Some(xdm) = ev.get("xdm").and_then(Value::as_object) else {
        let what = if ev.contains_key("xdm") { "must be an object" } else { "is required" };
        return Err(vec![format!("The field '{path}.xdm' {what}")]);
    };
    let mut xdm = xdm.clone();

    let event_type = match xdm.get("eventType") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) => {
            errors.push(format!("The field '{path}.xdm.eventType' must not be empty"));
            String::new()
        }
        Some(_) => {
            errors.push(format!("The field '{path}.xdm.eventType' must be a string"));
            String::new()
        }
        None => {
            errors.push(format!("The field '{path}.xdm.eventType' is required"));
            String::new()
        }
    };

    let timestamp = match xdm.get("timestamp") {
        Some(Value::String(s)) => match util::parse_iso8601(s) {
            Some(ms) => util::format_iso_ms(ms),
            None => {
                errors.push(format!(
                    "The field '{path}.xdm.timestamp' must be an ISO-8601 date-time with a time zone, got '{}'",
                    util::truncate(s, 64)
                ));
                String::new()
            }
        },
        Some(_) => {
            errors.push(format!("The field '{path}.xdm.timestamp' must be a string"));
            String::new()
        }
        None => {
            errors.push(format!("The field '{path}.xdm.timestamp' is required"));
            String::new()
        }
    };

    let id = match xdm.get("_id") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::String(_)) => {
            errors.push(format!("The field '{path}.xdm._id' must not be empty"));
            String::new()
        }
        Some(_) => {
            errors.push(format!("The field '{path}.xdm._id' must be a string"));
            String::new()
        }
        None if policy == IdPolicy::AssignIfMissing => {
            warnings.push(format!("The field '{path}.xdm._id' was missing; the emulator assigned '{server_id}'"));
            xdm.insert("_id".into(), Value::String(server_id.to_string()));
            server_id.to_string()
        }
        None => {
            errors.push(format!("The field '{path}.xdm._id' is required"));
            String::new()
        }
    };

    let mut has_primary = false;
    if let Some(map) = xdm.get("identityMap") {
        has_primary = check_identity_map(map, &format!("{path}.xdm.identityMap"), &mut errors, &mut warnings);
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    let email = email_of(&xdm);
    let ecid = first_id(&xdm, "ECID");
    let fpid = first_id(&xdm, "FPID");
    Ok(CheckedEvent {
        data: ev.get("data").cloned(),
        xdm: Value::Object(xdm),
        event_type,
        id,
        timestamp,
        email,
        ecid,
        fpid,
        has_primary_identity: has_primary,
        warnings,
    })
}

/// Checks an `identityMap` value; returns whether some identity is primary.
pub fn check_identity_map(map: &Value, path: &str, errors: &mut Vec<String>, warnings: &mut Vec<String>) -> bool {
    let Some(map) = map.as_object() else {
        errors.push(format!("The field '{path}' must be an object of namespace -> array of identities"));
        return false;
    };
    let mut has_primary = false;
    for (ns, list) in map {
        let Some(list) = list.as_array() else {
            errors.push(format!("The field '{path}.{ns}' must be an array"));
            continue;
        };
        for (i, item) in list.iter().enumerate() {
            let at = format!("{path}.{ns}[{i}]");
            let Some(item) = item.as_object() else {
                errors.push(format!("The field '{at}' must be an object"));
                continue;
            };
            match item.get("id") {
                Some(Value::String(s)) if !s.is_empty() => {}
                Some(Value::String(_)) => errors.push(format!("The field '{at}.id' must not be empty")),
                Some(_) => errors.push(format!("The field '{at}.id' must be a string")),
                None => errors.push(format!("The field '{at}.id' is required")),
            }
            match item.get("primary") {
                None | Some(Value::Null) => {}
                Some(Value::Bool(b)) => has_primary |= *b,
                Some(Value::String(s)) if s == "true" || s == "false" => {
                    has_primary |= s == "true";
                    warnings.push(format!("The field '{at}.primary' should be a boolean, not the string \"{s}\""));
                }
                Some(_) => errors.push(format!("The field '{at}.primary' must be a boolean")),
            }
            match item.get("authenticatedState") {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) if matches!(s.as_str(), "ambiguous" | "authenticated" | "loggedOut") => {}
                Some(_) => errors.push(format!(
                    "The field '{at}.authenticatedState' must be one of ambiguous, authenticated, loggedOut"
                )),
            }
            if let Some(ns_obj) = item.get("namespace") {
                if !ns_obj.is_object() {
                    errors.push(format!("The field '{at}.namespace' must be an object"));
                }
            }
            if let Some(xid) = item.get("xid") {
                if !xid.is_string() {
                    errors.push(format!("The field '{at}.xid' must be a string"));
                }
            }
        }
    }
    has_primary
}

fn identity_list<'a>(xdm: &'a Map<String, Value>, ns: &str) -> Option<&'a Vec<Value>> {
    let map = xdm.get("identityMap")?.as_object()?;
    map.iter().find(|(k, _)| k.eq_ignore_ascii_case(ns)).and_then(|(_, v)| v.as_array())
}

fn first_id(xdm: &Map<String, Value>, ns: &str) -> Option<String> {
    identity_list(xdm, ns)?.iter().find_map(|i| i.get("id")?.as_str().filter(|s| !s.is_empty()).map(str::to_string))
}

/// The shopper's email: `identityMap.email`/`Email` first, then `personalEmail.address`.
pub fn email_of(xdm: &Map<String, Value>) -> Option<String> {
    first_id(xdm, "email")
        .or_else(|| xdm.get("personalEmail")?.get("address")?.as_str().filter(|s| !s.is_empty()).map(str::to_string))
}

/// Reads `identityMap.<ns>[0].id` from a request-level identity map (`xdm.identityMap` of a v1 body
/// or the top-level `identityMap` of set-consent).
pub fn identity_map_id(map: Option<&Value>, ns: &str) -> Option<String> {
    let obj = map?.as_object()?;
    let list = obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(ns))?.1.as_array()?;
    list.iter().find_map(|i| i.get("id")?.as_str().filter(|s| !s.is_empty()).map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok_event() -> Value {
        json!({"xdm": {"eventType": "commerce.productViews", "timestamp": "2026-01-01T12:00:00Z", "_id": "e-1",
            "identityMap": {"Email": [{"id": "a@example.com", "primary": true, "authenticatedState": "authenticated"}]}},
            "data": {"x": 1}})
    }

    #[test]
    fn accepts_and_extracts() {
        let c = check_event(&ok_event(), "events[0]", IdPolicy::Require, "srv").unwrap();
        assert_eq!(c.id, "e-1");
        assert_eq!(c.timestamp, "2026-01-01T12:00:00.000Z");
        assert_eq!(c.email.as_deref(), Some("a@example.com"));
        assert!(c.has_primary_identity);
        assert_eq!(c.data, Some(json!({"x": 1})));
    }

    #[test]
    fn assigns_missing_id_only_when_allowed() {
        let ev = json!({"xdm": {"eventType": "t", "timestamp": "2026-01-01T12:00:00Z", "personalEmail": {"address": "b@x.org"}}});
        let c = check_event(&ev, "events[0]", IdPolicy::AssignIfMissing, "srv-1").unwrap();
        assert_eq!(c.id, "srv-1");
        assert_eq!(c.xdm["_id"], "srv-1");
        assert_eq!(c.warnings.len(), 1);
        assert_eq!(c.email.as_deref(), Some("b@x.org"));
        let e = check_event(&ev, "event", IdPolicy::Require, "srv-1").unwrap_err();
        assert_eq!(e, vec!["The field 'event.xdm._id' is required".to_string()]);
    }

    #[test]
    fn names_every_bad_field() {
        let ev = json!({"xdm": {"eventType": 3, "timestamp": "yesterday", "_id": "",
            "identityMap": {"ECID": [{"primary": "yes", "authenticatedState": "maybe"}], "CRMID": {}}}});
        let e = check_event(&ev, "events[2]", IdPolicy::Require, "s").unwrap_err();
        let all = e.join("\n");
        for field in [
            "events[2].xdm.eventType",
            "events[2].xdm.timestamp",
            "events[2].xdm._id",
            "identityMap.ECID[0].id",
            "identityMap.ECID[0].primary",
            "identityMap.ECID[0].authenticatedState",
            "identityMap.CRMID",
        ] {
            assert!(all.contains(field), "{field} not in {all}");
        }
        assert!(check_event(&json!([]), "events[0]", IdPolicy::Require, "s").is_err());
        assert!(check_event(&json!({"xdm": 1}), "events[0]", IdPolicy::Require, "s").is_err());
        assert!(check_event(&json!({}), "events[0]", IdPolicy::Require, "s").is_err());
    }
}
