// The ES module entry of the `storefront-collector` npm package.
//
//   import { createStorefrontEvents } from "storefront-collector";
//   const mse = createStorefrontEvents({ debug: true });
//   mse.context.setAEP({ imsOrgId: "1234@AdobeOrg", webSdkName: "alloy" });
//
// `install()` also assigns `window.magentoStorefrontEvents`, for code that expects the global.
import initWasm, { Collector } from "./storefront_collector.js";

/*@API@*/

let started = null;

function startEngine(wasm) {
  if (!started) {
    const input = wasm === undefined ? undefined : { module_or_path: wasm };
    started = initWasm(input).then(() => ({ Collector }));
  }
  return started;
}

/** Creates a collector with the drop-in `magentoStorefrontEvents` API. */
export function createStorefrontEvents(options = {}) {
  return buildApi(() => startEngine(options.wasm), options);
}

/** Creates the collector once and assigns it to `window.magentoStorefrontEvents`. */
export function install(options = {}) {
  const existing = globalThis.magentoStorefrontEvents;
  if (existing && existing.__storefrontCollector) return existing;
  const api = createStorefrontEvents(options);
  globalThis.magentoStorefrontEvents = api;
  return api;
}

export { CONTEXTS as contextNames, EVENTS as eventNames };
