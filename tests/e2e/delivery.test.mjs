// Delivery in headless Chromium against a local TLS Edge (edge-stub.mjs): every event arrives
// exactly once (counted by `_id`) through bursts, reloads, 503 storms, 429 + Retry-After and
// disabled storage; the page is https://shop.example.test/ so cookies live on example.test.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchWithEdgeStub, open } from "./harness.mjs";

// Add-to-cart needs the cart mapper; BURST_METHOD=pageView exercises delivery alone.
const BURST = process.env.BURST_METHOD || "addToCart";
const PAGE = "https://shop.example.test/tests/e2e/pages/direct.html";
let stub, browser, env;

before(async () => {
  env = await launchWithEdgeStub();
  ({ stub, browser } = env);
});
after(async () => env?.close());

async function until(what, predicate, timeoutMs = 60000) {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("a page view then 1,000 events in one synchronous loop all arrive exactly once", async () => {
  stub.events.length = 0;
  stub.requests.length = 0;
  const { page, problems } = await open(browser.context, PAGE);
  const started = Date.now();
  await page.evaluate((method) => {
    mse.publish.pageView();
    for (let i = 0; i < 1000; i++) mse.publish[method]();
  }, BURST);
  await until("1001 events", () => stub.events.length >= 1001, 90000);
  await page.waitForTimeout(500);
  const ids = new Set(stub.events.map((e) => e.xdm._id));
  assert.equal(ids.size, 1001, "1001 distinct _id");
  assert.equal(stub.events.length, 1001, "no duplicates");
  assert.equal(stub.events[0].xdm.eventType, "web.webpagedetails.pageViews", "the page view went first");
  // Until the identity cookie exists one request goes out (it carries a batch of the burst);
  // every request after its answer uses the location hint it stored.
  const firstHinted = stub.events.findIndex((e) => e.hint === "or2");
  assert.ok(firstHinted >= 1 && firstHinted <= 64, `the first request carried a bounded batch (${firstHinted})`);
  assert.ok(stub.events.slice(firstHinted).every((e) => e.hint === "or2"), "later requests use the location hint");
  const requests = stub.requests.filter((r) => r.path.endsWith("/interact")).length;
  assert.ok(requests < 200, `the burst was batched (${requests} requests for 1001 events)`);
  assert.equal(await page.evaluate(() => window.diagnostics.filter((d) => d.level === "error").length), 0);
  assert.deepEqual(problems, []);
  console.log(`# 1001 events delivered in ${Date.now() - started} ms, ${requests} requests`);
  await page.close();
});

test("a reload mid-queue delivers the rest on the next page, each once", async () => {
  stub.events.length = 0;
  const { page } = await open(browser.context, PAGE); // has the identity cookie from the test above
  stub.delayMs = 400;
  const ids = await page.evaluate(() => {
    const before = new Set();
    mse.subscribe.diagnostic((d) => d.eventId && before.add(d.eventId));
    for (let i = 0; i < 40; i++) mse.publish.pageView({ web: { webPageDetails: { name: "burst " + i } } });
    return 40;
  });
  await page.waitForTimeout(100);
  await page.reload();
  stub.delayMs = 0;
  await until("40 events", () => stub.events.length >= ids, 30000);
  await page.waitForTimeout(800);
  const names = stub.events.map((e) => e.xdm.web.webPageDetails.name).filter((n) => n && n.startsWith("burst "));
  const unique = new Set(names);
  assert.equal(unique.size, 40, `all 40 arrived (got ${unique.size})`);
  assert.equal(names.length, 40, `none twice (got ${names.length})`);
  await page.close();
});

test("a run of 503s and a 429 with Retry-After end with everything delivered once", async () => {
  stub.events.length = 0;
  // A burst goes as one request, so each fault delays all of it (backoff 1, 2, then Retry-After 1, then 8 s, ±30 %).
  stub.faults.push({ status: 503 }, { status: 503 }, { status: 429, retryAfter: 1 }, { status: 502 });
  const { page } = await open(browser.context, PAGE);
  await page.evaluate(() => { for (let i = 0; i < 20; i++) mse.publish.pageView({ web: { webPageDetails: { name: "storm " + i } } }); });
  await until("20 events", () => stub.events.length >= 20, 60000);
  await page.waitForTimeout(500);
  const names = stub.events.map((e) => e.xdm.web.webPageDetails.name);
  assert.equal(new Set(names).size, 20);
  assert.equal(names.length, 20);
  assert.equal(stub.faults.length, 0, "every injected fault was met");
  const retries = await page.evaluate(() => window.diagnostics.filter((d) => d.code === "retrying").length);
  assert.ok(retries >= 4, `retries were reported (${retries})`);
  await page.close();
});

test("with localStorage disabled, events are still delivered", async () => {
  stub.events.length = 0;
  const page = await browser.context.newPage();
  await page.addInitScript(() => {
    Object.defineProperty(window, "localStorage", { get() { throw new DOMException("blocked", "SecurityError"); } });
  });
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(PAGE);
  await page.evaluate(() => { for (let i = 0; i < 10; i++) mse.publish.pageView(); });
  await until("10 events", () => stub.events.length >= 10, 30000);
  await page.waitForTimeout(300);
  assert.equal(stub.events.length, 10);
  assert.deepEqual(problems, []);
  await page.close();
});
