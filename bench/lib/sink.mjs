// The local sink: one HTTP/2 + TLS server on 127.0.0.1 that Chromium reaches for every host the
// SDKs use (--host-resolver-rules). It serves the storefront stand-in page and the SDK files, stub
// CDN settings, answers each SDK's collector requests the way its real endpoint would, and counts
// the benchmark events it receives (distinct event ids, so a retried event is not counted twice).
import http2 from "node:http2";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";

/** The storefront stand-in: helpers to insert a script tag and to wait for a condition. */
export const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Juno Jacket | Luma</title>
<script>
window.__loadScript = function (src) {
  return new Promise(function (resolve, reject) {
    var s = document.createElement("script"); s.src = src; s.async = true;
    s.onload = function () { resolve(performance.now()); };
    s.onerror = function () { reject(new Error("load failed: " + src)); };
    document.head.appendChild(s);
  });
};
window.__waitFor = function (cond, timeout) {
  return new Promise(function (resolve, reject) {
    var t0 = performance.now();
    (function poll() {
      var ok = false; try { ok = cond(); } catch (e) {}
      if (ok) return resolve(performance.now());
      if (performance.now() - t0 > timeout) return reject(new Error("timeout waiting for the SDK"));
      setTimeout(poll, 2);
    })();
  });
};
</script></head><body><h1>Juno Jacket</h1><p>Storefront page stand-in for the benchmark.</p></body></html>`;

const EDGE_HOSTS = new Set(["edge.adobedc.net", "adobedc.demdex.net"]);
const EDGE_PATH = /^\/ee(?:\/([a-z0-9]+))?\/v1\/(interact|collect|identity\/acquire|privacy\/set-consent)$/;

/** base64 of the protobuf {1: ecid}: the `kndctr_<org>_identity` cookie value alloy reads. */
function identityCookie(ecid) {
  return Buffer.concat([Buffer.from([0x0a, ecid.length]), Buffer.from(ecid)]).toString("base64");
}

function freshStats() {
  return {
    requests: 0, bytes: 0, preflights: 0, unmatchedPosts: 0, duplicates: 0,
    ids: new Set(), byPath: {}, gets: {}, served: {}, notFound: {}, lastPostAt: 0, lastDeliveryAt: 0,
  };
}

/**
 * Starts the sink. `cert` / `key` are PEM file paths. Set `sink.scenario` to the scenario under
 * test (its `route(host, path)` and `count(req)`), and call `sink.reset()` to start a new counting
 * phase; `sink.stats` holds what was counted since.
 */
export async function startSink({ cert, key }) {
  const files = new Map(); // path -> Buffer, read once so disk reads do not show up in timings
  const readOnce = (p) => {
    if (!files.has(p)) files.set(p, readFileSync(p));
    return files.get(p);
  };
  let ecidCounter = 0;
  const sink = {
    scenario: null,
    stats: freshStats(),
    reset() { this.stats = freshStats(); },
    get delivered() { return this.stats.ids.size; },
  };

  function cors(req, headers = {}) {
    const origin = req.headers.origin;
    return {
      "access-control-allow-origin": origin || "*",
      ...(origin ? { "access-control-allow-credentials": "true" } : {}),
      "access-control-allow-methods": "GET, POST, OPTIONS",
      ...(req.headers["access-control-request-headers"] ? { "access-control-allow-headers": req.headers["access-control-request-headers"] } : {}),
      "access-control-expose-headers": "x-adobe-edge, retry-after, x-request-id",
      "access-control-max-age": "600",
      "timing-allow-origin": "*",
      ...headers,
    };
  }

  // What the Edge answers to interact / identity / consent: a requestId, a location hint, an
  // identity (only when the shopper has none yet) and the state:store cookies alloy and our direct
  // mode write on the page's domain.
  function edgeAnswer(req, url, body) {
    const org = "1234_AdobeOrg";
    const cookies = String(req.headers.cookie || "");
    const entries = (body && body.meta && body.meta.state && body.meta.state.entries) || [];
    const known = /kndctr_[^=;]+_identity=/.test(cookies) || entries.some((e) => /_identity$/.test(String(e.key)));
    const handle = [{ type: "locationHint:result", payload: [{ scope: "EdgeNetwork", hint: "or2", ttlSeconds: 1800 }] }];
    const store = [{ key: `kndctr_${org}_cluster`, value: "or2", maxAge: 1800 }];
    if (!known) {
      const ecid = String(++ecidCounter).padStart(38, "4");
      handle.push({ type: "identity:result", payload: [{ id: ecid, namespace: { code: "ECID" } }] });
      store.push({ key: `kndctr_${org}_identity`, value: identityCookie(ecid), maxAge: 34128000 });
    }
    // set-consent: the Edge stores the choice in the consent cookie, which alloy reads back
    const consent = body && Array.isArray(body.consent) && body.consent[0];
    if (consent) {
      const v = consent.value || {};
      const out = v.general === "out" || (v.collect && v.collect.val === "n");
      store.push({ key: `kndctr_${org}_consent`, value: `general=${out ? "out" : "in"}`, maxAge: 15552000 });
    }
    handle.push({ type: "state:store", payload: store });
    return { requestId: `${url.searchParams.get("requestId") || "bench"}-${randomBytes(8).toString("hex")}`, handle };
  }

  function handler(req, res) {
    const host = String(req.headers[":authority"] || req.headers.host || "").replace(/:\d+$/, "");
    const url = new URL(req.url, `https://${host}`);
    const path = url.pathname;
    if (req.method === "OPTIONS") {
      sink.stats.preflights++;
      res.writeHead(204, cors(req));
      return res.end();
    }
    if (req.method === "GET" || req.method === "HEAD") {
      if (host === "shop.example.test" && path === "/") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
        return res.end(PAGE);
      }
      const r = sink.scenario && sink.scenario.route(host, path);
      let body = null;
      let type = "application/javascript; charset=utf-8";
      if (r && r.file) {
        body = readOnce(r.file);
        sink.stats.served[`${host}${path}`] = r.file;
        if (r.file.endsWith(".wasm")) type = "application/wasm";
      } else if (r && r.json !== undefined) {
        body = Buffer.from(JSON.stringify(r.json));
        type = "application/json";
      }
      if (!body) {
        const k = `${host}${path}`;
        sink.stats.notFound[k] = (sink.stats.notFound[k] || 0) + 1;
        res.writeHead(404, cors(req, { "content-type": "text/plain" }));
        return res.end("not found");
      }
      const k = `${host}${path}`;
      sink.stats.gets[k] = (sink.stats.gets[k] || 0) + body.length;
      res.writeHead(200, cors(req, { "content-type": type, "cache-control": "no-store" }));
      return res.end(body);
    }
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const buf = Buffer.concat(chunks);
      const st = sink.stats;
      st.requests++;
      st.bytes += buf.length;
      const k = `${host}${path}`;
      st.byPath[k] = (st.byPath[k] || 0) + 1;
      const text = buf.toString("utf8");
      let json = null;
      try { json = JSON.parse(text); } catch { /* not JSON (e.g. a GET-style beacon) */ }
      let ids = [];
      try { ids = (sink.scenario && sink.scenario.count({ host, path, json, text, requestId: url.searchParams.get("requestId") })) || []; } catch { ids = []; }
      if (ids.length === 0) st.unmatchedPosts++;
      for (const id of ids) {
        if (st.ids.has(id)) st.duplicates++;
        else st.ids.add(id);
      }
      st.lastPostAt = performance.now();
      if (ids.length) st.lastDeliveryAt = st.lastPostAt;

      const edge = EDGE_HOSTS.has(host) && EDGE_PATH.exec(path);
      if (edge) {
        if (edge[2] === "collect") { res.writeHead(204, cors(req)); return res.end(); }
        res.writeHead(200, cors(req, { "content-type": "application/json", "x-adobe-edge": "OR2;9" }));
        return res.end(JSON.stringify(edgeAnswer(req, url, json)));
      }
      res.writeHead(200, cors(req, { "content-type": "application/json" }));
      res.end('{"ok":true}');
    });
  }

  const server = http2.createSecureServer({ key: readFileSync(key), cert: readFileSync(cert), allowHTTP1: true }, handler);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  sink.port = server.address().port;
  sink.close = () => new Promise((resolve) => server.close(() => resolve()));
  return sink;
}
