// Delivery in headless Chromium against the Rust edge-emulator (tests/e2e/emulator.mjs): every
// event arrives exactly once (counted by `_id` over the requests the Edge accepted, so a resend
// shows even though the store keeps an `_id` once) through bursts, reloads, 503 storms, 429 +
// Retry-After and disabled storage; the page is https://shop.example.test/ so cookies live on
// example.test.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { open } from "./harness.mjs";
import { launchShopWithEmulator, until } from "./emulator.mjs";

// Add-to-cart needs the cart mapper; BURST_METHOD=pageView exercises delivery alone.
const BURST = process.env.BURST_METHOD || "addToCart";
let emulator, browser, env, PAGE;

before(async () => {
  env = await launchShopWithEmulator();
  ({ emulator, browser } = env);
  PAGE = env.shopUrl("/tests/e2e/pages/direct.html");
});
after(async () => env?.close());
beforeEach(() => emulator.reset());

const storedCount = async () => (await emulator.query("SELECT count(*) AS n FROM dataset"))[0].n;
const pageName = (e) => e.xdm.web && e.xdm.web.webPageDetails && e.xdm.web.webPageDetails.name;

test("a page view then 1,000 events in one synchronous loop all arrive exactly once", async () => {
  const { page, problems } = await open(browser.context, PAGE);
  const started = Date.now();
  await page.evaluate((method) => {
    mse.publish.pageView();
    for (let i = 0; i < 1000; i++) mse.publish[method]();
  }, BURST);
  await until("1001 stored events", async () => (await storedCount()) >= 1001, 90000);
  await page.waitForTimeout(500); // a late resend would show up in the request log
  const events = await emulator.accepted();
  const ids = new Set(events.map((e) => e.xdm._id));
  assert.equal(ids.size, 1001, "1001 distinct _id");
  assert.equal(events.length, 1001, "no event accepted twice");
  assert.equal(await storedCount(), 1001);
  assert.equal(events[0].xdm.eventType, "web.webpagedetails.pageViews", "the page view went first");
  // Until the identity cookie exists one request goes out (it carries a batch of the burst);
  // every request after its answer uses the location hint it stored.
  const firstHinted = events.findIndex((e) => e.hint === "or2");
  assert.ok(firstHinted >= 1 && firstHinted <= 64, `the first request carried a bounded batch (${firstHinted})`);
  assert.ok(events.slice(firstHinted).every((e) => e.hint === "or2"), "later requests use the location hint");
  const requests = (await emulator.requests()).filter((r) => r.action === "interact").length;
  assert.ok(requests < 200, `the burst was batched (${requests} requests for 1001 events)`);
  assert.equal(await page.evaluate(() => window.diagnostics.filter((d) => d.level === "error").length), 0);
  assert.deepEqual(problems, []);
  console.log(`# 1001 events delivered in ${Date.now() - started} ms, ${requests} requests`);
  await page.close();
});

test("a reload mid-queue delivers the rest on the next page, each once", async () => {
  const { page } = await open(browser.context, PAGE); // has the identity cookie from the test above
  await emulator.addFaults({ delayMs: 400 });
  await page.evaluate(() => {
    for (let i = 0; i < 40; i++) mse.publish.pageView({ web: { webPageDetails: { name: "burst " + i } } });
  });
  await page.waitForTimeout(100);
  await page.reload();
  await emulator.clearFaults();
  await until("40 stored events", async () => (await storedCount()) >= 40);
  await page.waitForTimeout(800); // a late resend would show up in the request log
  const names = (await emulator.accepted()).map(pageName).filter((n) => n && n.startsWith("burst "));
  assert.equal(new Set(names).size, 40, `all 40 arrived (got ${new Set(names).size})`);
  assert.equal(names.length, 40, `none twice (got ${names.length})`);
  await page.close();
});

test("a run of 503s and a 429 with Retry-After end with everything delivered once", async () => {
  // Rules apply in order, each until its count is used up: 503, 503, 429 (Retry-After: 1), 502.
  // A burst goes as one request, so each fault delays all of it (backoff 1, 2, then Retry-After 1,
  // then 8 s, ±30 %).
  await emulator.addFaults([
    { status: 503, count: 2, path: "/v1/" },
    { status: 429, count: 1, retryAfter: 1, path: "/v1/" },
    { status: 502, count: 1, path: "/v1/" },
  ]);
  const { page } = await open(browser.context, PAGE);
  await page.evaluate(() => { for (let i = 0; i < 20; i++) mse.publish.pageView({ web: { webPageDetails: { name: "storm " + i } } }); });
  await until("20 stored events", async () => (await storedCount()) >= 20, 60000);
  await page.waitForTimeout(500);
  const names = (await emulator.accepted()).map(pageName);
  assert.equal(new Set(names).size, 20);
  assert.equal(names.length, 20);
  assert.deepEqual((await emulator.admin("/__admin/faults")).faults, [], "every injected fault was met");
  const statuses = (await emulator.requests()).map((r) => r.status).filter((s) => s >= 400);
  assert.deepEqual(statuses, [503, 503, 429, 502], "the faults were answered in order");
  const retries = await page.evaluate(() => window.diagnostics.filter((d) => d.code === "retrying").length);
  assert.ok(retries >= 4, `retries were reported (${retries})`);
  await page.close();
});

test("with localStorage disabled, events are still delivered", async () => {
  const page = await browser.context.newPage();
  await page.addInitScript(() => {
    Object.defineProperty(window, "localStorage", { get() { throw new DOMException("blocked", "SecurityError"); } });
  });
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(PAGE);
  await page.evaluate(() => { for (let i = 0; i < 10; i++) mse.publish.pageView(); });
  await until("10 stored events", async () => (await storedCount()) >= 10);
  await page.waitForTimeout(300);
  assert.equal((await emulator.accepted()).length, 10);
  assert.equal(await storedCount(), 10);
  assert.deepEqual(problems, []);
  await page.close();
});
