//! `placeOrder` → `commerce.purchases` (spec §2.8): the order, its payments, shipping, the
//! shopper's email and the cart's lines.
//!
//! Fixed against the reference: without an order context (or its `orderId`) the purchase and
//! transaction ids are left out with a warning (the reference sent the string `"undefined"`).
//! `commerce.order` is rebuilt as in the reference: only a custom `purchaseID` and `currencyCode`
//! survive in it.

use super::items::{lines, number_value, CART};
use super::{or_insert, put, Draft, Outcome, Snapshot};
use crate::engine::json::{Map, Value};
use crate::engine::value::map_at;

/// Place order: see the module documentation and the spec table.
pub fn place_order(s: &Snapshot<'_>) -> Outcome {
    let key = "orderContext";
    let mut draft = Draft::new(s, "commerce.purchases", Some("commerce.purchases"));
    draft.scope();
    let order = draft.context(key);
    let store_currency = draft.store_currency();
    let order_id = order.and_then(|o| draft.required_text(o, key, "orderId"));
    let mut built = Map::new();
    if let Some(id) = map_at(&draft.xdm, "commerce.order.purchaseID").or(order_id.as_ref()) {
        put(&mut built, "purchaseID", id.clone());
    }
    if let Some(c) = map_at(&draft.xdm, "commerce.order.currencyCode").or(store_currency.as_ref()) {
        put(&mut built, "currencyCode", c.clone());
    }
    let mut payments = Vec::new();
    let listed = order.map(|o| draft.objects(o, key, "payments")).unwrap_or_default();
    for (base, p) in &listed {
        payments.push(payment(&mut draft, Some(p), base, "total", &order_id, &store_currency));
    }
    if listed.is_empty() {
        // One payment of the grand total (without an order context the reference still sends it).
        payments.push(payment(&mut draft, order, key, "grandTotal", &order_id, &store_currency));
    }
    put(&mut built, "payments", Value::Array(payments));
    let instant = order.and_then(|o| o.get("orderType")).and_then(Value::as_str) == Some("instant_purchase");
    put(&mut built, "orderType", Value::from(if instant { "instant_purchase" } else { "checkout" }));
    put(&mut built, "priceTotal", draft.amount(order, key, "grandTotal"));
    put(&mut built, "taxAmount", draft.amount(order, key, "taxAmount"));
    let discount = match order.and_then(|o| draft.number(o, key, "discountAmount")) {
        Some(d) => number_value(d),
        None => {
            let cart = draft.optional_context("shoppingCartContext");
            draft.amount(cart, "shoppingCartContext", "discountAmount")
        }
    };
    put(&mut built, "discountAmount", discount);
    draft.set("commerce.order", Value::Object(built));
    draft.fill_text("commerce.promotionID", order, key, "appliedCouponCode");
    draft.fill_text("commerce.shipping.shippingMethod", order, key, "shipping.shippingMethod");
    let shipping = draft.amount(order, key, "shipping.shippingAmount");
    draft.fill("commerce.shipping.shippingAmount", Some(shipping));
    draft.personal_email();
    // Without a cart context, `productListItems: []` (and a warning).
    draft.context("shoppingCartContext");
    lines(&mut draft, "shoppingCartContext", false, &CART, &store_currency);
    draft.done()
}

/// One `commerce.order.payments[]` entry from `obj` (named `base`, a listed payment or the order):
/// the amount of field `total`, the payment method, the transaction (the payment's `orderId`,
/// else the order's) and the store currency.
fn payment(
    draft: &mut Draft<'_, '_>,
    obj: Option<&Value>,
    base: &str,
    total: &str,
    order_id: &Option<Value>,
    currency: &Option<Value>,
) -> Value {
    let mut p = Map::new();
    put(&mut p, "paymentAmount", draft.amount(obj, base, total));
    if let Some(o) = obj {
        // (The order's own `orderId` was read as `order_id`: reading it again gives the same value.)
        draft.copy_text(&mut p, o, base, &[("paymentType", "paymentMethodCode"), ("transactionID", "orderId")]);
    }
    or_insert(&mut p, "transactionID", order_id);
    or_insert(&mut p, "currencyCode", currency);
    Value::Object(p)
}
