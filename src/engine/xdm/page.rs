//! `pageView` → `web.webpagedetails.pageViews` (spec §2.5).

use super::{Draft, Outcome, Snapshot};
use crate::engine::json::Value;
use crate::obj;

/// Page view: name and site section from the page context (custom values win), the page URL and
/// referrer from the document. No commerceScope.
pub fn page_view(snapshot: &Snapshot<'_>) -> Outcome {
    let key = "pageContext";
    let mut draft = Draft::new(snapshot, "web.webpagedetails.pageViews", Some("web.webPageDetails.pageViews"));
    let page = draft.context(key);
    draft.fill_text("web.webPageDetails.siteSection", page, key, "pageType");
    draft.fill_text("web.webPageDetails.name", page, key, "pageName");
    draft.set("web.webPageDetails.URL", Value::String(snapshot.page.url.clone()));
    // The whole referrer object is replaced, as in the reference.
    draft.set("web.webReferrer", obj! {"URL" => snapshot.page.referrer.as_str()});
    draft.done()
}
