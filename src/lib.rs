//! storefront-collector: Adobe Commerce storefront events → Adobe Experience Platform, in
//! Rust and WebAssembly.
//!
//! The crate has two halves (see ARCHITECTURE.md):
//! * [`engine`], pure Rust: contexts, XDM building, identity rules, routing. It builds and tests
//!   on any host.
//! * `web` (wasm32 only): the thin shell that exposes the engine to JavaScript and talks to the
//!   page (alloy, subscribers, console), with [`calls`] decoding the page's calls (pure, so it
//!   builds and is fuzzed on the host too).
//!
//! In a page the collector is used through `pkg/storefront-events.js`, a drop-in for Adobe's
//! `window.magentoStorefrontEvents`:
//!
//! ```js
//! const mse = window.magentoStorefrontEvents;
//! mse.context.setAEP({ imsOrgId: "1234@AdobeOrg", datastreamId: "ds-1", webSdkName: "alloy" });
//! mse.context.setEventForwarding({ aep: true });
//! mse.context.setPage({ pageType: "Category", pageName: "Shirts" });
//! mse.publish.pageView(); // → alloy("sendEvent", { xdm: { eventType: "web.webpagedetails.pageViews", ... } })
//! ```
//!
//! The same flow on the host, through the engine's door:
//!
//! ```
//! use storefront_collector::engine::{json, Effect, Engine, Input, Publish, xdm::PageFacts};
//!
//! let mut engine = Engine::new();
//! for (key, value) in [
//!     ("aepContext", r#"{"imsOrgId": "1234@AdobeOrg", "webSdkName": "alloy"}"#),
//!     ("eventForwardingContext", r#"{"aep": true}"#),
//!     ("pageContext", r#"{"pageType": "Category", "pageName": "Shirts"}"#),
//! ] {
//!     engine.handle(Input::SetContext { key: key.into(), value: json::parse(value).ok() });
//! }
//! let effects = engine.handle(Input::Publish(Publish {
//!     method: "pageView".into(),
//!     args: vec![],
//!     event_id: "8b1f0c3e-0000-4000-8000-000000000001".into(),
//!     at_ms: 0.0,
//!     page: PageFacts { url: "https://shop.example.com/".into(), referrer: String::new() },
//!     notify: false,
//! }));
//! // The engine first asks the shell for the shopper's ECID from alloy...
//! assert!(matches!(&effects[0], Effect::ResolveIdentity { sdk_name } if sdk_name == "alloy"));
//! // ...and hands the event over once it has it.
//! let effects = engine.handle(Input::IdentityResolved { ecid: Some("12345678901234567890123456789012345678".into()) });
//! let Effect::HandOff { xdm, .. } = &effects[0] else { panic!("expected a hand-off") };
//! assert_eq!(xdm["eventType"], "web.webpagedetails.pageViews");
//! assert_eq!(xdm["web"]["webPageDetails"]["name"], "Shirts");
//! ```
#![deny(missing_docs, missing_debug_implementations)]

pub mod calls;
pub mod engine;

#[cfg(target_arch = "wasm32")]
pub mod web;
