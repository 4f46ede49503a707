// Assembles the package's JavaScript entries from js/: inlines the shared API layer (js/api.js)
// into the classic script (js/loader.js → pkg/storefront-events.js, together with wasm-bindgen's
// `no-modules` glue given as the first argument) and the ES module entry (js/index.js →
// pkg/index.js, which imports the `web` glue), and copies the types.
import { readFileSync, writeFileSync } from "node:fs";

const root = new URL("../", import.meta.url);
const read = (path) => readFileSync(new URL(path, root), "utf8");
const api = read("js/api.js");
const glue = readFileSync(process.argv[2], "utf8");
const fill = (template, marker, text) => {
  if (!template.includes(marker)) throw new Error(`template lacks the ${marker} marker`);
  return template.replace(marker, () => text);
};
const inline = (template) => fill(template, "/*@API@*/", api);
writeFileSync(new URL("pkg/storefront-events.js", root), fill(inline(read("js/loader.js")), "/*@GLUE@*/", glue));
writeFileSync(new URL("pkg/index.js", root), inline(read("js/index.js")));
writeFileSync(new URL("pkg/index.d.ts", root), read("js/index.d.ts"));
