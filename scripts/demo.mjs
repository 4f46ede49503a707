// The demo, once built (scripts/demo.sh builds, then runs this): starts the edge-emulator, serves the
// repository over HTTPS with the emulator's certificate (the shop is /www/), prints what to open and,
// with --open, starts Chrome/Chromium with the flags that make it work. Ctrl-C stops everything.
//
// Host names: alloy (and our collector) call https://{edgeDomain}/ on port 443, and an edgeDomain
// cannot carry a port. The shop therefore uses edge.example.test, and the browser reaches it either
// through Chrome's --host-resolver-rules (no root, no hosts file: the default) or, with EDGE_PORT=443,
// through a hosts-file entry. The shop is shop.example.test, so both share the cookie domain
// example.test, as a real store and its first-party Edge CNAME do.
//
// Environment: EDGE_PORT (default 47443), SHOP_PORT (47444), VIEWER_PORT (47080), DATA_DIR
// (.edge-emulator: the event store and the CA, kept across runs), CHROME (browser for --open).
import { spawn, spawnSync } from "node:child_process";
import { X509Certificate, createHash } from "node:crypto";
import { readFileSync, existsSync, mkdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { ROOT, serve } from "./serve.mjs";

const EMULATOR = join(ROOT, "target/x86_64-unknown-linux-gnu/debug/edge-emulator");
const env = process.env;
const port = (name, fallback) => {
  const n = Number(env[name] || fallback);
  if (!Number.isInteger(n) || n < 1 || n > 65535) { console.error(`${name} must be a port number`); process.exit(2); }
  return n;
};
const EDGE_PORT = port("EDGE_PORT", 47443);
const SHOP_PORT = port("SHOP_PORT", 47444);
const VIEWER_PORT = port("VIEWER_PORT", 47080);
const DATA_DIR = resolve(ROOT, env.DATA_DIR || ".edge-emulator");
const OPEN = process.argv.includes("--open");
const EDGE_HOST = "edge.example.test";
const SHOP_HOST = "shop.example.test";

const children = [];
let server;
let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  await server?.close();
  process.exit(code);
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

// 1. The emulator: Edge endpoints on HTTPS, the viewer and admin API on plain HTTP too.
const emulator = spawn(EMULATOR, ["--port", String(EDGE_PORT), "--http-port", String(VIEWER_PORT), "--data-dir", DATA_DIR,
  "--host", EDGE_HOST, "--host", SHOP_HOST], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
children.push(emulator);
emulator.once("exit", (code) => {
  if (stopping) return;
  console.error(`edge-emulator stopped (exit ${code})${EDGE_PORT < 1024 ? `; port ${EDGE_PORT} needs root or: sudo setcap cap_net_bind_service=+ep ${EMULATOR}` : ""}`);
  stop(code || 1);
});
await new Promise((ready) => {
  let out = "";
  emulator.stdout.on("data", (d) => {
    out += d;
    if (/READY https_port=\d+ http_port=\d+/.test(out)) ready();
  });
});

// 2. The shop: the repository over HTTPS with the emulator's certificate (it names *.example.test);
// config.js tells the pages where the viewer is.
const viewerUrl = `http://127.0.0.1:${VIEWER_PORT}/`;
const config = `// Served by scripts/demo.mjs in place of www/config.js.
window.SHOP_CONFIG = ${JSON.stringify({ orgId: "1234@AdobeOrg", datastreamId: "demo-datastream", edgeDomain: EDGE_HOST, viewerUrl }, null, 2)};
`;
const routes = { "/www/config.js": (req, res) => res.writeHead(200, { "content-type": "text/javascript", "cache-control": "no-store" }).end(config) };
const tls = { key: readFileSync(join(DATA_DIR, "key.pem")), cert: readFileSync(join(DATA_DIR, "cert.pem")) };
try {
  server = await serve(ROOT, routes, SHOP_PORT, tls);
} catch (e) {
  console.error(`cannot serve the shop on 127.0.0.1:${SHOP_PORT}: ${e.message} (set SHOP_PORT)`);
  await stop(1);
}

// 3. What to open. Chrome can trust exactly this CA's key for this profile only (no system trust
// store): --ignore-certificate-errors-spki-list takes the SHA-256 of its SubjectPublicKeyInfo.
const caPem = join(DATA_DIR, "ca.pem");
const spki = createHash("sha256").update(new X509Certificate(readFileSync(caPem)).publicKey.export({ type: "spki", format: "der" })).digest("base64");
const on443 = EDGE_PORT === 443;
const shopUrl = on443 ? `https://${SHOP_HOST}:${SHOP_PORT}/www/` : `https://${SHOP_HOST}/www/`;
const profile = join(DATA_DIR, "chrome-profile");
const flags = [
  `--user-data-dir=${profile}`,
  ...(on443 ? [] : [`--host-resolver-rules=MAP ${SHOP_HOST} 127.0.0.1:${SHOP_PORT}, MAP ${EDGE_HOST} 127.0.0.1:${EDGE_PORT}`]),
  `--ignore-certificate-errors-spki-list=${spki}`,
  "--no-first-run", "--no-default-browser-check",
  ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
];
const quote = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
const chrome = findChrome();

console.log(`
  Event viewer   ${viewerUrl}   (any browser)
  SQL            target/x86_64-unknown-linux-gnu/debug/edge-emulator query --db ${relative(ROOT, join(DATA_DIR, "events.db"))} "SELECT * FROM dataset ORDER BY timestamp DESC"
  Shop           ${shopUrl}
  Edge           https://${EDGE_HOST}/ -> 127.0.0.1:${EDGE_PORT}   datastream demo-datastream, org 1234@AdobeOrg
  CA             ${caPem}   (also ${viewerUrl}ca.pem)
`);
const command = [chrome || "google-chrome", ...flags, shopUrl, viewerUrl].map(quote).join(" \\\n      ");
if (on443) {
  console.log(`  The Edge is on port 443. For any browser: map the names once in /etc/hosts,
      127.0.0.1 ${SHOP_HOST} ${EDGE_HOST}
  and trust the CA (README.md, "Demo"). Or, with the hosts entry alone, start Chrome or Chromium as:
`);
} else {
  console.log("  The shop needs both names mapped to these ports. Start Chrome or Chromium with its own profile:\n");
}
console.log(`    ${command}
${chrome ? "\n  (scripts/demo.sh --open does this for you.)" : ""}${on443 ? "" : "\n  Other browsers: EDGE_PORT=443 (root, or setcap on the emulator) plus /etc/hosts; see README.md."}
`);
console.log("  Ctrl-C stops everything.\n");

if (OPEN) {
  if (!chrome) console.error("--open: no Chrome/Chromium found (set CHROME=/path/to/chrome)");
  else {
    mkdirSync(profile, { recursive: true });
    const browser = spawn(chrome, [...flags, shopUrl, viewerUrl], { stdio: "ignore" });
    browser.on("error", (e) => console.error(`--open: ${e.message}`));
    children.push(browser);
  }
}

/** A Chrome-family browser: $CHROME, else the usual names on PATH, else the macOS app. */
function findChrome() {
  if (env.CHROME) return env.CHROME;
  for (const name of ["google-chrome", "google-chrome-stable", "chromium", "chromium-browser", "microsoft-edge"]) {
    const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  const mac = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome";
  return existsSync(mac) ? mac : null;
}
