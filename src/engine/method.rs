//! The 34 publish methods of the reference SDK: their data-layer event names and the positional
//! arguments that precede the optional per-event custom context.

/// One publish method as the page calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Method {
    /// The JavaScript method name under `publish` (`addToCart`).
    pub name: &'static str,
    /// The event name subscribers see (`add-to-cart`).
    pub event: &'static str,
    /// Names of the positional arguments before the custom context (`searchUnitId`, …); they become
    /// top-level `eventInfo` keys.
    pub extras: &'static [&'static str],
}

const fn m(name: &'static str, event: &'static str, extras: &'static [&'static str]) -> Method {
    Method { name, event, extras }
}

const UNIT: &[&str] = &["unitId"];
const UNIT_PRODUCT: &[&str] = &["unitId", "productId"];
const SEARCH_UNIT: &[&str] = &["searchUnitId"];

/// Every publish method, in the reference's (alphabetical) order.
pub const METHODS: &[Method] = &[
    m("addToCart", "add-to-cart", &[]),
    m("addToRequisitionList", "add-to-requisition-list", &[]),
    m("categoryResultsView", "category-results-view", SEARCH_UNIT),
    m("createAccount", "create-account", &[]),
    m("createRequisitionList", "create-requisition-list", &[]),
    m("custom", "commerce-custom", &[]),
    m("customUrl", "custom-url", &[]),
    m("deleteRequisitionList", "delete-requisition-list", &[]),
    m("editAccount", "edit-account", &[]),
    m("initiateCheckout", "initiate-checkout", &[]),
    m("openCart", "open-cart", &[]),
    m("pageActivitySummary", "page-activity-summary", &[]),
    m("pageView", "page-view", &[]),
    m("placeOrder", "place-order", &[]),
    m("productPageView", "product-page-view", &[]),
    m("recsItemAddToCartClick", "recs-item-add-to-cart-click", UNIT_PRODUCT),
    m("recsItemClick", "recs-item-click", UNIT_PRODUCT),
    m("recsRequestSent", "recs-api-request-sent", &[]),
    m("recsResponseReceived", "recs-api-response-received", &[]),
    m("recsUnitRender", "recs-unit-impression-render", UNIT),
    m("recsUnitView", "recs-unit-view", UNIT),
    m("referrerUrl", "referrer-url", &[]),
    m("removeFromCart", "remove-from-cart", &[]),
    m("removeFromRequisitionList", "remove-from-requisition-list", &[]),
    m("searchCategoryClick", "search-category-click", &["searchUnitId", "name"]),
    m("searchProductClick", "search-product-click", &["searchUnitId", "sku"]),
    m("searchRequestSent", "search-request-sent", SEARCH_UNIT),
    m("searchResponseReceived", "search-response-received", SEARCH_UNIT),
    m("searchResultsView", "search-results-view", SEARCH_UNIT),
    m("searchSuggestionClick", "search-suggestion-click", &["searchUnitId", "suggestion"]),
    m("shoppingCartView", "shopping-cart-view", &[]),
    m("signIn", "sign-in", &[]),
    m("signOut", "sign-out", &[]),
    m("updateCart", "update-cart", &[]),
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
