//! `productListItems` builders shared by the commerce events (spec §2.4): (A) cart lines and (B)
//! requisition-list lines (one builder, two [`LineSpec`] tables) and the customContext merge by
//! SKU (§2.2 step 4). (D) search-result lines are `Draft::rows` of a field table (`search::response`).
//!
//! Money computed here is rounded to cents with [`round2`] and written as exact decimal text
//! (`37.04`, never `37.040000000000006`); amounts the page gave are passed through unchanged.

use super::{or_insert, put, Draft};
use crate::engine::json::{Map, Number, Value};
use crate::engine::money::round2;
use crate::engine::value::as_number;

/// A money amount rounded to cents, as an exact JSON number (`37.04`); `0` when not finite.
pub fn money(amount: f64) -> Value {
    let cents = round2(amount).map_or(0, |r| (r * 100.0).round() as i64);
    Value::Number(Number::from_cents(cents))
}

/// The JSON number `0`.
pub fn zero() -> Value {
    Value::Number(Number::from_i64(0))
}

/// A number the page gave, as `Number(x)` would send it: a JSON number unchanged, a numeric string
/// converted (`"2"` → `2`). Call only on values [`Draft::number`] accepted.
pub fn number_value(v: &Value) -> Value {
    match v {
        Value::Number(_) => v.clone(),
        Value::String(s) => Number::from_text(s.trim_ascii())
            .map(Value::Number)
            .unwrap_or_else(|| money(as_number(v).unwrap_or_default())),
        _ => zero(),
    }
}

/// Where a product-line builder reads each field of one item: the two item shapes of the
/// storefront, (A) cart items (`ShoppingCartItem`) and (B) requisition-list items
/// (`RequisitionListItem`), share one builder and differ only by this table.
pub struct LineSpec {
    /// The SKU (required: a line without one gets a missing-field warning) and the product name,
    /// as a `(xdm key, field)` table (a constant, not one built per line).
    head: &'static [(&'static str, &'static str)],
    /// The unit price, multiplied by `quantity` into `priceTotal` (rounded; 0 without both).
    price: &'static str,
    /// `(xdm key, field)` pairs copied as text after `priceTotal`: the image (cart lines) and the
    /// line's currency (else the store view currency).
    tail: &'static [(&'static str, &'static str)],
    /// The options list.
    options: &'static str,
    /// How each option is rebuilt (as given without a table).
    option_fields: Option<&'static [(&'static str, &'static str)]>,
    /// Cart lines: `discountAmount` (the line's, else regular − special price, rounded; else 0)
    /// and `selectedOptions` always present. Otherwise `selectedOptions` is left out when the
    /// item has no options list.
    cart: bool,
}

/// (A) Cart-style lines (changed products or the whole cart): SKU, name, quantity, priceTotal,
/// productImageUrl, currencyCode, discountAmount and selectedOptions.
pub const CART: LineSpec = LineSpec {
    head: &[("SKU", "product.sku"), ("name", "product.name")],
    price: "prices.price.value",
    tail: &[("productImageUrl", "product.mainImageUrl"), ("currencyCode", "prices.price.currency")],
    options: "configurableOptions",
    option_fields: Some(&[("attribute", "optionLabel"), ("value", "valueLabel")]),
    cart: true,
};

/// (B) Requisition-style lines (list items or order page): SKU, name, quantity, priceTotal
/// (regular price × quantity), currencyCode and selectedOptions as given.
pub const LIST: LineSpec = LineSpec {
    head: &[("SKU", "sku"), ("name", "name")],
    price: "pricing.regularPrice",
    tail: &[("currencyCode", "pricing.currencyCode")],
    options: "selectedOptions",
    option_fields: None,
    cart: false,
};

/// Sets `productListItems` to the product lines from `{items: [...]}` of context `key`, read as
/// `spec` says; `currency` is the fallback currency (the store view's). With `required`, a context
/// without `items` is reported (every context but the whole cart: an empty cart is no news).
///
/// Each line is based on the custom line with the same SKU (whose extra keys survive and whose
/// values win, `??`-style; the SKU itself cannot be overridden). Custom lines whose SKU matches no
/// line are dropped, as in the reference.
pub fn lines(draft: &mut Draft<'_, '_>, key: &str, required: bool, spec: &LineSpec, currency: &Option<Value>) {
    // The custom lines are taken out of the payload (their key keeps its place) while the lines
    // are read, then replaced by the merged lines.
    let custom = draft.xdm.get_mut("productListItems").map(core::mem::take).unwrap_or_default();
    let custom = custom.as_array().map_or(&[][..], Vec::as_slice);
    let mut merged = Vec::new();
    let listed = match draft.optional_context(key) {
        Some(context) => draft.list(context, key, "items", required),
        None => Vec::new(),
    };
    for (base, item) in &listed {
        let mut line = Map::new();
        draft.copy_required(&mut line, item, base, spec.head);
        let quantity = draft.number(item, base, "quantity");
        if let Some(q) = quantity {
            put(&mut line, "quantity", number_value(q));
        }
        // A missing price or quantity counts as 0 (so does an overflowing product, in `money`).
        let price = draft.number(item, base, spec.price).and_then(as_number).unwrap_or(0.0);
        put(&mut line, "priceTotal", money(price * quantity.and_then(as_number).unwrap_or(0.0)));
        draft.copy_text(&mut line, item, base, spec.tail);
        or_insert(&mut line, "currencyCode", currency);
        if spec.cart {
            let discount = match draft.number(item, base, "discountAmount") {
                Some(d) => number_value(d),
                None => {
                    let regular = draft.number(item, base, "product.pricing.regularPrice");
                    let special = draft.number(item, base, "product.pricing.specialPrice");
                    discount(regular, special)
                }
            };
            put(&mut line, "discountAmount", discount);
        }
        let options = draft.rows(item, base, spec.options, spec.option_fields);
        if spec.cart || matches!(item.get(spec.options), Some(Value::Array(_))) {
            put(&mut line, "selectedOptions", Value::Array(options));
        }
        // The line's SKU is always a string (`Draft::copy_required`), so comparing as strings
        // is `==` on the values (and needs no general JSON equality in the wasm).
        let sku = line.get("SKU").and_then(Value::as_str);
        let custom_line = custom.iter().find(|c| sku.is_some() && c.get("SKU").and_then(Value::as_str) == sku);
        merged.push(Value::Object(merge_line(custom_line.and_then(Value::as_object), line)));
    }
    draft.set("productListItems", Value::Array(merged));
}

/// `regular − special`, rounded to cents (`regular` alone gives 0; so does no price at all).
pub fn discount(regular: Option<&Value>, special: Option<&Value>) -> Value {
    let (regular, special) = (regular.and_then(as_number), special.and_then(as_number));
    money(regular.map_or(0.0, |r| r - special.unwrap_or(r)))
}

/// `line` over a custom `base`: the base's non-null values win, except `SKU`.
pub fn merge_line(base: Option<&Map>, line: Map) -> Map {
    let Some(base) = base else { return line };
    let mut merged = base.clone();
    for (key, v) in line.iter() {
        if key == "SKU" || merged.get(key).is_none_or(Value::is_null) {
            put(&mut merged, key, v.clone());
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::{money, number_value, zero};
    use crate::engine::json::json;

    #[test]
    fn money_is_exact_cents() {
        assert_eq!(money(12.345 * 3.0).to_json(), "37.04");
        assert_eq!(money(44.99 - 39.99).to_json(), "5");
        assert_eq!(money(-0.125).to_json(), "-0.13");
        assert_eq!(money(f64::NAN), zero());
    }

    #[test]
    fn numbers_pass_through_as_number_would_convert_them() {
        assert_eq!(number_value(&json!(42.035)).to_json(), "42.035");
        assert_eq!(number_value(&json!("2")).to_json(), "2");
        assert_eq!(number_value(&json!(" 12.5 ")).to_json(), "12.5");
        assert_eq!(number_value(&json!(".5")).to_json(), "0.5");
    }
}
