// A stub alloy instance for tests: records every call as [command, options] in `window[name].calls`
// and answers getIdentity with a fixed ECID, as the real alloy's promise API does.
window.installStubAlloy = function (name, ecid) {
  function stub(command, options) {
    stub.calls.push([command, options === undefined ? null : JSON.parse(JSON.stringify(options))]);
    return Promise.resolve(command === "getIdentity" ? { identity: { ECID: ecid || "12345678901234567890123456789012345678" } } : {});
  }
  stub.calls = [];
  window[name] = stub;
  return stub;
};
