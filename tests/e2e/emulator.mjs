// Runs the project's Rust Edge emulator (emulator/, binary `edge-emulator`) for browser tests: builds
// the debug binary once, starts it on free loopback ports with a throw-away data directory, and talks
// to its admin API (events, SQL queries, faults, reset). `launchShopWithEmulator()` adds an HTTPS
// server for the repository (the "shop", with the emulator's certificate) and a headless Chromium in
// which `shop.example.test` is that server and `edge.example.test` is the emulator.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { ROOT, serve } from "../../scripts/serve.mjs";
import { launch } from "./harness.mjs";

export const EMULATOR_BIN = join(ROOT, "target/x86_64-unknown-linux-gnu/debug/edge-emulator");
let built = false;

/** Builds the emulator (debug, host target) unless this process already did. */
export function buildEmulator() {
  if (built) return;
  execFileSync("cargo", ["+stable", "build", "--quiet", "-p", "edge-emulator", "--target", "x86_64-unknown-linux-gnu"],
    { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  built = true;
}

/** Starts `edge-emulator serve` with `args` added. `dataDir` (default: a new temp dir, removed by
 *  `stop()` unless given) holds events.db and the certificate; `restart()` keeps it. */
export async function startEmulator({ args = [], dataDir } = {}) {
  buildEmulator();
  const ownDir = !dataDir;
  const dir = dataDir || mkdtempSync(join(tmpdir(), "sfc-emulator-"));
  const emulator = { dataDir: dir, args, log: "" };

  async function boot() {
    const child = spawn(EMULATOR_BIN, ["--port", "0", "--http-port", "0", "--data-dir", dir, ...args],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    emulator.child = child;
    child.stderr.on("data", (d) => { emulator.log += d; });
    const ready = await new Promise((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
        const m = /READY https_port=(\d+) http_port=(\d+)/.exec(out);
        if (m) resolve({ https: Number(m[1]), http: Number(m[2]) });
      });
      child.once("exit", (code) => reject(new Error(`edge-emulator exited (${code}) before READY:\n${out}${emulator.log}`)));
    });
    emulator.httpsPort = ready.https;
    emulator.httpPort = ready.http;
    emulator.adminUrl = `http://127.0.0.1:${ready.http}`;
  }

  /** JSON from the admin API: `admin("/__admin/events?limit=10")`, `admin(path, {method, body})`. */
  emulator.admin = async (path, { method = "GET", body } = {}) => {
    const res = await fetch(emulator.adminUrl + path, {
      method,
      // The admin API wants JSON on every state-changing call, DELETE included.
      headers: method === "GET" ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  };
  /** Rows of a read-only SQL query over the store, as objects keyed by column name. */
  emulator.query = async (sql) => {
    const r = await emulator.admin(`/__admin/query?sql=${encodeURIComponent(sql)}`);
    return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]])));
  };
  /** Adds fault rules (see emulator/README.md "Faults"). */
  emulator.addFaults = (rules) => emulator.admin("/__admin/faults", { method: "POST", body: rules });
  emulator.clearFaults = () => emulator.admin("/__admin/faults", { method: "DELETE" });
  /** Clears events, the request log and faults. */
  emulator.reset = () => emulator.admin("/__admin/reset", { method: "POST", body: {} });
  emulator.requests = async () => (await emulator.admin("/__admin/requests?limit=5000")).requests;
  /** Every event the Edge accepted (2xx `interact`/`collect`), in arrival order, as `{xdm, action,
   *  hint, seq}`: unlike the store, which keeps an `_id` once, this shows an event sent twice. */
  emulator.accepted = async () => {
    const out = [];
    for (const r of await emulator.requests()) {
      if (r.status < 200 || r.status > 299 || (r.action !== "interact" && r.action !== "collect")) continue;
      for (const e of (r.body && r.body.events) || []) out.push({ xdm: e.xdm, action: r.action, hint: r.locationHint || null, seq: r.seq });
    }
    return out;
  };
  emulator.tls = () => ({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) });
  /** Browser flags mapping `host` (default edge.example.test) to the emulator's HTTPS port. */
  emulator.hostRule = (host = "edge.example.test") => `MAP ${host} 127.0.0.1:${emulator.httpsPort}`;

  async function halt() {
    const child = emulator.child;
    if (!child || child.exitCode !== null) return;
    await new Promise((resolve) => { child.once("exit", resolve); child.kill("SIGTERM"); });
  }
  /** Stops and starts the same emulator (same store); ports change. */
  emulator.restart = async () => { await halt(); await boot(); };
  emulator.stop = async () => { await halt(); if (ownDir) rmSync(dir, { recursive: true, force: true }); };

  await boot();
  return emulator;
}

/** A `serve` route answering with the repository file at `path` plus `headers` (e.g. a
 *  Content-Security-Policy). */
export function withHeaders(path, headers) {
  return async (_req, res) => {
    const body = await readFile(join(ROOT, path));
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...headers });
    res.end(body);
  };
}

/** Polls `predicate` (sync or async) every 50 ms until it is true; throws after `timeoutMs`. */
export async function until(what, predicate, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The emulator, the repository served over HTTPS as https://shop.example.test/ (pass `routes` or
 *  `pageHeaders` as `serve` takes), and a browser mapping both names; `close()` stops all three. */
export async function launchShopWithEmulator({ emulatorArgs = [], routes = {}, browserArgs = [] } = {}) {
  const emulator = await startEmulator({ args: emulatorArgs });
  const shop = await serve(ROOT, routes, 0, emulator.tls());
  const rules = `MAP shop.example.test 127.0.0.1:${shop.port}, ${emulator.hostRule()}, MAP * ~NOTFOUND`;
  const browser = await launch([`--host-resolver-rules=${rules}`, "--ignore-certificate-errors", ...browserArgs]);
  return {
    emulator, shop, browser,
    shopUrl: (path) => `https://shop.example.test${path}`,
    close: async () => { await browser.close(); await shop.close(); await emulator.stop(); },
  };
}
