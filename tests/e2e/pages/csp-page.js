// Direct mode on a page whose CSP allows only same-origin scripts, wasm compilation and the Edge.
const mse = window.magentoStorefrontEvents;
mse.context.setAEP({ imsOrgId: "1234@AdobeOrg", datastreamId: "ds-1", edgeDomain: "edge.example.test" });
mse.context.setEventForwarding({ aep: true });
mse.context.setPage({ pageType: "Home", pageName: "csp" });
mse.publish.pageView();
