//! Identity fields added to every event at send time (spec §2.1): `personID` and `identityMap`.
//!
//! Rules, with the reference's bugs fixed:
//! * A custom `aepContext.identityMap` with a `primary: true` identity is used as is.
//! * A custom map without a primary identity is merged with `ECID` as the primary identity.
//! * Without a custom map: `ECID` (primary) plus the shopper's `personalEmail.address` as a
//!   secondary `email` identity, so profiles join behaviour by email.
//! * An unknown ECID is *omitted* (the reference sends 36 zeros as the primary identity).
//! * A custom map given as an array (the SDK's declared type) is regrouped into a valid
//!   `{namespace: [identity]}` map using each entry's `namespace` (`"Email"` or `{code: "Email"}`);
//!   entries without one are left out with a diagnostic.
//! * With `aepContext.hashEmail: true` the plain address never leaves the page: it is removed from
//!   `personalEmail` at publish time (so it is not saved in storage either) and the identity is
//!   `Email_LC_SHA256` (AEP's standard namespace): SHA-256 of the trimmed, ASCII-lowercased address.

use super::json::{Map, Value};
use crate::obj;

use super::diagnostic::{Code, Diagnostic, Level};
use super::{sha256, value};

/// The identity namespace of hashed emails (lowercased, then SHA-256, hex).
pub const HASHED_EMAIL_NAMESPACE: &str = "Email_LC_SHA256";

/// For `hashEmail`: takes `personalEmail.address` out of `xdm` and, unless the merchant's own
/// identity map replaces the email identity, makes `custom_map` the hashed email identity (which
/// [`apply`] then merges with the ECID). Returns whether it changed anything.
pub fn hash_email(xdm: &mut Map, custom_map: &mut Option<Value>) -> bool {
    let Some(Value::Object(personal)) = xdm.get_mut("personalEmail") else { return false };
    let Some(Value::String(address)) = personal.remove("address") else { return false };
    let normalized = address.trim_ascii().to_ascii_lowercase();
    if normalized.is_empty() || custom_map.is_some() {
        return true;
    }
    let mut map = Map::new();
    map.insert(HASHED_EMAIL_NAMESPACE, one_identity(&sha256::hex_digest(normalized.as_bytes()), false));
    *custom_map = Some(Value::Object(map));
    true
}

/// Whether `ecid` is a usable Experience Cloud ID (non-empty, not all zeros).
pub fn is_valid_ecid(ecid: &str) -> bool {
    !ecid.is_empty() && ecid.bytes().any(|b| b != b'0')
}

/// Adds `personID` and `identityMap` to `xdm` for one event. `custom_map` is
/// `aepContext.identityMap` at publish time; `event` names the publish method for diagnostics.
pub fn apply(
    xdm: &mut Map,
    custom_map: Option<&Value>,
    ecid: Option<&str>,
    event: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let ecid = ecid.filter(|e| is_valid_ecid(e));
    if let Some(ecid) = ecid {
        xdm.insert("personID", ecid);
    }
    let identity_map = match custom_map.and_then(|m| normalize_custom(m, event, diagnostics)) {
        Some(custom) if has_primary(&custom) => custom,
        Some(mut custom) => {
            if let Some(ecid) = ecid {
                custom.insert("ECID", one_identity(ecid, true));
            }
            custom
        }
        None => {
            let mut map = Map::new();
            if let Some(ecid) = ecid {
                map.insert("ECID", one_identity(ecid, true));
            }
            if let Some(email) = value::map_at(xdm, "personalEmail.address").and_then(Value::as_str) {
                if !email.is_empty() {
                    map.insert("email", one_identity(email, false));
                }
            }
            map
        }
    };
    if !identity_map.is_empty() {
        xdm.insert("identityMap", identity_map);
    }
}

/// `[{"id": id, "primary": primary}]`: one identity as a namespace's list in `identityMap`.
fn one_identity(id: &str, primary: bool) -> Value {
    Value::Array(vec![obj! {"id" => id, "primary" => primary}])
}

/// `prefix[i]suffix`, without the formatting machinery.
fn indexed_path(prefix: &str, i: usize, suffix: &str) -> String {
    let mut path = String::from(prefix);
    path.push('[');
    super::json::push_uint(&mut path, i as u64);
    path.push(']');
    path.push_str(suffix);
    path
}

fn has_primary(map: &Map) -> bool {
    map.values().any(|list| {
        list.as_array().is_some_and(|list| list.iter().any(|identity| identity["primary"].as_bool() == Some(true)))
    })
}

/// A custom identity map as an object map, regrouping the array form; `None` when empty or unusable.
fn normalize_custom(map: &Value, event: &str, diagnostics: &mut Vec<Diagnostic>) -> Option<Map> {
    let normalized = match map {
        Value::Object(m) => m.clone(),
        Value::Array(items) => {
            let mut grouped = Map::new();
            for (i, item) in items.iter().enumerate() {
                let namespace = value::str_at(item, "namespace.code").or_else(|| value::str_at(item, "namespace"));
                let (Some(namespace), Some(Value::Object(fields))) = (namespace, Some(item)) else {
                    diagnostics.push(Diagnostic::new(
                        Level::Warning,
                        Code::InvalidField,
                        event,
                        &indexed_path("aepContext.identityMap", i, ".namespace"),
                        "identity given in the array form has no namespace; it is left out",
                    ));
                    continue;
                };
                let mut identity = fields.clone();
                identity.remove("namespace");
                let slot = grouped.entry_or_insert_with(namespace, || Value::Array(Vec::new()));
                if let Value::Array(list) = slot {
                    list.push(Value::Object(identity));
                }
            }
            grouped
        }
        _ => {
            diagnostics.push(Diagnostic::new(
                Level::Warning,
                Code::InvalidField,
                event,
                "aepContext.identityMap",
                "identityMap must be an object of namespaces; it is ignored",
            ));
            return None;
        }
    };
    (!normalized.is_empty()).then_some(normalized)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::json::json;

    fn run(xdm: Value, custom: Option<Value>, ecid: Option<&str>) -> (Value, Vec<Diagnostic>) {
        let Value::Object(mut xdm) = xdm else { panic!("object expected") };
        let mut d = Vec::new();
        apply(&mut xdm, custom.as_ref(), ecid, "signIn", &mut d);
        (Value::Object(xdm), d)
    }

    #[test]
    fn ecid_primary_plus_email_secondary() {
        let (xdm, _) = run(json!({"personalEmail": {"address": "a@b.c"}}), None, Some("123"));
        assert_eq!(xdm["personID"], json!("123"));
        assert_eq!(
            xdm["identityMap"],
            json!({"ECID": [{"id": "123", "primary": true}], "email": [{"id": "a@b.c", "primary": false}]})
        );
    }

    #[test]
    fn all_zero_ecid_is_omitted_not_sent_as_primary() {
        let (xdm, _) = run(json!({}), None, Some(&"0".repeat(36)));
        assert_eq!(xdm, json!({}));
    }

    #[test]
    fn custom_primary_map_is_used_as_is() {
        let custom = json!({"CRMID": [{"id": "c1", "primary": true}]});
        let (xdm, _) = run(json!({"personalEmail": {"address": "a@b.c"}}), Some(custom.clone()), Some("9"));
        assert_eq!(xdm["identityMap"], custom);
    }

    #[test]
    fn custom_map_without_primary_is_merged_with_ecid() {
        let (xdm, _) = run(json!({}), Some(json!({"CRMID": [{"id": "c1", "primary": false}]})), Some("9"));
        assert_eq!(
            xdm["identityMap"],
            json!({"CRMID": [{"id": "c1", "primary": false}], "ECID": [{"id": "9", "primary": true}]})
        );
    }

    #[test]
    fn array_identity_map_becomes_a_valid_map() {
        let custom =
            json!([{"id": "c1", "primary": true, "namespace": {"code": "CRMID"}}, {"id": "x", "primary": false}]);
        let (xdm, d) = run(json!({}), Some(custom), Some("9"));
        assert_eq!(xdm["identityMap"], json!({"CRMID": [{"id": "c1", "primary": true}]}));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "aepContext.identityMap[1].namespace");
    }
}
