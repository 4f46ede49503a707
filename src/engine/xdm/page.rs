//! `pageView` → `web.webpagedetails.pageViews` (spec §2.5).

use crate::engine::json::Value;
use crate::obj;

use super::{base_payload, fill, Outcome, Snapshot};
use crate::engine::diagnostic::{Code, Level};
use crate::engine::value;

/// Page view: name and site section from the page context (custom values win), the page URL and
/// referrer from the document. No commerceScope.
pub fn page_view(snapshot: &Snapshot<'_>) -> Outcome {
    let mut xdm = base_payload(snapshot);
    let mut warnings = Vec::new();
    let page = snapshot.context("pageContext");
    if page.is_none() {
        warnings.push(snapshot.diagnostic(
            Level::Warning,
            Code::MissingContext,
            "pageContext",
            "page context is not set; web.webPageDetails.name and siteSection are left out",
        ));
    }
    let from_page = |key: &str| page.and_then(|p| value::at(p, key)).cloned();
    fill(&mut xdm, "web.webPageDetails.siteSection", from_page("pageType"));
    fill(&mut xdm, "web.webPageDetails.name", from_page("pageName"));
    value::set_path(&mut xdm, "web.webPageDetails.URL", Value::String(snapshot.page.url.clone()));
    value::set_path(&mut xdm, "web.webPageDetails.pageViews", obj! {"value" => 1i64});
    // The whole referrer object is replaced, as in the reference.
    value::set_path(&mut xdm, "web.webReferrer", obj! {"URL" => snapshot.page.referrer.as_str()});
    xdm.insert("eventType", "web.webpagedetails.pageViews");
    Outcome::Built { xdm, warnings }
}
