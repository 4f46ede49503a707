// Direct mode on a page whose CSP allows only same-origin scripts, wasm compilation and the Edge.
const mse = window.magentoStorefrontEvents;
// `?consent=pending`: wait for the shopper's choice and tell the Edge (tests/e2e/consent.test.mjs).
const consent = /[?&]consent=pending/.test(location.search) ? { default: "pending", edge: true } : undefined;
mse.context.setAEP({ imsOrgId: "1234@AdobeOrg", datastreamId: "ds-1", edgeDomain: "edge.example.test", consent });
mse.context.setEventForwarding({ aep: true });
mse.context.setPage({ pageType: "Home", pageName: "csp" });
mse.publish.pageView();
