//! Commerce events: product view, the five cart events, place order and the four B2B
//! requisition-list events (spec §2.4, §2.6–§2.8, §2.11), and the product-line builders they
//! share.
//!
//! Money is rounded to cents with [`round2`](crate::engine::money::round2) wherever the reference
//! does arithmetic (no `4.999999999999998`); amounts passed through unchanged keep their value.

use super::{Draft, Items, Outcome, Snapshot};
use crate::engine::diagnostic::Code;
use crate::engine::json::{Map, Number, Value};
use crate::engine::money::round2;
use crate::engine::value::{as_id_string, as_number, at, num_at, str_at};
use crate::obj;

/// A money amount as an exact JSON number of cents (`37.04`).
pub fn money(amount: f64) -> Value {
    round2(amount)
        .map_or(Value::Number(Number::from_i64(0)), |r| Value::Number(Number::from_cents((r * 100.0).round() as i64)))
}

/// A numeric field passed through: a JSON number unchanged, a numeric string converted as
/// `Number(x)` would.
fn number(v: &Value) -> Option<Value> {
    match v {
        Value::Number(_) => Some(v.clone()),
        other => as_number(other).map(|n| {
            if n.fract() == 0.0 && n.abs() < 9.0e15 {
                Value::Number(Number::from_i64(n as i64))
            } else {
                money(n)
            }
        }),
    }
}

/// `path` under `ctx` as a passed-through number.
fn number_at(ctx: Option<&Value>, path: &str) -> Option<Value> {
    ctx.and_then(|c| at(c, path)).and_then(number)
}

/// A string (or id) field under `ctx`.
fn text_at(ctx: Option<&Value>, path: &str) -> Option<Value> {
    ctx.and_then(|c| at(c, path)).cloned()
}

/// `key[i]`, for diagnostics.
fn item_path(list: &str, i: usize, field: &str) -> String {
    let mut path = String::from(list);
    path.push_str(".items[");
    crate::engine::json::push_uint(&mut path, i as u64);
    path.push(']');
    path.push_str(field);
    path
}

/// The store view currency, the fallback currency of every line.
fn store_currency(s: &Snapshot<'_>) -> Option<Value> {
    s.context("storefrontInstanceContext").and_then(|c| at(c, "storeViewCurrencyCode")).cloned()
}

/// The `items` of context `key`, with a warning for each unusable one.
fn items<'a>(draft: &mut Draft<'_, 'a>, key: &str) -> Vec<(usize, &'a Value)> {
    let Some(list) = draft.snapshot.contexts.get(key).and_then(|c| at(c, "items")) else { return Vec::new() };
    let Some(list) = list.as_array() else {
        let mut path = String::from(key);
        path.push_str(".items");
        draft.warn(Code::InvalidField, &path, String::from("items must be an array; no product lines are sent"));
        return Vec::new();
    };
    let mut usable = Vec::new();
    for (i, item) in list.iter().enumerate() {
        if item.is_object() {
            usable.push((i, item));
        } else {
            draft.warn(
                Code::InvalidField,
                &item_path(key, i, ""),
                String::from("a product line must be an object; it is left out"),
            );
        }
    }
    usable
}

/// (A) cart-style lines from `{items: ShoppingCartItem[]}` of context `key`.
fn cart_lines(draft: &mut Draft<'_, '_>, key: &str) -> Vec<Map> {
    let currency = store_currency(draft.snapshot);
    let mut lines = Vec::new();
    for (i, item) in items(draft, key) {
        let product = at(item, "product");
        let Some(sku) = product.and_then(|p| str_at(p, "sku")) else {
            draft.warn(
                Code::MissingField,
                &item_path(key, i, ".product.sku"),
                String::from("a line without a SKU is left out"),
            );
            continue;
        };
        let quantity = num_at(item, "quantity");
        let price = num_at(item, "prices.price.value");
        if at(item, "prices.price.value").is_some() && price.is_none() {
            draft.warn(
                Code::InvalidField,
                &item_path(key, i, ".prices.price.value"),
                String::from("not a number; priceTotal is 0"),
            );
        }
        let mut line = Map::new();
        line.insert("SKU", sku);
        if let Some(name) = text_at(product, "name") {
            line.insert("name", name);
        }
        if let Some(q) = number_at(Some(item), "quantity") {
            line.insert("quantity", q);
        }
        line.insert("priceTotal", money(price.zip(quantity).map_or(0.0, |(p, q)| p * q)));
        if let Some(image) = text_at(product, "mainImageUrl") {
            line.insert("productImageUrl", image);
        }
        if let Some(c) = text_at(Some(item), "prices.price.currency").or_else(|| currency.clone()) {
            line.insert("currencyCode", c);
        }
        let discount = number_at(Some(item), "discountAmount").unwrap_or_else(|| {
            let regular = product.and_then(|p| num_at(p, "pricing.regularPrice"));
            let special = product.and_then(|p| num_at(p, "pricing.specialPrice"));
            money(regular.map_or(0.0, |r| r - special.unwrap_or(r)))
        });
        line.insert("discountAmount", discount);
        let options = at(item, "configurableOptions").and_then(Value::as_array).map_or_else(Vec::new, |options| {
            options
                .iter()
                .map(|o| {
                    let text = |k| at(o, k).and_then(as_id_string).map_or(Value::Null, Value::String);
                    obj! {"attribute" => text("optionLabel"), "value" => text("valueLabel")}
                })
                .collect()
        });
        line.insert("selectedOptions", Value::Array(options));
        lines.push(line);
    }
    lines
}

/// (B) requisition-style lines from `{items: RequisitionListItem[]}` of context `key`.
fn list_lines(draft: &mut Draft<'_, '_>, key: &str) -> Vec<Map> {
    let currency = store_currency(draft.snapshot);
    let mut lines = Vec::new();
    for (i, item) in items(draft, key) {
        let Some(sku) = str_at(item, "sku") else {
            draft.warn(
                Code::MissingField,
                &item_path(key, i, ".sku"),
                String::from("a line without a SKU is left out"),
            );
            continue;
        };
        let quantity = num_at(item, "quantity").unwrap_or(0.0);
        let mut line = Map::new();
        line.insert("SKU", sku);
        if let Some(name) = text_at(Some(item), "name") {
            line.insert("name", name);
        }
        line.insert("quantity", number_at(Some(item), "quantity").unwrap_or(Value::Number(Number::from_i64(0))));
        line.insert("priceTotal", money(num_at(item, "pricing.regularPrice").unwrap_or(0.0) * quantity));
        if let Some(c) = text_at(Some(item), "pricing.currencyCode").or_else(|| currency.clone()) {
            line.insert("currencyCode", c);
        }
        if let Some(options) = text_at(Some(item), "selectedOptions") {
            line.insert("selectedOptions", options);
        }
        lines.push(line);
    }
    lines
}

/// Puts `lines` in `productListItems`, each line based on the custom line with the same SKU (whose
/// extra keys survive; its values win for fields it sets; the SKU cannot be overridden). Custom
/// lines without a matching SKU are dropped, as in the reference.
fn set_lines(draft: &mut Draft<'_, '_>, lines: Vec<Map>) {
    let custom = draft.custom("productListItems");
    let custom = custom.as_ref().and_then(Value::as_array);
    let merged = lines
        .into_iter()
        .map(|line| {
            let sku = line.get("SKU").cloned();
            let base =
                custom.and_then(|c| c.iter().find(|item| item.get("SKU") == sku.as_ref())).and_then(Value::as_object);
            Value::Object(merge_line(base, line))
        })
        .collect();
    draft.set("productListItems", Value::Array(merged));
}

/// `line` over a custom base: the base's values win, except `SKU`.
fn merge_line(base: Option<&Map>, line: Map) -> Map {
    let Some(base) = base else { return line };
    let mut merged = base.clone();
    for (key, v) in line {
        if key == "SKU" || merged.get(&key).is_none_or(Value::is_null) {
            merged.insert(key, v);
        }
    }
    merged
}

/// `commerce.cart.cartID` from the shopping cart.
fn cart_id(draft: &mut Draft<'_, '_>) {
    let mut cart = draft.custom("commerce.cart").and_then(|c| c.as_object().cloned()).unwrap_or_default();
    if cart.get("cartID").is_none() {
        if let Some(id) = draft.snapshot.contexts.get("shoppingCartContext").and_then(|c| at(c, "id")) {
            cart.insert("cartID", id.clone());
        }
    }
    draft.set("commerce.cart", Value::Object(cart));
}

/// `personalEmail.address` from the account (`personalEmail: {}` when there is none, as sent by
/// the reference).
pub fn personal_email(draft: &mut Draft<'_, '_>) {
    let email = draft.snapshot.contexts.get("accountContext").and_then(|c| at(c, "emailAddress")).cloned();
    let mut personal = draft.custom("personalEmail").and_then(|c| c.as_object().cloned()).unwrap_or_default();
    if personal.get("address").is_none() {
        if let Some(email) = email {
            personal.insert("address", email);
        }
    }
    draft.set("personalEmail", Value::Object(personal));
}

/// productPageView → `commerce.productViews` (§2.6).
pub fn product_view(s: &Snapshot<'_>) -> Outcome {
    let Some(product) = s.context("productContext") else {
        return Outcome::Dropped(s.diagnostic(
            crate::engine::diagnostic::Level::Error,
            Code::MissingContext,
            "productContext",
            "a product view needs the product context; nothing was sent",
        ));
    };
    let mut draft = Draft::new(s, "commerce.productViews", Some("commerce.productViews"));
    draft.scope();
    let regular = num_at(product, "pricing.regularPrice");
    let special = num_at(product, "pricing.specialPrice");
    let mut line = Map::new();
    for (xdm_key, path) in [("SKU", "sku"), ("name", "name"), ("productImageUrl", "mainImageUrl")] {
        if let Some(v) = text_at(Some(product), path) {
            line.insert(xdm_key, v);
        }
    }
    if let Some(price) =
        number_at(Some(product), "pricing.specialPrice").or_else(|| number_at(Some(product), "pricing.regularPrice"))
    {
        line.insert("priceTotal", price);
    }
    if let Some(c) = text_at(Some(product), "pricing.currencyCode").or_else(|| store_currency(s)) {
        line.insert("currencyCode", c);
    }
    line.insert("discountAmount", money(regular.map_or(0.0, |r| r - special.unwrap_or(r))));
    // The first custom line is the base whatever its SKU (the reference's rule for this event).
    let custom = draft.custom("productListItems");
    let base = custom.as_ref().and_then(|c| c.at(0)).and_then(Value::as_object);
    let line = merge_line(base, line);
    draft.set("productListItems", Value::Array(vec![Value::Object(line)]));
    draft.done()
}

/// addToCart, removeFromCart, openCart (lines from the changed products) and shoppingCartView,
/// initiateCheckout (`whole_cart`: lines from the whole cart, plus the cart discount) (§2.7).
pub fn cart(s: &Snapshot<'_>, measure: &str, whole_cart: bool) -> Outcome {
    let mut draft = Draft::new(s, measure, Some(measure));
    draft.scope();
    cart_id(&mut draft);
    let source = if whole_cart { "shoppingCartContext" } else { "changedProductsContext" };
    if draft.context(source, "productListItems is empty").is_some() || !whole_cart {
        let lines = cart_lines(&mut draft, source);
        set_lines(&mut draft, lines);
    } else {
        draft.set("productListItems", Value::Array(Vec::new()));
    }
    if whole_cart {
        let cart = s.context("shoppingCartContext");
        let discount = number_at(cart, "discountAmount").unwrap_or_else(|| Value::Number(Number::from_i64(0)));
        draft.set("commerce.order.discountAmount", discount);
    }
    draft.done()
}

/// placeOrder → `commerce.purchases` (§2.8). Without an order context the order id is left out
/// (the reference sends the string `"undefined"`).
pub fn place_order(s: &Snapshot<'_>) -> Outcome {
    let mut draft = Draft::new(s, "commerce.purchases", Some("commerce.purchases"));
    draft.scope();
    let order = draft.context("orderContext", "commerce.order.purchaseID is left out");
    let currency = draft.custom("commerce.order.currencyCode").or_else(|| store_currency(s));
    let order_id = order.and_then(|o| at(o, "orderId")).and_then(as_id_string);
    let purchase_id = draft.custom("commerce.order.purchaseID").or_else(|| order_id.clone().map(Value::String));
    // Amounts the reference passes through (`Number(x || 0)`) keep their value; only arithmetic
    // results are rounded.
    let amount = |path: &str| number_at(order, path).unwrap_or_else(|| Value::Number(Number::from_i64(0)));
    let payments: Vec<Value> =
        match order.and_then(|o| at(o, "payments")).and_then(Value::as_array).filter(|p| !p.is_empty()) {
            Some(list) => list
                .iter()
                .map(|p| {
                    let id = at(p, "orderId").and_then(as_id_string).or_else(|| order_id.clone());
                    payment(number_at(Some(p), "total"), at(p, "paymentMethodCode"), id, &currency)
                })
                .collect(),
            // Without an order context the reference still sends one entry (with transactionID
            // "undefined"); we keep the entry and leave the unknown id out.
            None => vec![payment(
                Some(amount("grandTotal")),
                order.and_then(|o| at(o, "paymentMethodCode")),
                order_id.clone(),
                &currency,
            )],
        };
    let mut built = Map::new();
    if let Some(id) = purchase_id {
        built.insert("purchaseID", id);
    }
    if let Some(c) = currency {
        built.insert("currencyCode", c);
    }
    built.insert("payments", Value::Array(payments));
    let instant = order.and_then(|o| str_at(o, "orderType")) == Some("instant_purchase");
    built.insert("orderType", if instant { "instant_purchase" } else { "checkout" });
    built.insert("priceTotal", amount("grandTotal"));
    built.insert("taxAmount", amount("taxAmount"));
    let cart_discount = number_at(s.context("shoppingCartContext"), "discountAmount");
    let discount =
        number_at(order, "discountAmount").or(cart_discount).unwrap_or_else(|| Value::Number(Number::from_i64(0)));
    built.insert("discountAmount", discount);
    draft.set("commerce.order", Value::Object(built));
    draft.fill("commerce.promotionID", text_at(order, "appliedCouponCode"));
    draft.fill("commerce.shipping.shippingMethod", text_at(order, "shipping.shippingMethod"));
    draft.fill("commerce.shipping.shippingAmount", Some(amount("shipping.shippingAmount")));
    personal_email(&mut draft);
    let lines = cart_lines(&mut draft, "shoppingCartContext");
    set_lines(&mut draft, lines);
    draft.done()
}

fn payment(total: Option<Value>, code: Option<&Value>, transaction: Option<String>, currency: &Option<Value>) -> Value {
    let mut p = Map::new();
    p.insert("paymentAmount", total.unwrap_or_else(|| Value::Number(Number::from_i64(0))));
    if let Some(code) = code {
        p.insert("paymentType", code.clone());
    }
    if let Some(id) = transaction {
        p.insert("transactionID", id);
    }
    if let Some(c) = currency {
        p.insert("currencyCode", c.clone());
    }
    Value::Object(p)
}

/// The four requisition-list events (§2.11).
pub fn requisition(s: &Snapshot<'_>, measure: &str, lines: Items) -> Outcome {
    let mut draft = Draft::new(s, measure, Some(measure));
    draft.scope();
    let list = draft.context("requisitionListContext", "commerce.requisitionList is empty");
    let mut built = draft.custom("commerce.requisitionList").and_then(|c| c.as_object().cloned()).unwrap_or_default();
    if built.get("ID").is_none() {
        if let Some(id) = list.and_then(|l| at(l, "id")).and_then(as_id_string) {
            built.insert("ID", id);
        }
    }
    for key in ["name", "description"] {
        if built.get(key).is_none() {
            if let Some(v) = text_at(list, key) {
                built.insert(key, v);
            }
        }
    }
    draft.set("commerce.requisitionList", Value::Object(built));
    personal_email(&mut draft);
    let has = |key| s.context(key).and_then(|c| at(c, "items")).is_some();
    let lines = match lines {
        Items::None => None,
        Items::List => Some(list_lines(&mut draft, "requisitionListItemsContext")),
        Items::ListOrOrderOrCart if has("requisitionListItemsContext") => {
            Some(list_lines(&mut draft, "requisitionListItemsContext"))
        }
        Items::ListOrOrderOrCart if has("orderPageContext") => Some(list_lines(&mut draft, "orderPageContext")),
        Items::ListOrOrderOrCart => Some(cart_lines(&mut draft, "changedProductsContext")),
    };
    if let Some(lines) = lines {
        set_lines(&mut draft, lines);
    }
    draft.done()
}

#[cfg(test)]
mod tests {
    use super::money;
    use crate::engine::json::Value;

    #[test]
    fn money_is_exact_cents() {
        assert_eq!(money(12.345 * 3.0).to_json(), "37.04");
        assert_eq!(money(44.99 - 39.99).to_json(), "5");
        assert_eq!(money(f64::NAN), Value::Number(crate::engine::json::Number::from_i64(0)));
    }
}
