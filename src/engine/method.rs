//! The 34 publish methods of the reference SDK and the positional arguments that precede the
//! optional per-event custom context. Their data-layer event names (`addToCart` → `add-to-cart`)
//! are the page layer's business (`EVENTS` in js/api.js): the engine names events by method, so the
//! wasm carries no second set of 34 names.

/// One publish method as the page calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Method {
    /// The JavaScript method name under `publish` (`addToCart`).
    pub name: &'static str,
    /// Names of the positional arguments before the custom context (`searchUnitId`, …); they become
    /// top-level `eventInfo` keys.
    pub extras: &'static [&'static str],
}

const fn m(name: &'static str, extras: &'static [&'static str]) -> Method {
    Method { name, extras }
}

const UNIT: &[&str] = &["unitId"];
const UNIT_PRODUCT: &[&str] = &["unitId", "productId"];
const SEARCH_UNIT: &[&str] = &["searchUnitId"];

/// Every publish method, in the reference's (alphabetical) order.
pub const METHODS: &[Method] = &[
    m("addToCart", &[]),
    m("addToRequisitionList", &[]),
    m("categoryResultsView", SEARCH_UNIT),
    m("createAccount", &[]),
    m("createRequisitionList", &[]),
    m("custom", &[]),
    m("customUrl", &[]),
    m("deleteRequisitionList", &[]),
    m("editAccount", &[]),
    m("initiateCheckout", &[]),
    m("openCart", &[]),
    m("pageActivitySummary", &[]),
    m("pageView", &[]),
    m("placeOrder", &[]),
    m("productPageView", &[]),
    m("recsItemAddToCartClick", UNIT_PRODUCT),
    m("recsItemClick", UNIT_PRODUCT),
    m("recsRequestSent", &[]),
    m("recsResponseReceived", &[]),
    m("recsUnitRender", UNIT),
    m("recsUnitView", UNIT),
    m("referrerUrl", &[]),
    m("removeFromCart", &[]),
    m("removeFromRequisitionList", &[]),
    m("searchCategoryClick", &["searchUnitId", "name"]),
    m("searchProductClick", &["searchUnitId", "sku"]),
    m("searchRequestSent", SEARCH_UNIT),
    m("searchResponseReceived", SEARCH_UNIT),
    m("searchResultsView", SEARCH_UNIT),
    m("searchSuggestionClick", &["searchUnitId", "suggestion"]),
    m("shoppingCartView", &[]),
    m("signIn", &[]),
    m("signOut", &[]),
    m("updateCart", &[]),
];

/// Looks a method up by its JavaScript name.
pub fn find(name: &str) -> Option<&'static Method> {
    METHODS.iter().find(|m| m.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_34_unique_methods() {
        assert_eq!(METHODS.len(), 34);
        let mut names: Vec<_> = METHODS.iter().map(|m| m.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 34);
        assert_eq!(find("searchProductClick").map(|m| m.extras), Some(&["searchUnitId", "sku"][..]));
    }
}
