// Privacy in a real browser against the Rust edge-emulator: with `hashEmail` the shopper's email
// leaves the page only as an Email_LC_SHA256 identity (not in any request body, cookie or saved
// outbox), and with debug logging on, no console message or diagnostic shows it, even when the
// Edge's error quotes it back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { launchShopWithEmulator } from "./emulator.mjs";

const EMAIL = "Roni_Cost@Example.com";
const PAGE = "/tests/e2e/pages/blank.html?storefront_events_debug=1";
let env;

before(async () => { env = await launchShopWithEmulator(); });
after(async () => { await env?.close(); });

/** Opens a page with the collector, recording every console message (diagnostics: blank.html). */
async function openRecorded() {
  const page = await env.browser.context.newPage();
  const console = [];
  page.on("console", (m) => console.push(m.text()));
  page.on("pageerror", (e) => console.push("pageerror: " + e.message));
  await page.goto(env.shopUrl(PAGE)); // loads the collector; window.diagnostics collects
  return { page, console };
}

async function until(what, predicate, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("hashEmail: only the SHA-256 identity leaves the page; nothing logged shows the email", async () => {
  await env.emulator.reset();
  const { page, console } = await openRecorded();
  await page.evaluate((email) => {
    const mse = window.magentoStorefrontEvents;
    mse.context.setAEP({ imsOrgId: "1234@AdobeOrg", datastreamId: "ds-1", edgeDomain: "edge.example.test", hashEmail: true });
    mse.context.setEventForwarding({ aep: true });
    mse.context.setPage({ pageType: "Account", pageName: "Sign in" });
    mse.context.setAccount({ firstName: "Roni", emailAddress: ` ${email} `, accountId: "42" });
    // A wrong-typed context field whose value is the email: reported, by path, without the value.
    mse.context.setShoppingCart({ id: { email }, totalQuantity: email });
    mse.publish.signIn();
    mse.publish.shoppingCartView();
  }, EMAIL);
  const rows = await until("the sign-in event", async () => {
    const r = await env.emulator.query("SELECT eventType, xdm FROM dataset WHERE eventType = 'userAccount.login'");
    return r.length ? r : null;
  });
  const xdm = JSON.parse(rows[0].xdm);
  const hashed = createHash("sha256").update(EMAIL.toLowerCase()).digest("hex");
  assert.deepEqual(xdm.identityMap.Email_LC_SHA256, [{ id: hashed, primary: false }]);
  assert.equal(xdm.identityMap.email, undefined);

  const lower = EMAIL.toLowerCase();
  const requests = await env.emulator.requests();
  assert.ok(requests.length > 0);
  for (const r of requests) assert.ok(!JSON.stringify(r).toLowerCase().includes(lower), `plain email sent: ${JSON.stringify(r).slice(0, 300)}`);
  const cookies = await env.browser.context.cookies();
  assert.ok(!JSON.stringify(cookies).toLowerCase().includes(lower), "no cookie holds the email");
  const storage = await page.evaluate(() => JSON.stringify(Object.entries(localStorage)));
  assert.ok(!storage.toLowerCase().includes(lower), "no saved outbox holds the email");

  const diagnostics = await page.evaluate(() => window.diagnostics);
  assert.ok(diagnostics.some((d) => d.path.startsWith("shoppingCartContext")), "the bad cart fields were reported");
  assert.ok(console.length > 0, "debug logging was on");
  for (const text of console.concat(diagnostics.map((d) => JSON.stringify(d)))) {
    assert.ok(!text.toLowerCase().includes(lower), `email in a log line: ${text}`);
  }
  await page.close();
});

test("an Edge error that quotes the email is reported redacted", async () => {
  await env.emulator.reset();
  const { page, console } = await openRecorded();
  // An unknown datastream: the emulator answers 400 with a problem naming what it got. The event's
  // own id carries the email so that the Edge's echo of the request would include it.
  await page.evaluate((email) => {
    const mse = window.magentoStorefrontEvents;
    mse.context.setAEP({ imsOrgId: "1234@AdobeOrg", datastreamId: email, edgeDomain: "edge.example.test" });
    mse.context.setEventForwarding({ aep: true });
    mse.context.setPage({ pageType: "Home" });
    mse.publish.pageView();
  }, EMAIL);
  const failed = await until("a delivery-failed diagnostic", () =>
    page.evaluate(() => window.diagnostics.find((d) => d.code === "delivery-failed")));
  assert.match(failed.message, /Invalid datastream.*'\[email\]'/, "the Edge quoted the id; we show it redacted");
  const lower = EMAIL.toLowerCase();
  for (const text of console.concat(JSON.stringify(failed))) {
    assert.ok(!text.toLowerCase().includes(lower), `email in a log line: ${text}`);
  }
  await page.close();
});

test("a diagnostic built in the page layer (a subscriber's exception quoting the email) is redacted too", async () => {
  const { page, console } = await openRecorded();
  await page.evaluate((email) => {
    const mse = window.magentoStorefrontEvents;
    mse.subscribe.pageView(() => { throw new Error(`cannot greet ${email}`); });
    mse.context.setPage({ pageType: "Home" });
    mse.publish.pageView();
  }, EMAIL);
  const failed = await until("a subscriber-failed diagnostic", () =>
    page.evaluate(() => window.diagnostics.find((d) => d.code === "subscriber-failed")));
  assert.match(failed.message, /cannot greet \[email\]/);
  const lower = EMAIL.toLowerCase();
  for (const text of console.concat(JSON.stringify(failed))) {
    assert.ok(!text.toLowerCase().includes(lower), `email in a log line: ${text}`);
  }
  await page.close();
});
