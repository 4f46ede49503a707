//! Live Search events (spec §2.10): searchRequestSent → `searchRequest`, searchResponseReceived →
//! `searchResponse`. The unit's `searchRequestId` becomes `searchRequest.id` / `searchResponse.id`,
//! the key that joins a request to its response.
//!
//! Fixed against the reference: every field comes from the unit whose `searchUnitId` was published
//! (the reference took the query from the first unit), and refinements carry the filters (the
//! reference sent them empty). With an unknown unit the reference's shape is kept (query from the
//! first unit, no sort, refinements or id, so no false join) with a warning.

use super::{counter, join_path, put, Draft, Outcome, Snapshot};
use crate::engine::diagnostic::Code;
use crate::engine::json::{Map, Number, Value};
use crate::engine::value::{as_id_string, at};

/// A search unit of a context, with its diagnostic path.
type Unit<'a> = Option<(String, &'a Value)>;

/// The unit of context `key` whose `searchUnitId` is the published one, and `true`; else (with a
/// warning) the first unit, if any, and `false`.
fn unit<'a>(draft: &mut Draft<'_, 'a>, key: &str) -> (Unit<'a>, bool) {
    let Some(context) = draft.context(key) else { return (None, false) };
    let wanted = draft.snapshot.extras.get("searchUnitId").and_then(as_id_string);
    let mut units = draft.objects(context, key, "units");
    let mut at = 0;
    let mut found = false;
    if wanted.is_some() {
        for (_, u) in &units {
            found = u.get("searchUnitId").and_then(as_id_string) == wanted;
            if found {
                break;
            }
            at += 1;
        }
    }
    if !found {
        let message = "no unit has the published searchUnitId; its request id, sort and refinements are left out";
        draft.warn(Code::InvalidArgument, &join_path(key, "units"), message);
        at = 0;
    }
    units.truncate(at + 1);
    (units.pop(), found)
}

/// `{value: 1, id}`: the measure that joins a request to its response (`found`: its unit).
fn measure(draft: &mut Draft<'_, '_>, found: Option<&(String, &Value)>) -> Value {
    let mut measure = counter("value");
    if let Some((base, u)) = found {
        draft.copy_required(&mut measure, u, base, &[("id", "searchRequestId")]);
    }
    Value::Object(measure)
}

/// One `siteSearch.refinements[]` entry from a filter: `eq` → `[eq]`, `in` → the list, `range` →
/// `[String(from), String(to)]` with `isRange` (an open end is `""`).
// Not inlined by LLVM: its copy inside `request` measured 135 B larger than the one wasm-opt
// inlines later (it has one caller).
#[inline(never)]
fn refinement(draft: &mut Draft<'_, '_>, filter: &Value, base: &str) -> Value {
    let mut r = Map::new();
    draft.copy_text(&mut r, filter, base, &[("attribute", "attribute")]);
    let mut values = Vec::new();
    let mut is_range = false;
    if let Some(eq) = draft.text(filter, base, "eq") {
        values.push(eq);
    } else if let Some(given) = at(filter, "in") {
        let list = given.as_array().map_or(&[][..], Vec::as_slice);
        for v in list {
            if let Some(text) = as_id_string(v) {
                values.push(Value::String(text));
            }
        }
        if values.len() < list.len() || given.as_array().is_none() {
            draft.warn(Code::InvalidField, &join_path(base, "in"), "not a list of strings; the others are left out");
        }
    } else if at(filter, "range").is_some() {
        is_range = true;
        for end in &["range.from", "range.to"] {
            values.push(draft.text(filter, base, end).unwrap_or_else(|| Value::String(String::new())));
        }
    }
    put(&mut r, "value", Value::Array(values));
    put(&mut r, "isRange", Value::Bool(is_range));
    Value::Object(r)
}

/// searchRequestSent → `searchRequest`: query, sort and refinements of the published unit.
pub fn request(s: &Snapshot<'_>) -> Outcome {
    let key = "searchInputContext";
    let mut draft = Draft::new(s, "searchRequest", None);
    draft.scope();
    let (unit, found) = unit(&mut draft, key);
    let mut site = Map::new();
    let (mut sort, mut refinements) = (Vec::new(), Vec::new());
    if let Some((base, u)) = &unit {
        // From an unknown unit (the first), only the query, and not as a required field.
        draft.copy(&mut site, u, base, &[("query", "phrase")], found);
        if found {
            sort = draft.rows(u, base, "sort", Some(&[("attribute", "attribute"), ("order", "direction")]));
            for (filter_base, filter) in &draft.objects(u, base, "filter") {
                refinements.push(refinement(&mut draft, filter, filter_base));
            }
        }
    }
    put(&mut site, "sort", Value::Array(sort));
    put(&mut site, "refinements", Value::Array(refinements));
    draft.set("siteSearch", Value::Object(site));
    let measure = measure(&mut draft, unit.as_ref().filter(|_| found));
    draft.set("searchRequest", measure);
    draft.done()
}

/// searchResponseReceived → `searchResponse`: suggestions, number of results and (D) lines of the
/// published unit.
pub fn response(s: &Snapshot<'_>) -> Outcome {
    let key = "searchResultsContext";
    let mut draft = Draft::new(s, "searchResponse", None);
    draft.scope();
    let (unit, found) = unit(&mut draft, key);
    let found = unit.as_ref().filter(|_| found);
    let mut site = Map::new();
    let mut suggestions = Vec::new();
    let mut lines = Vec::new();
    if let Some((base, u)) = found {
        for (suggestion_base, suggestion) in &draft.objects(u, base, "suggestions") {
            if let Some(text) = draft.text(suggestion, suggestion_base, "suggestion") {
                suggestions.push(text);
            }
        }
        // The page size shown (the reference's `products.length`), not the total.
        if let Some(count) = u.get("products").and_then(Value::as_array).map(Vec::len) {
            put(&mut site, "numberOfResults", Value::Number(Number::from_i64(count as i64)));
        }
        // (D) search-result lines: SKU, name and productImageUrl.
        let fields = &[("SKU", "sku"), ("name", "name"), ("productImageUrl", "imageUrl")];
        lines = draft.rows(u, base, "products", Some(fields));
    }
    put(&mut site, "suggestions", Value::Array(suggestions));
    draft.set("siteSearch", Value::Object(site));
    draft.set("productListItems", Value::Array(lines));
    let measure = measure(&mut draft, found);
    draft.set("searchResponse", measure);
    draft.done()
}
