// The ES module entry of the `storefront-collector` npm package.
//
//   import { createStorefrontEvents } from "storefront-collector";
//   const mse = createStorefrontEvents({ debug: true });
//   mse.context.setAEP({ imsOrgId: "1234@AdobeOrg", webSdkName: "alloy" });
//
// `install()` also assigns `window.magentoStorefrontEvents`, for code that expects the global.
import initWasm, { collector_new, collector_call, collector_free } from "./storefront_collector.js";
// js/host.js, where wasm-bindgen put it (scripts/assemble.mjs fills in the path): the generated glue
// runs each collector's effects on the host attached to its handle there.
import { attach } from "/*@HOST@*/";

/*@API@*/

let started = null;

function startEngine(wasm) {
  if (!started) {
    const input = wasm === undefined ? undefined : { module_or_path: wasm };
    const create = (host) => {
      const handle = collector_new();
      attach(handle, host);
      return handle;
    };
    started = initWasm(input).then(() => ({ collector_new: create, collector_call, collector_free }));
  }
  return started;
}

/** A configuration error: `field` names the offending configuration field. */
export class ConfigError extends Error {
  constructor(field, message) {
    super(field + ": " + message);
    this.name = "ConfigError";
    this.field = field;
  }
}

const HOST = /^[a-z0-9.-]+$/;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const KNOWN = ["imsOrgId", "datastreamId", "webSdkName", "datasetId", "storefrontEvents", "edgeDomain",
  "edgeBasePath", "identityMap", "hashEmail", "consent", "debug", "outbox", "wasm"];

/** Checks a typed configuration; throws `ConfigError` naming the first bad field. */
export function validateConfig(config) {
  if (!config || typeof config !== "object") throw new ConfigError("config", "must be an object");
  for (const key of Object.keys(config)) {
    if (KNOWN.indexOf(key) < 0) throw new ConfigError(key, "is not a configuration field");
  }
  const str = (field) => config[field] === undefined || (typeof config[field] === "string" && config[field] !== "");
  for (const field of ["imsOrgId", "datastreamId", "webSdkName", "datasetId", "edgeDomain", "edgeBasePath"]) {
    if (!str(field)) throw new ConfigError(field, "must be a non-empty string when given");
  }
  const org = config.imsOrgId;
  if (org === undefined) throw new ConfigError("imsOrgId", "is required");
  if (!/^.+@AdobeOrg$/.test(org)) throw new ConfigError("imsOrgId", "must end in @AdobeOrg, e.g. 1234@AdobeOrg");
  if (config.webSdkName === undefined && config.datastreamId === undefined) {
    throw new ConfigError("datastreamId", "is required unless webSdkName names an alloy instance already on the page");
  }
  for (const field of ["storefrontEvents", "hashEmail"]) {
    if (config[field] !== undefined && typeof config[field] !== "boolean") {
      throw new ConfigError(field, "must be true or false");
    }
  }
  if (config.storefrontEvents !== false && config.datasetId === undefined && config.webSdkName === undefined) {
    throw new ConfigError("datasetId", "is required when storefront events are on (it is sent as a datastream override)");
  }
  if (config.edgeDomain !== undefined && !HOST.test(config.edgeDomain)) {
    throw new ConfigError("edgeDomain", "must be a host name such as data.example.com (no scheme, port or path)");
  }
  if (config.edgeBasePath !== undefined && !SEGMENT.test(config.edgeBasePath)) {
    throw new ConfigError("edgeBasePath", "must be a single path segment such as ee");
  }
  if (config.webSdkName !== undefined && !/^[A-Za-z_$][\w$]*$/.test(config.webSdkName)) {
    throw new ConfigError("webSdkName", "must be a JavaScript global name");
  }
  const consent = config.consent;
  if (consent !== undefined) {
    if (!consent || typeof consent !== "object") throw new ConfigError("consent", "must be an object");
    if (consent.default !== undefined && ["in", "out", "pending"].indexOf(consent.default) < 0) {
      throw new ConfigError("consent.default", "must be \"in\", \"out\" or \"pending\"");
    }
    for (const flag of ["gpc", "edge", "alloy"]) {
      if (consent[flag] !== undefined && typeof consent[flag] !== "boolean") throw new ConfigError("consent." + flag, "must be true or false");
    }
  }
  const outbox = config.outbox;
  if (outbox !== undefined) {
    if (!outbox || typeof outbox !== "object") throw new ConfigError("outbox", "must be an object");
    for (const field of ["maxEvents", "maxBytes"]) {
      const n = outbox[field];
      if (n !== undefined && !(Number.isInteger(n) && n > 0 && n < 2 ** 31)) {
        throw new ConfigError("outbox." + field, "must be a positive integer");
      }
    }
  }
}

/**
 * Creates a collector from a typed configuration (as on the Commerce "Experience Platform connector"
 * page). Throws `ConfigError` for a bad configuration; nothing else ever throws.
 */
export function createCollector(config) {
  validateConfig(config);
  const api = createStorefrontEvents({ debug: config.debug, wasm: config.wasm, outbox: config.outbox });
  const aep = { imsOrgId: config.imsOrgId };
  for (const field of ["datastreamId", "webSdkName", "datasetId", "edgeDomain", "edgeBasePath", "identityMap", "hashEmail", "consent"]) {
    if (config[field] !== undefined) aep[field] = config[field];
  }
  api.context.setAEP(aep);
  api.context.setEventForwarding({ aep: config.storefrontEvents !== false, commerce: false });
  return api;
}

/** Creates a collector with the drop-in `magentoStorefrontEvents` API. */
export function createStorefrontEvents(options = {}) {
  return buildApi(() => startEngine(options.wasm), options);
}

/** Creates the collector once and assigns it to `window.magentoStorefrontEvents`. When page code
 *  made that global read-only, the collector still works through the returned object (a console
 *  warning says so); `install` never throws for it. */
export function install(options = {}) {
  const existing = globalThis.magentoStorefrontEvents;
  if (existing && existing.__storefrontCollector) return existing;
  const api = createStorefrontEvents(options);
  try {
    globalThis.magentoStorefrontEvents = api;
  } catch (e) {
    try { console.warn("[storefront-collector] window.magentoStorefrontEvents is read-only; use the object install() returned", e); } catch (_) { /* no console */ }
  }
  return api;
}

export { CONTEXTS as contextNames, EVENTS as eventNames };
