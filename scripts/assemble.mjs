// Assembles the package's JavaScript entries from js/: inlines the shared API layer (js/api.js)
// into the classic script (js/loader.js → pkg/storefront-events.js) and the ES module entry
// (js/index.js → pkg/index.js), and copies the types.
import { readFileSync, writeFileSync } from "node:fs";

const root = new URL("../", import.meta.url);
const read = (path) => readFileSync(new URL(path, root), "utf8");
const api = read("js/api.js");
const inline = (template) => {
  if (!template.includes("/*@API@*/")) throw new Error("template lacks the /*@API@*/ marker");
  return template.replace("/*@API@*/", () => api);
};
writeFileSync(new URL("pkg/storefront-events.js", root), inline(read("js/loader.js")));
writeFileSync(new URL("pkg/index.js", root), inline(read("js/index.js")));
writeFileSync(new URL("pkg/index.d.ts", root), read("js/index.d.ts"));
