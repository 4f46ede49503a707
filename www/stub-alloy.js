// Demo only: a stand-in for the site's alloy instance named "alloy". It answers getIdentity with a
// fixed ECID and records every sendEvent so the page can show it. In production this is Adobe's
// alloy (or the collector posts to the Edge itself).
(function () {
  const sent = [];
  function alloy(command, options) {
    if (command === "sendEvent") {
      sent.push(options);
      window.dispatchEvent(new CustomEvent("demo:sent", { detail: options }));
    }
    return Promise.resolve(command === "getIdentity" ? { identity: { ECID: "61826014316457108427412838372431258839" } } : {});
  }
  alloy.sent = sent;
  window.alloy = alloy;
})();
