// Hostile page code for tests/e2e/hostile.test.mjs: loaded before and after the collector's script
// (`data-when`); when that matches the page's `?break=` parameter it replaces `fetch`, `JSON`,
// `Array.prototype` methods, `Object.keys` and `Promise` with functions that throw. With
// `?legacy-tojson` it gives arrays a `toJSON`, as Prototype.js 1.6 did, before the collector loads;
// with `?no-wasm` it removes `WebAssembly`.
(function () {
  var when = document.currentScript.getAttribute("data-when");
  if (when === "before" && location.search.indexOf("legacy-tojson") >= 0) {
    // Prototype.js 1.6 gave arrays a toJSON returning JSON text, so JSON.stringify(array) became a
    // string (this stand-in returns a marker string to the same effect).
    Array.prototype.toJSON = function () { return "legacy array " + this.length; };
  }
  if (when === "before" && location.search.indexOf("no-wasm") >= 0) {
    // A browser with WebAssembly turned off (iOS Lockdown Mode, javascript.options.wasm=false).
    delete window.WebAssembly;
  }
  if (location.search.indexOf("break=" + when) < 0) return;
  var boom = function () { throw new Error("hostile page broke this"); };
  window.fetch = boom;
  JSON.parse = boom;
  JSON.stringify = boom;
  var methods = "push pop shift unshift slice splice map forEach filter reduce indexOf includes find findIndex concat join some every".split(" ");
  for (var i = 0; i < methods.length; i++) Array.prototype[methods[i]] = boom;
  Object.keys = boom;
  window.Promise = boom;
})();
