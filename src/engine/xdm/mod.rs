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

mod account;
mod commerce;
mod page;
mod search;

use super::json::{Map, Value};

use super::context::ContextStore;
use super::diagnostic::{Code, Diagnostic, Level};
use super::method::Method;
use super::value;
use crate::obj;

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
        "productPageView" => commerce::product_view(snapshot),
        "addToCart" => commerce::cart(snapshot, "commerce.productListAdds", false),
        "removeFromCart" => commerce::cart(snapshot, "commerce.productListRemovals", false),
        "openCart" => commerce::cart(snapshot, "commerce.productListOpens", false),
        "shoppingCartView" => commerce::cart(snapshot, "commerce.productListViews", true),
        "initiateCheckout" => commerce::cart(snapshot, "commerce.checkouts", true),
        "placeOrder" => commerce::place_order(snapshot),
        "createRequisitionList" => commerce::requisition(snapshot, "commerce.requisitionListOpens", Items::None),
        "addToRequisitionList" => {
            commerce::requisition(snapshot, "commerce.requisitionListAdds", Items::ListOrOrderOrCart)
        }
        "removeFromRequisitionList" => commerce::requisition(snapshot, "commerce.requisitionListRemovals", Items::List),
        "deleteRequisitionList" => commerce::requisition(snapshot, "commerce.requisitionListDeletes", Items::None),
        "signIn" => account::account(snapshot, "userAccount.login", true),
        "signOut" => account::account(snapshot, "userAccount.logout", false),
        "createAccount" => account::account(snapshot, "userAccount.createProfile", true),
        "editAccount" => account::account(snapshot, "userAccount.updateProfile", true),
        "searchRequestSent" => search::request(snapshot),
        "searchResponseReceived" => search::response(snapshot),
        "custom" => match snapshot.custom {
            Some(custom) if !custom.is_empty() => Outcome::Built { xdm: custom.clone(), warnings: Vec::new() },
            _ => Outcome::Dropped(snapshot.diagnostic(
                Level::Error,
                Code::MissingContext,
                "customContext",
                "publish.custom needs an XDM payload (argument or setCustom); nothing was sent",
            )),
        },
        _ => Outcome::NotForwarded,
    }
}

/// Which product lines a requisition-list event carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Items {
    /// None.
    None,
    /// From the requisition list items.
    List,
    /// From the requisition list items, else the order page, else the changed cart lines.
    ListOrOrderOrCart,
}

/// An XDM payload under construction, with the warnings met on the way.
#[derive(Debug)]
pub struct Draft<'s, 'a> {
    /// The event's snapshot.
    pub snapshot: &'s Snapshot<'a>,
    /// The payload so far.
    pub xdm: Map,
    /// Degradations so far.
    pub warnings: Vec<Diagnostic>,
}

impl<'s, 'a> Draft<'s, 'a> {
    /// Starts from the custom context, sets `eventType` and, if given, `<measure>.value = 1`.
    pub fn new(snapshot: &'s Snapshot<'a>, event_type: &str, measure: Option<&str>) -> Self {
        let mut draft = Draft { snapshot, xdm: base_payload(snapshot), warnings: Vec::new() };
        if let Some(measure) = measure {
            draft.set(measure, obj! {"value" => 1i64});
        }
        draft.xdm.insert("eventType", event_type);
        draft
    }

    /// The context `key`, or `None` with a warning that `consequence` follows.
    pub fn context(&mut self, key: &str, consequence: &str) -> Option<&'a Value> {
        let found = self.snapshot.contexts.get(key);
        if found.is_none() {
            let mut message = String::from(key);
            message.push_str(" is not set; ");
            message.push_str(consequence);
            self.warn(Code::MissingContext, key, message);
        }
        found
    }

    /// Records a warning about `path`.
    pub fn warn(&mut self, code: Code, path: &str, message: String) {
        self.warnings.push(self.snapshot.diagnostic(Level::Warning, code, path, message));
    }

    /// `path` = the custom value if present, else `fallback`.
    pub fn fill(&mut self, path: &str, fallback: Option<Value>) {
        fill(&mut self.xdm, path, fallback);
    }

    /// `path` = `value`, whatever the custom context says.
    pub fn set(&mut self, path: &str, value: Value) {
        value::set_path(&mut self.xdm, path, value);
    }

    /// The custom value at `path`, if any.
    pub fn custom(&self, path: &str) -> Option<Value> {
        value::map_at(&self.xdm, path).cloned()
    }

    /// Sets `commerce.commerceScope` (§2.3).
    pub fn scope(&mut self) {
        if let Some(scope) = commerce_scope(self.snapshot, &mut self.warnings) {
            self.set("commerce.commerceScope", scope);
        }
    }

    /// The finished payload.
    pub fn done(self) -> Outcome {
        Outcome::Built { xdm: self.xdm, warnings: self.warnings }
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
