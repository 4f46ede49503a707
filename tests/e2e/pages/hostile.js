// Hostile page code for tests/e2e/hostile.test.mjs: loaded before and after the collector's script
// (`data-when`); when that matches the page's `?break=` parameter it replaces `fetch`, `JSON`,
// `Array.prototype` methods, `Object.keys` and `Promise` with functions that throw.
(function () {
  var when = document.currentScript.getAttribute("data-when");
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
