// Tables and the per-event plot from a bench result file.
//
//   node bench/report.mjs [FILE]           writes BENCHMARKS.md and bench/results/per-event.svg from FILE
//                                          (default: the newest full bench/results/bench-*.json) and
//                                          prints the headline table
//   node bench/report.mjs --print FILE     prints the tables only (smoke runs, subsets)
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..");
const RESULTS = join(HERE, "results");

const argv = process.argv.slice(2);
const printOnly = argv[0] === "--print";
const given = printOnly ? argv[1] : argv[0];
const file = given || join(RESULTS, readdirSync(RESULTS).filter((f) => /^bench-\d.*\.json$/.test(f)).sort().at(-1) || "");
const R = JSON.parse(readFileSync(file, "utf8"));
const rel = (p) => p.replace(ROOT + "/", "");

// ------------------------------------------------------------------ formatting helpers
const num = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? "n/a" : x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d }));
const kb = (b) => num(b / 1000, 1);
const names = Object.keys(R.scenarios);
const peers = names.filter((n) => R.scenarios[n].group === "peer");
const ours = names.filter((n) => R.scenarios[n].group === "ours");
const phase = (id) => R.phases[id];
const bigId = Object.keys(R.phases).find((k) => /^n\d+$/.test(k) && k !== "n20");
const med = (id, n, k) => phase(id)?.scenarios[n]?.median[k] ?? null;
const p90 = (id, n, k) => phase(id)?.scenarios[n]?.p90[k] ?? null;
const mp = (id, n, k, d = 0) => (phase(id) ? `${num(med(id, n, k), d)} / ${num(p90(id, n, k), d)}` : "n/a");
const deliveredCell = (id, n) => {
  const p = phase(id);
  if (!p) return "n/a";
  const s = p.scenarios[n];
  const lo = s.deliveredMin;
  const hi = s.deliveredMax;
  const ok = s.allDelivered ? "" : " ⚠";
  return `${lo === hi ? num(lo) : `${num(lo)}–${num(hi)}`} / ${num(p.sent)}${ok}`;
};
const table = (head, rows, align) => [
  `| ${head.join(" | ")} |`,
  `|${head.map((_, i) => (align && align[i] === "l" ? "---" : "---:")).join("|")}|`,
  ...rows.map((r) => `| ${r.join(" | ")} |`),
].join("\n");
const label = (n) => (R.scenarios[n].group === "ours" ? `**${n}**` : n);

// ------------------------------------------------------------------ headline
function headline() {
  const head = ["scenario", "download KB brotli (gzip)", "ready ms", "main thread ms, page view + 20 ev.", "… at 4× CPU", `main thread ms, page view + ${bigId ? phase(bigId).events : "?"} ev.`, "µs/event 20 → " + (bigId ? phase(bigId).events : "?"), "delivered, 20 ev.", `delivered, ${bigId ? phase(bigId).events : "?"} ev.`];
  const rows = names.map((n) => {
    const sz = R.sizes[n].total;
    return [
      label(n),
      `${kb(sz.brotli)} (${kb(sz.gzip)})`,
      mp("n20", n, "readyMs"),
      mp("n20", n, "trackMainThreadMs"),
      mp("n20-cpu4", n, "trackMainThreadMs"),
      bigId ? mp(bigId, n, "trackMainThreadMs") + (phase(bigId).capped?.[n] ? ` (${phase(bigId).capped[n]} runs)` : "") : "n/a",
      `${num(med("n20", n, "usPerEvent"))} → ${bigId ? num(med(bigId, n, "usPerEvent")) : "n/a"}`,
      deliveredCell("n20", n),
      bigId ? deliveredCell(bigId, n) : "n/a",
    ];
  });
  return table(head, rows, ["l"]);
}

// ------------------------------------------------------------------ sizes by file
function sizesTable() {
  const rows = [];
  for (const n of names) {
    for (const f of R.sizes[n].files) rows.push([label(n), `\`${f.label}\``, num(f.raw), num(f.gzip), num(f.brotli)]);
    if (R.sizes[n].files.length > 1) {
      const t = R.sizes[n].total;
      rows.push([label(n), "**total**", `**${num(t.raw)}**`, `**${num(t.gzip)}**`, `**${num(t.brotli)}**`]);
    }
  }
  const notes = names.filter((n) => R.sizes[n].declaredNotFetched).map((n) => `* ${n}: not fetched by the page, so not counted: ${R.sizes[n].declaredNotFetched.map((f) => `\`${f}\``).join(", ")}`);
  const src = names.some((n) => R.sizes[n].source === "fetched by the page") ? "Files are the scripts and wasm each scenario's page actually fetched from the sink (stub settings JSON left out).\n\n" : "";
  return src + table(["scenario", "file", "raw B", "gzip -9 B", "brotli -q 11 B"], rows, ["l", "l"]) + (notes.length ? "\n\n" + notes.join("\n") : "");
}

// ------------------------------------------------------------------ per phase details
function phaseTable(id) {
  const p = phase(id);
  const head = ["scenario", "ready ms", "init main thread ms", "idle main thread ms", "loop ms", "page busy ms", "main thread ms", "µs / event", "drain ms", "requests", "KB posted", "delivered"];
  const rows = names.map((n) => {
    const s = p.scenarios[n];
    if (!s.okRuns) return [label(n), ...Array(10).fill("failed"), deliveredCell(id, n)];
    const m = s.median;
    return [
      label(n), `${num(m.readyMs)}${m.alloyReadyMs !== undefined ? ` (+alloy ${num(m.alloyReadyMs)})` : ""}`,
      num(m.initMainThreadMs), num(m.idleMainThreadMs, 1), num(m.trackSyncMs, 1), num(m.pageBusyMs), `${num(m.trackMainThreadMs, 1)} / ${num(s.p90.trackMainThreadMs, 1)}`,
      num(m.usPerEvent), num(m.drainMs), num(m.requests), kb(m.bytesSent ?? NaN), deliveredCell(id, n),
    ];
  });
  const cap = p.capped ? ` (${Object.entries(p.capped).map(([n, k]) => `${n}: ${k} runs, as one run took over ${R.settings.slowRunS} s`).join("; ")})` : "";
  return `**${id}**: ${p.what}; ${p.runs} runs${cap}, ${p.sent} events sent per run (page view included), CPU ×${p.throttle}; medians (main thread: median / p90)\n\n${table(head, rows, ["l"])}`;
}

// ------------------------------------------------------------------ per-event series (plot)
function series() {
  const pts = {};
  for (const n of names) pts[n] = [];
  for (const [id, p] of Object.entries(R.phases)) {
    if (p.throttle !== 1) continue;
    for (const n of names) {
      const v = p.scenarios[n]?.median.usPerEvent;
      if (typeof v === "number") pts[n].push([p.events, v]);
    }
  }
  for (const n of names) pts[n].sort((a, b) => a[0] - b[0]);
  return pts;
}
function seriesTable(pts) {
  const sizes = [...new Set(Object.values(pts).flat().map((p) => p[0]))].sort((a, b) => a - b);
  const rows = names.map((n) => [label(n), ...sizes.map((x) => num(pts[n].find((p) => p[0] === x)?.[1]))]);
  return table(["scenario", ...sizes.map((x) => `burst ${x}`)], rows, ["l"]);
}

const COLORS = {
  "ours-direct": "#d62728", "ours-handoff": "#ff7f0e", "adobe-commerce": "#1f4e99", "adobe-aep": "#4a90d9",
  "adobe-aep-alloy": "#7fb3e6", snowplow: "#2ca02c", segment: "#9467bd", rudderstack: "#8c564b",
};
const DASH = { "adobe-aep": "6 3", "adobe-aep-alloy": "2 3", "ours-handoff": "6 3" };

function svg(pts) {
  const W = 820, H = 480, L = 70, T = 46, PW = 520, PH = 360;
  const xs = Object.values(pts).flat().map((p) => p[0]);
  const ys = Object.values(pts).flat().map((p) => p[1]).filter((y) => y > 0);
  const x0 = Math.log10(Math.min(...xs)), x1 = Math.log10(Math.max(...xs));
  const y0 = Math.floor(Math.log10(Math.min(...ys))), y1 = Math.ceil(Math.log10(Math.max(...ys)));
  const X = (x) => L + ((Math.log10(x) - x0) / (x1 - x0 || 1)) * PW;
  const Y = (y) => T + PH - ((Math.log10(Math.max(y, 10 ** y0)) - y0) / (y1 - y0 || 1)) * PH;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${L}" y="22" font-size="15" font-weight="bold">Main-thread time per event vs burst size</text>`);
  out.push(`<text x="${L}" y="38" fill="#555">median of runs, headless ${R.chromium}, CPU ×1, ${R.date.slice(0, 10)}; log–log</text>`);
  // grid and y axis: decades with 2 and 5 minor lines
  for (let d = y0; d <= y1; d++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** d;
      if (Math.log10(v) > y1 + 1e-9) continue;
      const y = Y(v);
      out.push(`<line x1="${L}" x2="${L + PW}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="${m === 1 ? "#ccc" : "#eee"}"/>`);
      if (m === 1 || y1 - y0 <= 2) out.push(`<text x="${L - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" fill="#333">${num(v)}</text>`);
    }
  }
  const ticks = [...new Set(xs)].sort((a, b) => a - b);
  for (const x of ticks) {
    out.push(`<line x1="${X(x).toFixed(1)}" x2="${X(x).toFixed(1)}" y1="${T}" y2="${T + PH}" stroke="#eee"/>`);
    out.push(`<text x="${X(x).toFixed(1)}" y="${T + PH + 16}" text-anchor="middle" fill="#333">${num(x)}</text>`);
  }
  out.push(`<rect x="${L}" y="${T}" width="${PW}" height="${PH}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${L + PW / 2}" y="${T + PH + 34}" text-anchor="middle">events in the burst (after one page view)</text>`);
  out.push(`<text transform="translate(18 ${T + PH / 2}) rotate(-90)" text-anchor="middle">main-thread µs per event</text>`);
  // series, peers first so that ours are drawn on top
  const order = [...peers, ...ours];
  for (const n of order) {
    const p = pts[n];
    if (!p.length) continue;
    const c = COLORS[n] || "#444";
    const w = R.scenarios[n].group === "ours" ? 3 : 2;
    const d = p.map(([x, y], i) => `${i ? "L" : "M"}${X(x).toFixed(1)} ${Y(y).toFixed(1)}`).join(" ");
    out.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="${w}"${DASH[n] ? ` stroke-dasharray="${DASH[n]}"` : ""}/>`);
    for (const [x, y] of p) out.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="${w + 0.5}" fill="${c}"/>`);
  }
  // legend
  order.forEach((n, i) => {
    const y = T + 10 + i * 22;
    const c = COLORS[n] || "#444";
    out.push(`<line x1="${L + PW + 20}" x2="${L + PW + 48}" y1="${y}" y2="${y}" stroke="${c}" stroke-width="${R.scenarios[n].group === "ours" ? 3 : 2}"${DASH[n] ? ` stroke-dasharray="${DASH[n]}"` : ""}/>`);
    out.push(`<text x="${L + PW + 54}" y="${y + 4}"${R.scenarios[n].group === "ours" ? ' font-weight="bold"' : ""}>${n}</text>`);
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}

// ------------------------------------------------------------------ issue 8 targets as measured ratios
function targets() {
  const best = (id, k) => {
    const vals = peers.map((n) => [n, med(id, n, k)]).filter(([, v]) => typeof v === "number");
    return vals.sort((a, b) => a[1] - b[1])[0] || [null, null];
  };
  const [readyPeer, readyBest] = best("n20", "readyMs");
  const [mtPeer, mtBest] = best("n20", "trackMainThreadMs");
  const rows = [];
  const ratio = (a, b) => (typeof a === "number" && typeof b === "number" && b > 0 ? a / b : null);
  const verdict = (ok) => (ok === null ? "n/a" : ok ? "met" : "**not met**");
  for (const n of ours) {
    const br = R.sizes[n].files.filter((f) => f.file.startsWith("pkg/")).reduce((t, f) => t + f.brotli, 0);
    rows.push([label(n), "download ≤ 15 KB brotli (all of ours the page fetches)", `${num(br)} B = ${num(br / 15000, 2)}× the budget`, verdict(br <= 15000)]);
    const r1 = ratio(med("n20", n, "readyMs"), readyBest);
    rows.push([label(n), `ready ≤ fastest peer (${readyPeer}, ${num(readyBest)} ms)`, `${num(med("n20", n, "readyMs"))} ms = ${num(r1, 2)}×`, verdict(r1 === null ? null : r1 <= 1)]);
    const r2 = ratio(med("n20", n, "trackMainThreadMs"), mtBest);
    rows.push([label(n), `main thread, 20 events ≤ ½ best peer (${mtPeer}, ${num(mtBest, 1)} ms)`, `${num(med("n20", n, "trackMainThreadMs"), 1)} ms = ${num(r2, 2)}× (target ≤ 0.50×)`, verdict(r2 === null ? null : r2 <= 0.5)]);
    const r3 = bigId ? ratio(med(bigId, n, "usPerEvent"), med("n20", n, "usPerEvent")) : null;
    rows.push([label(n), `flat: µs/event at ${bigId ? phase(bigId).events : "?"} ≤ 1.2× µs/event at 20`, `${num(med(bigId, n, "usPerEvent"))} / ${num(med("n20", n, "usPerEvent"))} µs = ${num(r3, 2)}×`, verdict(r3 === null ? null : r3 <= 1.2)]);
    const lost = Object.values(R.phases).reduce((t, p) => t + (p.scenarios[n]?.runs || []).filter((r) => !r.failed).reduce((u, r) => u + Math.max(0, r.sent - r.delivered), 0), 0);
    const sent = Object.values(R.phases).reduce((t, p) => t + (p.scenarios[n]?.runs || []).filter((r) => !r.failed).reduce((u, r) => u + r.sent, 0), 0);
    rows.push([label(n), "zero events lost (all phases, all runs)", `${num(lost)} lost of ${num(sent)}`, verdict(lost === 0)]);
  }
  return table(["scenario", "target (issue 8)", "measured", ""], rows, ["l", "l", "l", "l"]);
}

// ------------------------------------------------------------------ CPU profile attribution (PROFILE=1 runs)
function profileSection() {
  const pf = readdirSync(RESULTS).filter((f) => /^bench-profile-.*\.json$/.test(f)).sort().at(-1);
  if (!pf) return "";
  const P = JSON.parse(readFileSync(join(RESULTS, pf), "utf8"));
  const parts = [];
  for (const [id, p] of Object.entries(P.phases)) {
    for (const [n, sc] of Object.entries(p.scenarios)) {
      const runs = sc.runs.filter((r) => r.profileTop);
      if (!runs.length) continue;
      const agg = new Map();
      for (const r of runs) for (const [k, v] of r.profileTop) if (k !== "(idle)") agg.set(k, (agg.get(k) || 0) + v / runs.length);
      const top = [...agg.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
      parts.push(`**${n}**, ${p.events} events (${runs.length} runs, main thread ${num(sc.median.trackMainThreadMs)} ms while profiled): ` +
        top.map(([k, v]) => `\`${k}\` ${num(v, 1)}`).join(", "));
    }
  }
  return `## Where the time goes (CPU profile)

From [\`bench/results/${pf}\`](bench/results/${pf}) (\`PROFILE=1\`, commit \`${P.commit}\`, ${P.date.slice(0, 10)}): self time in ms
per function during the page view + burst, averaged over runs. Sampling inflates timings, so use
this for where time goes, not how much. \`(program)\` is native browser work outside JavaScript (IPC,
network callbacks); \`get cookie\` is the \`document.cookie\` getter; \`fetch\` the call itself.

${parts.map((x) => `* ${x}`).join("\n")}
`;
}

// ------------------------------------------------------------------ output
const pts = series();
const method = R.method;
const headlineMd = headline();
const scenarioList = names.map((n) => `* ${label(n)}: ${R.scenarios[n].what}${R.scenarios[n].method ? ` — publishes \`pageView\` then \`${R.scenarios[n].method}\`` : ""}`).join("\n");

if (printOnly) {
  console.log(`\n${rel(file)}: ${R.chromium}, ${R.settings.runs} runs, method ${method}${R.settings.quick ? " (QUICK)" : ""}\n`);
  console.log(headlineMd);
  console.log("\nTargets (issue 8):\n");
  console.log(targets());
  process.exit(0);
}

const svgFile = join(RESULTS, "per-event.svg");
writeFileSync(svgFile, svg(pts));
const md = `# Benchmarks

storefront-collector side by side with Adobe's storefront events SDK + collector, alloy (Adobe Web
SDK), Snowplow, Segment and RudderStack: same browser, same page, same run. Generated by
\`bench/report.mjs\` from [\`${rel(file)}\`](${rel(file)}); do not edit by hand.

* Date: ${R.date} (commit \`${R.commit}\`, run took ${Math.round(R.elapsedS / 60)} min)
* Machine: ${R.machine.nproc} vCPU ${R.machine.cpu}, ${R.machine.memGB} GB RAM, ${R.machine.os}${R.machine.loadavgAtStart ? `; load average ${R.machine.loadavgAtStart.join(" / ")} at the start and ${R.machine.loadavgAtEnd.join(" / ")} at the end (1 / 5 / 15 min; above ~1 the machine was shared with other work, which adds noise)` : ""}
* Browser: headless ${R.chromium}, driven over raw CDP from Node ${R.node}
* Runs: ${R.settings.runs} per scenario and phase (${R.settings.sweepRuns} for the extra burst sizes of the plot); medians, p90 = nearest rank (with 7 runs: the slowest run)
* Event method for ours and Adobe's collector: \`publish.pageView()\`, then \`publish.${method}()\` per event

## Reproduce

\`\`\`bash
scripts/bench.sh                 # ~15-20 min on 2 vCPU: setup, npm peers, build pkg/, run, this file + the plot
QUICK=1 scripts/bench.sh         # smoke run (2 runs, 200-event burst), prints the tables only
RUNS=9 scripts/bench.sh ours-direct snowplow    # a subset, more runs (prints only)
node bench/engine.mjs [other.wasm ...]          # the engine alone in Node, seconds: 20 and 1,000 events
\`\`\`

\`bench/engine.mjs\` times the wasm engine without a browser (a page view + N events in direct mode,
every request answered), alternating variants of the module in child processes. It is the quick
check for a change that trades speed for size (allocator, wasm-opt passes); the browser figures
below are the ones that count.

Not part of CI. Everything runs on loopback: Chromium maps every host the SDKs use to a local
HTTP/2+TLS sink (\`bench/lib/sink.mjs\`), which serves the scripts from the pinned npm packages
(\`bench/package.json\`) and our \`pkg/\`, answers like each SDK's endpoint (Snowplow \`tp2\`, Segment,
RudderStack incl. its source config, Adobe's Commerce Snowplow endpoint, the Edge \`interact\` /
\`collect\` / \`identity/acquire\` / \`privacy/set-consent\` with \`state:store\` cookies) and counts
distinct delivered events.

## Headline

${headlineMd}

*download* = what a storefront fetches for the scenario (alloy included where it is on the page);
*ready* = script inserted → the SDK's own ready signal (ours: \`magentoStorefrontEvents.ready\`; for
the alloy scenarios alloy was loaded and configured first, its time is in the phase tables);
*main thread* = CDP \`Performance.getMetrics\` \`TaskDuration\` from just before the page view + burst
until every event reached the sink (or 5 s without a request), median / p90; *µs/event* = that time
divided by the events sent; *delivered* = distinct events the sink received / sent, lowest–highest
over the runs (⚠: some run lost events). Ours compiles its engine paths ahead: once the page is idle
after load, a throw-away collector runs a page view and a cart event through them (nothing is sent),
so that work is counted in the phase tables' *idle* column, not in the *main thread* window.

![main-thread µs per event against burst size](bench/results/per-event.svg)

### Targets of issue 8, as measured in this run

${targets()}

${profileSection()}
## Scenarios

${scenarioList}

Each run: fresh browser context (empty cookies and storage), page \`https://shop.example.test/\`,
\`load\` (insert the script tag(s) like a tag manager, configure, wait for ready), 1.5 s idle, then one
page view and N events in one synchronous loop, then wait until the sink has all N + 1 events. Phases
run round robin (run 1 of every scenario, then run 2, …) so drift hits all alike.

## Download size

${sizesTable()}

## Per phase

${Object.keys(R.phases).map(phaseTable).join("\n\n")}

*init main thread* = task time during \`load\`; *idle* = during the idle pause; *loop* = wall time of
the synchronous loop in the page; *page busy* = loop start → the page answered CDP again (work deferred
to promises shows here); *drain* = loop start → last event at the sink.

## Main-thread µs per event by burst size (the plot's data)

${seriesTable(pts)}

## Caveats

* A 2-vCPU VM, headless, loopback network with near-zero latency, and a sink that answers at once:
  real networks make request-per-event SDKs look worse on drain time. Numbers move ±20 % between
  runs; compare rows of the same run, not across files.
* Main-thread time counts every task on the page's main thread in the window, whatever caused it
  (the loop, promises, timers such as the Adobe collector's 1 s consent poll, network callbacks,
  storage writes). Work on other threads (wasm compilation, network) is not in it.
* RudderStack is its "bundled" build (core + plugins, no remote plugin loading), minified with terser
  as its CDN build is; its default CDN core is smaller but fetches plugins at run time.
* Adobe's collector forwards to AEP only when \`datastreamId\` and \`imsOrgId\` are both set, even with
  \`webSdkName\`; its bundled alloy starts with consent \`pending\` and a 1 s timer sets it from the
  \`mg_dnt\` cookie, so its first AEP event waits up to a second.
`;
writeFileSync(join(ROOT, "BENCHMARKS.md"), md);
console.log(`\n${rel(file)}: ${R.chromium}, ${R.settings.runs} runs, method ${method}\n`);
console.log(headlineMd);
console.log("\nTargets (issue 8):\n");
console.log(targets());
console.log(`\nwrote BENCHMARKS.md and ${rel(svgFile)}`);
