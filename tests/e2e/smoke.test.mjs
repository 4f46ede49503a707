// Smoke tests of the built package (pkg/) in headless Chromium: the classic script tag drop-in.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, open } from "./harness.mjs";

let server, browser;
before(async () => {
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function sendEvents(page, name) {
  await page.waitForFunction((n) => window[n] && window[n].calls.some((c) => c[0] === "sendEvent"), name, { timeout: 10000 });
  await page.waitForTimeout(200); // let any (wrong) extra sends arrive
  return page.evaluate((n) => window[n].calls.filter((c) => c[0] === "sendEvent").map((c) => c[1]), name);
}

test("a plain <script> tag and five calls hand the page view to window.myAlloy", async () => {
  const { page, problems } = await open(browser.context, `${server.url}/tests/e2e/pages/smoke.html`);
  const sent = await sendEvents(page, "myAlloy");
  assert.equal(sent.length, 1);
  const { xdm } = sent[0];
  assert.deepEqual(Object.keys(sent[0]), ["xdm"], "only {xdm} is passed to sendEvent");
  assert.equal(xdm.eventType, "web.webpagedetails.pageViews");
  assert.deepEqual(xdm.web.webPageDetails, {
    pageViews: { value: 1 }, name: "Shirts", siteSection: "Category", URL: `${server.url}/tests/e2e/pages/smoke.html`,
  });
  assert.deepEqual(xdm.web.webReferrer, { URL: "" });
  assert.equal(xdm.identityMap.ECID[0].primary, true);
  assert.match(xdm._id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(Math.abs(Date.parse(xdm.timestamp) - Date.now()) < 60000);
  // getPage() worked synchronously, before the wasm had loaded.
  assert.deepEqual(await page.evaluate(() => window.readyBeforePublish), { pageType: "Category", pageName: "Shirts" });
  assert.deepEqual(problems, [], "no console errors");
  await page.close();
});

test("included twice and alloy defined late: each event is handed over exactly once", async () => {
  const { page, problems } = await open(browser.context, `${server.url}/tests/e2e/pages/twice.html`);
  const sent = await sendEvents(page, "lateAlloy");
  await page.waitForTimeout(300);
  const all = await page.evaluate(() => window.lateAlloy.calls.filter((c) => c[0] === "sendEvent").map((c) => c[1].xdm));
  assert.equal(all.length, 2, `sent ${all.length} events: ${JSON.stringify(all.map((x) => x.web.webPageDetails.name))}`);
  assert.deepEqual(all.map((x) => x.web.webPageDetails.name), ["T-shirt", "custom name"], "in order, custom value wins");
  assert.ok(sent.length >= 1);
  assert.deepEqual(problems, []);
  await page.close();
});

test("hand-off to an alloy that never loads: diagnostics, nothing thrown, events kept", async () => {
  const { page, problems } = await open(browser.context, `${server.url}/tests/e2e/pages/never.html`);
  await page.waitForFunction(() => window.diagnostics.some((d) => d.code === "awaiting-alloy"), null, { timeout: 10000 });
  const result = await page.evaluate(async () => ({
    thrown: window.thrown,
    codes: window.diagnostics.map((d) => d.code),
    held: window.magentoStorefrontEvents.ready.then(() => 0),
  }));
  assert.deepEqual(result.thrown, []);
  assert.ok(result.codes.includes("awaiting-alloy"), result.codes.join());
  assert.ok(result.codes.includes("invalid-argument"), "addToCart(42): a non-object custom context is reported");
  assert.deepEqual(problems, []);
  await page.close();
});

test("subscribers of each of the 34 publish methods get that method's events, under the reference's event names", async () => {
  const { page, problems } = await open(browser.context, `${server.url}/tests/e2e/pages/smoke.html`);
  // The reference's names (the Adobe Client Data Layer events it pushes), written out here so a
  // change to the names' derivation in js/api.js or src/engine/method.rs cannot go unnoticed.
  const expected = {
    addToCart: "add-to-cart", addToRequisitionList: "add-to-requisition-list",
    categoryResultsView: "category-results-view", createAccount: "create-account",
    createRequisitionList: "create-requisition-list", custom: "commerce-custom", customUrl: "custom-url",
    deleteRequisitionList: "delete-requisition-list", editAccount: "edit-account",
    initiateCheckout: "initiate-checkout", openCart: "open-cart", pageActivitySummary: "page-activity-summary",
    pageView: "page-view", placeOrder: "place-order", productPageView: "product-page-view",
    recsItemAddToCartClick: "recs-item-add-to-cart-click", recsItemClick: "recs-item-click",
    recsRequestSent: "recs-api-request-sent", recsResponseReceived: "recs-api-response-received",
    recsUnitRender: "recs-unit-impression-render", recsUnitView: "recs-unit-view", referrerUrl: "referrer-url",
    removeFromCart: "remove-from-cart", removeFromRequisitionList: "remove-from-requisition-list",
    searchCategoryClick: "search-category-click", searchProductClick: "search-product-click",
    searchRequestSent: "search-request-sent", searchResponseReceived: "search-response-received",
    searchResultsView: "search-results-view", searchSuggestionClick: "search-suggestion-click",
    shoppingCartView: "shopping-cart-view", signIn: "sign-in", signOut: "sign-out", updateCart: "update-cart",
  };
  const seen = await page.evaluate(async (methods) => {
    const mse = window.magentoStorefrontEvents;
    await mse.ready;
    const got = {};
    for (const method of methods) {
      got[method] = [];
      // "future": the page's own page view, published before, is not replayed here.
      mse.subscribe[method]((e) => got[method].push(e.event), { scope: "future" });
    }
    for (const method of methods) mse.publish[method]();
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { got, methods: Object.keys(mse.publish).sort() };
  }, Object.keys(expected));
  assert.deepEqual(seen.methods, Object.keys(expected).sort(), "exactly the 34 publish methods");
  for (const [method, name] of Object.entries(expected)) {
    assert.deepEqual(seen.got[method], [name], `${method}: one event named ${name}`);
  }
  assert.deepEqual(problems, []);
  await page.close();
});
