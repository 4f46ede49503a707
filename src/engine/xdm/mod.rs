//! XDM builders: one storefront event + the context snapshot → the Experience Data Model payload.
//!
//! Each publish method that the reference forwards to Experience Platform has a mapper here
//! (`page`, …), following `spec/collector.md` §2 field by field, minus the reference's bugs. Mappers
//! are pure and return the payload *before* the per-send identity fields (`identityMap`,
//! `personID`, `channel`), which `engine::identity` adds once the ECID is known.
//!
//! The customContext rule (§2.2): the payload starts as a copy of the event's custom context; each
//! field the mapper knows is filled "custom value, else context value" (`??`, so a custom `0` or
//! `""` is kept, unlike the reference's `||`); counters, `eventType` and `commerceScope` are always
//! set by the mapper.

mod page;

use super::json::{Map, Value};

use super::context::ContextStore;
use super::diagnostic::{Code, Diagnostic, Level};
use super::method::Method;
use super::value;

/// Facts about the page at publish time, read by the web shell.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageFacts {
    /// `document.URL`.
    pub url: String,
    /// `document.referrer` (may be empty).
    pub referrer: String,
}

/// Everything a mapper may read for one event.
#[derive(Debug)]
pub struct Snapshot<'a> {
    /// The publish method.
    pub method: &'static Method,
    /// All contexts at publish time.
    pub contexts: &'a ContextStore,
    /// The effective custom context: the publish argument if one was given, else `setCustom`'s.
    pub custom: Option<&'a Map>,
    /// Positional publish arguments by name (`searchUnitId`, `sku`, …).
    pub extras: &'a Map,
    /// Page facts at publish time.
    pub page: &'a PageFacts,
}

impl Snapshot<'_> {
    /// The context `key` (`"pageContext"`), if set.
    pub fn context(&self, key: &str) -> Option<&Value> {
        self.contexts.get(key)
    }

    /// A diagnostic about this event.
    pub fn diagnostic(&self, level: Level, code: Code, path: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(level, code, self.method.name, path, message)
    }
}

/// What a mapper made of one event.
#[derive(Debug)]
pub enum Outcome {
    /// The XDM payload, plus warnings about fields that were left out or repaired.
    Built {
        /// The payload (without identity fields).
        xdm: Map,
        /// Degradations; the event is still sent.
        warnings: Vec<Diagnostic>,
    },
    /// The reference sends nothing to Experience Platform for this method.
    NotForwarded,
    /// The event cannot be built; nothing is sent.
    Dropped(Diagnostic),
}

/// Builds the XDM payload for one event.
pub fn build(snapshot: &Snapshot<'_>) -> Outcome {
    match snapshot.method.name {
        "pageView" => page::page_view(snapshot),
        _ => Outcome::NotForwarded,
    }
}

/// The starting payload: a copy of the custom context (§2.2 step 1).
pub fn base_payload(snapshot: &Snapshot<'_>) -> Map {
    snapshot.custom.cloned().unwrap_or_default()
}

/// Sets `path` to the custom value already there, else to `fallback` (nothing when both are absent).
/// A custom value is kept whatever it is, including `0`, `""` and `false` (`??` semantics).
pub fn fill(payload: &mut Map, path: &str, fallback: Option<Value>) {
    if value::map_at(payload, path).is_some() {
        return;
    }
    if let Some(v) = fallback {
        value::set_path(payload, path, v);
    }
}

/// `commerce.commerceScope` from the storefront context (§2.3); `None` with a warning when the
/// storefront context is missing (the reference throws and sends nothing).
pub fn commerce_scope(snapshot: &Snapshot<'_>, warnings: &mut Vec<Diagnostic>) -> Option<Value> {
    let Some(store) = snapshot.context("storefrontInstanceContext") else {
        warnings.push(snapshot.diagnostic(
            Level::Warning,
            Code::MissingContext,
            "storefrontInstanceContext",
            "storefront instance context is not set; commerce.commerceScope is left out",
        ));
        return None;
    };
    let mut scope = Map::new();
    for (xdm_key, ctx_key) in [
        ("environmentID", "environmentId"),
        ("storeCode", "storeCode"),
        ("storeViewCode", "storeViewCode"),
        ("websiteCode", "websiteCode"),
    ] {
        if let Some(v) = value::at(store, ctx_key) {
            scope.insert(xdm_key, v.clone());
        }
    }
    Some(Value::Object(scope))
}
