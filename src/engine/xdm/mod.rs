//! XDM builders: one storefront event + the context snapshot → the Experience Data Model payload.
//!
//! Each publish method that the reference forwards to Experience Platform has a mapper here, one
//! family per module (`page`, `product`, `cart`, `order`, `account`, `search`, `requisition`,
//! `custom`, with the product-line builders in `items`), following `spec/collector.md` §2 field by
//! field, minus the reference's bugs. Mappers are pure and return the payload *before* the
//! per-send fields (`identityMap`, `personID`, `channel`, `_id`, `timestamp`), which the engine adds.
//!
//! The customContext rule (§2.2): the payload starts as a copy of the event's custom context; each
//! field the mapper knows is filled "custom value, else context value" (`??`, so a custom `0` or
//! `""` is kept, unlike the reference's `||`); counters, `eventType` and `commerceScope` are always
//! set by the mapper.
//!
//! Page data is read through [`Draft`]'s typed readers: a field of the wrong type is left out with
//! a warning whose path names it (`changedProductsContext.items[0].product.sku`), so no input can
//! make a mapper panic or send a non-XDM value.

mod account;
mod cart;
mod custom;
mod items;
mod order;
mod page;
mod product;
mod requisition;
mod search;

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
    #[inline(never)]
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
    use requisition::Lines;
    match snapshot.method.name {
        "pageView" => page::page_view(snapshot),
        "productPageView" => product::product_view(snapshot),
        "addToCart" => cart::cart(snapshot, "commerce.productListAdds", false),
        "removeFromCart" => cart::cart(snapshot, "commerce.productListRemovals", false),
        "openCart" => cart::cart(snapshot, "commerce.productListOpens", false),
        "shoppingCartView" => cart::cart(snapshot, "commerce.productListViews", true),
        "initiateCheckout" => cart::cart(snapshot, "commerce.checkouts", true),
        "placeOrder" => order::place_order(snapshot),
        "createRequisitionList" => requisition::requisition(snapshot, "commerce.requisitionListOpens", Lines::None),
        "addToRequisitionList" => requisition::requisition(snapshot, "commerce.requisitionListAdds", Lines::Added),
        "removeFromRequisitionList" => {
            requisition::requisition(snapshot, "commerce.requisitionListRemovals", Lines::Removed)
        }
        "deleteRequisitionList" => requisition::requisition(snapshot, "commerce.requisitionListDeletes", Lines::None),
        "signIn" => account::account(snapshot, "userAccount.login", true),
        "signOut" => account::account(snapshot, "userAccount.logout", false),
        "createAccount" => account::account(snapshot, "userAccount.createProfile", true),
        "editAccount" => account::account(snapshot, "userAccount.updateProfile", true),
        "searchRequestSent" => search::request(snapshot),
        "searchResponseReceived" => search::response(snapshot),
        "custom" => custom::custom(snapshot),
        // recs*, search clicks and views, categoryResultsView, customUrl, referrerUrl,
        // pageActivitySummary, updateCart: the reference publishes them to the data layer only.
        _ => Outcome::NotForwarded,
    }
}

/// `base.field` (or either alone when the other is empty), for diagnostics.
#[inline(never)]
pub fn join_path(base: &str, field: &str) -> String {
    let mut path = String::with_capacity(base.len() + field.len() + 1);
    path.push_str(base);
    if !base.is_empty() && !field.is_empty() {
        path.push('.');
    }
    path.push_str(field);
    path
}

/// `base.list[i]`, for diagnostics and as the base path of an array element.
#[inline(never)]
pub fn index_path(base: &str, list: &str, i: usize) -> String {
    let mut path = join_path(base, list);
    path.push('[');
    super::json::push_uint(&mut path, i as u64);
    path.push(']');
    path
}

/// The message of an invalid-field warning about a value that should be an object.
const NOT_OBJECT: &str = "not an object; left out";
/// The message of a missing-field warning.
const MISSING: &str = "missing; left out";

/// Whether `v` can stand for an XDM string: a string, or a number (converted as `String(n)`).
fn is_text(v: &Value) -> bool {
    matches!(v, Value::String(_) | Value::Number(_))
}

/// Whether `v` is a finite number or a numeric string (`Number(x)` would give a finite number).
fn is_number(v: &Value) -> bool {
    value::as_number(v).is_some()
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
    #[inline(never)]
    pub fn new(snapshot: &'s Snapshot<'a>, event_type: &str, measure: Option<&str>) -> Self {
        let mut draft = Draft { snapshot, xdm: base_payload(snapshot), warnings: Vec::new() };
        if let Some(measure) = measure {
            draft.set(measure, Value::Object(counter("value")));
        }
        put(&mut draft.xdm, "eventType", Value::from(event_type));
        draft
    }

    /// The context `key`, or `None` with a warning that it is missing (the fields read from it are
    /// left out); a context that is not an object counts as missing, with an invalid-field warning.
    pub fn context(&mut self, key: &str) -> Option<&'a Value> {
        if self.snapshot.contexts.get(key).is_none() {
            self.warn(Code::MissingContext, key, "not set; the fields read from it are left out");
        }
        self.optional_context(key)
    }

    /// The context `key` if it is set and an object; a context of another type gives a warning.
    #[inline(never)]
    pub fn optional_context(&mut self, key: &str) -> Option<&'a Value> {
        let found = self.snapshot.contexts.get(key)?;
        if found.is_object() {
            return Some(found);
        }
        self.warn(Code::InvalidField, key, NOT_OBJECT);
        None
    }

    /// Records a warning about `path` (once: a repeated code and path is not reported again).
    #[inline(never)]
    pub fn warn(&mut self, code: Code, path: &str, message: &str) {
        for w in &self.warnings {
            if w.code == code && w.path == path {
                return;
            }
        }
        self.warnings.push(self.snapshot.diagnostic(Level::Warning, code, path, message));
    }

    /// Reads dotted `field` of `obj` (named `base` in diagnostics), accepting it when `ok` does;
    /// a step on the way that is not an object, or a value `ok` rejects, is reported as invalid,
    /// and with `required` an absent (or `null`) field is reported as missing. `None` unless the
    /// value is present and accepted.
    #[inline(never)]
    fn read<'v>(
        &mut self,
        obj: &'v Value,
        base: &str,
        field: &str,
        ok: fn(&Value) -> bool,
        want: &str,
        required: bool,
    ) -> Option<&'v Value> {
        let mut current = obj;
        let mut walked = 0;
        for key in value::pieces(field, b'.') {
            let Some(map) = current.as_object() else {
                let path = join_path(base, field.get(..walked.max(1) - 1).unwrap_or_default());
                self.warn(Code::InvalidField, &path, NOT_OBJECT);
                return None;
            };
            match map.get(key) {
                None | Some(Value::Null) => {
                    if required {
                        self.warn(Code::MissingField, &join_path(base, field), MISSING);
                    }
                    return None;
                }
                Some(v) => current = v,
            }
            walked += key.len() + 1;
        }
        if ok(current) {
            return Some(current);
        }
        self.warn(Code::InvalidField, &join_path(base, field), want);
        None
    }

    /// A string field (a number is accepted and converted as `String(n)`); see [`Draft::read`].
    #[inline(never)]
    pub fn text(&mut self, obj: &Value, base: &str, field: &str) -> Option<Value> {
        self.string(obj, base, field, false)
    }

    /// [`Draft::text`] for a field the event needs: absent, it gives a missing-field warning.
    #[inline(never)]
    pub fn required_text(&mut self, obj: &Value, base: &str, field: &str) -> Option<Value> {
        self.string(obj, base, field, true)
    }

    #[inline(never)]
    fn string(&mut self, obj: &Value, base: &str, field: &str, required: bool) -> Option<Value> {
        let v = self.read(obj, base, field, is_text, "not a string; left out", required)?;
        Some(value::as_id_string(v).map_or_else(|| v.clone(), Value::String))
    }

    /// Copies string fields of `obj` (named `base`) into `into`: `(xdm key, field)` pairs, in
    /// order, each read with [`Draft::text`]. One loop over a table instead of a read and an
    /// insert per field (the mappers' fields measured the largest part of their code).
    #[inline(never)]
    pub fn copy_text(&mut self, into: &mut Map, obj: &Value, base: &str, fields: &[(&str, &str)]) {
        self.copy(into, obj, base, fields, false);
    }

    /// [`Draft::copy_text`] whose first field is one the event needs (see [`Draft::required_text`]).
    #[inline(never)]
    pub fn copy_required(&mut self, into: &mut Map, obj: &Value, base: &str, fields: &[(&str, &str)]) {
        self.copy(into, obj, base, fields, true);
    }

    /// [`Draft::copy_text`], the first field required when `required` is.
    fn copy(&mut self, into: &mut Map, obj: &Value, base: &str, fields: &[(&str, &str)], required: bool) {
        let mut required = required;
        for &(xdm_key, field) in fields {
            if let Some(v) = self.string(obj, base, field, required) {
                put(into, xdm_key, v);
            }
            required = false;
        }
    }

    /// A number field (numeric strings accepted, as `Number(x)`); see [`Draft::read`].
    #[inline(never)]
    pub fn number<'v>(&mut self, obj: &'v Value, base: &str, field: &str) -> Option<&'v Value> {
        self.read(obj, base, field, is_number, "not a number; left out", false)
    }

    /// `Number(obj.field || 0)`: a number the page gave passes through ([`items::number_value`]),
    /// anything else (also no `obj`) is 0.
    #[inline(never)]
    pub fn amount(&mut self, obj: Option<&Value>, base: &str, field: &str) -> Value {
        obj.and_then(|o| self.number(o, base, field)).map_or_else(items::zero, items::number_value)
    }

    /// The objects of array `field` of `obj`, each with its path (`base.field[i]`); a value that
    /// is not an array, and elements that are not objects, are reported and skipped.
    #[inline(never)]
    pub fn objects<'v>(&mut self, obj: &'v Value, base: &str, field: &str) -> Vec<(String, &'v Value)> {
        self.list(obj, base, field, false)
    }

    /// The objects of array `field` of `obj` (see [`Draft::objects`]), each rebuilt from the
    /// `(xdm key, field)` pairs of `fields` with [`Draft::copy_text`], or with no table as given.
    #[inline(never)]
    pub fn rows(&mut self, obj: &Value, base: &str, field: &str, fields: Option<&[(&str, &str)]>) -> Vec<Value> {
        let mut rows = Vec::new();
        for (path, element) in &self.objects(obj, base, field) {
            rows.push(match fields {
                Some(fields) => {
                    let mut row = Map::new();
                    self.copy_text(&mut row, element, path, fields);
                    Value::Object(row)
                }
                None => (*element).clone(),
            });
        }
        rows
    }

    #[inline(never)]
    fn list<'v>(&mut self, obj: &'v Value, base: &str, field: &str, required: bool) -> Vec<(String, &'v Value)> {
        let Some(list) = self.read(obj, base, field, |v| v.as_array().is_some(), "not an array; left out", required)
        else {
            return Vec::new();
        };
        let mut found = Vec::new();
        let elements = list.as_array().map_or(&[][..], Vec::as_slice);
        for (i, element) in elements.iter().enumerate() {
            let path = index_path(base, field, i);
            if element.is_object() {
                found.push((path, element));
            } else {
                self.warn(Code::InvalidField, &path, NOT_OBJECT);
            }
        }
        found
    }

    /// `path` = the custom value if present, else `fallback`.
    #[inline(never)]
    pub fn fill(&mut self, path: &str, fallback: Option<Value>) {
        fill(&mut self.xdm, path, fallback);
    }

    /// [`Draft::fill`] with text field `field` of `obj` (named `base`), read even when the custom
    /// value wins (so a bad field is reported either way).
    #[inline(never)]
    pub fn fill_text(&mut self, path: &str, obj: Option<&Value>, base: &str, field: &str) {
        let found = obj.and_then(|o| self.text(o, base, field));
        self.fill(path, found);
    }

    /// `path` = `value`, whatever the custom context says.
    #[inline(never)]
    pub fn set(&mut self, path: &str, value: Value) {
        value::set_path(&mut self.xdm, path, value);
    }

    /// The custom object at `path` (empty when there is none or it is not an object), to be
    /// filled field by field and set back.
    #[inline(never)]
    pub fn custom_object(&self, path: &str) -> Map {
        value::map_at(&self.xdm, path).and_then(Value::as_object).cloned().unwrap_or_default()
    }

    /// The store view currency (`storefrontInstanceContext.storeViewCurrencyCode`), the fallback
    /// currency of product lines and orders.
    #[inline(never)]
    pub fn store_currency(&mut self) -> Option<Value> {
        let store = self.optional_context("storefrontInstanceContext")?;
        self.text(store, "storefrontInstanceContext", "storeViewCurrencyCode")
    }

    /// Sets `commerce.commerceScope` from the storefront context (§2.3). Without it the scope is
    /// left out with a warning (the reference throws and sends nothing).
    pub fn scope(&mut self) {
        let key = "storefrontInstanceContext";
        let Some(store) = self.context(key) else { return };
        let mut scope = Map::new();
        let fields = &[
            ("environmentID", "environmentId"),
            ("storeCode", "storeCode"),
            ("storeViewCode", "storeViewCode"),
            ("websiteCode", "websiteCode"),
        ];
        self.copy_required(&mut scope, store, key, fields);
        self.set("commerce.commerceScope", Value::Object(scope));
    }

    /// Sets the object at `path` to its custom value (an empty object when there is none) with
    /// each `(xdm key, field)` it lacks (absent or `null`) read from context `key` as text; the
    /// context is only read for a lacking key. With `required`, the first field is one the
    /// event needs (see [`Draft::required_text`]). One loop for the objects the reference
    /// rebuilds from custom values and one context (`commerce.cart`, `person`, ...).
    #[inline(never)]
    pub fn fill_object(&mut self, path: &str, key: &str, fields: &[(&str, &str)], required: bool) {
        let mut built = self.custom_object(path);
        for (i, &(xdm_key, field)) in fields.iter().enumerate() {
            if built.get(xdm_key).is_none_or(Value::is_null) {
                let Some(context) = self.optional_context(key) else { continue };
                if let Some(v) = self.string(context, key, field, required && i == 0) {
                    put(&mut built, xdm_key, v);
                }
            }
        }
        self.set(path, Value::Object(built));
    }

    /// `personalEmail.address`: the custom value, else `accountContext.emailAddress`
    /// (`personalEmail: {}` when there is neither, as the reference sends it).
    pub fn personal_email(&mut self) {
        self.fill_object("personalEmail", "accountContext", &[("address", "emailAddress")], false);
    }

    /// The finished payload.
    #[inline(never)]
    pub fn done(self) -> Outcome {
        Outcome::Built { xdm: self.xdm, warnings: self.warnings }
    }
}

/// Sets `key` of `map` to `value`. The old value, if any, is dropped in here: `Map::insert` returns
/// it, and dropping it at each of the mappers' call sites measured larger.
#[inline(never)]
pub fn put(map: &mut Map, key: &str, value: Value) {
    map.insert_value(key, value);
}

/// `{key: 1}`: a measure (`{value: 1}`) or the `userAccount` counter.
#[inline(never)]
pub fn counter(key: &str) -> Map {
    let mut map = Map::new();
    put(&mut map, key, Value::from(1i64));
    map
}

/// Sets `key` of `into` to a clone of `fallback` (if any) when a copy left it out: a line's or
/// payment's own value wins over the order's or store's.
#[inline(never)]
pub fn or_insert(into: &mut Map, key: &str, fallback: &Option<Value>) {
    if let (None, Some(v)) = (into.get(key), fallback) {
        put(into, key, v.clone());
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
