// End-to-end: the demo storefront (www/) in headless Chromium against the Rust edge-emulator, in
// both delivery modes. A shopper's walk through the shop must put exactly the events it published
// into the emulator's dataset (count, eventType, key fields), newest first by timestamp; declining
// consent must store nothing; and the real @adobe/alloy must work against the emulator on its own.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchShopWithEmulator } from "./emulator.mjs";

let env;
before(async () => { env = await launchShopWithEmulator(); });
after(async () => env?.close());

const EMAIL = "roni_cost@example.com";

/** A row as eventType, plus the page name for page views (for failure messages). */
const describe = (r) => (r.xdm && r.eventType === "web.webpagedetails.pageViews"
  ? `pageView(${JSON.parse(r.xdm).web?.webPageDetails?.name})` : r.eventType);

/** Polls `sql` until `done(rows)` holds, or fails after `timeoutMs` with the last rows. */
async function pollQuery(sql, done, what, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs;
  let rows;
  for (;;) {
    rows = await env.emulator.query(sql);
    if (done(rows)) return rows;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; store has ${JSON.stringify(rows.map(describe))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The dataset, newest first, once it holds `n` events; then checks that no further event (a
 *  duplicate or a stray publish) arrives while every page's outbox drains. */
async function datasetOf(n, page) {
  const sql = "SELECT timestamp, eventType, _id, ECID, email, xdm FROM dataset ORDER BY timestamp DESC";
  await pollQuery(sql, (rows) => rows.length >= n, `${n} events`);
  // Then the last page's outbox must be empty: every event it published or took over from an
  // earlier page shows a final state in its event log (the collector keeps an event until the Edge
  // or alloy has it), so no duplicate can still be on its way.
  await settled(page);
  const rows = await env.emulator.query(sql);
  return rows.map((r) => ({ ...r, xdm: JSON.parse(r.xdm) }));
}

/** Waits until every event in this page's event log was delivered or handed over. */
async function settled(page) {
  await page.waitForFunction(() => {
    const states = [...document.querySelectorAll("#event-log .status")].map((s) => s.textContent);
    return states.length > 0 && states.every((s) => s === "delivered" || s === "handed-off");
  }, null, { timeout: 20000 });
}

/** Fresh shopper: no cookies, no shop state, nothing in the store. */
async function freshShopper() {
  await env.emulator.reset();
  await env.browser.context.clearCookies();
  const page = await env.browser.context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console.error: ${m.text()}`); });
  await page.goto(env.shopUrl("/tests/e2e/pages/blank.html")); // same origin, no collector
  await page.evaluate(() => localStorage.clear());
  return { page, problems };
}

// Events one walk publishes, newest first. Events of one page published in the same millisecond
// tie on timestamp; the page view is always published first on its page, so it sorts last in a tie.
const WALK = [
  "searchResponse", "searchRequest", "web.webpagedetails.pageViews",       // search.html?q=tee
  "commerce.purchases", "web.webpagedetails.pageViews",                    // confirmation.html
  "commerce.checkouts", "web.webpagedetails.pageViews",                    // checkout.html
  "commerce.requisitionListAdds", "commerce.productListAdds",              // product.html buttons
  "commerce.productViews", "web.webpagedetails.pageViews",                 // product.html
  "userAccount.login", "web.webpagedetails.pageViews",                     // account.html
  "web.webpagedetails.pageViews",                                          // index.html
];

/** Rows as stored newest first, with events of the same millisecond put page view last. */
const tiesPageViewLast = (rows) => [...rows].sort((a, b) => (a.timestamp === b.timestamp
  ? Number(a.eventType === "web.webpagedetails.pageViews") - Number(b.eventType === "web.webpagedetails.pageViews")
  : 0));

for (const mode of ["handoff", "direct"]) {
  test(`${mode} mode: a walk through the shop stores exactly its events, newest first`, async () => {
    const { page, problems } = await freshShopper();
    await page.goto(env.shopUrl(`/www/index.html?mode=${mode}`));
    assert.equal(await page.locator(`[data-mode="${mode}"]`).getAttribute("aria-pressed"), "true", "the switch shows the mode");
    await page.click("#consent-accept");
    // The first answer from the Edge gives the shopper an identity (cookie). A shopper who leaves
    // before it arrives gets a second ECID on the next page (alloy alike), so wait as a reader would.
    await settled(page);

    await page.goto(env.shopUrl("/www/account.html"));
    await page.click("#sign-in"); // the form is prefilled with roni_cost@example.com
    await page.locator("#sign-out").waitFor();

    await page.goto(env.shopUrl("/www/product.html?sku=MH07"));
    await page.fill("#qty", "2");
    await page.click("#add-to-cart");
    await page.click("#add-to-requisition-list");
    assert.equal(await page.textContent("#cart-count"), "2");

    await page.goto(env.shopUrl("/www/checkout.html"));
    assert.equal(await page.inputValue("#email"), EMAIL, "checkout knows the signed-in shopper");
    await page.click("#place-order");
    await page.waitForURL(/confirmation\.html$/);
    const orderId = (await page.textContent("#order-id")).trim();

    await page.goto(env.shopUrl("/www/search.html?q=tee"));
    await page.locator("#results article").first().waitFor();

    const rows = await datasetOf(WALK.length, page);
    // Timestamps really are newest first, and within a tie the page view goes last (see WALK).
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].timestamp >= rows[i].timestamp, "ORDER BY timestamp DESC");
    const ordered = tiesPageViewLast(rows);
    assert.deepEqual(ordered.map((r) => r.eventType), WALK, "exactly the walk's events, in order");
    assert.equal(new Set(rows.map((r) => r._id)).size, WALK.length, "each event once");

    // One visitor: every event has the same ECID; the email identity from sign-in on.
    const ecids = new Set(rows.map((r) => r.ECID));
    assert.equal(ecids.size, 1, `one ECID, got ${[...ecids]}`);
    assert.match([...ecids][0], /^\d{38}$/);
    // The email identity rides on the events that carry the shopper's email (spec/collector.md §2).
    const withEmail = new Set(["userAccount.login", "commerce.requisitionListAdds", "commerce.purchases"]);
    assert.deepEqual(ordered.map((r) => r.email), WALK.map((t) => (withEmail.has(t) ? EMAIL : null)), "email column");

    const one = (type) => rows.find((r) => r.eventType === type).xdm;
    const view = one("commerce.productViews");
    assert.equal(view.productListItems[0].SKU, "MH07");
    const add = one("commerce.productListAdds");
    assert.deepEqual([add.productListItems[0].SKU, add.productListItems[0].quantity], ["MH07", 2]);
    const listAdd = one("commerce.requisitionListAdds");
    assert.equal(listAdd.commerce.requisitionList.name, "Office supplies");
    assert.deepEqual([listAdd.productListItems[0].SKU, listAdd.productListItems[0].quantity], ["MH07", 2]);
    const order = one("commerce.purchases");
    assert.equal(order.commerce.order.purchaseID, orderId);
    assert.equal(order.commerce.order.priceTotal, 104.98, "2 × 49.99 + 5 shipping");
    assert.deepEqual(order.productListItems.map((i) => [i.SKU, i.quantity]), [["MH07", 2]]);
    assert.equal(order.personalEmail.address, EMAIL);
    assert.equal(one("searchRequest").siteSearch.query, "tee");
    assert.equal(one("userAccount.login").personalEmail.address, EMAIL);
    const pageNames = rows.filter((r) => r.eventType === "web.webpagedetails.pageViews").map((r) => r.xdm.web.webPageDetails.name);
    assert.deepEqual(pageNames, ["Search results", "Order confirmation", "Checkout", "Hero Hoodie", "My account", "Tops"]);

    // The mode really was the one chosen: hand-off goes through alloy (which adds its own
    // implementationDetails), direct mode posts our collector's requests.
    const reqs = (await env.emulator.requests()).filter((r) => r.action === "interact" || r.action === "collect");
    assert.ok(reqs.length > 0);
    const alloyMade = (r) => JSON.stringify(r.body || "").includes("https://ns.adobe.com/experience/alloy");
    assert.equal(reqs.every(alloyMade), mode === "handoff", `${mode}: requests ${mode === "handoff" ? "all" : "none"} from alloy`);
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test("direct mode: account, cart removal and requisition-list pages store exactly their events", async () => {
  const { page, problems } = await freshShopper();
  await page.goto(env.shopUrl("/www/index.html?mode=direct"));
  await page.click("#consent-accept");
  await settled(page);

  await page.goto(env.shopUrl("/www/account.html"));
  await page.click("#create-account"); // prefilled: Veronica Costello, veronica@example.com
  await page.fill('input[name="firstName"]', "Vera");
  await page.click("#save-account");
  await page.click("#sign-out");
  await page.locator("#sign-in").waitFor();

  await page.goto(env.shopUrl("/www/product.html?sku=WS03"));
  await page.click("#add-to-cart");
  await page.click("#add-to-requisition-list");

  await page.goto(env.shopUrl("/www/cart.html"));
  await page.click('[data-remove="WS03"]');
  await page.getByText("Your cart is empty").waitFor();

  await page.goto(env.shopUrl("/www/requisition.html"));
  await page.fill('input[name="name"]', "Gym kit");
  await page.click("#create-list");
  await page.click('[data-list="1"] [data-remove="WS03"]');
  await page.click('[data-delete="2"]');
  await page.locator('[data-list="2"]').waitFor({ state: "detached" });

  const expected = [
    "commerce.requisitionListDeletes", "commerce.requisitionListRemovals", "commerce.requisitionListOpens", "web.webpagedetails.pageViews",
    "commerce.productListRemovals", "commerce.productListViews", "web.webpagedetails.pageViews",
    "commerce.requisitionListAdds", "commerce.productListAdds", "commerce.productViews", "web.webpagedetails.pageViews",
    "userAccount.logout", "userAccount.updateProfile", "userAccount.createProfile", "web.webpagedetails.pageViews",
    "web.webpagedetails.pageViews",
  ];
  const rows = await datasetOf(expected.length, page);
  assert.deepEqual(tiesPageViewLast(rows).map((r) => r.eventType), expected);
  const one = (type) => rows.find((r) => r.eventType === type).xdm;
  assert.equal(one("userAccount.createProfile").personalEmail.address, "veronica@example.com");
  assert.equal(one("commerce.productListRemovals").productListItems[0].SKU, "WS03");
  assert.equal(one("commerce.requisitionListOpens").commerce.requisitionList.name, "Gym kit");
  assert.equal(one("commerce.requisitionListRemovals").productListItems[0].SKU, "WS03");
  assert.equal(one("commerce.requisitionListDeletes").commerce.requisitionList.ID, "2");
  assert.deepEqual(problems, []);
  await page.close();
});

test("declining consent in the banner stores nothing", async () => {
  const { page, problems } = await freshShopper();
  await page.goto(env.shopUrl("/www/product.html?sku=MS10&mode=direct"));
  await page.click("#consent-decline");
  await page.click("#add-to-cart");
  // Each of the three events (page view, product view, add to cart) is dropped with consent-out.
  await page.waitForFunction(() => [...document.querySelectorAll("#event-log .status")].filter((s) => s.textContent === "consent-out").length === 3,
    null, { timeout: 10000 });
  const n = await env.emulator.query("SELECT count(*) AS n FROM dataset");
  assert.equal(n[0].n, 0);
  assert.equal((await env.emulator.requests()).filter((r) => r.action === "interact").length, 0, "no event request reached the Edge");
  assert.deepEqual(problems, []);
  await page.close();
});

test("the real alloy on its own: sendEvent is stored with alloy's ECID, and the identity cookie is reused", async () => {
  await env.emulator.reset();
  await env.browser.context.clearCookies();
  const page = await env.browser.context.newPage();
  await page.goto(env.shopUrl("/tests/e2e/pages/alloy-only.html"));
  const ecid = await page.evaluate(async () => {
    const xdm = (name) => ({
      eventType: "web.webpagedetails.pageViews", web: { webPageDetails: { name, pageViews: { value: 1 } } },
      identityMap: { email: [{ id: "alloy-only@example.com", primary: false }] },
    });
    await window.alloy("sendEvent", { xdm: xdm("first") });
    await window.alloy("sendEvent", { xdm: xdm("second") });
    return (await window.alloy("getIdentity")).identity.ECID;
  });
  assert.match(ecid, /^\d{38}$/);
  const rows = await pollQuery("SELECT eventType, ECID, email, _id, xdm FROM dataset ORDER BY timestamp DESC", (r) => r.length >= 2, "2 events");
  assert.equal(rows.length, 2);
  assert.deepEqual(rows.map((r) => JSON.parse(r.xdm).web.webPageDetails.name), ["second", "first"]);
  for (const r of rows) {
    assert.equal(r.eventType, "web.webpagedetails.pageViews");
    assert.equal(r.ECID, ecid, "the ECID alloy reports is the one stored");
    assert.equal(r.email, "alloy-only@example.com");
    assert.ok(r._id, "a server _id for alloy's events");
  }
  const cookies = await env.browser.context.cookies("https://shop.example.test/");
  assert.ok(cookies.some((c) => c.name === "kndctr_1234_AdobeOrg_identity" && c.domain.endsWith("example.test")), "alloy stored the identity cookie");
  const interacts = (await env.emulator.requests()).filter((r) => r.action === "interact");
  assert.equal(interacts.length, 2);
  assert.equal(interacts[1].ecidSource, "cookie", "the second request is recognised by its cookie");
  await page.close();
});
