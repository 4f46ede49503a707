// The engine alone, in Node: how long the wasm takes for a page view + N storefront events in
// direct mode (contexts set, consent in, every request answered 200), without a browser, a page or
// a network. A quick check for changes that trade speed for size (allocator, wasm-opt passes,
// inlining); the browser numbers that count are scripts/bench.sh's.
//
//   node bench/engine.mjs [--events 20,1000] [--runs 9] [variant.wasm ...]
//
// With no variant, it measures pkg/storefront_collector_bg.wasm. Each variant must come from the
// same wasm-bindgen output as pkg/ (same imports), e.g. wasm-opt run with other flags. Variants are
// measured in alternating child processes, so that a busy machine affects them alike; it prints the
// minimum and the median of the runs, in ms, per variant and event count.
import { readFileSync, readdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = new URL("../", import.meta.url);
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at < 0 ? fallback : args.splice(at, 2)[1];
};

if (args[0] === "--child") {
  const [, wasmPath, events, runs] = args;
  console.log(JSON.stringify(await measure(wasmPath, +events, +runs)));
} else {
  const counts = option("--events", "20,1000").split(",").map(Number);
  const runs = +option("--runs", "9");
  const variants = args.length ? args : [fileURLToPath(new URL("pkg/storefront_collector_bg.wasm", root))];
  const results = {};
  for (let round = 0; round < 3; round++) {
    for (const events of counts) {
      for (const wasm of variants) {
        const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--child", wasm, String(events), String(runs)]);
        const key = `${wasm}\t${events}`;
        (results[key] ||= []).push(...JSON.parse(out));
      }
    }
  }
  console.log("variant\tevents\tmin ms\tmedian ms\tµs/event (median)");
  for (const [key, times] of Object.entries(results)) {
    times.sort((a, b) => a - b);
    const events = +key.split("\t")[1], median = times[times.length >> 1];
    console.log(`${key}\t${times[0].toFixed(2)}\t${median.toFixed(2)}\t${((median * 1000) / (events + 1)).toFixed(1)}`);
  }
}

/** `runs` timed page lives (after one untimed, which compiles) in a fresh module instance. */
async function measure(wasmPath, events, runs) {
  const generated = await import(new URL("pkg/storefront_collector.js", root));
  generated.initSync({ module: readFileSync(wasmPath) });
  // The generated glue runs each collector's effects on the host attached to its handle in
  // js/host.js (copied to pkg/snippets/…).
  const [snippets] = readdirSync(new URL("pkg/snippets/", root));
  const { attach } = await import(new URL(`pkg/snippets/${snippets}/js/host.js`, root));
  const glue = { ...generated, collector_new: (host) => { const handle = generated.collector_new(); attach(handle, host); return handle; } };
  const times = [];
  for (let run = 0; run <= runs; run++) {
    const elapsed = pageLife(glue, events);
    if (run) times.push(elapsed);
  }
  return times;
}

/** One page: contexts, consent, a page view and `events` alternating product views and adds to
 *  cart, a tick and the Edge's 200 answers every 20 events (as a burst's tasks would see them). */
function pageLife(glue, events) {
  let requests = [];
  const host = { run: (op, a) => { if (op === "fetch" || op === "fetch-keepalive") requests.push(a); return ""; } };
  const handle = glue.collector_new(host);
  const call = (op, a, b) => glue.collector_call(handle, op, a, b);
  const t = 1_700_000_000_000;
  call("start", "[]", JSON.stringify([t, "bench", "", 0, 0]));
  const contexts = {
    aepContext: { imsOrgId: "1234@AdobeOrg", datastreamId: "ds-1", datasetId: "set-1" },
    eventForwardingContext: { aep: true },
    pageContext: { pageType: "Category", pageName: "Shirts" },
    storefrontInstanceContext: { storeViewCurrencyCode: "USD", baseCurrencyCode: "USD", websiteName: "Main" },
    shopperContext: { shopperId: "logged-in" },
    accountContext: { emailAddress: "shopper@example.com" },
    productContext: { sku: "S1", name: "Shirt", pricing: { regularPrice: 20, specialPrice: 18, currencyCode: "USD" } },
    changedProductsContext: { items: [{ product: { sku: "S1", name: "Shirt" }, quantity: 1, prices: { price: { value: 18, currency: "USD" } } }] },
    shoppingCartContext: {
      id: "cart-1",
      items: [{
        product: { sku: "S1", name: "Shirt", mainImageUrl: "https://shop.example/s1.png", pricing: { regularPrice: 20, specialPrice: 18 } },
        quantity: 2, prices: { price: { value: 18, currency: "USD" } },
        configurableOptions: [{ optionLabel: "Size", valueLabel: "M" }],
      }],
    },
  };
  for (const [key, value] of Object.entries(contexts)) call("set", key, JSON.stringify(value));
  call("consent", '"in"', JSON.stringify(["choice", "c-1"]));
  const start = performance.now();
  const url = "https://shop.example/category/shirts";
  call("publish", "[]", JSON.stringify(["pageView", t, url, "", false, "e-page"]));
  const answer = (now) => {
    call("tick", "", JSON.stringify([now]));
    const waiting = requests;
    requests = [];
    for (const id of waiting) call("response", '{"requestId":"r","handle":[]}', JSON.stringify([id, 200, null, now, 0.5]));
  };
  for (let i = 0; i < events; i++) {
    call("publish", "[]", JSON.stringify([i % 2 ? "addToCart" : "productPageView", t + i, url, "", false, "e-" + i]));
    if (i % 20 === 19) answer(t + i);
  }
  answer(t + events);
  const elapsed = performance.now() - start;
  if (call("held", "", "") !== "0") throw new Error(`${call("held", "", "")} events still held: the benchmark's page did not deliver`);
  glue.collector_free(handle);
  return elapsed;
}
