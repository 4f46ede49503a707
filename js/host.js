// The host side of the engine's wasm boundary (src/web/mod.rs), for wasm-bindgen's generated ES
// module glue, which imports this file (as pkg/snippets/…/js/host.js; js/index.js attaches each
// collector's host through it). The classic script's glue, js/glue.js, has the same functions.
//
// Only numbers and strings cross the boundary: the host objects stay here, keyed by collector
// handle, so the wasm module carries none of wasm-bindgen's externref slot management.
const hosts = [];

/** Attaches `host` (its `run(op, a, b, c)` performs the engine's effects) to the collector `handle`. */
export function attach(handle, host) {
  hosts[handle] = host;
}

/** Forgets the host of the collector `handle` (its engine is gone). */
export function detach(handle) {
  delete hosts[handle];
}

/** Performs effect `op` of the collector `handle`; the answer of synchronous effects, else "". */
export function run(handle, op, a, b, c) {
  return hosts[handle].run(op, a, b, c);
}

/** The engine's `timestamp` format: `new Date(ms).toISOString()` (ms already clamped into range). */
export function isoString(ms) {
  return new Date(ms).toISOString();
}
