// Headless Chromium driven over the raw Chrome DevTools Protocol (a WebSocket, no Playwright).
//
// Why not Playwright: it enables the CDP Network domain on every page it drives, and that
// instrumentation makes each fetch()/XHR noticeably more expensive on the page's main thread, which
// would penalise the SDKs that send one request per event. Here only Page, Runtime and Performance
// are enabled on the measured page.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";

/** Flags for headless Chromium on these root, offline machines (as the e2e tests use them). */
export const BASE_FLAGS = [
  "--no-sandbox", "--headless", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** One CDP session over a WebSocket: `send(method, params)`, `on(listener)`, `close()`. */
export function connect(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const pending = new Map();
    const listeners = new Set();
    let nextId = 0;
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data);
      if (msg.id !== undefined && pending.has(msg.id)) {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
        else p.resolve(msg.result);
      } else if (msg.method) {
        for (const l of listeners) l(msg);
      }
    };
    ws.onerror = () => reject(new Error(`CDP connection to ${url} failed`));
    ws.onclose = () => {
      for (const p of pending.values()) p.reject(new Error(`${p.method}: CDP connection closed`));
      pending.clear();
    };
    ws.onopen = () => resolve({
      send(method, params = {}) {
        return new Promise((res, rej) => {
          const id = ++nextId;
          pending.set(id, { resolve: res, reject: rej, method });
          ws.send(JSON.stringify({ id, method, params }));
        });
      },
      on(listener) { listeners.add(listener); return () => listeners.delete(listener); },
      close() { try { ws.close(); } catch { /* already closed */ } },
    });
  });
}

/**
 * Starts Chromium with a fresh user-data dir under `workDir`. `hostRules` is the
 * --host-resolver-rules value. Returns {cdp (browser session), version, debugHost, close()}.
 */
export async function launchChromium({ executable = "/usr/bin/chromium", workDir, hostRules, extraFlags = [] }) {
  const profile = mkdtempSync(join(workDir, "chromium-profile-"));
  const child = spawn(executable, [
    ...BASE_FLAGS,
    "--ignore-certificate-errors",
    `--host-resolver-rules=${hostRules}`,
    "--remote-debugging-port=0",
    `--user-data-dir=${profile}`,
    ...extraFlags,
    "about:blank",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  const wsUrl = await new Promise((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`Chromium did not start in 30 s: ${err.slice(-500)}`)), 30000);
    child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`Chromium exited (${code}): ${err.slice(-500)}`)); });
    child.stderr.on("data", (d) => {
      err += d;
      const m = err.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
  });
  const cdp = await connect(wsUrl);
  const { product } = await cdp.send("Browser.getVersion");
  return {
    cdp,
    version: product,
    debugHost: new URL(wsUrl).host,
    async close() {
      cdp.close();
      await new Promise((r) => {
        if (child.exitCode !== null) return r();
        const t = setTimeout(() => { child.kill("SIGKILL"); r(); }, 5000);
        child.once("exit", () => { clearTimeout(t); r(); });
        child.kill("SIGTERM");
      });
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Runs `fn(arg)` in the page (fn is serialised with toString) and returns its awaited value. */
export async function evaluate(page, fn, arg, timeoutMs = 120000) {
  const expression = `(${fn.toString()})(${JSON.stringify(arg ?? null)})`;
  let timer;
  const timeout = new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`page evaluate timed out after ${timeoutMs} ms`)), timeoutMs); });
  try {
    const r = await Promise.race([
      page.send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true }),
      timeout,
    ]);
    if (r.exceptionDetails) {
      const d = r.exceptionDetails;
      throw new Error(`page: ${(d.exception && d.exception.description) || d.text}`.slice(0, 400));
    }
    return r.result.value;
  } finally {
    clearTimeout(timer);
  }
}

/** CDP Performance.getMetrics as a {name: value} object (durations in seconds). */
export async function metrics(page) {
  const { metrics: list } = await page.send("Performance.getMetrics");
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}
