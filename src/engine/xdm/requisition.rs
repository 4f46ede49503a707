//! The four B2B requisition-list events (spec §2.11): create, add to, remove from and delete.
//!
//! Each carries `commerce.requisitionList` (`ID` as `String(list.id)`, name, description; custom
//! values first) and the shopper's email. Without a list context the reference's shape is kept
//! (`commerce.requisitionList: {}`), with a warning.

use super::items::{self, CART, LIST};
use super::{Draft, Outcome, Snapshot};
use crate::engine::json::Value;
use crate::engine::value::at;

/// Which product lines a requisition-list event carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// None (create, delete).
    None,
    /// (B) from the list items, else from the order page; else (A) from the changed products.
    Added,
    /// (B) from the list items only (`[]` without them).
    Removed,
}

/// `measure` is the event type and counter (`commerce.requisitionListAdds`).
pub fn requisition(s: &Snapshot<'_>, measure: &str, lines: Lines) -> Outcome {
    let key = "requisitionListContext";
    let mut draft = Draft::new(s, measure, Some(measure));
    draft.scope();
    draft.context(key);
    let fields = &[("ID", "id"), ("name", "name"), ("description", "description")];
    draft.fill_object("commerce.requisitionList", key, fields, true);
    draft.personal_email();
    if lines == Lines::None {
        return draft.done();
    }
    let currency = draft.store_currency();
    // A context of the wrong type is reported here, before falling back to the next source.
    let mut has_items = |key| draft.optional_context(key).and_then(|c| at(c, "items")).is_some();
    let source = if has_items("requisitionListItemsContext") {
        Some(("requisitionListItemsContext", &LIST))
    } else if lines == Lines::Added && has_items("orderPageContext") {
        Some(("orderPageContext", &LIST))
    } else if lines == Lines::Added && has_items("changedProductsContext") {
        Some(("changedProductsContext", &CART))
    } else {
        draft.context("requisitionListItemsContext");
        None
    };
    match source {
        Some((key, spec)) => items::lines(&mut draft, key, true, spec, &currency),
        // No lines: the custom ones are dropped too.
        None => draft.set("productListItems", Value::Array(Vec::new())),
    }
    draft.done()
}
