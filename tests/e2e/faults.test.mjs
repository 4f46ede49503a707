// The fault matrix: every fault of issue 9 in both delivery modes, in headless Chromium against the
// Rust edge-emulator (tests/e2e/emulator.mjs) and its fault injection. Hand-off mode runs the real
// @adobe/alloy 2.33.1 configured against the emulator (pages/faults-handoff.html), except the two
// cells about a broken alloy, which use a fake one. Each cell publishes page views tagged
// `<cell>#<i>` and counts, by `_id` in the emulator's store: sent, delivered, lost (each loss must
// carry a dropping diagnostic), duplicated in the store, and duplicated at the Edge (an `_id`
// accepted by more than one 2xx request; the store keeps it once). `RELIABILITY_OUT=dir` writes
// the figures to dir/faults.json (scripts/reliability.sh).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startEmulator } from "./emulator.mjs";
import { launch, serve, ROOT } from "./harness.mjs";

const MODES = ["direct", "handoff"];
/** Diagnostic codes that mean the event left the outbox without reaching its destination. */
const DROPS = new Set(["delivery-failed", "queue-full", "expired", "consent-out", "forwarding-disabled"]);
let emulator, shop;
const results = [];

before(async () => {
  emulator = await startEmulator();
  shop = await serve(ROOT, {}, 0, emulator.tls());
});
after(async () => {
  await shop?.close();
  await emulator?.stop();
  if (process.env.RELIABILITY_OUT) {
    mkdirSync(process.env.RELIABILITY_OUT, { recursive: true });
    const file = join(process.env.RELIABILITY_OUT, "faults.json");
    writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), cells: results }, null, 2) + "\n");
  }
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs one cell in a fresh browser profile (no cookies, no saved outbox from other cells). */
async function cell(mode, fault, body) {
  await emulator.reset();
  const rules = `MAP shop.example.test 127.0.0.1:${shop.port}, ${emulator.hostRule()}, MAP * ~NOTFOUND`;
  const browser = await launch([`--host-resolver-rules=${rules}`, "--ignore-certificate-errors"]);
  const tag = `${mode}-${fault.replace(/[^a-z0-9]+/gi, "-")}`;
  const c = { mode, fault, tag, sent: 0, diags: [], pageErrors: [], notes: [], started: Date.now() };
  await browser.context.exposeBinding("__record", (_source, d) => { c.diags.push(d); });
  const t = {
    cell: c,
    context: browser.context,
    /** Opens the mode's page; `init` runs before any page script, `query` is appended to the URL;
     *  `clock: true` gives the page Playwright's fake clock (timers run when the test moves it). */
    async open({ init, query = "", pageMode = mode, clock = false } = {}) {
      const page = await browser.context.newPage();
      if (clock) await page.clock.install();
      if (init) await page.addInitScript(init);
      page.on("pageerror", (e) => c.pageErrors.push(e.message));
      await page.goto(`https://shop.example.test/tests/e2e/pages/faults-${pageMode}.html${query}`);
      try {
        await page.waitForFunction(() => window.mse && window.publishTagged, null, { timeout: 10000 });
      } catch (e) {
        // Seen twice in ~60 cells after the offline cell: the page's scripts never ran. Recorded in
        // the cell's notes (faults.json); the page is loaded once more before anything is published.
        c.notes.push(`page scripts had not run after 10 s (readyState ${await page.evaluate(() => document.readyState)}); reloaded`);
        await page.reload();
        await page.waitForFunction(() => window.mse && window.publishTagged, null, { timeout: 20000 });
      }
      return page;
    },
    /** Publishes `n` tagged page views on `page`; they count as sent. */
    async publish(page, n) {
      await page.evaluate(([tag, n, from]) => publishTagged(tag, n, from), [tag, n, c.sent]);
      c.sent += n;
    },
    /** One event delivered before the fault, so the shopper has an identity (cookie or ECID). */
    async warm(page) {
      await page.evaluate((tag) => publishTagged(tag + "-warm", 1), tag);
      await until(`${tag} warm-up`, async () => (await stored(tag + "-warm")).length === 1, 20000);
    },
    /** Waits until every sent event is delivered or dropped with a diagnostic, then a little more
     *  (late duplicates would show up). */
    async settle(timeoutMs = 40000) {
      await until(`${tag}: ${c.sent} events accounted for`, async () => {
        const m = await measure(c);
        return m.delivered + m.lostExplained >= c.sent;
      }, timeoutMs).catch((e) => c.notes.push(e.message));
      await sleep(600);
    },
  };
  try {
    await body(t);
    Object.assign(c, await measure(c));
  } finally {
    await browser.close();
  }
  c.seconds = Math.round((Date.now() - c.started) / 100) / 10;
  const drops = [...new Set(c.diags.filter((d) => DROPS.has(d.code)).map((d) => `${d.code}: ${d.message}`))];
  const record = {
    mode, fault, sent: c.sent, delivered: c.delivered, lost: c.lost, lostExplained: c.lostExplained,
    duplicatedInStore: c.duplicatedInStore, duplicatedAtEdge: c.duplicatedAtEdge, edgeRequests: c.edgeRequests,
    statuses: c.statuses, seconds: c.seconds, lossDiagnostics: drops,
    diagnosticCodes: countBy(c.diags.map((d) => d.code)), notes: c.notes, pageErrors: c.pageErrors,
  };
  results.push(record);
  console.log(`# ${mode.padEnd(7)} ${fault.padEnd(28)} sent ${c.sent} delivered ${c.delivered} lost ${c.lost} ` +
    `dup(store) ${c.duplicatedInStore} dup(edge) ${c.duplicatedAtEdge} in ${c.seconds} s` + (drops.length ? ` — ${drops.join(" | ")}` : ""));
  return record;
}

/** A recorded request's JSON body (faulted requests keep only the text). */
function bodyOf(r) {
  if (r.body) return r.body;
  try { return JSON.parse(r.bodyText || "null"); } catch (_) { return null; }
}

const countBy = (list) => list.reduce((m, k) => ((m[k] = (m[k] || 0) + 1), m), {});

/** Stored events whose page name starts with `prefix#`. */
async function stored(prefix) {
  return emulator.query(`SELECT _id, json_extract(xdm, '$.web.webPageDetails.name') AS name FROM dataset ` +
    `WHERE json_extract(xdm, '$.web.webPageDetails.name') LIKE '${prefix}#%'`);
}

/** The figures of a cell from the store, the emulator's request log and the page's diagnostics. */
async function measure(c) {
  const rows = await stored(c.tag);
  const ids = new Set(rows.map((r) => r._id));
  const names = new Set(rows.map((r) => r.name));
  const perId = {};
  const statuses = {};
  let edgeRequests = 0;
  for (const r of await emulator.requests()) {
    if (!/\/v1\/(interact|collect)$/.test(r.path || "")) continue;
    edgeRequests++;
    statuses[r.status] = (statuses[r.status] || 0) + 1;
    if (r.status < 200 || r.status > 299) continue;
    const body = bodyOf(r);
    for (const e of (body && body.events) || []) {
      const name = e && e.xdm && e.xdm.web && e.xdm.web.webPageDetails && e.xdm.web.webPageDetails.name;
      if (typeof name === "string" && name.startsWith(c.tag + "#")) perId[e.xdm._id] = (perId[e.xdm._id] || 0) + 1;
    }
  }
  const dropped = new Set(c.diags.filter((d) => DROPS.has(d.code) && d.eventId && !ids.has(d.eventId)).map((d) => d.eventId));
  return {
    delivered: names.size,
    lost: c.sent - names.size,
    lostExplained: dropped.size,
    duplicatedInStore: rows.length - names.size,
    duplicatedAtEdge: Object.values(perId).reduce((s, n) => s + n - 1, 0),
    edgeRequests, statuses,
  };
}

async function until(what, predicate, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(150);
  }
}

/** Nothing lost, nothing stored twice, no page error. */
function assertClean(r) {
  assert.equal(r.lost, 0, `${r.mode}/${r.fault}: lost ${r.lost} (${r.lossDiagnostics.join("; ")}) ${r.notes.join("; ")}`);
  assert.equal(r.duplicatedInStore, 0, `${r.mode}/${r.fault}: stored twice`);
  assert.deepEqual(r.pageErrors, [], `${r.mode}/${r.fault}: page errors`);
}

/** Fills localStorage to its quota before any page script runs (once per profile). */
function fillStorage() {
  try {
    if (localStorage.getItem("__filled")) return;
    localStorage.setItem("__filled", "1");
    let i = 0;
    for (const size of [1 << 20, 1 << 14, 1 << 8, 1]) {
      const chunk = "x".repeat(size);
      try { for (;;) localStorage.setItem("fill" + i++, chunk); } catch (_) { /* this size no longer fits */ }
    }
  } catch (_) { /* no storage at all */ }
}

for (const mode of MODES) {
  test(`${mode}: 503 storm (every Edge answer is 503 for 8 s while 10 events go)`, async () => {
    const r = await cell(mode, "503 storm (8 s)", async (t) => {
      const page = await t.open();
      await t.warm(page);
      await emulator.addFaults({ status: 503, path: "interact" });
      await t.publish(page, 10);
      await sleep(8000);
      await emulator.clearFaults();
      await t.settle();
    });
    assertClean(r);
    assert.ok(r.statuses[503] >= 2, `the storm was met (${r.statuses[503]} x 503)`);
  });

  test(`${mode}: 429 with Retry-After: 2`, async () => {
    const r = await cell(mode, "429 + Retry-After", async (t) => {
      const page = await t.open();
      await t.warm(page);
      await emulator.addFaults({ status: 429, count: 4, retryAfter: 2, path: "interact" });
      await t.publish(page, 10);
      await t.settle();
    });
    assertClean(r);
    assert.equal(r.statuses[429], 4);
    if (mode === "direct") {
      // Our own retry honours Retry-After: no event comes back before 2 s (less a little clock slack).
      const log = await emulator.requests();
      const first = {};
      for (const q of log) {
        const body = bodyOf(q);
        const id = body && body.events && body.events[0] && body.events[0].xdm._id;
        if (!id) continue;
        if (q.status === 429) first[id] = Date.parse(q.time);
        else if (first[id] !== undefined) assert.ok(Date.parse(q.time) - first[id] >= 1900, `retried after ${Date.parse(q.time) - first[id]} ms`);
      }
      assert.ok(Object.keys(first).length > 0, "the 429s hit our events");
    }
  });

  test(`${mode}: network offline for 5 s, then online`, async () => {
    const r = await cell(mode, "offline 5 s then online", async (t) => {
      const page = await t.open();
      await t.warm(page);
      await t.context.setOffline(true);
      await t.publish(page, 10);
      await sleep(5000);
      assert.equal((await stored(t.cell.tag)).length, 0, "nothing arrives while offline");
      await t.context.setOffline(false);
      await t.settle();
    });
    assertClean(r);
  });

  test(`${mode}: slow Edge (every answer 1.5 s late)`, async () => {
    const r = await cell(mode, "slow responses (1.5 s)", async (t) => {
      const page = await t.open();
      await emulator.addFaults({ delayMs: 1500, path: "/v1/" });
      await t.publish(page, 10);
      await t.settle();
    });
    assertClean(r);
  });

  test(`${mode}: reload mid-queue`, async () => {
    const r = await cell(mode, "reload mid-queue", async (t) => {
      const page = await t.open();
      await t.warm(page);
      await emulator.addFaults({ delayMs: 800, path: "interact" });
      await t.publish(page, 20);
      await sleep(200);
      await page.reload();
      await emulator.clearFaults();
      await t.settle();
    });
    assertClean(r);
  });

  test(`${mode}: tab closed with events queued`, async () => {
    const r = await cell(mode, "tab closed while queued", async (t) => {
      let page = await t.open();
      await t.warm(page);
      await emulator.addFaults({ delayMs: 3000, path: "interact" });
      await t.publish(page, 12);
      await sleep(300);
      await page.close({ runBeforeUnload: true });
      await sleep(4000);
      await emulator.clearFaults();
      const beforeReopen = (await stored(t.cell.tag)).length;
      t.cell.notes.push(`${beforeReopen} of 12 arrived from the closed tab (beacon / keep-alive / alloy)`);
      if (mode === "direct") {
        // Direct mode needs no later visit: waiting events left by sendBeacon, in-flight ones were keep-alive.
        await until("the beacon", async () => (await stored(t.cell.tag)).length === 12, 15000).catch(() => {});
      }
      // The shopper comes back: a saved outbox (hand-off mode) is taken over and delivered.
      page = await t.open();
      await t.settle();
    });
    assertClean(r);
    if (mode === "direct") assert.match(r.notes[0], /^12 of 12/, "direct mode delivers from the closed tab itself");
  });

  test(`${mode}: localStorage disabled`, async () => {
    const r = await cell(mode, "localStorage disabled", async (t) => {
      const page = await t.open({
        init: () => Object.defineProperty(window, "localStorage", { get() { throw new DOMException("blocked", "SecurityError"); } }),
      });
      await emulator.addFaults({ delayMs: 300, path: "interact" });
      await t.publish(page, 10);
      await t.settle();
    });
    assertClean(r);
  });

  test(`${mode}: localStorage full`, async () => {
    const r = await cell(mode, "localStorage full", async (t) => {
      const page = await t.open({ init: fillStorage });
      await emulator.addFaults({ delayMs: 300, path: "interact" });
      await t.publish(page, 10);
      await t.settle();
    });
    assertClean(r);
    assert.ok(r.diagnosticCodes["storage-unavailable"] >= 1, "the full storage is reported");
  });

  test(`${mode}: cookies blocked`, async () => {
    const r = await cell(mode, "cookies blocked", async (t) => {
      const page = await t.open({
        init: () => Object.defineProperty(Document.prototype, "cookie", { configurable: true, get() { return ""; }, set() {} }),
      });
      await t.publish(page, 10);
      await t.settle();
    });
    assertClean(r);
  });
}

test("handoff: alloy that throws on every call", async () => {
  const r = await cell("handoff", "alloy throws", async (t) => {
    const page = await t.open({ query: "?fake=throws" });
    await t.publish(page, 5);
    await t.settle();
  });
  // Nothing can be delivered; each event is dropped after its attempts, with a diagnostic.
  assert.equal(r.delivered, 0);
  assert.equal(r.lost, 5);
  assert.equal(r.lostExplained, 5, "every loss has its delivery-failed diagnostic");
  assert.deepEqual(r.pageErrors, []);
});

test("handoff: alloy that never settles (a hand-off-stalled warning per event at 10 s), then a working alloy on the next page", async () => {
  let stalled, tag;
  const r = await cell("handoff", "alloy never resolves", async (t) => {
    tag = t.cell.tag;
    // The page's clock is Playwright's fake one, so the 10 s pass without waiting for them.
    const page = await t.open({ query: "?fake=never", clock: true });
    await t.publish(page, 5);
    await page.waitForFunction(() => window.sendEventCalls === 5, null, { timeout: 10000 });
    const stalls = () => page.evaluate(() => window.diagnostics.filter((d) => d.code === "hand-off-stalled"));
    await page.clock.fastForward(9000);
    await sleep(200);
    assert.deepEqual(await stalls(), [], "no warning before 10 s");
    await page.clock.fastForward(1500);
    await page.waitForFunction(() => window.diagnostics.filter((d) => d.code === "hand-off-stalled").length >= 5, null, { timeout: 5000 });
    // Another 20 s of hanging: still one warning per event, and nothing handed over again.
    await page.clock.fastForward(20000);
    await sleep(200);
    stalled = await stalls();
    assert.equal(await page.evaluate(() => window.sendEventCalls), 5, "no event was handed to alloy twice");
    t.cell.notes.push(`${(await stored(t.cell.tag)).length} delivered while alloy hung`);
    await page.close({ runBeforeUnload: true });
    // The same shopper later, with a working alloy: the held events are taken over.
    await t.open();
    await t.settle();
  });
  assertClean(r);
  assert.equal(stalled.length, 5, "one warning per event");
  for (const d of stalled) {
    assert.equal(d.level, "warning");
    assert.equal(d.path, "aepContext.webSdkName");
    assert.match(d.message, /not settled .*10 s.*not resent/);
  }
  const ids = (await stored(tag)).map((e) => e._id).sort();
  assert.deepEqual(stalled.map((d) => d.eventId).sort(), ids, "the warnings name the five events (delivered later)");
});
