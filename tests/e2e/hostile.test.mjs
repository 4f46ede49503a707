// Hostile and strict pages (issue 9, item 3), in headless Chromium against the Rust edge-emulator:
// a strict Content-Security-Policy with the inline variant, no eval in pkg/, page code that breaks
// the natives we use (before or after our script), a frozen or read-only global, double inclusion and
// two collectors on one page. Each test fails on a page error or a call that throws into the page.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./harness.mjs";
import { launchShopWithEmulator, until, withHeaders } from "./emulator.mjs";

const PAGES = "https://shop.example.test/tests/e2e/pages/";
const STRICT = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src https://edge.example.test; img-src data:";
const routes = {};
let emulator, browser, env;

before(async () => {
  env = await launchShopWithEmulator({ routes });
  ({ emulator, browser } = env);
});
after(async () => env?.close());
beforeEach(async () => {
  await emulator.reset();
  for (const path in routes) delete routes[path];
  await browser.context.clearCookies();
});

/** Page names of the events the Edge accepted, in arrival order (an event sent twice shows twice). */
const names = async () => (await emulator.accepted()).map((e) => e.xdm.web.webPageDetails.name);
/** Waits until `n` events have arrived, then a little longer (a duplicate would show). */
async function waitForEvents(page, n) {
  await until(`${n} events at the Edge`, async () => (await names()).length >= n, 5000);
  await page.waitForTimeout(300);
}
/** The hostile page's summary (its `document.title`, see pages/hostile-page.js), after checking
 *  that all 11 of its calls returned and none threw. */
async function callsReturned(page) {
  const title = await page.title();
  assert.match(title, /^ok=11 threw=0 /, title);
  return title;
}

/** Serves `page` with the strict policy. */
const strict = (page) => { routes["/tests/e2e/pages/" + page] = withHeaders("tests/e2e/pages/" + page, { "content-security-policy": STRICT }); };
/** Opens a page, recording page errors and console warnings. */
async function open(path) {
  const page = await browser.context.newPage();
  page.errors = [];
  page.warnings = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "warning" || m.type() === "error") page.warnings.push(m.text()); });
  await page.goto(PAGES + path);
  return page;
}

test("pkg/ contains no eval or new Function", () => {
  const pkg = join(ROOT, "pkg");
  const scripts = readdirSync(pkg).filter((f) => f.endsWith(".js"));
  assert.ok(scripts.includes("storefront-events.js") && scripts.includes("storefront-events.inline.js"), "built (scripts/build.sh)");
  for (const file of scripts) {
    const text = readFileSync(join(pkg, file), "utf8");
    assert.doesNotMatch(text, /\beval\s*\(|\bnew\s+Function\b|[^.\w$]Function\s*\(|set(Timeout|Interval)\s*\(\s*["'`]/, file);
  }
});

test("strict CSP (connect-src the Edge only): the inline variant works with no violation", async () => {
  strict("csp-inline.html");
  const page = await open("csp-inline.html");
  await waitForEvents(page, 1);
  assert.deepEqual(await names(), ["csp"]);
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  assert.deepEqual(page.errors, []);
  const requests = await emulator.requests();
  assert.ok(requests.length >= 1 && requests.every((r) => r.host === "edge.example.test" && r.path.startsWith("/ee/")), "nothing but Edge requests");
  await page.close();
});

test("strict CSP: the default loader needs connect-src 'self' for its .wasm (why the inline variant exists)", async () => {
  strict("csp.html");
  const page = await open("csp.html");
  await page.waitForFunction(() => window.violations.some((v) => v.startsWith("connect-src") && v.includes("storefront_collector_bg.wasm")), null, { timeout: 5000 })
    .catch(async () => assert.fail("no connect-src violation for the wasm: " + (await page.evaluate(() => window.violations))));
  await page.waitForTimeout(300);
  assert.deepEqual(await names(), [], "the engine could not load");
  assert.equal((await emulator.requests()).length, 0, "no Edge request");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("page code breaks fetch, JSON, Array.prototype, Object.keys and Promise after our script: nothing throws, events delivered", async () => {
  const page = await open("hostile.html?break=after");
  await waitForEvents(page, 3);
  await page.waitForTimeout(200);
  await callsReturned(page);
  assert.deepEqual(await names(), ["hostile", "hostile-2", "hostile-late"]);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the same natives broken before our script: nothing throws into the page and a diagnostic says why", async () => {
  const page = await open("hostile.html?break=before");
  await page.waitForTimeout(1200);
  const title = await callsReturned(page);
  // JSON.stringify is broken, so page input cannot be read: each call says so.
  assert.match(title, /unreadable-input/, title);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a legacy Array.prototype.toJSON (Prototype.js 1.6) before our script: events are read and sent as without it", async () => {
  const page = await open("hostile.html?legacy-tojson");
  await waitForEvents(page, 3);
  assert.deepEqual(await names(), ["hostile", "hostile-2", "hostile-late"]);
  const title = await callsReturned(page);
  assert.doesNotMatch(title, /unreadable-input|invalid-argument/, title);
  assert.equal(await page.evaluate(() => JSON.stringify([1])), '"legacy array 1"', "the page's toJSON is still in place");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a browser without WebAssembly: the API exists, nothing throws, the console says why", async () => {
  const page = await open("hostile.html?no-wasm");
  await page.waitForTimeout(800);
  await callsReturned(page);
  // The engine-unavailable error comes before the page's diagnostic subscriber exists (the load
  // fails at once), so the console warning is what shows it.
  assert.ok(page.warnings.some((w) => w.includes("engine-unavailable") && w.includes("no WebAssembly")), String(page.warnings));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a legacy Array.prototype.toJSON defined non-enumerable: put back exactly as it was", async () => {
  const page = await open("blank.html");
  const result = await page.evaluate(async () => {
    Object.defineProperty(Array.prototype, "toJSON", { value: function () { return "legacy"; }, writable: true, configurable: true, enumerable: false });
    const before = JSON.stringify(Object.getOwnPropertyDescriptor(Array.prototype, "toJSON"));
    const mse = window.magentoStorefrontEvents;
    mse.context.setPage({ pageType: "Home", pageName: "tojson", tags: ["a", "b"] });
    await mse.ready;
    return { before, after: JSON.stringify(Object.getOwnPropertyDescriptor(Array.prototype, "toJSON")), keys: Object.keys(Object.assign({}, Array.prototype)), page: mse.context.getPage() };
  });
  assert.equal(result.after, result.before, "same attributes");
  assert.deepEqual(result.keys, [], "still not enumerable");
  assert.deepEqual(result.page.tags, ["a", "b"], "the context's array was read as an array");
  await page.close();
});

test("a deep-frozen API and the script included again: nothing throws, the event is sent once", async () => {
  const page = await open("frozen.html");
  await waitForEvents(page, 1);
  assert.deepEqual(await names(), ["frozen"]);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a read-only global before our script: no page error, a console warning says why", async () => {
  const page = await open("readonly-global.html");
  await page.waitForTimeout(300);
  assert.deepEqual(page.errors, []);
  assert.ok(page.warnings.some((w) => w.includes("could not install window.magentoStorefrontEvents")), String(page.warnings));
  await page.close();
});

test("two collectors on one page (drop-in + ES module createCollector): each event once, by its own collector; a reload repeats nothing", async () => {
  let page = await open("two-collectors.html");
  await waitForEvents(page, 2);
  assert.deepEqual((await names()).sort(), ["drop-in", "esm"]);
  assert.equal(await page.evaluate(() => window.esm !== window.magentoStorefrontEvents), true, "independent objects");
  assert.deepEqual(page.errors, []);
  // The next page of the same shop: saved outboxes are empty or taken over once.
  await emulator.reset();
  await page.goto(PAGES + "blank.html");
  await page.evaluate(() => configure({}));
  await page.waitForTimeout(800);
  assert.deepEqual(await names(), []);
  assert.equal((await emulator.requests()).length, 0, "nothing sent again");
  await page.close();
});
