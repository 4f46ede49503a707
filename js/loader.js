// storefront-events.js: the classic-script entry. `<script src=".../storefront-events.js"></script>`
// defines `window.magentoStorefrontEvents` synchronously; the wasm engine loads in the background
// (fetched relative to this script's own URL) and queued calls are applied in order once it runs.
// Including the script twice does nothing the second time.
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

  win.magentoStorefrontEvents = buildApi(function () {
    return import(new URL("storefront_collector.js", base).href).then(function (glue) {
      return glue.default({ module_or_path: new URL("storefront_collector_bg.wasm", base) }).then(function () {
        return glue;
      });
    });
  });
})();
