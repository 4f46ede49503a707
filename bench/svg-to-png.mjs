// Renders an SVG to PNG with headless Chromium, to look at the plot (not part of the measuring path).
// usage: node bench/svg-to-png.mjs [in.svg] [out.png]   (default bench/results/per-event.svg -> /tmp/per-event.png)
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BASE_FLAGS } from "./lib/cdp.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const { chromium } = await import(join(HERE, "../tools/node_modules/playwright-core/index.mjs"));
const input = resolve(process.argv[2] || join(HERE, "results/per-event.svg"));
const output = resolve(process.argv[3] || "/tmp/per-event.png");
const svg = readFileSync(input, "utf8");
const [, w, h] = svg.match(/width="(\d+)" height="(\d+)"/) || [0, 800, 500];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: BASE_FLAGS });
try {
  const page = await browser.newPage({ viewport: { width: Number(w), height: Number(h) }, deviceScaleFactor: 1 });
  await page.setContent(`<!doctype html><body style="margin:0">${svg}</body>`);
  await page.screenshot({ path: output, clip: { x: 0, y: 0, width: Number(w), height: Number(h) } });
  console.log(output);
} finally {
  await browser.close();
}
