//! `placeOrder` → `commerce.purchases` (spec §2.8): the order, its payments, shipping, the
//! shopper's email and the cart's lines.
//!
//! Fixed against the reference: without an order context (or its `orderId`) the purchase and
//! transaction ids are left out with a warning (the reference sent the string `"undefined"`).
//! `commerce.order` is rebuilt as in the reference: only a custom `purchaseID` and `currencyCode`
//! survive in it.

use super::items::{lines, number_value, set_lines, zero, CART};
use super::{Draft, Outcome, Snapshot};
use crate::engine::json::{Map, Value};

/// Place order: see the module documentation and the spec table.
pub fn place_order(s: &Snapshot<'_>) -> Outcome {
    let key = "orderContext";
    let mut draft = Draft::new(s, "commerce.purchases", Some("commerce.purchases"));
    draft.scope();
    let order = draft.context(key);
    let store_currency = draft.store_currency();
    let order_id = order.and_then(|o| draft.required_text(o, key, "orderId"));
    let custom = draft.custom_object("commerce.order");
    let mut built = Map::new();
    if let Some(id) = custom.get("purchaseID").filter(|v| !v.is_null()).cloned().or_else(|| order_id.clone()) {
        built.insert("purchaseID", id);
    }
    if let Some(c) = custom.get("currencyCode").filter(|v| !v.is_null()).cloned().or_else(|| store_currency.clone()) {
        built.insert("currencyCode", c);
    }
    let mut payments = Vec::new();
    let listed = order.map(|o| draft.objects(o, key, "payments")).unwrap_or_default();
    for (base, p) in &listed {
        let total = amount(&mut draft, Some(p), base, "total");
        let code = draft.text(p, base, "paymentMethodCode");
        let id = draft.text(p, base, "orderId").or_else(|| order_id.clone());
        payments.push(payment(total, code, id, &store_currency));
    }
    if listed.is_empty() {
        // One payment of the grand total (without an order context the reference still sends it).
        let total = amount(&mut draft, order, key, "grandTotal");
        let code = order.and_then(|o| draft.text(o, key, "paymentMethodCode"));
        payments.push(payment(total, code, order_id.clone(), &store_currency));
    }
    built.insert("payments", Value::Array(payments));
    let instant = order.and_then(|o| o.get("orderType")).and_then(Value::as_str) == Some("instant_purchase");
    built.insert("orderType", if instant { "instant_purchase" } else { "checkout" });
    built.insert("priceTotal", amount(&mut draft, order, key, "grandTotal"));
    built.insert("taxAmount", amount(&mut draft, order, key, "taxAmount"));
    let discount = match order.and_then(|o| draft.number(o, key, "discountAmount")) {
        Some(d) => number_value(d),
        None => {
            let cart = draft.optional_context("shoppingCartContext");
            amount(&mut draft, cart, "shoppingCartContext", "discountAmount")
        }
    };
    built.insert("discountAmount", discount);
    draft.set("commerce.order", Value::Object(built));
    let coupon = order.and_then(|o| draft.text(o, key, "appliedCouponCode"));
    draft.fill("commerce.promotionID", coupon);
    let method = order.and_then(|o| draft.text(o, key, "shipping.shippingMethod"));
    draft.fill("commerce.shipping.shippingMethod", method);
    let shipping = amount(&mut draft, order, key, "shipping.shippingAmount");
    draft.fill("commerce.shipping.shippingAmount", Some(shipping));
    draft.personal_email();
    if draft.context("shoppingCartContext").is_some() {
        let lines = lines(&mut draft, "shoppingCartContext", &CART, &store_currency);
        set_lines(&mut draft, lines);
    } else {
        draft.set("productListItems", Value::Array(Vec::new()));
    }
    draft.done()
}

/// `Number(obj.field || 0)`: a number the page gave passes through, anything else is 0.
fn amount(draft: &mut Draft<'_, '_>, obj: Option<&Value>, base: &str, field: &str) -> Value {
    obj.and_then(|o| draft.number(o, base, field)).map_or_else(zero, number_value)
}

/// One `commerce.order.payments[]` entry.
fn payment(total: Value, code: Option<Value>, transaction: Option<Value>, currency: &Option<Value>) -> Value {
    let mut p = Map::new();
    p.insert("paymentAmount", total);
    if let Some(code) = code {
        p.insert("paymentType", code);
    }
    if let Some(id) = transaction {
        p.insert("transactionID", id);
    }
    if let Some(c) = currency {
        p.insert("currencyCode", c.clone());
    }
    Value::Object(p)
}
