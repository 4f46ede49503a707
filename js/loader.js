// storefront-events.js: the classic-script entry. `<script src=".../storefront-events.js"></script>`
// defines `window.magentoStorefrontEvents` synchronously; the wasm engine loads in the background
// (fetched relative to this script's own URL) and queued calls are applied in order once it runs.
// Including the script twice does nothing the second time. scripts/assemble.mjs inlines the API
// layer (js/api.js) and the wasm boundary (js/glue.js, which defines a local `engineApi`), so a
// page fetches this file and the .wasm, nothing else.
(function () {
  "use strict";
  var win = window;
  var existing = win.magentoStorefrontEvents;
  if (existing && existing.__storefrontCollector) return;
  if (existing) {
    win.console && console.warn("[storefront-collector] window.magentoStorefrontEvents already belongs to another SDK; not replacing it");
    return;
  }
  var script = document.currentScript;
  var base = script && script.src ? script.src : document.baseURI;

  /*@API@*/

  /*@GLUE@*/

  try {
    win.magentoStorefrontEvents = buildApi(function () {
      return engineApi(new URL("storefront_collector_bg.wasm", base));
    });
  } catch (e) {
    // The page made the global read-only, or broke what we need before we ran: never throw into it.
    win.console && console.warn("[storefront-collector] could not install window.magentoStorefrontEvents:", e);
  }
})();
