//! `productPageView` → `commerce.productViews` (spec §2.6): one product line (builder C) from the
//! product context.
//!
//! Fixed against the reference: a missing product context drops the event with a diagnostic
//! naming it (the reference threw silently), and the discount is rounded to cents (the reference
//! sent `4.999999999999998`).

use super::items::{discount, merge_line, number_value};
use super::{or_insert, put, Draft, Outcome, Snapshot};
use crate::engine::diagnostic::{Code, Level};
use crate::engine::json::{Map, Value};
use crate::engine::value::map_at;

/// Product view: SKU, name, image, unit price (special, else regular), currency (product, else
/// store view) and discount (regular − special, rounded; 0 without pricing). No quantity.
pub fn product_view(s: &Snapshot<'_>) -> Outcome {
    let key = "productContext";
    let Some(product) = s.contexts.get(key).filter(|p| p.is_object()) else {
        let (code, message) = match s.context(key) {
            None => (Code::MissingContext, "a product view needs the product context; nothing was sent"),
            Some(_) => (Code::InvalidField, "the product context must be an object; nothing was sent"),
        };
        return Outcome::Dropped(s.diagnostic(Level::Error, code, key, message));
    };
    let mut draft = Draft::new(s, "commerce.productViews", Some("commerce.productViews"));
    draft.scope();
    let mut line = Map::new();
    let fields = &[("SKU", "sku"), ("name", "name"), ("productImageUrl", "mainImageUrl")];
    draft.copy_required(&mut line, product, key, fields);
    let regular = draft.number(product, key, "pricing.regularPrice");
    let special = draft.number(product, key, "pricing.specialPrice");
    if let Some(price) = special.or(regular) {
        put(&mut line, "priceTotal", number_value(price));
    }
    draft.copy_text(&mut line, product, key, &[("currencyCode", "pricing.currencyCode")]);
    if line.get("currencyCode").is_none() {
        let store = draft.store_currency();
        or_insert(&mut line, "currencyCode", &store);
    }
    put(&mut line, "discountAmount", discount(regular, special));
    // The first custom line is the base whatever its SKU (the reference's rule for this event).
    let custom = map_at(&draft.xdm, "productListItems");
    let line = merge_line(custom.and_then(|c| c.at(0)).and_then(Value::as_object), line);
    draft.set("productListItems", Value::Array(vec![Value::Object(line)]));
    draft.done()
}
