// Consent in headless Chromium, counting requests at the Rust edge-emulator (tests/e2e/emulator.mjs):
// nothing leaves the page without consent, from the API, IAB TCF, Global Privacy Control and the
// mg_dnt cookie; direct mode tells the Edge the choice and honours the consent cookie it writes.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { launchShopWithEmulator, until, withHeaders } from "./emulator.mjs";

const STRICT = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src https://edge.example.test; img-src data:";
const routes = {};
let emulator, browser, env, PAGE;

before(async () => {
  env = await launchShopWithEmulator({ routes });
  ({ emulator, browser } = env);
  PAGE = env.shopUrl("/tests/e2e/pages/blank.html");
});
after(async () => env?.close());
beforeEach(async () => {
  await emulator.reset();
  await browser.context.clearCookies();
});

/** Opens `url` (default the blank shop page); `init` runs before any page script (signals present at load). */
async function shop(init, url = PAGE) {
  const page = await browser.context.newPage();
  if (init) await page.addInitScript(init);
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  page.errors = errors;
  return page;
}

/** Page names of the events the Edge accepted, in arrival order (an event sent twice shows twice). */
const names = async () => (await emulator.accepted()).map((e) => e.xdm.web.webPageDetails.name);
const edgeRequests = async () => (await emulator.requests()).length;
const consentRequests = async () => (await emulator.requests()).filter((r) => r.action === "privacy/set-consent");
const publish = (page, list) => page.evaluate((l) => l.forEach((n) => mse.publish.pageView({ web: { webPageDetails: { name: n } } })), list);
/** Waits until `n` events have arrived, then a little longer (an unwanted late one would show). */
async function delivered(page, n) {
  await until(`${n} events at the Edge`, async () => (await names()).length >= n);
  await page.waitForTimeout(300);
}
/** Time for anything that should not be sent to be sent anyway (negative checks). */
const settle = (page) => page.waitForTimeout(600);

test("default pending: zero requests until in, then every held event once, in order", async () => {
  const page = await shop();
  await page.evaluate(() => configure({ consent: { default: "pending" } }));
  await publish(page, ["a", "b", "c"]);
  await settle(page);
  assert.equal(await edgeRequests(), 0);
  assert.equal(await page.evaluate(() => mse.consent.get()), "pending");
  await page.evaluate(() => mse.consent.set("in"));
  await delivered(page, 3);
  assert.deepEqual(await names(), ["a", "b", "c"]);
  await page.close();
});

test("out before load: a page view plus five events make zero requests and write zero cookies", async () => {
  const page = await shop(() => { window.__consentFirst = true; });
  await page.evaluate(() => { mse.consent.set("out"); configure({}); });
  await publish(page, ["p", "1", "2", "3", "4", "5"]);
  await page.waitForFunction(() => window.diagnostics.filter((d) => d.code === "consent-out").length >= 6);
  await settle(page);
  assert.equal(await edgeRequests(), 0);
  assert.deepEqual(await browser.context.cookies(), [], "no cookie at all");
  const dropped = await page.evaluate(() => window.diagnostics.filter((d) => d.code === "consent-out").length);
  assert.equal(dropped, 6, "each drop is reported");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a flip to out mid-session: nothing published after the flip is sent", async () => {
  const page = await shop();
  await page.evaluate(() => configure({}));
  await publish(page, ["before"]);
  await until("the first event", async () => (await names()).length >= 1);
  await page.evaluate(() => { mse.consent.set({ standard: "Adobe", version: "1.0", value: { general: "out" } }); });
  await publish(page, ["after-1", "after-2"]);
  await settle(page);
  assert.deepEqual(await names(), ["before"]);
  await page.close();
});

test("IAB TCF drives the state: no purpose 1 means out, then consent means in", async () => {
  const page = await shop(() => {
    const listeners = [];
    window.__tcfapi = (cmd, version, cb) => {
      if (cmd !== "addEventListener") return;
      listeners.push(cb);
      cb({ gdprApplies: true, eventStatus: "tcloaded", purpose: { consents: { 2: true } }, vendor: { consents: { 565: true } } }, true);
    };
    window.grant = () => listeners.forEach((cb) =>
      cb({ gdprApplies: true, eventStatus: "useractioncomplete", purpose: { consents: { 1: true, 2: true } }, vendor: { consents: { 565: true } } }, true));
  });
  await page.evaluate(() => configure({}));
  await publish(page, ["denied"]);
  await settle(page);
  assert.equal(await edgeRequests(), 0);
  assert.equal(await page.evaluate(() => mse.consent.get()), "out");
  await page.evaluate(() => window.grant());
  await publish(page, ["granted"]);
  await delivered(page, 1);
  assert.deepEqual(await names(), ["granted"]);
  await page.close();
});

test("Global Privacy Control means out, unless the merchant turns it off", async () => {
  const gpc = () => Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true });
  let page = await shop(gpc);
  await page.evaluate(() => configure({}));
  await publish(page, ["gpc"]);
  await settle(page);
  assert.equal(await edgeRequests(), 0);
  assert.equal(await page.evaluate(() => mse.consent.get()), "out");
  await page.close();
  page = await shop(gpc);
  await page.evaluate(() => configure({ consent: { gpc: false } }));
  await publish(page, ["gpc ignored"]);
  await delivered(page, 1);
  assert.deepEqual(await names(), ["gpc ignored"]);
  await page.close();
});

test("the mg_dnt cookie (exact name) means out, and takes effect within 100 ms when set or cleared", async () => {
  const page = await shop(() => { document.cookie = "not_mg_dnt_really=0; path=/"; });
  await page.evaluate(() => configure({}));
  await publish(page, ["similar name is not mg_dnt"]);
  await until("the first event", async () => (await names()).length >= 1);
  await page.evaluate(() => { document.cookie = "mg_dnt=1; path=/"; });
  await page.waitForTimeout(120);
  await publish(page, ["blocked"]);
  await settle(page);
  await page.evaluate(() => { document.cookie = "mg_dnt=; path=/; max-age=0"; });
  await page.waitForTimeout(120);
  await publish(page, ["allowed again"]);
  await delivered(page, 2);
  assert.deepEqual(await names(), ["similar name is not mg_dnt", "allowed again"]);
  await page.close();
});

test("a strict Content-Security-Policy (connect-src the Edge only, inline variant): consent, set-consent and delivery with no violation", async () => {
  routes["/tests/e2e/pages/csp-inline.html"] = withHeaders("tests/e2e/pages/csp-inline.html", { "content-security-policy": STRICT });
  const page = await shop(null, env.shopUrl("/tests/e2e/pages/csp-inline.html?consent=pending"));
  await page.waitForFunction(() => window.magentoStorefrontEvents.consent.get() === "pending");
  await settle(page);
  assert.equal(await edgeRequests(), 0, "nothing while pending");
  await page.evaluate(() => window.magentoStorefrontEvents.consent.set("in"));
  await delivered(page, 1);
  assert.deepEqual(await names(), ["csp"]);
  assert.equal((await consentRequests()).length, 1, "the choice went to the Edge");
  const cookie = (await browser.context.cookies()).find((c) => c.name === "kndctr_1234_AdobeOrg_consent");
  assert.equal(cookie && cookie.value, "general=in");
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("direct mode tells the Edge the choice (set-consent) and honours the consent cookie it writes back", async () => {
  let page = await shop();
  await page.evaluate(() => configure({ consent: { default: "pending", edge: true } }));
  await publish(page, ["held"]);
  await settle(page);
  assert.equal(await edgeRequests(), 0, "nothing while pending");
  await page.evaluate(() => mse.consent.set("in"));
  await delivered(page, 1);
  assert.deepEqual((await consentRequests()).map((r) => r.body.consent), [[{ standard: "Adobe", version: "1.0", value: { general: "in" } }]]);
  assert.deepEqual(await names(), ["held"]);
  const cookie = (await browser.context.cookies()).find((c) => c.name === "kndctr_1234_AdobeOrg_consent");
  assert.equal(cookie && cookie.value, "general=in");
  await page.close();
  // Next page: the default is still "pending", but the Edge's consent cookie says in.
  await emulator.reset();
  page = await shop();
  await page.evaluate(() => configure({ consent: { default: "pending", edge: true } }));
  await publish(page, ["next page"]);
  await delivered(page, 1);
  assert.deepEqual(await names(), ["next page"]);
  assert.equal(await page.evaluate(() => mse.consent.get()), "in");
  assert.equal((await consentRequests()).length, 0, "no second set-consent");
  await page.close();
});
