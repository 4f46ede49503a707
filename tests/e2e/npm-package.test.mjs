// The npm package as a user gets it: `npm pack` pkg/, install the tarball into a scratch project,
// and import its ES module entry in a browser page served from that project.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { ROOT, serve, launch, open } from "./harness.mjs";

let scratch, server, browser, packed;
before(async () => {
  scratch = mkdtempSync(join(tmpdir(), "sfc-npm-"));
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", scratch], { cwd: join(ROOT, "pkg"), encoding: "utf8" });
  packed = JSON.parse(out.slice(out.indexOf("[")))[0];
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "scratch", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", join(scratch, packed.filename)], { cwd: scratch });
  writeFileSync(join(scratch, "index.html"), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<script>
  window.calls = [];
  window.siteAlloy = (command, options) => {
    window.calls.push([command, options && JSON.parse(JSON.stringify(options))]);
    return Promise.resolve(command === "getIdentity" ? { identity: { ECID: "98765432109876543210987654321098765432" } } : {});
  };
</script>
<script type="module">
  import { install, contextNames, eventNames } from "/node_modules/storefront-collector/index.js";
  const mse = install({ debug: true });
  window.names = { contexts: contextNames.length, events: Object.keys(eventNames).length };
  mse.context.setAEP({ imsOrgId: "1234@AdobeOrg", webSdkName: "siteAlloy" });
  mse.context.setEventForwarding({ aep: true });
  mse.context.setPage({ pageType: "Home", pageName: "Home page" });
  mse.publish.pageView();
  await mse.ready;
  window.sameGlobal = window.magentoStorefrontEvents === mse;
</script>`);
  server = await serve(scratch);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test("npm pack accepts pkg/ with the files package.json lists", () => {
  const files = packed.files.map((f) => f.path).sort();
  for (const f of ["index.js", "index.d.ts", "storefront-events.js", "storefront_collector.js", "storefront_collector_bg.wasm", "package.json"]) {
    assert.ok(files.includes(f), `${f} is in the tarball (${files.join(", ")})`);
  }
  const manifest = JSON.parse(readFileSync(join(scratch, "node_modules/storefront-collector/package.json"), "utf8"));
  assert.equal(manifest.type, "module");
  assert.equal(manifest.types, "./index.d.ts");
  assert.ok(existsSync(join(scratch, "node_modules/storefront-collector/storefront_collector_bg.wasm")));
});

test("the installed ES module entry initialises in a browser page and hands events over", async () => {
  const { page, problems } = await open(browser.context, `${server.url}/index.html`);
  await page.waitForFunction(() => window.calls.some((c) => c[0] === "sendEvent"), null, { timeout: 10000 });
  const result = await page.evaluate(() => ({ calls: window.calls, names: window.names, sameGlobal: window.sameGlobal }));
  assert.deepEqual(result.names, { contexts: 27, events: 34 });
  assert.equal(result.sameGlobal, true);
  const xdm = result.calls.find((c) => c[0] === "sendEvent")[1].xdm;
  assert.equal(xdm.eventType, "web.webpagedetails.pageViews");
  assert.equal(xdm.web.webPageDetails.name, "Home page");
  assert.equal(xdm.personID, "98765432109876543210987654321098765432");
  assert.deepEqual(problems, []);
});
