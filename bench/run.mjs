// The benchmark driver: sizes, then every SDK configuration in headless Chromium against the local
// sink, in one run, and one JSON result file. `scripts/bench.sh` prepares everything and calls it.
//
// usage: node --experimental-websocket bench/run.mjs [scenario ...]      (Node 20; plain node on 22+)
// env:   RUNS=7            runs per scenario and phase (medians and p90 over them)
//        SWEEP_RUNS=5      runs per extra burst size of the per-event plot (1, 100, 300)
//        QUICK=1           smoke run: RUNS=2, BIG=200, SWEEP=1, SWEEP_RUNS=1, short idle
//        EVENT_METHOD=auto magentoStorefrontEvents publish method for ours and Adobe's (auto: addToCart
//                          if our collector forwards it, else pageView)
//        IDLE_MS=1000 STALL_MS=3000 DRAIN_TIMEOUT_MS=90000 BIG=1000
//        SLOW_RUN_S=30 SLOW_RUNS=3  a scenario whose run takes longer than SLOW_RUN_S in a phase gets
//                          SLOW_RUNS runs there (Adobe's collector needs ~70 s per 1,000-event run);
//                          SLOW_RUNS=7 for the full count everywhere (~+5 min)
//        PROFILE=1         CPU profile of the track phase, top self time per run (attribution only:
//                          profiling inflates the timings; result file bench-profile-*.json)
//        BENCH_WORK (cert, minified RudderStack, browser profiles)  OUT=bench/results
//        CHROMIUM=/usr/bin/chromium
// writes: $OUT/bench-<stamp>.json
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { connect, evaluate, launchChromium, metrics } from "./lib/cdp.mjs";
import { startSink } from "./lib/sink.mjs";
import { round1, summarize } from "./lib/stats.mjs";
import { HOSTS, scenarios as allScenarios } from "./scenarios.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..");
const env = process.env;
const QUICK = env.QUICK === "1";
const RUNS = Number(env.RUNS || (QUICK ? 2 : 7));
const SWEEP_RUNS = Number(env.SWEEP_RUNS || (QUICK ? 1 : 3));
const BIG = Number(env.BIG || (QUICK ? 200 : 1000));
const SWEEP = (env.SWEEP || (QUICK ? "1" : "1,100,300")).split(",").map(Number).filter((n) => n > 0);
const IDLE_MS = Number(env.IDLE_MS ?? (QUICK ? 500 : 1000));
const STALL_MS = Number(env.STALL_MS || 3000);
const SLOW_RUN_S = Number(env.SLOW_RUN_S || 30);
const SLOW_RUNS = Number(env.SLOW_RUNS || 3);
const PROFILE = env.PROFILE === "1";
const DRAIN_TIMEOUT_MS = Number(env.DRAIN_TIMEOUT_MS || 90000);
const WORK = env.BENCH_WORK || join(HERE, "node_modules/.cache/bench");
const OUT = env.OUT || join(HERE, "results");
const CHROMIUM = env.CHROMIUM || "/usr/bin/chromium";

const PRODUCT = { sku: "WJ06-XS-Green", name: "Juno Jacket", category: "Women/Tops/Jackets", price: 19.99, currency: "USD" };

if (typeof WebSocket === "undefined") {
  console.error("bench: needs a global WebSocket (Node 22+, or node --experimental-websocket on Node 20)");
  process.exit(2);
}
const log = (...a) => process.stderr.write(a.join(" ") + "\n");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ scenarios and sizes
let list = allScenarios({ modules: join(HERE, "node_modules"), pkg: join(ROOT, "pkg"), work: WORK });
const only = process.argv.slice(2).concat(env.SCENARIOS ? env.SCENARIOS.split(",") : []);
if (only.length) list = list.filter((s) => only.includes(s.name));
if (!list.length) {
  console.error(`bench: no such scenario; have ${allScenarios({ modules: "", pkg: "", work: "" }).map((s) => s.name).join(" ")}`);
  process.exit(2);
}
for (const s of list) for (const f of s.files) if (!existsSync(f.file)) { console.error(`bench: missing ${f.file} (run scripts/bench.sh)`); process.exit(2); }

const sizeCache = new Map();
function sizeOf(file) {
  if (!sizeCache.has(file)) {
    const buf = readFileSync(file);
    const gz = execFileSync("gzip", ["-9", "-c"], { input: buf, maxBuffer: 1 << 28 }).length;
    const br = execFileSync("brotli", ["-q", "11", "-c"], { input: buf, maxBuffer: 1 << 28 }).length;
    sizeCache.set(file, { raw: buf.length, gzip: gz, brotli: br });
  }
  return sizeCache.get(file);
}
/**
 * What a storefront downloads for a scenario: the script/wasm files its pages fetched from the sink
 * in the 20-event runs (so a change in how our loader fetches its parts is followed), else the
 * files the scenario declares. Files declared but never fetched are listed apart.
 */
function sizesFor(s, runs) {
  const fetched = new Set(runs.flatMap((r) => r.servedFiles || []));
  const declared = new Map(s.files.map((f) => [f.file, f.label]));
  const used = fetched.size ? [...fetched] : [...declared.keys()];
  const files = used.map((file) => ({ label: declared.get(file) || file.replace(ROOT + "/", ""), file: file.replace(ROOT + "/", ""), ...sizeOf(file) }));
  const total = files.reduce((t, f) => ({ raw: t.raw + f.raw, gzip: t.gzip + f.gzip, brotli: t.brotli + f.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  const notFetched = fetched.size ? [...declared.keys()].filter((f) => !fetched.has(f)).map((f) => f.replace(ROOT + "/", "")) : [];
  return { files, total, source: fetched.size ? "fetched by the page" : "declared", ...(notFetched.length ? { declaredNotFetched: notFetched } : {}) };
}

// ------------------------------------------------------------------ sink and browser
const sink = await startSink({ cert: join(WORK, "cert.pem"), key: join(WORK, "key.pem") });
const hostRules = HOSTS.map((h) => `MAP ${h} 127.0.0.1:${sink.port}`).concat(["MAP * ~NOTFOUND"]).join(", ");
const browser = await launchChromium({ executable: CHROMIUM, workDir: WORK, hostRules });
log(`bench: ${browser.version}, sink on 127.0.0.1:${sink.port}`);

/** One measured run: fresh browser context, page, load, idle, page view + n events, drain. */
async function runOnce(s, { n, throttle, method }) {
  const { browserContextId } = await browser.cdp.send("Target.createBrowserContext", { disposeOnDetach: true });
  const { targetId } = await browser.cdp.send("Target.createTarget", { url: "about:blank", browserContextId });
  const page = await connect(`ws://${browser.debugHost}/devtools/page/${targetId}`);
  const errors = [];
  let onLoad = null;
  page.on((m) => {
    if (m.method === "Page.loadEventFired" && onLoad) onLoad();
    if (m.method === "Runtime.exceptionThrown" && errors.length < 5) {
      const d = m.params.exceptionDetails || {};
      errors.push(String((d.exception && d.exception.description) || d.text).slice(0, 200));
    }
    if (m.method === "Runtime.consoleAPICalled" && m.params.type === "error" && errors.length < 5) {
      errors.push(m.params.args.map((a) => a.value ?? a.description ?? "").join(" ").slice(0, 200));
    }
  });
  try {
    await page.send("Page.enable");
    await page.send("Runtime.enable");
    await page.send("Performance.enable");
    if (throttle > 1) await page.send("Emulation.setCPUThrottlingRate", { rate: throttle });
    sink.scenario = s;
    sink.reset();
    const loaded = new Promise((r) => { onLoad = r; });
    await page.send("Page.navigate", { url: "https://shop.example.test/" });
    await Promise.race([loaded, sleep(10000)]);
    await sleep(100);

    const m0 = await metrics(page);
    const ld = await evaluate(page, s.load, s.loadArg, 30000);
    const m1 = await metrics(page);
    await sleep(IDLE_MS);
    const m2 = await metrics(page);
    const setup = { requests: sink.stats.requests, delivered: sink.delivered, gets: sink.stats.gets, served: sink.stats.served, notFound: sink.stats.notFound };

    sink.reset();
    const sent = n + 1; // one page view, then n events
    if (PROFILE) {
      await page.send("Profiler.enable");
      await page.send("Profiler.setSamplingInterval", { interval: 100 });
      await page.send("Profiler.start");
    }
    const t0 = performance.now();
    const mT0 = await metrics(page);
    const trackSyncMs = await evaluate(page, s.track, { n, method, product: PRODUCT }, DRAIN_TIMEOUT_MS);
    const tBack = performance.now();
    while (sink.delivered < sent && performance.now() - t0 < DRAIN_TIMEOUT_MS
      && performance.now() - Math.max(tBack, sink.stats.lastPostAt) < STALL_MS) await sleep(5);
    const tEnd = performance.now();
    const mT1 = await metrics(page);
    const profileTop = PROFILE ? topSelfTime((await page.send("Profiler.stop")).profile) : undefined;
    const st = sink.stats;
    const diag = s.group === "ours" ? await evaluate(page, () => window.__diag || [], null, 5000).catch(() => []) : undefined;
    const trackMainThreadMs = round1((mT1.TaskDuration - mT0.TaskDuration) * 1000);
    return {
      scriptLoadedMs: round1(ld.scriptLoadedMs),
      readyMs: round1(ld.readyMs),
      ...(ld.alloyReadyMs !== undefined && ld.alloyReadyMs !== null ? { alloyReadyMs: round1(ld.alloyReadyMs) } : {}),
      initMainThreadMs: round1((m1.TaskDuration - m0.TaskDuration) * 1000),
      idleMainThreadMs: round1((m2.TaskDuration - m1.TaskDuration) * 1000),
      trackSyncMs: round1(trackSyncMs),
      pageBusyMs: round1(tBack - t0),
      trackMainThreadMs,
      usPerEvent: Math.round((trackMainThreadMs * 1000) / sent),
      sent,
      delivered: sink.delivered,
      duplicates: st.duplicates,
      drainMs: sink.delivered >= sent ? round1(st.lastDeliveryAt - t0) : null,
      waitedMs: round1(tEnd - t0),
      requests: st.requests,
      preflights: st.preflights,
      bytesSent: st.bytes,
      heapMB: round1(mT1.JSHeapUsedSize / 1048576),
      setupRequests: setup.requests,
      setupDelivered: setup.delivered,
      ...(throttle === 1 && n === 20 ? { downloaded: setup.gets, servedFiles: Object.values(setup.served) } : {}),
      ...(Object.keys(setup.notFound).length ? { notFound: setup.notFound } : {}),
      ...(throttle === 1 && n === 20 ? { postsByPath: { ...st.byPath } } : {}),
      unmatchedPosts: st.unmatchedPosts,
      ...(errors.length ? { errors } : {}),
      ...(diag && diag.length ? { diagnostics: diag.slice(0, 10) } : {}),
      ...(profileTop ? { profileTop } : {}),
    };
  } finally {
    page.close();
    await browser.cdp.send("Target.disposeBrowserContext", { browserContextId }).catch(() => {});
  }
}

/** Self time per function (ms) from a CDP CPU profile, top 15. */
function topSelfTime(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const cf = byId.get(profile.samples[i]).callFrame;
    const where = cf.url ? `${cf.url.split("/").pop()}:${cf.lineNumber + 1}:${cf.columnNumber + 1}` : "";
    const key = `${cf.functionName || "(anonymous)"} ${where}`.trim();
    self.set(key, (self.get(key) || 0) + (profile.timeDeltas[i] || 0));
  }
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, us]) => [k, round1(us / 1000)]);
}

/** Which publish method our collector forwards right now: addToCart once its mapper lands. */
async function probeMethod() {
  const ours = allScenarios({ modules: join(HERE, "node_modules"), pkg: join(ROOT, "pkg"), work: WORK }).find((s) => s.name === "ours-direct");
  const seen = [];
  const probe = { ...ours, count: ({ json }) => { for (const e of (json && json.events) || []) seen.push(e.xdm && e.xdm.eventType); return []; } };
  try {
    await runOnce(probe, { n: 1, throttle: 1, method: "addToCart" });
  } catch (e) {
    log(`bench: method probe failed (${e.message}); using pageView`);
  }
  return seen.includes("commerce.productListAdds") ? "addToCart" : "pageView";
}

const KEYS = ["scriptLoadedMs", "readyMs", "alloyReadyMs", "initMainThreadMs", "idleMainThreadMs", "trackSyncMs", "pageBusyMs",
  "trackMainThreadMs", "usPerEvent", "sent", "delivered", "duplicates", "drainMs", "requests", "bytesSent", "heapMB"];

const started = performance.now();
const method = !env.EVENT_METHOD || env.EVENT_METHOD === "auto" ? await probeMethod() : env.EVENT_METHOD;
log(`bench: magentoStorefrontEvents method for ours and Adobe's: ${method}`);

const phases = [
  { id: "n20", events: 20, throttle: 1, runs: RUNS, what: "page view + 20 events" },
  { id: `n${BIG}`, events: BIG, throttle: 1, runs: RUNS, what: `page view + ${BIG}-event burst` },
  { id: "n20-cpu4", events: 20, throttle: 4, runs: RUNS, what: "page view + 20 events, 4x CPU throttling" },
  ...SWEEP.filter((n) => n !== 20 && n !== BIG).map((n) => ({ id: `sweep-n${n}`, events: n, throttle: 1, runs: SWEEP_RUNS, what: `page view + ${n} events (per-event plot)` })),
].filter((p) => !env.PHASES || env.PHASES.split(",").includes(p.id));

const results = {
  date: new Date().toISOString(),
  machine: {
    nproc: os.cpus().length,
    cpu: (readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/) || [])[1] || os.cpus()[0].model,
    memGB: round1(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    loadavgAtStart: os.loadavg().map(round1),
  },
  chromium: browser.version,
  node: process.version,
  commit: (() => { try { return execFileSync("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"]).toString().trim(); } catch { return null; } })(),
  method,
  settings: { runs: RUNS, sweepRuns: SWEEP_RUNS, idleMs: IDLE_MS, stallMs: STALL_MS, drainTimeoutMs: DRAIN_TIMEOUT_MS, slowRunS: SLOW_RUN_S, slowRuns: SLOW_RUNS, quick: QUICK, profiled: PROFILE },
  scenarios: Object.fromEntries(list.map((s) => [s.name, { group: s.group, what: s.what, method: s.usesMethod ? method : null }])),
  sizes: {},
  phases: {},
};

for (const ph of phases) {
  const per = Object.fromEntries(list.map((s) => [s.name, []]));
  const capped = {};
  // round robin (run i of every scenario, then run i+1), starting one scenario later each round,
  // so that drift and position effects hit all alike
  for (let i = 0; i < ph.runs; i++) {
    for (let j = 0; j < list.length; j++) {
      const s = list[(i + j) % list.length];
      if (capped[s.name] && per[s.name].length >= capped[s.name]) continue;
      let r;
      const tRun = performance.now();
      try { r = await runOnce(s, { n: ph.events, throttle: ph.throttle, method }); } catch (e) { r = { failed: String(e.message || e).slice(0, 300) }; }
      if (!capped[s.name] && SLOW_RUNS < ph.runs && performance.now() - tRun > SLOW_RUN_S * 1000) capped[s.name] = SLOW_RUNS;
      per[s.name].push(r);
      log(`${ph.id} ${s.name} ${i + 1}/${ph.runs}: ${r.failed ? "FAILED " + r.failed : `ready ${r.readyMs} ms, main thread ${r.trackMainThreadMs} ms, delivered ${r.delivered}/${r.sent}${r.errors ? ", errors: " + r.errors[0] : ""}`}`);
    }
  }
  results.phases[ph.id] = {
    what: ph.what, events: ph.events, sent: ph.events + 1, throttle: ph.throttle, runs: ph.runs,
    ...(Object.keys(capped).length ? { capped } : {}),
    scenarios: Object.fromEntries(list.map((s) => {
      const ok = per[s.name].filter((r) => !r.failed);
      const { median, p90 } = summarize(ok, KEYS);
      const delivered = ok.map((r) => r.delivered);
      return [s.name, {
        median, p90,
        okRuns: ok.length,
        runsMade: per[s.name].length,
        deliveredMin: delivered.length ? Math.min(...delivered) : 0,
        deliveredMax: delivered.length ? Math.max(...delivered) : 0,
        allDelivered: ok.length === per[s.name].length && ok.every((r) => r.delivered >= r.sent),
        runs: per[s.name],
      }];
    })),
  };
}

for (const s of list) {
  const runs = Object.values(results.phases).flatMap((p) => p.scenarios[s.name].runs).filter((r) => !r.failed);
  results.sizes[s.name] = sizesFor(s, runs);
}

await browser.close();
await Promise.race([sink.close(), sleep(3000)]);
results.elapsedS = Math.round((performance.now() - started) / 1000);
results.machine.loadavgAtEnd = os.loadavg().map(round1);

mkdirSync(OUT, { recursive: true });
const file = join(OUT, `bench-${PROFILE ? "profile-" : QUICK ? "quick-" : ""}${results.date.replace(/[:.]/g, "-")}.json`);
// one line per run keeps the file small and readable
const compact = (v, indent) => {
  if (Array.isArray(v) && v.length && typeof v[0] === "object") return `[\n${v.map((x) => indent + " " + JSON.stringify(x)).join(",\n")}\n${indent}]`;
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const inner = Object.entries(v).map(([k, x]) => `${indent} ${JSON.stringify(k)}: ${compact(x, indent + " ")}`);
    return inner.length ? `{\n${inner.join(",\n")}\n${indent}}` : "{}";
  }
  return JSON.stringify(v);
};
writeFileSync(file, compact(results, "") + "\n");
console.log(file);
process.exit(0);
