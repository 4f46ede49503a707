// A small static file server on loopback, used by scripts/demo.sh and the browser tests.
//   node scripts/serve.mjs [PORT]   serves the repository root (demo at /www/)
import { createServer } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript",
  ".wasm": "application/wasm", ".json": "application/json", ".css": "text/css", ".svg": "image/svg+xml",
};

/** Serves files under `root` on 127.0.0.1:`port` (0 = any); `routes` maps a path to a handler first.
 *  With `tls` ({key, cert} PEM strings) it serves HTTPS instead. */
export async function serve(root = ROOT, routes = {}, port = 0, tls = null) {
  const base = normalize(root);
  const handler = async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (routes[path]) return routes[path](req, res);
    const file = normalize(join(base, path.endsWith("/") ? path + "index.html" : path));
    if (!file.startsWith(base)) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream", "cache-control": "no-store" });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  };
  const server = tls ? createTlsServer(tls, handler) : createServer(handler);
  await new Promise((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
  const { port: bound } = server.address();
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${bound}`,
    port: bound,
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await serve(ROOT, {}, Number(process.argv[2] || 8080));
  console.log(`serving ${ROOT} at ${url}`);
}
