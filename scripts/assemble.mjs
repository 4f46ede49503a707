// Assembles the package's JavaScript entries from js/: inlines the shared API layer (js/api.js)
// into the classic script (js/loader.js → pkg/storefront-events.js, together with wasm-bindgen's
// `no-modules` glue given as the first argument) and the ES module entry (js/index.js →
// pkg/index.js, which imports the `web` glue), and copies the types.
//
// `node scripts/assemble.mjs --inline` (after minification) writes the strict-CSP variant
// pkg/storefront-events.inline.js: the classic script with the wasm bytes in a string literal instead
// of a fetch, so a page needs no `connect-src` for it (only `script-src … 'wasm-unsafe-eval'`). The
// bytes are `\xNN` escapes in an ASCII string (whatever charset the page decodes the script with),
// which brotli packs to +14 % over the .wasm (base64 measured +29 %).
import { readFileSync, writeFileSync } from "node:fs";

const root = new URL("../", import.meta.url);
const read = (path) => readFileSync(new URL(path, root), "utf8");
if (process.argv[2] === "--inline") {
  const script = read("pkg/storefront-events.js");
  const fetched = /new URL\("storefront_collector_bg\.wasm",\s*[\w$]+\)/;
  if (!fetched.test(script)) throw new Error("pkg/storefront-events.js: the wasm URL expression was not found");
  let text = "";
  for (const byte of readFileSync(new URL("pkg/storefront_collector_bg.wasm", root))) {
    text += byte === 34 || byte === 92 ? "\\" + String.fromCharCode(byte)
      : byte < 32 || byte > 126 ? "\\x" + byte.toString(16).padStart(2, "0") : String.fromCharCode(byte);
  }
  const bytes = `(function(s){for(var n=s.length,b=new Uint8Array(n),i=0;i<n;i++)b[i]=s.charCodeAt(i);return b})("${text}")`;
  writeFileSync(new URL("pkg/storefront-events.inline.js", root), script.replace(fetched, () => bytes));
  process.exit(0);
}
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
