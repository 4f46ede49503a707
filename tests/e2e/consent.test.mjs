// Consent in headless Chromium, counting requests at the local TLS Edge: nothing leaves the page
// without consent, from the API, IAB TCF, Global Privacy Control and the mg_dnt cookie.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { launchWithEdgeStub } from "./harness.mjs";

const PAGE = "https://shop.example.test/tests/e2e/pages/blank.html";
let stub, browser, env;

before(async () => {
  env = await launchWithEdgeStub();
  ({ stub, browser } = env);
});
after(async () => env?.close());
beforeEach(async () => {
  stub.events.length = 0;
  stub.requests.length = 0;
  await browser.context.clearCookies();
});

/** Opens the blank shop page; `init` runs before any page script (signals present at load). */
async function shop(init) {
  const page = await browser.context.newPage();
  if (init) await page.addInitScript(init);
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(PAGE);
  page.errors = errors;
  return page;
}

const names = () => stub.events.map((e) => e.xdm.web.webPageDetails.name);
const edgeRequests = () => stub.requests.filter((r) => r.path.startsWith("/ee/")).length;
const publish = (page, list) => page.evaluate((l) => l.forEach((n) => mse.publish.pageView({ web: { webPageDetails: { name: n } } })), list);
const settle = (page) => page.waitForTimeout(600);

test("default pending: zero requests until in, then every held event once, in order", async () => {
  const page = await shop();
  await page.evaluate(() => configure({ consent: { default: "pending" } }));
  await publish(page, ["a", "b", "c"]);
  await settle(page);
  assert.equal(edgeRequests(), 0);
  assert.equal(await page.evaluate(() => mse.consent.get()), "pending");
  await page.evaluate(() => mse.consent.set("in"));
  await page.waitForFunction(() => true);
  for (let i = 0; i < 100 && stub.events.length < 3; i++) await page.waitForTimeout(50);
  await settle(page);
  assert.deepEqual(names(), ["a", "b", "c"]);
  await page.close();
});

test("out before load: a page view plus five events make zero requests and write zero cookies", async () => {
  const page = await shop(() => { window.__consentFirst = true; });
  await page.evaluate(() => { mse.consent.set("out"); configure({}); });
  await publish(page, ["p", "1", "2", "3", "4", "5"]);
  await settle(page);
  assert.equal(edgeRequests(), 0);
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
  for (let i = 0; i < 100 && stub.events.length < 1; i++) await page.waitForTimeout(50);
  await page.evaluate(() => { mse.consent.set({ standard: "Adobe", version: "1.0", value: { general: "out" } }); });
  await publish(page, ["after-1", "after-2"]);
  await settle(page);
  assert.deepEqual(names(), ["before"]);
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
  assert.equal(edgeRequests(), 0);
  assert.equal(await page.evaluate(() => mse.consent.get()), "out");
  await page.evaluate(() => window.grant());
  await publish(page, ["granted"]);
  for (let i = 0; i < 100 && stub.events.length < 1; i++) await page.waitForTimeout(50);
  await settle(page);
  assert.deepEqual(names(), ["granted"]);
  await page.close();
});

test("Global Privacy Control means out, unless the merchant turns it off", async () => {
  const gpc = () => Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true });
  let page = await shop(gpc);
  await page.evaluate(() => configure({}));
  await publish(page, ["gpc"]);
  await settle(page);
  assert.equal(edgeRequests(), 0);
  assert.equal(await page.evaluate(() => mse.consent.get()), "out");
  await page.close();
  page = await shop(gpc);
  await page.evaluate(() => configure({ consent: { gpc: false } }));
  await publish(page, ["gpc ignored"]);
  for (let i = 0; i < 100 && stub.events.length < 1; i++) await page.waitForTimeout(50);
  assert.deepEqual(names(), ["gpc ignored"]);
  await page.close();
});

test("the mg_dnt cookie (exact name) means out, and takes effect within 100 ms when set or cleared", async () => {
  const page = await shop(() => { document.cookie = "not_mg_dnt_really=0; path=/"; });
  await page.evaluate(() => configure({}));
  await publish(page, ["similar name is not mg_dnt"]);
  for (let i = 0; i < 100 && stub.events.length < 1; i++) await page.waitForTimeout(50);
  await page.evaluate(() => { document.cookie = "mg_dnt=1; path=/"; });
  await page.waitForTimeout(120);
  await publish(page, ["blocked"]);
  await settle(page);
  await page.evaluate(() => { document.cookie = "mg_dnt=; path=/; max-age=0"; });
  await page.waitForTimeout(120);
  await publish(page, ["allowed again"]);
  for (let i = 0; i < 100 && stub.events.length < 2; i++) await page.waitForTimeout(50);
  await settle(page);
  assert.deepEqual(names(), ["similar name is not mg_dnt", "allowed again"]);
  await page.close();
});

test("a strict Content-Security-Policy page works with no violation", async () => {
  // FIXME(issue 9): the target policy is `connect-src` the Edge only; the .wasm is fetched from
  // 'self' today, so the policy must allow that too. Embedding the bytes in a script costs +15-25 %
  // brotli (measured); see ARCHITECTURE.md.
  stub.pageHeaders["/tests/e2e/pages/csp.html"] = {
    "content-security-policy": "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' https://edge.example.test; img-src data:",
  };
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("https://shop.example.test/tests/e2e/pages/csp.html");
  for (let i = 0; i < 100 && stub.events.length < 1; i++) await page.waitForTimeout(50);
  await page.waitForTimeout(300);
  assert.deepEqual(names(), ["csp"]);
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test("direct mode tells the Edge the choice (set-consent) and honours the consent cookie it writes back", async () => {
  stub.consents.length = 0;
  let page = await shop();
  await page.evaluate(() => configure({ consent: { default: "pending", edge: true } }));
  await publish(page, ["held"]);
  await settle(page);
  assert.equal(edgeRequests(), 0, "nothing while pending");
  await page.evaluate(() => mse.consent.set("in"));
  for (let i = 0; i < 100 && stub.events.length < 1; i++) await page.waitForTimeout(50);
  await settle(page);
  assert.deepEqual(stub.consents, [[{ standard: "Adobe", version: "1.0", value: { general: "in" } }]]);
  assert.deepEqual(names(), ["held"]);
  const cookie = (await browser.context.cookies()).find((c) => c.name === "kndctr_1234_AdobeOrg_consent");
  assert.equal(cookie && cookie.value, "general=in");
  await page.close();
  // Next page: the default is still "pending", but the Edge's consent cookie says in.
  stub.events.length = 0;
  page = await shop();
  await page.evaluate(() => configure({ consent: { default: "pending", edge: true } }));
  await publish(page, ["next page"]);
  for (let i = 0; i < 100 && stub.events.length < 1; i++) await page.waitForTimeout(50);
  assert.deepEqual(names(), ["next page"]);
  assert.equal(await page.evaluate(() => mse.consent.get()), "in");
  await page.close();
});
