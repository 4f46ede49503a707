// Subscribers that arrive late: the reference's data layer (ACDL) replays its past items to a new
// listener (scope `all` by default, or `past`), and `future` skips them. A widget that loads after
// the page view (Live Search, Product Recommendations, a tag manager) relies on it. Headless
// Chromium, the built pkg/storefront-events.js, the smoke page (which publishes one page view
// before the wasm has loaded).
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

/** Opens the smoke page, waits for the engine, then runs `body(mse)` in the page. */
async function inPage(body, arg) {
  const { page, problems } = await open(browser.context, `${server.url}/tests/e2e/pages/smoke.html`);
  const result = await page.evaluate(async ([source, a]) => {
    const mse = window.magentoStorefrontEvents;
    await mse.ready;
    return new Function("mse", "arg", `return (async () => { ${source} })();`)(mse, a);
  }, [body, arg]);
  assert.deepEqual(problems, []);
  await page.close();
  return result;
}

test("a late subscriber gets the past events of its kind at once (scope all by default), then new ones", async () => {
  const got = await inPage(`
    mse.context.setProduct({ sku: "S1", name: "Shirt" });
    mse.publish.productPageView();
    const seen = [];
    mse.subscribe.pageView((e) => seen.push(["page", e.event, e.eventInfo.pageContext.pageName]));
    mse.subscribe.productPageView(function (e) { seen.push(["product", e.event, e.eventInfo.productContext.sku, this === mse]); });
    const replayed = seen.length;
    mse.context.setPage({ pageType: "Category", pageName: "Pants" });
    mse.publish.pageView();
    return { seen, replayed };
  `);
  assert.deepEqual(got.seen, [
    ["page", "page-view", "Shirts"], // published by the page's own script before the wasm loaded
    ["product", "product-page-view", "S1", true],
    ["page", "page-view", "Pants"], // a new one: the handler stays subscribed
  ]);
  assert.equal(got.replayed, 2, "the past events arrive inside subscribe(), as the data layer calls them");
});

test("scope future skips the past, scope past gets only the past, a second subscribe replays nothing", async () => {
  const got = await inPage(`
    const seen = { future: [], past: [], twice: [] };
    const twice = (e) => seen.twice.push(e.eventInfo.pageContext.pageName);
    mse.subscribe.pageView((e) => seen.future.push(e.eventInfo.pageContext.pageName), { scope: "future" });
    mse.subscribe.pageView((e) => seen.past.push(e.eventInfo.pageContext.pageName), { scope: "past" });
    mse.subscribe.pageView(twice);
    mse.subscribe.pageView(twice);
    mse.context.setPage({ pageType: "Category", pageName: "Pants" });
    mse.publish.pageView();
    return seen;
  `);
  assert.deepEqual(got, { future: ["Pants"], past: ["Shirts"], twice: ["Shirts", "Pants"] });
});

test("dataLayerEvent and dataLayerChange subscribers get the past items in order; each gets its own copy", async () => {
  const got = await inPage(`
    mse.publish.signIn();
    const events = [], changes = [], copies = [];
    mse.subscribe.dataLayerEvent((e) => { events.push(e.event); copies.push(e); });
    mse.subscribe.dataLayerChange((e) => changes.push(Object.keys(e).filter((k) => k !== "event")[0]));
    mse.subscribe.pageView((e) => copies.push(e));
    return { events, changes, distinct: copies[0] !== copies[copies.length - 1] && copies[0].eventInfo !== copies[copies.length - 1].eventInfo };
  `);
  assert.deepEqual(got.events, ["page-view", "sign-in"]);
  assert.deepEqual(got.changes, ["aepContext", "eventForwardingContext", "pageContext"]);
  assert.ok(got.distinct, "a replayed item is parsed afresh for each subscriber");
});

test("a late subscriber that throws gets a subscriber-failed diagnostic, and the other past events still arrive", async () => {
  const got = await inPage(`
    mse.publish.signOut();
    const diags = [], seen = [];
    mse.subscribe.diagnostic((d) => { if (d.code === "subscriber-failed") diags.push(d.event); });
    mse.subscribe.dataLayerEvent((e) => { seen.push(e.event); if (e.event === "page-view") throw new Error("boom"); });
    return { diags, seen };
  `);
  assert.deepEqual(got.seen, ["page-view", "sign-out"]);
  assert.deepEqual(got.diags, ["adobeDataLayer:event"]);
});

test("the history is bounded (about 1 MB of JSON): the oldest of 1,000 large events are let go, the newest kept", async () => {
  const got = await inPage(`
    const pad = "x".repeat(2000);
    for (let i = 0; i < 1000; i++) mse.publish.custom({ n: i, pad });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const ns = [];
    mse.subscribe.custom((e) => ns.push(e.eventInfo.customContext.n));
    return { count: ns.length, last: ns[ns.length - 1], first: ns[0], inOrder: ns.every((n, i) => i === 0 || n === ns[i - 1] + 1) };
  `);
  // Each item costs a little over 2,000 characters against a bound of 1,000,000.
  assert.ok(got.count > 300 && got.count < 500, `custom events replayed: ${got.count}`);
  assert.equal(got.last, 999, "the newest event is kept");
  assert.equal(got.first, 1000 - got.count, "the oldest were let go, the rest kept in order");
  assert.ok(got.inOrder);
});
