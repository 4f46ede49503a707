// Assembles the package's JavaScript entries from js/: inlines the shared API layer (js/api.js)
// into the classic script (js/loader.js → pkg/storefront-events.js, with js/glue.js as its wasm
// boundary, completed from and checked against the `web` glue wasm-bindgen generated, given as the
// first argument) and the ES module entry (js/index.js → pkg/index.js, which imports that `web`
// glue and the js/host.js it imports), and copies the types.
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
const fill = (template, marker, text) => {
  if (!template.includes(marker)) throw new Error(`template lacks the ${marker} marker`);
  return template.replace(marker, () => text);
};
const inline = (template) => fill(template, "/*@API@*/", api);
const generated = readFileSync(process.argv[2], "utf8");
writeFileSync(new URL("pkg/storefront-events.js", root), fill(inline(read("js/loader.js")), "/*@GLUE@*/", classicGlue(generated, process.argv[2])));
writeFileSync(new URL("pkg/index.js", root), fill(inline(read("js/index.js")), "/*@HOST@*/", hostModule(generated, process.argv[2])));
writeFileSync(new URL("pkg/index.d.ts", root), read("js/index.d.ts"));

/**
 * The path (relative to pkg/) under which the `web` glue imports js/host.js: wasm-bindgen copies
 * it to snippets/<crate>-<hash>/js/host.js, and js/index.js must attach its hosts to that very
 * module instance.
 */
function hostModule(generated, path) {
  const found = generated.match(/^import \{ detach, isoString, run \} from '(\.\/snippets\/storefront-collector-[0-9a-f]+\/js\/host\.js)';$/m);
  if (!found) throw new Error(`${path}: the import of js/host.js was not found; js/index.js needs updating`);
  return found[1];
}

/**
 * js/glue.js completed from the `web` glue wasm-bindgen generated for this module (`generated`,
 * read from `path`): the hashed names of the `run`, `detach`, `isoString` (js/host.js) and `Number`
 * imports and the externref table's initial entries.
 * Fails when the generated glue no longer has the ABI js/glue.js speaks (a new wasm-bindgen, or a
 * changed boundary in src/web/mod.rs), rather than shipping a loader that breaks at run time.
 */
function classicGlue(generated, path) {
  const flat = (text) => text.replace(/\s+/g, " ").trim();
  const expect = (what, pattern) => {
    const found = generated.match(pattern);
    if (!found) throw new Error(`${path}: ${what} not found; js/glue.js needs updating for this wasm-bindgen`);
    return found;
  };
  const imports = expect("the import object", /const import0 = \{\s*__proto__: null,([\s\S]*?)\n {4}\};/)[1];
  const names = [...imports.matchAll(/^ {8}(\w+): function/gm)].map((m) => m[1]);
  const named = (prefix) => names.find((n) => new RegExp(`^__wbg_${prefix}_[0-9a-f]+$`).test(n));
  const [run, detach, number, iso] = [named("run"), named("detach"), named("Number"), named("isoString")];
  if (names.length !== 5 || !run || !detach || !number || !iso || !names.includes("__wbindgen_init_externref_table")) {
    throw new Error(`${path}: imports are ${names.join(", ")}; js/glue.js provides run, detach, Number, isoString and the externref table only`);
  }
  // A string answer, returned through the pointer in arg0.
  const returned = "const ptr1 = passStringToWasm0(ret, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc); const len1 = WASM_VECTOR_LEN; " +
    "getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 1, len1, true); getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 0, ptr1, true);";
  for (const [what, name, args, body] of [
    ["run", run, "arg0, arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9",
      "const ret = run(arg1 >>> 0, getStringFromWasm0(arg2, arg3), getStringFromWasm0(arg4, arg5), getStringFromWasm0(arg6, arg7), getStringFromWasm0(arg8, arg9)); " + returned],
    ["detach", detach, "arg0", "detach(arg0 >>> 0);"],
    ["Number", number, "arg0, arg1", "const ret = Number(getStringFromWasm0(arg0, arg1)); return ret;"],
    ["isoString", iso, "arg0, arg1", "const ret = isoString(arg1); " + returned],
  ]) {
    const found = flat(expect(what, new RegExp(name + ": function\\(" + args + "\\) \\{([\\s\\S]*?)\\n {8}\\},"))[1]);
    if (found !== body) throw new Error(`${path}: ${what}'s ABI changed:\n${found}`);
  }
  const table = expect("the externref table setup", /__wbindgen_init_externref_table: function\(\) \{\s*const table = wasm.__wbindgen_externrefs;([\s\S]*?)\n {8}\},/)[1];
  const entries = table.trim().split(/\n\s*/);
  if (!entries.every((line) => /^table\.set\(\d+, (undefined|null|true|false)\);$/.test(line))) {
    throw new Error(`${path}: the externref table setup changed:\n${table}`);
  }
  // The exports and the string passing js/glue.js reimplements, word for word (whitespace aside).
  const exported = (name) => flat(expect(name, new RegExp(`\\nexport function ${name}\\(([\\s\\S]*?)\\n\\}\\n`))[1]);
  const abi = {
    collector_call: "handle, op, a, b) { let deferred5_0; let deferred5_1; try { const val4 = +handle; let ptr0, len0, ptr1, len1, ptr2, len2; try { " +
      "ptr0 = passStringToWasm0(op, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc); len0 = WASM_VECTOR_LEN; " +
      "ptr1 = passStringToWasm0(a, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc); len1 = WASM_VECTOR_LEN; " +
      "ptr2 = passStringToWasm0(b, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc); len2 = WASM_VECTOR_LEN; } catch (e) { " +
      "if (ptr2) { wasm.__wbindgen_free(ptr2, len2 * 1, 1); } if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); } " +
      "if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); } throw e; } " +
      "const ret = wasm.collector_call(val4, ptr0, len0, ptr1, len1, ptr2, len2); deferred5_0 = ret[0]; deferred5_1 = ret[1]; " +
      "return getStringFromWasm0(ret[0], ret[1]); } finally { wasm.__wbindgen_free(deferred5_0, deferred5_1, 1); }",
    collector_free: "handle) { wasm.collector_free(handle);",
    collector_new: ") { const ret = wasm.collector_new(); return ret >>> 0;",
  };
  for (const [name, body] of Object.entries(abi)) {
    if (exported(name) !== body) throw new Error(`${path}: ${name}'s ABI changed:\n${exported(name)}`);
  }
  for (const line of [
    'return { __proto__: null, "./storefront_collector_bg.js": import0, }; }',
    "const buf = cachedTextEncoder.encode(arg); const ptr = malloc(buf.length, 1) >>> 0;",
    "let ptr = malloc(len, 1) >>> 0;",
    "ptr = realloc(ptr, len, len = offset + arg.length * 3, 1) >>> 0;",
    "function getStringFromWasm0(ptr, len) { ptr = ptr >>> 0; return decodeText(getUint8ArrayMemory0().subarray(ptr, ptr + len)); }",
    "wasm = instance.exports; wasmModule = module; cachedDataViewMemory0 = null; cachedUint8ArrayMemory0 = null; wasm.__wbindgen_start(); return wasm; }",
  ]) {
    if (!flat(generated).includes(line)) throw new Error(`${path}: no longer contains \`${line}\`; js/glue.js needs updating`);
  }
  let glue = read("js/glue.js");
  for (const [marker, name] of [["RUN", run], ["DETACH", detach], ["NUMBER", number], ["ISO", iso],
    ["TABLE", "__wbindgen_init_externref_table"], ["TABLE_INIT", entries.join(" ")]]) {
    glue = fill(glue, `/*@${marker}@*/`, name);
  }
  return glue;
}
