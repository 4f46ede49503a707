// The page-facing API of storefront-collector: a drop-in for Adobe's `magentoStorefrontEvents`
// (context / publish / subscribe / unsubscribe), shared by the classic script
// (`storefront-events.js`) and the ES module entry (`index.js`). scripts/build.sh inlines this file
// into both; it is not shipped on its own.
//
// Rules this layer keeps:
// * The API exists synchronously; calls made before the wasm engine is ready are queued and applied
//   in order once it is, with the time, URL and referrer of the original call.
// * No call into this API throws into the page. Bad input becomes a diagnostic.
// * Page input is serialized with the JSON functions captured when this file ran, so a page that
//   later overwrites `JSON` or `Array.prototype` cannot break us.

/** The 27 typed contexts: `setX` / `getX` map to the data-layer key `xContext`. */
const CONTEXTS = ("AEP Account Category ChangedProducts Channel Custom CustomUrl DataServicesExtension Debug " +
  "EventForwarding ExperiencePlatformConnectorExtension MagentoExtension Order OrderPage Page Product " +
  "Recommendations RecommendationsExtension ReferrerUrl RequisitionList RequisitionListItems SearchExtension " +
  "SearchInput SearchResults Shopper ShoppingCart StorefrontInstance").split(" ");

/** The 34 publish methods (same order as src/engine/method.rs). Subscribers use each one's event
 *  name: the method in kebab case (`addToCart` → `add-to-cart`) unless `EVENT_NAMES` says otherwise. */
const METHODS = ("addToCart addToRequisitionList categoryResultsView createAccount createRequisitionList custom " +
  "customUrl deleteRequisitionList editAccount initiateCheckout openCart pageActivitySummary pageView placeOrder " +
  "productPageView recsItemAddToCartClick recsItemClick recsRequestSent recsResponseReceived recsUnitRender " +
  "recsUnitView referrerUrl removeFromCart removeFromRequisitionList searchCategoryClick searchProductClick " +
  "searchRequestSent searchResponseReceived searchResultsView searchSuggestionClick shoppingCartView signIn " +
  "signOut updateCart").split(" ");
const EVENT_NAMES = {
  custom: "commerce-custom", recsRequestSent: "recs-api-request-sent",
  recsResponseReceived: "recs-api-response-received", recsUnitRender: "recs-unit-impression-render",
};
/** Publish method → event name. */
const EVENTS = {};
for (const method of METHODS) EVENTS[method] = EVENT_NAMES[method] || method.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());


/** Most calls kept while the engine loads; past that the oldest publish calls are dropped. */
const MAX_QUEUED_CALLS = 5000;

/** Bound of the data-layer history replayed to late subscribers, in characters of its JSON plus
 *  100 per item (about 2 MB of memory; 10,000 small items). */
const MAX_HISTORY_COST = 1000000;

const nativeStringify = JSON.stringify;
const arrays = Array.prototype;
const describe = Object.getOwnPropertyDescriptor;
const define = Object.defineProperty;
/** `JSON.stringify` as the engine needs it, even on a page whose legacy library (Prototype.js 1.6)
 *  gave arrays a `toJSON` that turns every array into a string: that method is set aside for the
 *  call and put back exactly as it was (same attributes; a nested call finds it already aside). */
function stringify(value) {
  const own = arrays.toJSON && describe(arrays, "toJSON");
  if (!own) return nativeStringify(value);
  try {
    if (own.writable) arrays.toJSON = undefined;
    else if (own.configurable) delete arrays.toJSON;
  } catch (_) { /* frozen: serialize as the page does */ }
  try {
    return nativeStringify(value);
  } finally {
    try {
      if (own.writable) arrays.toJSON = own.value;
      else if (own.configurable) define(arrays, "toJSON", own);
    } catch (_) { /* keep the answer */ }
  }
}
const parse = JSON.parse;
const now = Date.now;
const random = Math.random;
/** The built-in Promise, even if the page replaced `window.Promise`. */
const P = (async () => {})().constructor;

/** A word that looks like an email address (as `engine::diagnostic::redact_emails` sees one). */
const EMAIL_LIKE = /[^\s"'()<>[\],;:@]+@[^\s"'()<>[\],;:]+\.[^\s"'()<>[\],;:]+/g;

/** localStorage key prefix of saved outboxes (one key per page load). */
const OUTBOX_PREFIX = "storefront-collector.outbox.";

/** A random (v4) UUID; `crypto.getRandomValues` also works outside secure contexts. */
function uuid() {
  const b = new Uint8Array(16);
  try {
    crypto.getRandomValues(b);
  } catch (_) {
    for (let i = 0; i < 16; i++) b[i] = (random() * 256) | 0;
  }
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  let h = "";
  // A dash before bytes 4, 6, 8 and 10 (bits of 1360).
  for (let i = 0; i < 16; i++) h += ((1360 >> i) & 1 ? "-" : "") + (b[i] + 256).toString(16).slice(1);
  return h;
}

function lowerFirst(name) {
  return name === "AEP" ? "aep" : name[0].toLowerCase() + name.slice(1);
}

/**
 * Creates the `magentoStorefrontEvents` object.
 *
 * @param {() => Promise<{collector_new: Function, collector_call: Function, collector_free: Function}>} loadEngine
 *   resolves with the initialised wasm module
 * @param {{debug?: boolean}} [options]
 */
function buildApi(loadEngine, options) {
  const win = typeof window === "undefined" ? globalThis : window;
  /** `collector_call` on this page's collector once the engine runs: (op, a, b) → answer. */
  let engine = null;
  let queue = [];
  let debug = !!(options && options.debug);
  try {
    debug = debug || /[?&]storefront_events_debug=(1|true)(&|$)/.test(win.location.search);
  } catch (_) { /* no location (worker, tests) */ }
  const handlers = {};
  const alloyLookups = {};

  function log(level, ...args) {
    try {
      const c = win.console;
      (c[level] || c.log).apply(c, ["[storefront-collector]"].concat(args));
    } catch (_) { /* console replaced by something hostile */ }
  }

  /** Calls `handler` with `make()`; what it throws is reported, never rethrown. */
  function deliver(event, handler, make) {
    try {
      handler.call(api, make());
    } catch (e) {
      if (event !== "diagnostic") {
        report({ level: "warning", code: "subscriber-failed", event, path: "", message: "a subscriber threw: " + (e && e.message) });
      } else {
        log("warn", "a diagnostic subscriber threw", e);
      }
    }
  }

  /** Calls each subscriber of `event` with `make()`, called per subscriber (so each gets its own
   *  data-layer payload; diagnostics pass the same object to all). */
  function emit(event, make) {
    const list = handlers[event];
    if (!list) return;
    // Index loops, not Array methods: page code may have replaced them. Unsubscribing replaces the
    // list, and handlers added meanwhile are past `n`.
    for (let i = 0, n = list.length; i < n; i++) deliver(event, list[i], make);
  }

  /** The data layer's past items, oldest first, as `[event, make, cost]`: each publish method's
   *  event (with its `eventInfo` as the engine built it then) and each context change. A subscriber
   *  whose scope is `all` (the default) or `past` gets the matching ones at once, as the reference's
   *  data layer replays its array; the reference keeps them all, this keeps the newest
   *  MAX_HISTORY_COST (JSON characters, plus 100 for each item's own keep). */
  let history = [];
  let historyCost = 0;
  /** Emits a data-layer item to the subscribers of `event` and keeps it for later ones. */
  function emitItem(event, make, chars) {
    emit(event, make);
    if (event !== "adobeDataLayer:change") emit("adobeDataLayer:event", make);
    history[history.length] = [event, make, chars += 100];
    if ((historyCost += chars) > MAX_HISTORY_COST) {
      // Keep the newest items worth up to 90 % of the bound, so that this copy is rare. Index
      // loops, not Array methods (see `emit`).
      let from = history.length;
      for (historyCost = 0; from && historyCost + history[from - 1][2] < MAX_HISTORY_COST * 0.9;) historyCost += history[--from][2];
      const kept = [];
      while (from < history.length) kept[kept.length] = history[from++];
      history = kept;
    }
  }

  function report(diagnostic) {
    // The engine redacts its own diagnostics; these lines cover the ones built here, whose
    // messages quote page errors (a subscriber's exception, a serialization failure).
    try { diagnostic.message = String(diagnostic.message).replace(EMAIL_LIKE, "[email]"); } catch (_) { /* keep it */ }
    if (debug || diagnostic.level === "error") {
      const level = diagnostic.level === "error" ? (debug ? "error" : "warn") : diagnostic.level === "warning" ? "warn" : "info";
      log(level, diagnostic.code, diagnostic.event, diagnostic.path, diagnostic.message);
    }
    emit("diagnostic", () => diagnostic);
  }

  /** Serializes page input; `undefined` in, `undefined` out; failures are reported. */
  function toJson(value, event, path) {
    if (value === undefined) return undefined;
    try {
      return stringify(value);
    } catch (e) {
      report({ level: "error", code: "unreadable-input", event, path, message: "value cannot be serialized: " + (e && e.message) });
      return null;
    }
  }

  /** Applies a call: `["set", key, json or undefined]`, or `[op, payload, args]` given to `feed`
   *  (`["consent", value, [signal, id]]`, `["publish", argsJson, [method, time, url, referrer,
   *  notify, eventId]]`). The queue holds the same arrays while the engine loads. */
  function apply(call) {
    if (call[0] === "set") engine("set", call[1], call[2] === undefined ? "" : call[2]);
    else feed(call[0], call[1], call[2]);
  }

  /** Whether a cookie named exactly `mg_dnt` exists (the reference matched any substring). */
  function hasMgDnt() {
    try { return /(?:^|;\s*)mg_dnt=/.test(win.document.cookie); } catch (_) { return false; }
  }
  let mgDnt = null;
  let mgDntCheckedAt = -1e9;
  /** Tells the engine when `mg_dnt` appeared or went away. */
  function checkMgDnt() {
    mgDntCheckedAt = now();
    const present = hasMgDnt();
    if (present !== mgDnt) {
      mgDnt = present;
      enqueue(["consent", String(present), ["mgdnt", ""]]);
    }
  }
  /** The same on the publish path, at most every 100 ms: reading `document.cookie` is not free
   *  (a benchmark profile measured 15 of 69 ms at 20 events when it ran on every publish). Cookie
   *  changes also arrive at once through cookieStore events, where the browser has them. */
  function checkMgDntSoon() {
    if (now() - mgDntCheckedAt >= 100) checkMgDnt();
  }

  function enqueue(call) {
    if (engine) {
      apply(call);
      return;
    }
    if (queue.length >= MAX_QUEUED_CALLS) {
      const at = queue.findIndex((c) => c[0] === "publish");
      const dropped = at >= 0 ? queue.splice(at, 1)[0] : queue.shift();
      report({ level: "error", code: "queue-full", event: dropped[0] === "publish" ? dropped[2][0] : "", path: "", message: "the collector is still loading and " + MAX_QUEUED_CALLS + " calls are queued; the oldest was dropped" });
    }
    queue[queue.length] = call;
  }

  function setContext(key, value) {
    try {
      const json = toJson(value, "", key);
      if (json === null) return;
      enqueue(["set", key, json]);
      emitItem("adobeDataLayer:change", () => ({ event: "adobeDataLayer:change", [key]: json === undefined ? undefined : parse(json) }), json ? json.length : 0);
    } catch (e) {
      log("error", "setContext failed", e);
    }
  }

  function getContext(key) {
    try {
      let json;
      if (engine) {
        json = engine("get", key === undefined ? "" : key, "");
      } else if (key === undefined) {
        const state = {};
        for (const call of queue) if (call[0] === "set") {
          if (call[2] === undefined) delete state[call[1]];
          else state[call[1]] = parse(call[2]);
        }
        return state;
      } else {
        for (let i = queue.length - 1; i >= 0; i--) {
          if (queue[i][0] === "set" && queue[i][1] === key) { json = queue[i][2]; break; }
        }
      }
      // No context: "" from the engine, undefined in the queue (JSON text is never empty).
      return json ? parse(json) : undefined;
    } catch (e) {
      log("error", "getContext failed", e);
      return undefined;
    }
  }

  const context = {
    setContext: (name, value) => setContext(String(name), value),
    getContext: (name) => getContext(name === undefined ? undefined : String(name)),
  };
  for (const name of CONTEXTS) {
    const key = lowerFirst(name) + "Context";
    context["set" + name] = (value) => setContext(key, value);
    context["get" + name] = () => getContext(key);
  }

  const publish = {};
  for (const method in EVENTS) {
    publish[method] = function (...args) {
      try {
        args = toJson(args, method, "arguments");
        if (!args) return; // null: unreadable (the JSON of an array is never empty)
        let url = "", referrer = "";
        try { url = String(win.document.URL); referrer = String(win.document.referrer); } catch (_) { /* no document */ }
        checkMgDntSoon();
        // notify: the engine always builds the event's `eventInfo`, for the subscribers of now
        // and for the history replayed to later ones.
        enqueue(["publish", args, [method, now(), url, referrer, true, uuid()]]);
      } catch (e) {
        log("error", "publish failed", e);
      }
    };
  }

  const subscribe = {};
  const unsubscribe = {};
  // The publish methods' events, the data layer's subscriber-only events and our diagnostics stream.
  const subscriptions = Object.assign({}, EVENTS, {
    dataLayerChange: "adobeDataLayer:change",
    dataLayerEvent: "adobeDataLayer:event",
    diagnostic: "diagnostic",
  });
  for (const name in subscriptions) {
    const event = subscriptions[name];
    /** `options.scope`, as the data layer's: `"all"` (the default: past items at once, then new
     *  ones), `"future"` (new ones only) or `"past"` (past items only). A handler already
     *  subscribed to the event is not added or replayed to again. */
    subscribe[name] = (handler, options) => {
      try {
        if (typeof handler !== "function") return;
        const scope = options && options.scope;
        if (scope !== "past") {
          const list = handlers[event] || (handlers[event] = []);
          for (let i = 0; i < list.length; i++) if (list[i] === handler) return;
          list[list.length] = handler;
          syncReporting();
        }
        if (scope === "future") return;
        // A copy of the history's current length: items the handler itself causes are new ones.
        for (let i = 0, items = history, n = items.length; i < n; i++) {
          const item = items[i];
          if (item[0] === event || (event === "adobeDataLayer:event" && item[0] !== "adobeDataLayer:change")) deliver(event, handler, item[1]);
        }
      } catch (e) {
        log("error", "subscribe failed", e);
      }
    };
    unsubscribe[name] = (handler) => {
      try {
        const list = handlers[event] || [], rest = [];
        for (let i = 0; i < list.length; i++) if (list[i] !== handler) rest[rest.length] = list[i];
        if (rest.length) handlers[event] = rest;
        else delete handlers[event];
        syncReporting();
      } catch (e) {
        log("error", "unsubscribe failed", e);
      }
    };
  }

  /** Resolves with `window[name]` once the site defines it (alloy may load after us). */
  function findAlloy(name) {
    const current = win[name];
    if (typeof current === "function") return P.resolve(current);
    if (!alloyLookups[name]) {
      report({ level: "warning", code: "awaiting-alloy", event: "", path: "aepContext.webSdkName", message: "window." + name + " is not defined yet; events wait for the site's alloy (up to 30 s per attempt)" });
      alloyLookups[name] = new P((resolve, reject) => {
        let delay = 25, waited = 0;
        (function poll() {
          const instance = win[name];
          if (typeof instance === "function") return resolve(instance);
          if (waited >= 30000) {
            delete alloyLookups[name];
            return reject(new Error("window." + name + " is still not defined after 30 s"));
          }
          waited += delay;
          setTimeout(poll, delay);
          delay = Math.min(delay * 2, 1000);
        })();
      });
    }
    return alloyLookups[name];
  }

  const message = (e) => String((e && e.message) || e);
  const nativeFetch = win.fetch && win.fetch.bind(win);
  const nav = win.navigator;
  const storage = (() => { try { return win.localStorage; } catch (_) { return null; } })();
  let tickTimer = 0, saveTimer = 0;

  /** Feeds the engine; `args` are the small positional arguments (see src/web/mod.rs). */
  const feed = (op, payload, args) => engine(op, payload, args ? stringify(args) : "");

  /** The host: performs the engine's effects with the page's APIs (see src/web/driver.rs). */
  const host = {
    run(op, a, b, c) {
      try {
        switch (op) {
          case "diagnostic": report(parse(a)); break;
          case "notify": {
            // `|| a`: an engine from an older cached build names the event itself.
            const event = EVENTS[a] || a;
            emitItem(event, () => ({ event, eventInfo: parse(b) }), b.length);
            break;
          }
          case "identity":
            findAlloy(a)
              .then((alloy) => alloy("getIdentity"))
              .then((r) => feed("identity", r && r.identity && typeof r.identity.ECID === "string" ? r.identity.ECID : ""),
                (e) => {
                  report({ level: "warning", code: "identity-unavailable", event: "", path: "aepContext.webSdkName", message: "getIdentity failed: " + message(e) });
                  feed("identity", "");
                });
            break;
          case "handoff": {
            // alloy may hang (its promise never settles): say so once per event after 10 s. The
            // event keeps waiting; resending it could deliver it twice if alloy does send it. The
            // key order matches the other reports here (smaller brotli).
            let stall;
            findAlloy(a)
              .then((alloy) => {
                stall = setTimeout(() => report({ level: "warning", code: "hand-off-stalled", event: "", path: "aepContext.webSdkName", message: "alloy has not settled sendEvent after 10 s; the event waits, not resent (alloy may still send it)", eventId: b }), 1e4);
                return alloy("sendEvent", { xdm: parse(c) });
              })
              .then(() => { clearTimeout(stall); feed("settled", "", [b, true, now(), random()]); },
                (e) => {
                  clearTimeout(stall);
                  // A rejection while the browser is offline says nothing about the event: count the
                  // attempt once the network is back, so an outage cannot use up the hand-off attempts.
                  const settle = () => feed("settled", message(e), [b, false, now(), random()]);
                  if (nav && nav.onLine === false) win.addEventListener("online", settle, { once: true });
                  else settle();
                });
            break;
          }
          case "fetch":
          case "fetch-keepalive": {
            // Retry-After may be an HTTP date; the engine takes seconds (null: none or unreadable).
            const seconds = (h) => {
              if (!h || !isNaN(+h)) return h || null;
              const at = Date.parse(h);
              return isNaN(at) ? null : String(Math.max(0, (at - now()) / 1000));
            };
            const answer = (status, retryAfter, text) => feed("response", text || "", [a, status, seconds(retryAfter), now(), random()]);
            try {
              nativeFetch(b, {
                method: "POST", body: c, keepalive: op === "fetch-keepalive", credentials: "include", cache: "no-cache",
                referrerPolicy: "no-referrer-when-downgrade", headers: { "Content-Type": "text/plain; charset=UTF-8" },
              }).then((r) => r.text().then(
                (text) => answer(r.status, r.headers.get("Retry-After"), text),
                () => answer(r.status, r.headers.get("Retry-After")),
              ), () => answer(0));
            } catch (_) {
              setTimeout(() => answer(0), 0);
            }
            break;
          }
          case "beacon":
            return nav.sendBeacon(a, new Blob([b], { type: "text/plain; charset=UTF-8" })) ? "1" : "";
          case "cookie": {
            const [maxAge, sameSite] = parse(c);
            let cookie = a + "=" + b + "; path=/";
            const domain = apexDomain();
            if (domain) cookie += "; domain=" + domain;
            if (maxAge !== null) cookie += "; max-age=" + maxAge;
            if (sameSite) cookie += "; SameSite=" + sameSite + (sameSite === "None" ? "; Secure" : "");
            win.document.cookie = cookie;
            break;
          }
          case "schedule":
            clearTimeout(tickTimer);
            tickTimer = setTimeout(() => feed("tick", "", [now()]), Math.max(0, +a - now()));
            break;
          case "save-soon":
            // Coalesces bursts; `pagehide` saves synchronously, so this delay loses nothing on navigation.
            if (!saveTimer) saveTimer = setTimeout(() => { saveTimer = 0; feed("save", "", [now()]); }, 200);
            break;
          case "store":
            storage.setItem(a, b);
            return "1";
          case "unstore":
            storage.removeItem(a);
            break;
          case "domain":
            return apexDomain();
          case "alloy-consent":
            findAlloy(a)
              .then((alloy) => alloy("setConsent", { consent: [{ standard: "Adobe", version: "1.0", value: { general: b } }] }))
              .catch((e) => report({ level: "warning", code: "delivery-failed", event: "", path: "aepContext.webSdkName", message: "setConsent failed: " + message(e) }));
            break;
        }
      } catch (_) { /* storage or cookies blocked, or a hostile page: the engine handles the "" answer */ }
      return "";
    },
  };

  function apexDomain() {
    if (apex === null) apex = findApex();
    return apex;
  }

  /** The page's apex domain (the highest one that takes a cookie), as alloy finds it. */
  function findApex() {
    try {
      const doc = win.document, host = win.location.hostname;
      if (!host || /^[\d.]+$|:|^localhost$/.test(host)) return "";
      const labels = host.split(".");
      for (let i = labels.length - 2; i >= 0; i--) {
        const candidate = labels.slice(i).join(".");
        doc.cookie = "storefront_collector_tld=1; domain=" + candidate + "; path=/";
        if (doc.cookie.indexOf("storefront_collector_tld=1") >= 0) {
          doc.cookie = "storefront_collector_tld=; domain=" + candidate + "; path=/; max-age=0";
          return candidate;
        }
      }
    } catch (_) { /* no document or cookies blocked */ }
    return "";
  }
  let apex = null;

  /** Listens to the consent signals of the page: GPC, `mg_dnt` changes, IAB TCF v2. */
  function watchConsent() {
    try { if (nav && nav.globalPrivacyControl === true) enqueue(["consent", "true", ["gpc", ""]]); } catch (_) { /* no navigator */ }
    checkMgDnt();
    try {
      if (win.cookieStore && win.cookieStore.addEventListener) {
        // Only a change to mg_dnt itself is worth a read of document.cookie (a synchronous call
        // into the browser's cookie store): the Edge's own cookies change on every first answer.
        win.cookieStore.addEventListener("change", (e) => {
          const lists = [e && e.changed, e && e.deleted];
          for (let l = 0; l < 2; l++) {
            for (let i = 0; lists[l] && i < lists[l].length; i++) {
              if (lists[l][i] && lists[l][i].name === "mg_dnt") return checkMgDnt();
            }
          }
        });
      } else {
        setInterval(checkMgDnt, 1000);
      }
    } catch (_) { /* no cookie access */ }
    let tcfWatched = false;
    const tcf = () => {
      if (typeof win.__tcfapi !== "function" || tcfWatched) return;
      tcfWatched = true;
      try {
        win.__tcfapi("addEventListener", 2, (data, success) => {
          if (!success || !data) return;
          const ids = (o) => {
            const list = [];
            for (const k in (o && o.consents) || {}) if (o.consents[k]) list[list.length] = +k;
            return list;
          };
          const ready = data.eventStatus === "tcloaded" || data.eventStatus === "useractioncomplete";
          enqueue(["consent", stringify({ gdprApplies: data.gdprApplies !== false, ready, purposes: ids(data.purpose), vendors: ids(data.vendor) }), ["tcf", ""]]);
        });
      } catch (e) {
        report({ level: "warning", code: "invalid-argument", event: "", path: "__tcfapi", message: "the TCF API failed: " + message(e) });
      }
    };
    tcf();
    try { win.addEventListener("load", tcf); } catch (_) { /* no window events */ }
  }

  function startEngine(mod) {
    const handle = mod.collector_new(host);
    engine = (op, a, b) => mod.collector_call(handle, op, a, b);
    const saved = [];
    try {
      for (let i = 0; i < storage.length; i++) {
        const key = storage.key(i);
        if (key && key.indexOf(OUTBOX_PREFIX) === 0) saved[saved.length] = [key, storage.getItem(key)];
      }
    } catch (_) { /* storage blocked */ }
    let cookies = "";
    try { cookies = win.document.cookie; } catch (_) { /* cookies blocked */ }
    const limits = (options && options.outbox) || {};
    feed("start", stringify(saved), [now(), OUTBOX_PREFIX + uuid(), cookies, limits.maxEvents | 0, limits.maxBytes | 0]);
    syncReporting();
    try {
      // An unloading page fires pagehide, then visibilitychange: that second, ordinary save must not
      // overwrite the closed snapshot, or the next page waits a minute before taking it over.
      let unloading = false;
      win.addEventListener("pagehide", (e) => { unloading = true; feed("hide", "", [now(), !!(e && e.persisted)]); });
      win.addEventListener("pageshow", () => { unloading = false; });
      win.addEventListener("visibilitychange", () => { if (!unloading && win.document.visibilityState === "hidden") feed("save", "", [now()]); });
      win.addEventListener("online", () => feed("tick", "", [now()]));
    } catch (_) { /* no window events (worker) */ }
    warmUp(mod);
  }

  /** The browser compiles wasm (and JavaScript) functions on their first call. Once the page is
   *  idle, a throw-away collector whose host does nothing runs a page view and a cart event
   *  through the engine's direct-mode path (with `notify`, as every publish has it, so that the
   *  `eventInfo` path is compiled too), so that the shopper's first events do not pay for
   *  that compilation (an A/B of 2 x 9 benchmark runs: 2-4 ms less main-thread time for a
   *  page view + 20 events, median 17-23 ms). Nothing leaves
   *  it: every effect is dropped. */
  function warmUp(mod) {
    try {
      (win.requestIdleCallback || setTimeout)(() => {
        try {
          // Time 0 throughout (a real clock would make these events look a week old).
          const h = mod.collector_new({ run: () => "" }), c = (op, a, b) => mod.collector_call(h, op, a, b);
          c("set", "aepContext", '{"imsOrgId":"0@AdobeOrg","datastreamId":"w"}');
          c("set", "eventForwardingContext", '{"aep":true}');
          c("set", "shoppingCartContext", '{"items":[{"product":{"sku":"w"},"quantity":1}]}');
          c("publish", "[]", '["pageView",0,"","",true,"w"]');
          c("publish", "[]", '["addToCart",0,"","",true,"x"]');
          c("tick", "", "[0]");
          c("response", "{}", '["w",200,null,0,0]');
          mod.collector_free(h);
        } catch (_) { /* only an optimisation */ }
      });
    } catch (_) { /* a page that broke requestIdleCallback/setTimeout: no warm-up */ }
  }

  /** Info-level diagnostics cost time; ask for them only when someone listens. */
  function syncReporting() {
    if (engine) feed("report", "", [debug || !!handlers.diagnostic]);
  }

  const consent = {
    /** The shopper's choice: "in", "out", "pending", or an Adobe 1.0/2.0 consent object. */
    set(choice) {
      try {
        const json = toJson(choice, "", "consent");
        if (json) enqueue(["consent", json, ["choice", uuid()]]);
      } catch (e) {
        log("error", "consent.set failed", e);
      }
    },
    /** The effective state: "in", "pending" or "out" (undefined until the engine runs). */
    get() {
      try { return engine ? engine("consent-state", "", "") : undefined; } catch (_) { /* undefined */ }
    },
  };
  watchConsent();

  const api = {
    context,
    publish,
    subscribe,
    unsubscribe,
    consent,
    /** Turns console logging of every diagnostic on or off. */
    debug(enabled) { debug = enabled !== false; syncReporting(); },
    /** Resolves once the wasm engine runs (queued calls are applied by then). */
    ready: P.resolve()
      .then(loadEngine)
      .then((mod) => {
        startEngine(mod);
        const pending = queue;
        queue = [];
        for (const call of pending) {
          try { apply(call); } catch (e) { log("error", "replay failed", e); }
        }
      })
      .catch((e) => {
        report({ level: "error", code: "engine-unavailable", event: "", path: "", message: "the collector could not start: " + (e && e.message) });
      }),
  };
  define(api, "__storefrontCollector", { value: true });
  return api;
}
