//! The five cart events (spec §2.7): addToCart, removeFromCart and openCart carry the changed
//! lines; shoppingCartView and initiateCheckout carry the whole cart and its discount.
//!
//! Fixed against the reference: a missing storefront context no longer drops the event (the scope
//! is left out with a warning), and a missing cart or changed-products context is reported.

use super::items::{lines, CART};
use super::{Draft, Outcome, Snapshot};

/// `measure` is the event type and counter (`commerce.productListAdds`); `whole_cart` selects the
/// lines of the whole cart (plus `commerce.order.discountAmount`) over the changed lines.
pub fn cart(s: &Snapshot<'_>, measure: &str, whole_cart: bool) -> Outcome {
    let mut draft = Draft::new(s, measure, Some(measure));
    draft.scope();
    let cart = draft.context("shoppingCartContext");
    // `commerce.cart.cartID`: the custom value, else the cart's id (`commerce.cart: {}` without one).
    draft.fill_object("commerce.cart", "shoppingCartContext", &[("cartID", "id")], false);
    let source = if whole_cart { "shoppingCartContext" } else { "changedProductsContext" };
    if !whole_cart {
        draft.context(source);
    }
    let currency = draft.store_currency();
    lines(&mut draft, source, !whole_cart, &CART, &currency);
    if whole_cart {
        let discount = draft.amount(cart, "shoppingCartContext", "discountAmount");
        draft.set("commerce.order.discountAmount", discount);
    }
    draft.done()
}
