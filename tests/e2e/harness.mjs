// Shared helpers for the browser-driven tests (node:test + playwright-core driving Debian's
// /usr/bin/chromium): a static HTTP server on loopback and a headless browser with the flags these
// machines need. No network beyond 127.0.0.1.
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { chromium } from "../../tools/node_modules/playwright-core/index.mjs";
export { ROOT, serve } from "../../scripts/serve.mjs";

/** The Chromium flags for root, offline, headless machines (DEVELOPERS.md). */
export const CHROMIUM_ARGS = [
  "--no-sandbox", "--headless", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
];

/** Launches headless Chromium with a fresh user-data dir; `close()` removes it. `extraArgs` adds
 *  flags, e.g. host mapping to a local TLS server. */
export async function launch(extraArgs = []) {
  const userDataDir = mkdtempSync(join(tmpdir(), "sfc-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS.concat(extraArgs),
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Opens `url` in a new page and records console errors/warnings and page errors. */
export async function open(context, url) {
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console.error: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return { page, problems };
}
