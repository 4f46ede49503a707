// The page's own calls for tests/e2e/hostile.test.mjs, written without the natives hostile.js
// breaks. Counts calls that returned and calls that threw, collects diagnostic codes, and shows the
// summary in document.title (read from the browser's isolated world, which the page cannot break).
(function () {
  var mse = window.magentoStorefrontEvents, ok = 0, threw = 0, codes = "";
  function call(f) {
    try { f(); ok++; } catch (e) { threw++; codes += " THREW(" + (e && e.message) + ")"; }
  }
  call(function () { mse.subscribe.diagnostic(function (d) { codes += " " + d.code; }); });
  call(function () { mse.context.setAEP({ imsOrgId: "1234@AdobeOrg", datastreamId: "ds-1", edgeDomain: "edge.example.test" }); });
  call(function () { mse.context.setEventForwarding({ aep: true }); });
  call(function () { mse.context.setPage({ pageType: "Home", pageName: "hostile" }); });
  call(function () { mse.publish.pageView(); });
  call(function () { mse.publish.pageView({ web: { webPageDetails: { name: "hostile-2" } } }); });
  call(function () { mse.context.getPage(); });
  var handler = function () {};
  call(function () { mse.subscribe.pageView(handler); });
  call(function () { mse.unsubscribe.pageView(handler); });
  call(function () { mse.consent.get(); });
  // Once the engine runs, too.
  setTimeout(function () {
    call(function () { mse.publish.pageView({ web: { webPageDetails: { name: "hostile-late" } } }); });
  }, 700);
  setInterval(function () { document.title = "ok=" + ok + " threw=" + threw + " codes=" + codes; }, 50);
})();
