// A small TLS stand-in for the Edge Network, for the delivery tests until they run against the
// project's Rust edge-emulator: one HTTPS server on 127.0.0.1 that serves the repository (the
// "shop" at https://shop.example.test/...) and answers /ee[/hint]/v1/{interact,collect} like the
// Edge (identity:result, state:store identity + cluster cookies, 204 for collect), records every
// event it accepts, and injects faults on request (`stub.faults.push({status, retryAfter})`).
import { createServer } from "node:https";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, extname, normalize } from "node:path";
import { tmpdir } from "node:os";
import { randomBytes } from "node:crypto";
import { ROOT } from "../../scripts/serve.mjs";

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

/** base64 of protobuf {1: ecid}, the identity cookie format alloy reads. */
export function identityCookie(ecid) {
  return Buffer.concat([Buffer.from([0x0a, ecid.length]), Buffer.from(ecid)]).toString("base64");
}

export async function startEdgeStub({ org = "1234@AdobeOrg" } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "sfc-edge-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"),
    "-out", join(dir, "cert.pem"), "-days", "2", "-subj", "/CN=edge.example.test",
    "-addext", "subjectAltName=DNS:edge.example.test,DNS:shop.example.test,IP:127.0.0.1"], { stdio: "ignore" });
  const orgKey = org.replace("@", "_");
  // `pageHeaders[path]` adds response headers to a served file (e.g. a Content-Security-Policy).
  const stub = { events: [], requests: [], consents: [], faults: [], delayMs: 0, pageHeaders: {} };
  const server = createServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }, async (req, res) => {
    const url = new URL(req.url, "https://x");
    if (req.method === "GET") {
      const file = normalize(join(ROOT, decodeURIComponent(url.pathname)));
      if (!file.startsWith(normalize(ROOT))) return res.writeHead(403).end();
      try {
        const body = await readFile(file);
        res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream", "cache-control": "no-store", ...stub.pageHeaders[url.pathname] });
        return res.end(body);
      } catch {
        return res.writeHead(404).end();
      }
    }
    const cors = {
      "access-control-allow-origin": req.headers.origin || "*",
      "access-control-allow-credentials": "true",
      "access-control-expose-headers": "x-adobe-edge, retry-after, x-request-id",
    };
    if (req.method === "OPTIONS") return res.writeHead(204, { ...cors, "access-control-allow-headers": "content-type" }).end();
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const text = Buffer.concat(chunks).toString("utf8");
    const match = url.pathname.match(/^\/ee(?:\/([a-z0-9]+))?\/v1\/(interact|collect|privacy\/set-consent)$/);
    stub.requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), cookie: req.headers.cookie || "", body: text });
    if (!match) return res.writeHead(404, cors).end();
    const fault = stub.faults.shift();
    if (stub.delayMs) await new Promise((r) => setTimeout(r, stub.delayMs));
    if (fault) {
      const headers = { ...cors, "content-type": "application/problem+json" };
      if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter);
      return res.writeHead(fault.status, headers).end(JSON.stringify({ type: "https://ns.adobe.com/aep/errors/EXEG-0000", status: fault.status, title: "injected" }));
    }
    let body;
    try { body = JSON.parse(text); } catch { return res.writeHead(400, cors).end(); }
    if (match[2] === "privacy/set-consent") {
      stub.consents.push(body.consent);
      const general = (body.consent || []).map((c) => c.value && c.value.general).find(Boolean) || "in";
      res.writeHead(200, { ...cors, "content-type": "application/json" });
      return res.end(JSON.stringify({ requestId: url.searchParams.get("requestId") + "-0123456789abcdef", handle: [
        { type: "state:store", payload: [{ key: `kndctr_${orgKey}_consent`, value: "general=" + general, maxAge: 15552000 }] },
      ] }));
    }
    for (const event of body.events || []) stub.events.push({ xdm: event.xdm, meta: body.meta, action: match[2], hint: match[1] || null, configId: url.searchParams.get("configId") });
    if (match[2] === "collect") return res.writeHead(204, cors).end();
    const known = /kndctr_[^=]+_identity=([^;]+)/.exec(req.headers.cookie || "");
    const ecid = known ? null : "4" + BigInt("0x" + randomBytes(16).toString("hex")).toString().padStart(37, "0").slice(0, 37);
    const handle = [{ type: "locationHint:result", payload: [{ scope: "EdgeNetwork", hint: "or2", ttlSeconds: 1800 }] }];
    const store = [{ key: `kndctr_${orgKey}_cluster`, value: "or2", maxAge: 1800 }];
    if (ecid) {
      handle.push({ type: "identity:result", payload: [{ id: ecid, namespace: { code: "ECID" } }] });
      store.push({ key: `kndctr_${orgKey}_identity`, value: identityCookie(ecid), maxAge: 34128000 });
    }
    handle.push({ type: "state:store", payload: store });
    res.writeHead(200, { ...cors, "content-type": "application/json", "x-adobe-edge": "OR2;9" });
    res.end(JSON.stringify({ requestId: url.searchParams.get("requestId") + "-0123456789abcdef", handle }));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = server.address().port;
  stub.port = port;
  stub.hostRules = `MAP shop.example.test 127.0.0.1:${port}, MAP edge.example.test 127.0.0.1:${port}, MAP * ~NOTFOUND`;
  stub.close = () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => { rmSync(dir, { recursive: true, force: true }); r(); }); });
  return stub;
}
