// Takes the README's screenshots of a running demo (start scripts/demo.sh first, same ports):
// headless Chromium with exactly the flags the demo prints (host mapping + the CA's key, no
// --ignore-certificate-errors), a short walk through the shop, then the shop and the viewer at
// 1000×700 into docs/demo-shop.png and docs/demo-viewer.png. Use a fresh store, or the viewer
// shows your earlier events too:
//   DATA_DIR=/tmp/shots scripts/demo.sh   then   DATA_DIR=/tmp/shots node scripts/demo-screenshots.mjs [--mode=handoff|direct]
import { spawnSync } from "node:child_process";
import { X509Certificate, createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { tmpdir } from "node:os";
import { ROOT } from "./serve.mjs";
import { chromium } from "../tools/node_modules/playwright-core/index.mjs";
import { CHROMIUM_ARGS } from "../tests/e2e/harness.mjs";

const env = process.env;
const EDGE_PORT = Number(env.EDGE_PORT || 47443), SHOP_PORT = Number(env.SHOP_PORT || 47444), VIEWER_PORT = Number(env.VIEWER_PORT || 47080);
const DATA_DIR = resolve(ROOT, env.DATA_DIR || ".edge-emulator");
const mode = (process.argv.find((a) => a.startsWith("--mode=")) || "--mode=handoff").slice(7);
const spki = createHash("sha256").update(new X509Certificate(readFileSync(join(DATA_DIR, "ca.pem"))).publicKey.export({ type: "spki", format: "der" })).digest("base64");

const profile = mkdtempSync(join(tmpdir(), "sfc-shots-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium", headless: true, viewport: { width: 1000, height: 700 },
  args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP shop.example.test 127.0.0.1:${SHOP_PORT}, MAP edge.example.test 127.0.0.1:${EDGE_PORT}`,
    `--ignore-certificate-errors-spki-list=${spki}`],
});
try {
  const page = await context.newPage();
  const shop = (path) => page.goto(`https://shop.example.test/www/${path}`);
  await shop(`index.html?mode=${mode}`);
  await page.click("#consent-accept");
  await shop("account.html");
  await page.click("#sign-in");
  await page.locator("#sign-out").waitFor();
  await shop("product.html?sku=MH07");
  await page.click("#add-to-cart");
  await page.click("#add-to-requisition-list");
  await page.waitForFunction(() => [...document.querySelectorAll("#event-log .status")].every((s) => /delivered|handed-off/.test(s.textContent)));
  await page.waitForSelector("#flash", { state: "hidden" });
  mkdirSync(join(ROOT, "docs"), { recursive: true });
  await page.screenshot({ path: join(ROOT, "docs/demo-shop.png") });

  await page.goto(`http://127.0.0.1:${VIEWER_PORT}/`);
  await page.locator("#events tr", { hasText: "commerce.requisitionListAdds" }).first().waitFor();
  // Open the requisition-list event's XDM, as a user would.
  await page.locator("#events tr", { hasText: "commerce.requisitionListAdds" }).first().click();
  await page.locator("#detail").waitFor();
  await page.screenshot({ path: join(ROOT, "docs/demo-viewer.png") });
  // Quantized to keep each under ~80 KB (pngquant, if installed: apt-get install pngquant).
  for (const f of ["docs/demo-shop.png", "docs/demo-viewer.png"]) {
    spawnSync("pngquant", ["--force", "--quality=60-90", "--speed", "1", "--output", f, f], { cwd: ROOT, stdio: "inherit" });
  }
  console.log("docs/demo-shop.png, docs/demo-viewer.png");
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
