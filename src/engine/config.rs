//! Where events go: the Experience Platform configuration read from the drop-in contexts.
//!
//! The reference reads `eventForwardingContext` and `aepContext` once at start-up; we re-read them
//! whenever either changes, so a page may set them in any order and events wait until they are.

use super::json::Value;

use super::context::ContextStore;
use super::diagnostic::{Code, Diagnostic, Level};
use super::edge::EdgeConfig;
use super::value;

/// How configured events are delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Hand each event to the site's alloy instance, `window[sdk_name]`.
    HandOff {
        /// The alloy global's name (`aepContext.webSdkName`).
        sdk_name: String,
    },
    /// Post each event to the Edge Network ourselves.
    Direct(EdgeConfig),
}

/// What to do with events right now.
#[derive(Debug, Clone, PartialEq)]
pub enum Routing {
    /// Deliver them.
    Deliver(Destination),
    /// AEP forwarding is explicitly off; events are not sent to AEP.
    Disabled,
    /// Not configured (yet): keep events until it is. Carries the reason.
    Awaiting(Diagnostic),
}

/// The Edge Network's public host.
pub const DEFAULT_EDGE_DOMAIN: &str = "edge.adobedc.net";

/// A host name as alloy accepts it for `edgeDomain`: `[a-z0-9.-]+`, not empty.
pub fn is_valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
}

/// Validates an IMS organization id: non-empty and ending in `@AdobeOrg`.
pub fn validate_ims_org_id(id: Option<&Value>) -> Result<(), &'static str> {
    match id.and_then(Value::as_str) {
        None => Err("imsOrgId is required"),
        Some(s) if s.len() > "@AdobeOrg".len() && s.ends_with("@AdobeOrg") => Ok(()),
        Some(_) => Err("imsOrgId must be a non-empty organization id ending in @AdobeOrg"),
    }
}

/// Decides routing from `eventForwardingContext` and `aepContext`.
pub fn routing(contexts: &ContextStore) -> Routing {
    let awaiting =
        |code, path: &str, message: &str| Routing::Awaiting(Diagnostic::new(Level::Info, code, "", path, message));
    match contexts.get("eventForwardingContext").and_then(|f| value::at(f, "aep")) {
        Some(Value::Bool(true)) => {}
        Some(Value::Bool(false)) => return Routing::Disabled,
        _ => {
            return awaiting(
                Code::AwaitingConfiguration,
                "eventForwardingContext.aep",
                "events are kept until setEventForwarding({aep: true}) is called",
            )
        }
    }
    let Some(aep) = contexts.get("aepContext") else {
        return awaiting(Code::AwaitingConfiguration, "aepContext", "events are kept until setAEP(...) is called");
    };
    if let Err(message) = validate_ims_org_id(value::at(aep, "imsOrgId")) {
        return awaiting(Code::InvalidConfiguration, "aepContext.imsOrgId", message);
    }
    if let Some(name) = value::str_at(aep, "webSdkName") {
        return Routing::Deliver(Destination::HandOff { sdk_name: name.to_owned() });
    }
    let Some(datastream_id) = value::str_at(aep, "datastreamId") else {
        return awaiting(
            Code::InvalidConfiguration,
            "aepContext.datastreamId",
            "datastreamId is required when no webSdkName is given",
        );
    };
    let edge_domain = value::str_at(aep, "edgeDomain").unwrap_or(DEFAULT_EDGE_DOMAIN);
    if !is_valid_host(edge_domain) {
        return awaiting(
            Code::InvalidConfiguration,
            "aepContext.edgeDomain",
            "edgeDomain must be a host name such as edge.example.com (no scheme, port or path)",
        );
    }
    let base_path = value::str_at(aep, "edgeBasePath").unwrap_or("ee");
    if !base_path.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return awaiting(
            Code::InvalidConfiguration,
            "aepContext.edgeBasePath",
            "edgeBasePath must be one path segment",
        );
    }
    Routing::Deliver(Destination::Direct(EdgeConfig {
        datastream_id: datastream_id.to_owned(),
        org_id: value::str_at(aep, "imsOrgId").unwrap_or_default().to_owned(),
        edge_domain: edge_domain.to_owned(),
        base_path: base_path.to_owned(),
        dataset_id: value::str_at(aep, "datasetId").map(str::to_owned),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::json::json;

    fn store(aep: Value, forwarding: Value) -> ContextStore {
        let mut s = ContextStore::default();
        s.set("aepContext", Some(aep));
        s.set("eventForwardingContext", Some(forwarding));
        s
    }

    #[test]
    fn web_sdk_name_means_hand_off_and_datastream_is_not_needed() {
        let s = store(json!({"imsOrgId": "1234@AdobeOrg", "webSdkName": "myAlloy"}), json!({"aep": true}));
        assert_eq!(routing(&s), Routing::Deliver(Destination::HandOff { sdk_name: "myAlloy".into() }));
    }

    #[test]
    fn bad_org_id_names_the_field() {
        let s = store(json!({"imsOrgId": "1234", "datastreamId": "ds"}), json!({"aep": true}));
        let Routing::Awaiting(d) = routing(&s) else { panic!("expected awaiting") };
        assert_eq!((d.code, d.path.as_str()), (Code::InvalidConfiguration, "aepContext.imsOrgId"));
    }

    #[test]
    fn direct_mode_reads_domain_base_path_and_dataset() {
        let s = store(
            json!({"imsOrgId": "1234@AdobeOrg", "datastreamId": "ds-1", "edgeDomain": "edge.example.test", "datasetId": "d1"}),
            json!({"aep": true}),
        );
        let Routing::Deliver(Destination::Direct(c)) = routing(&s) else { panic!("expected direct") };
        assert_eq!(
            (c.edge_domain.as_str(), c.base_path.as_str(), c.dataset_id.as_deref()),
            ("edge.example.test", "ee", Some("d1"))
        );
        let bad = store(
            json!({"imsOrgId": "1@AdobeOrg", "datastreamId": "ds", "edgeDomain": "https://x.com:443"}),
            json!({"aep": true}),
        );
        let Routing::Awaiting(d) = routing(&bad) else { panic!("expected awaiting") };
        assert_eq!(d.path, "aepContext.edgeDomain");
    }

    #[test]
    fn forwarding_off_disables_and_unset_awaits() {
        let s = store(json!({"imsOrgId": "1@AdobeOrg", "datastreamId": "ds"}), json!({"aep": false}));
        assert_eq!(routing(&s), Routing::Disabled);
        assert!(matches!(routing(&ContextStore::default()), Routing::Awaiting(_)));
    }
}
