//! Live Search events: search request sent and search response received (spec §2.10).
//!
//! Fixed against the reference: the unit is the one whose `searchUnitId` was published (the
//! reference always used the first), and refinements carry the filters (the reference sent them
//! empty). An unknown unit falls back to the first, with a warning.

use super::{Draft, Outcome, Snapshot};
use crate::engine::diagnostic::Code;
use crate::engine::json::{Map, Number, Value};
use crate::engine::value::{as_id_string, at};
use crate::obj;

/// The search unit of context `key` matching the published `searchUnitId`.
fn unit<'a>(draft: &mut Draft<'_, 'a>, key: &str) -> Option<&'a Value> {
    let units = draft.context(key, "the search fields are left out")?.get("units")?.as_array()?;
    let wanted = draft.snapshot.extras.get("searchUnitId").and_then(as_id_string);
    let found = units.iter().find(|u| u.get("searchUnitId").and_then(as_id_string) == wanted);
    if found.is_none() {
        let mut path = String::from(key);
        path.push_str(".units");
        draft.warn(
            Code::InvalidArgument,
            &path,
            String::from("no unit has the published searchUnitId; the first unit is used"),
        );
    }
    found.or_else(|| units.first())
}

/// One `siteSearch.refinements[]` entry from a filter: `eq` → `[eq]`, `in` → the list, `range` →
/// `[from, to]` as strings with `isRange`.
fn refinement(filter: &Value) -> Value {
    let mut r = Map::new();
    if let Some(attribute) = filter.get("attribute") {
        r.insert("attribute", attribute.clone());
    }
    let text = |v: &Value| as_id_string(v).map_or(Value::Null, Value::String);
    let (values, is_range) = if let Some(range) = at(filter, "range") {
        (vec![range.get("from").map_or(Value::Null, text), range.get("to").map_or(Value::Null, text)], true)
    } else if let Some(list) = at(filter, "in").and_then(Value::as_array) {
        (list.iter().map(text).collect(), false)
    } else if let Some(eq) = at(filter, "eq") {
        (vec![text(eq)], false)
    } else {
        (Vec::new(), false)
    };
    r.insert("value", Value::Array(values));
    r.insert("isRange", is_range);
    Value::Object(r)
}

/// The values of array `key` of the unit (empty when absent).
fn unit_list<'a>(unit: Option<&'a Value>, key: &str) -> &'a [Value] {
    unit.and_then(|u| u.get(key)).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
}

/// `{value: 1, id: unit.searchRequestId}`: the measure that joins a request to its response.
fn measure(unit: Option<&Value>) -> Value {
    let mut measure = Map::new();
    measure.insert("value", 1i64);
    if let Some(id) = unit.and_then(|u| u.get("searchRequestId")) {
        measure.insert("id", id.clone());
    }
    Value::Object(measure)
}

/// searchRequestSent → `searchRequest`.
pub fn request(s: &Snapshot<'_>) -> Outcome {
    let mut draft = Draft::new(s, "searchRequest", None);
    draft.scope();
    let unit = unit(&mut draft, "searchInputContext");
    let mut site = Map::new();
    if let Some(phrase) = unit.and_then(|u| u.get("phrase")) {
        site.insert("query", phrase.clone());
    }
    let sort = unit_list(unit, "sort")
        .iter()
        .map(|o| obj! {"attribute" => o.get("attribute").cloned().unwrap_or_default(), "order" => o.get("direction").cloned().unwrap_or_default()})
        .collect();
    site.insert("sort", Value::Array(sort));
    site.insert("refinements", Value::Array(unit_list(unit, "filter").iter().map(refinement).collect()));
    draft.set("siteSearch", Value::Object(site));
    draft.set("searchRequest", measure(unit));
    draft.done()
}

/// searchResponseReceived → `searchResponse`.
pub fn response(s: &Snapshot<'_>) -> Outcome {
    let mut draft = Draft::new(s, "searchResponse", None);
    draft.scope();
    let unit = unit(&mut draft, "searchResultsContext");
    let suggestions = unit_list(unit, "suggestions").iter().filter_map(|s| s.get("suggestion").cloned()).collect();
    let products = unit_list(unit, "products");
    draft.set(
        "siteSearch",
        obj! {"suggestions" => Value::Array(suggestions), "numberOfResults" => Value::Number(Number::from_i64(products.len() as i64))},
    );
    let lines = products
        .iter()
        .map(|p| {
            let mut line = Map::new();
            for (xdm_key, key) in [("SKU", "sku"), ("name", "name"), ("productImageUrl", "imageUrl")] {
                if let Some(v) = p.get(key) {
                    line.insert(xdm_key, v.clone());
                }
            }
            Value::Object(line)
        })
        .collect();
    draft.set("productListItems", Value::Array(lines));
    draft.set("searchResponse", measure(unit));
    draft.done()
}
