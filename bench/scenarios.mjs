// One object per SDK configuration under test.
//
//   name     short id (command line, results)
//   group    "ours" | "peer"
//   what     one line: which files are loaded and how the SDK is configured
//   files    [{label, file}] what a storefront downloads for it (the size columns)
//   route(host, path) -> {file} | {json} | null     answers the page's GETs
//   load(arg)   runs IN THE PAGE: inserts the script tag(s), configures, waits for the SDK's own
//               ready signal; returns {scriptLoadedMs, readyMs[, alloyReadyMs]} (ms since its start)
//   track({n, method, product})  runs IN THE PAGE: one page view, then n commerce events in one
//               synchronous loop; returns the loop's wall time in ms
//   count({host, path, json, text, requestId}) -> ids of the benchmark events (page view + commerce events) in
//               one request the sink received
//   usesMethod  true when `method` (the magentoStorefrontEvents publish method) applies
//
// Every host below is mapped by Chromium to the local sink on 127.0.0.1; nothing leaves the machine.
import { join } from "node:path";

export const ORG = "1234@AdobeOrg";
export const DATASTREAM = "ds-1";
export const EDGE = "edge.adobedc.net";

/** XDM event types our collector and Adobe's produce for the two publish methods we use. */
const XDM_TYPES = new Set(["web.webpagedetails.pageViews", "commerce.productListAdds"]);

/** Hosts the sink answers for (each SDK sees its real production URLs). */
export const HOSTS = [
  "shop.example.test", "collector.example.test", "dataplane.example.test",
  "cdn.segment.com", "api.segment.io", "cdn.rudderlabs.com", "api.rudderstack.com",
  "commerce.adobedc.net", "edge.adobedc.net", "adobedc.demdex.net",
];

/**
 * @param {object} p
 * @param {string} p.modules  bench/node_modules (the pinned peers)
 * @param {string} p.pkg      our built pkg/
 * @param {string} p.work     work dir holding rsa-bundled.min.js (RudderStack, terser-minified)
 */
export function scenarios({ modules, pkg, work }) {
  const F = {
    oursLoader: join(pkg, "storefront-events.js"),
    oursGlue: join(pkg, "storefront_collector.js"),
    oursWasm: join(pkg, "storefront_collector_bg.wasm"),
    alloy: join(modules, "@adobe/alloy/dist/alloy.min.js"),
    mseSdk: join(modules, "@adobe/magento-storefront-events-sdk/dist/index.js"),
    mseCollector: join(modules, "@adobe/magento-storefront-event-collector/dist/index.js"),
    sp: join(modules, "@snowplow/browser-tracker/dist/index.umd.min.js"),
    spEcom: join(modules, "@snowplow/browser-plugin-snowplow-ecommerce/dist/index.umd.min.js"),
    segDir: join(modules, "@segment/analytics-next/dist/umd"),
    rs: join(work, "rsa-bundled.min.js"),
  };
  const oursFiles = [
    { label: "pkg/storefront-events.js (classic script: loader + API)", file: F.oursLoader },
    { label: "pkg/storefront_collector.js (wasm-bindgen glue)", file: F.oursGlue },
    { label: "pkg/storefront_collector_bg.wasm", file: F.oursWasm },
  ];
  const alloyFile = { label: "@adobe/alloy 2.33.1 dist/alloy.min.js", file: F.alloy };
  const mseFiles = [
    { label: "@adobe/magento-storefront-events-sdk 1.18.0 dist/index.js", file: F.mseSdk },
    { label: "@adobe/magento-storefront-event-collector 1.18.0 dist/index.js", file: F.mseCollector },
  ];

  const shop = (map) => (host, path) => (host === "shop.example.test" && map[path] ? { file: map[path] } : null);
  const oursRoutes = { "/lib/ours/storefront-events.js": F.oursLoader, "/lib/ours/storefront_collector.js": F.oursGlue, "/lib/ours/storefront_collector_bg.wasm": F.oursWasm };
  const mseRoutes = { "/lib/mse-sdk.js": F.mseSdk, "/lib/mse-collector.js": F.mseCollector };

  // ------------------------------------------------------------------ Edge (alloy and ours)
  // An event's id: its XDM _id, else the request's requestId (alloy reuses it on retries).
  const edgeCount = ({ host, path, json, requestId }) => {
    if ((host !== EDGE && host !== "adobedc.demdex.net") || !/\/v1\/(interact|collect)$/.test(path) || !json || !Array.isArray(json.events)) return [];
    const ids = [];
    json.events.forEach((e, i) => {
      const x = e && e.xdm;
      if (x && XDM_TYPES.has(x.eventType)) ids.push(x._id || `${requestId}:${i}`);
    });
    return ids;
  };

  // ------------------------------------------------------------------ page functions
  // (serialised into the page: each must be self-contained)

  // The storefront's data layer as a Luma product page sets it, for both Adobe's SDK and ours.
  const setStorefront = (mse) => {
    const product = {
      productId: 1153, name: "Juno Jacket", sku: "WJ06-XS-Green", topLevelSku: "WJ06", productType: "configurable",
      categories: ["14", "15"], canonicalUrl: "https://shop.example.test/juno-jacket.html",
      mainImageUrl: "https://shop.example.test/img/wj06.jpg",
      pricing: { regularPrice: 19.99, minimalPrice: 19.99, maximalPrice: 19.99, currencyCode: "USD" },
    };
    mse.context.setStorefrontInstance({
      environmentId: "b5f2c4d1-0000-4000-8000-000000000001", environment: "Production", storeUrl: "https://shop.example.test",
      websiteId: 1, websiteCode: "base", storeId: 1, storeCode: "main_website_store", storeViewId: 1, storeViewCode: "default",
      websiteName: "Main Website", storeName: "Main Website Store", storeViewName: "Default Store View",
      baseCurrencyCode: "USD", storeViewCurrencyCode: "USD", storefrontTemplate: "Luma", catalogExtensionVersion: "103.0.0",
    });
    mse.context.setPage({ pageType: "PDP", pageName: "Juno Jacket", eventType: "visibilityHidden", maxXOffset: 0, maxYOffset: 0, minXOffset: 0, minYOffset: 0 });
    mse.context.setProduct(product);
    mse.context.setShoppingCart({
      id: "cart-1", totalQuantity: 1, possibleOnepageCheckout: true, giftMessageSelected: false, giftWrappingSelected: false,
      prices: { subtotalExcludingTax: { value: 19.99, currency: "USD" }, subtotalIncludingTax: { value: 19.99, currency: "USD" } },
      items: [{ id: "item-1", product, quantity: 1, prices: { price: { value: 19.99, currency: "USD" } }, configurableOptions: [] }],
    });
    mse.context.setChangedProducts({ items: [{ id: "item-1", product, quantity: 1, prices: { price: { value: 19.99, currency: "USD" } } }] });
    mse.context.setShopper({ shopperId: "guest" });
  };

  const loadAlloy = async ({ org, datastream, edge }) => {
    const t0 = performance.now();
    // alloy's base code (the snippet that defines the queueing stub)
    (function (n, o) {
      o.forEach(function (o) {
        if (!n[o]) {
          (n.__alloyNS = n.__alloyNS || []).push(o);
          n[o] = function () { var u = arguments; return new Promise(function (i, l) { n[o].q.push([i, l, u]); }); };
          n[o].q = [];
        }
      });
    })(window, ["alloy"]);
    window.alloy("configure", {
      datastreamId: datastream, orgId: org, edgeDomain: edge,
      thirdPartyCookiesEnabled: false, clickCollectionEnabled: false,
    });
    await window.__loadScript("/lib/alloy.min.js");
    await window.alloy("getLibraryInfo");
    return performance.now() - t0;
  };

  const oursLoad = new Function("arg", `return (async (arg) => {
    const setStorefront = ${setStorefront};
    const loadAlloy = ${loadAlloy};
    const alloyReadyMs = arg.handOff ? await loadAlloy(arg) : undefined;
    const t0 = performance.now();
    const loaded = await window.__loadScript("/lib/ours/storefront-events.js");
    const mse = window.magentoStorefrontEvents;
    mse.context.setAEP(arg.handOff ? { imsOrgId: arg.org, webSdkName: "alloy" } : { imsOrgId: arg.org, datastreamId: arg.datastream, edgeDomain: arg.edge });
    mse.context.setEventForwarding({ aep: true, commerce: false });
    setStorefront(mse);
    window.__diag = [];
    mse.subscribe.diagnostic((d) => { if (window.__diag.length < 50 && d.level !== "info") window.__diag.push(d.code + " " + d.event + " " + d.path); });
    await mse.ready;
    const tReady = performance.now();
    return { scriptLoadedMs: loaded - t0, readyMs: tReady - t0, alloyReadyMs };
  })(arg)`);

  const mseLoad = new Function("arg", `return (async (arg) => {
    const setStorefront = ${setStorefront};
    const loadAlloy = ${loadAlloy};
    const alloyReadyMs = arg.handOff ? await loadAlloy(arg) : undefined;
    const t0 = performance.now();
    await window.__loadScript("/lib/mse-sdk.js");
    const mse = window.magentoStorefrontEvents;
    setStorefront(mse);
    if (arg.aep) {
      // Adobe's collector forwards to AEP only when both ids are set, even with webSdkName.
      mse.context.setAEP(arg.handOff ? { imsOrgId: arg.org, datastreamId: arg.datastream, webSdkName: "alloy" } : { imsOrgId: arg.org, datastreamId: arg.datastream, edgeDomain: arg.edge });
      mse.context.setEventForwarding({ commerce: false, aep: true });
    } else {
      mse.context.setEventForwarding({ commerce: true, aep: false });
    }
    const loaded = await window.__loadScript("/lib/mse-collector.js");
    return { scriptLoadedMs: loaded - t0, readyMs: loaded - t0, alloyReadyMs };
  })(arg)`);

  const mseTrack = ({ n, method }) => {
    const mse = window.magentoStorefrontEvents;
    const t0 = performance.now();
    mse.publish.pageView();
    for (let i = 0; i < n; i++) mse.publish[method]();
    return performance.now() - t0;
  };

  // ------------------------------------------------------------------ Snowplow 4 + e-commerce plugin
  const spLoad = async () => {
    const t0 = performance.now();
    await Promise.all([window.__loadScript("/lib/sp.js"), window.__loadScript("/lib/sp-ecommerce.js")]);
    const tLoaded = performance.now();
    window.snowplowBrowserTracking.newTracker("sp", "https://collector.example.test", {
      appId: "bench", plugins: [window.snowplowEcommerceAccelerator.SnowplowEcommercePlugin()],
    });
    return { scriptLoadedMs: tLoaded - t0, readyMs: performance.now() - t0 };
  };
  const spTrack = ({ n, product }) => {
    const sp = window.snowplowBrowserTracking;
    const ecom = window.snowplowEcommerceAccelerator;
    const t0 = performance.now();
    sp.trackPageView();
    for (let i = 0; i < n; i++) {
      ecom.trackAddToCart({
        products: [{ id: product.sku, name: product.name, category: product.category, price: product.price, currency: product.currency, quantity: 1 }],
        total_value: product.price, currency: product.currency,
      });
    }
    return performance.now() - t0;
  };
  const spCount = ({ host, path, json }) => {
    if (host !== "collector.example.test" || !path.endsWith("/tp2") || !json || !Array.isArray(json.data)) return [];
    return json.data.filter((e) => e.e === "pv" || e.e === "ue").map((e) => e.eid);
  };

  // ------------------------------------------------------------------ Segment analytics-next
  const SEG_KEY = "benchWriteKey";
  const segRoute = (host, path) => {
    if (host !== "cdn.segment.com") return null;
    if (path === `/analytics.js/v1/${SEG_KEY}/analytics.min.js`) return { file: join(F.segDir, "standalone.js") };
    if (path === `/v1/projects/${SEG_KEY}/settings`) {
      return {
        json: {
          integrations: { "Segment.io": { apiKey: SEG_KEY, apiHost: "api.segment.io/v1", protocol: "https" } },
          plan: { track: { __default: { enabled: true } } }, edgeFunction: {}, analyticsNextEnabled: true,
          middlewareSettings: {}, enabledMiddleware: {}, metrics: { sampleRate: 0 }, legacyVideoPluginsEnabled: false, remotePlugins: [],
        },
      };
    }
    if (path.startsWith("/analytics-next/bundles/")) return { file: join(F.segDir, path.split("/").pop()) };
    return null;
  };
  const segLoad = async ({ key }) => {
    const t0 = performance.now();
    const stub = []; // the snippet's buffer, which the standalone build picks up
    stub._writeKey = key;
    stub._loadOptions = {};
    window.analytics = stub;
    const loaded = await window.__loadScript(`https://cdn.segment.com/analytics.js/v1/${key}/analytics.min.js`);
    await window.__waitFor(() => window.analytics && !Array.isArray(window.analytics) && typeof window.analytics.track === "function", 20000);
    await window.analytics.ready();
    return { scriptLoadedMs: loaded - t0, readyMs: performance.now() - t0 };
  };
  const segTrack = ({ n, product }) => {
    const a = window.analytics;
    const t0 = performance.now();
    a.page();
    for (let i = 0; i < n; i++) a.track("Product Added", { product_id: product.sku, sku: product.sku, name: product.name, category: product.category, price: product.price, quantity: 1, currency: product.currency });
    return performance.now() - t0;
  };
  const msgIds = (json, types) => {
    if (!json) return [];
    const list = Array.isArray(json.batch) ? json.batch : [json];
    return list.filter((e) => e && types.has(e.type)).map((e) => e.messageId);
  };
  const PAGE_TRACK = new Set(["page", "track"]);
  const segCount = ({ host, json }) => (host === "api.segment.io" ? msgIds(json, PAGE_TRACK) : []);

  // ------------------------------------------------------------------ RudderStack v3
  const rsRoute = (host, path) => {
    if (host === "cdn.rudderlabs.com" && path === "/v3/modern/rsa.min.js") return { file: F.rs };
    if (host === "api.rudderstack.com" && path.startsWith("/sourceConfig")) {
      return {
        json: {
          source: {
            id: "bench-source", name: "bench", workspaceId: "bench-ws", enabled: true,
            config: { statsCollection: { errors: { enabled: false }, metrics: { enabled: false } } }, destinations: [],
          },
        },
      };
    }
    return null;
  };
  const rsLoad = async () => {
    const t0 = performance.now();
    const loaded = await window.__loadScript("https://cdn.rudderlabs.com/v3/modern/rsa.min.js");
    const ra = new window.rudderanalytics.RudderAnalytics();
    const ready = new Promise((r) => ra.ready(r));
    ra.load("benchWriteKey", "https://dataplane.example.test", { logLevel: "ERROR", configUrl: "https://api.rudderstack.com" });
    await ready;
    window.__ra = ra;
    return { scriptLoadedMs: loaded - t0, readyMs: performance.now() - t0 };
  };
  const rsTrack = ({ n, product }) => {
    const ra = window.__ra;
    const t0 = performance.now();
    ra.page();
    for (let i = 0; i < n; i++) ra.track("Product Added", { product_id: product.sku, sku: product.sku, name: product.name, category: product.category, price: product.price, quantity: 1, currency: product.currency });
    return performance.now() - t0;
  };
  const rsCount = ({ host, json }) => (host === "dataplane.example.test" ? msgIds(json, PAGE_TRACK) : []);

  // ------------------------------------------------------------------ Adobe's collector, Commerce path
  const mseCommerceCount = ({ host, path, json }) => {
    if (host !== "commerce.adobedc.net" || !path.endsWith("/tp2") || !json || !Array.isArray(json.data)) return [];
    return json.data.filter((e) => e.e === "pv" || (e.e === "se" && e.se_ac === "add-to-cart")).map((e) => e.eid);
  };

  const edgeArg = { org: ORG, datastream: DATASTREAM, edge: EDGE };
  return [
    {
      name: "ours-direct", group: "ours", usesMethod: true,
      what: "storefront-events.js (+ glue + wasm) in direct mode: setAEP({imsOrgId, datastreamId, edgeDomain}) + setEventForwarding({aep: true}); posts to the Edge itself",
      files: oursFiles, route: shop(oursRoutes), load: oursLoad, loadArg: { ...edgeArg, handOff: false }, track: mseTrack, count: edgeCount,
    },
    {
      name: "ours-handoff", group: "ours", usesMethod: true,
      what: "storefront-events.js in hand-off mode: setAEP({imsOrgId, webSdkName: \"alloy\"}) with alloy 2.33.1 on the page (configured against the sink)",
      files: [...oursFiles, alloyFile], route: shop({ ...oursRoutes, "/lib/alloy.min.js": F.alloy }), load: oursLoad, loadArg: { ...edgeArg, handOff: true }, track: mseTrack, count: edgeCount,
    },
    {
      name: "adobe-commerce", group: "peer", usesMethod: true,
      what: "Adobe events SDK + collector 1.18.0, default Commerce forwarding (bundled Snowplow 3 -> commerce.adobedc.net, beacon per event)",
      files: mseFiles, route: shop(mseRoutes), load: mseLoad, loadArg: { aep: false }, track: mseTrack, count: mseCommerceCount,
    },
    {
      name: "adobe-aep", group: "peer", usesMethod: true,
      what: "Adobe events SDK + collector 1.18.0, AEP forwarding only, through the alloy bundled in the collector (setAEP with datastreamId + edgeDomain)",
      files: mseFiles, route: shop(mseRoutes), load: mseLoad, loadArg: { ...edgeArg, aep: true, handOff: false }, track: mseTrack, count: edgeCount,
    },
    {
      name: "adobe-aep-alloy", group: "peer", usesMethod: true,
      what: "Adobe events SDK + collector 1.18.0, AEP forwarding only, handed to alloy 2.33.1 on the page (webSdkName: \"alloy\")",
      files: [...mseFiles, alloyFile], route: shop({ ...mseRoutes, "/lib/alloy.min.js": F.alloy }), load: mseLoad, loadArg: { ...edgeArg, aep: true, handOff: true }, track: mseTrack, count: edgeCount,
    },
    {
      name: "snowplow", group: "peer",
      what: "@snowplow/browser-tracker 4.10.1 + snowplow-ecommerce plugin 4.10.1 (UMD min); defaults (POST, bufferSize 1, localStorage queue); trackAddToCart",
      files: [{ label: "@snowplow/browser-tracker 4.10.1 dist/index.umd.min.js", file: F.sp }, { label: "@snowplow/browser-plugin-snowplow-ecommerce 4.10.1 dist/index.umd.min.js", file: F.spEcom }],
      route: shop({ "/lib/sp.js": F.sp, "/lib/sp-ecommerce.js": F.spEcom }), load: spLoad, loadArg: {}, track: spTrack, count: spCount,
    },
    {
      name: "segment", group: "peer",
      what: "@segment/analytics-next 1.84.3 standalone build as cdn.segment.com/analytics.js/v1/<key>/analytics.min.js, settings from a CDN stub; defaults (one fetch per event); track('Product Added')",
      files: [{ label: "@segment/analytics-next 1.84.3 dist/umd/standalone.js", file: join(F.segDir, "standalone.js") }],
      route: segRoute, load: segLoad, loadArg: { key: SEG_KEY }, track: segTrack, count: segCount,
    },
    {
      name: "rudderstack", group: "peer",
      what: "@rudderstack/analytics-js 3.34.1 modern 'bundled' UMD (core + plugins, no remote plugin loads), terser-minified like its CDN build; sourceConfig stub; defaults (XHR per event); track('Product Added')",
      files: [{ label: "@rudderstack/analytics-js 3.34.1 modern bundled UMD, terser-minified", file: F.rs }],
      route: rsRoute, load: rsLoad, loadArg: {}, track: rsTrack, count: rsCount,
    },
  ];
}
