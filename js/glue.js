  // The engine's wasm boundary for the classic script: a small stand-in for wasm-bindgen's
  // generated glue, which carries code this script never runs (initSync, Request and Module
  // inputs, deprecation warnings): 1.3 KB brotli against about 0.4 KB for this.
  // It speaks the ABI wasm-bindgen gives the module: three exports (collector_new / collector_call /
  // collector_free), strings passed as (pointer, length) through __wbindgen_malloc / __wbindgen_free,
  // and the functions of js/host.js as imports: `run` (a collector's `host.run`, returning a string
  // through a return pointer), `detach` and `isoString` (with `new Date(ms)` and `toISOString`
  // captured at load), plus JavaScript's `Number` for the decimal literals the engine has checked
  // (as unary `+`, which a page cannot redefine) and the externref table that wasm-bindgen
  // initialises. As in js/host.js, the hosts stay here, keyed by collector handle: only numbers and
  // strings cross the boundary. scripts/assemble.mjs fills in the names and the table setup from
  // the glue wasm-bindgen generated for this very module, and fails the build when that glue no
  // longer has the shape this file relies on.
  // The browser built-ins are captured when the script runs, as in the API layer; a browser without
  // WebAssembly (or with it turned off) gets the API all the same, and an `engine-unavailable`
  // diagnostic when the engine cannot load.
  var engineApi = (function (WA, fetch, Encoder, Decoder, DateC) {
    var wasm, bytes, encoder, decoder, hosts = [], toISO = DateC.prototype.toISOString;
    /** The module's memory as bytes (a new view after the memory grew). */
    function memory() {
      if (!bytes || !bytes.byteLength) bytes = new Uint8Array(wasm.memory.buffer);
      return bytes;
    }
    /** Copies `text` into the module; returns its pointer (the module owns the copy). */
    function put(text) {
      var utf8 = encoder.encode(text), ptr = wasm.__wbindgen_malloc(utf8.length, 1) >>> 0;
      memory().set(utf8, ptr);
      return [ptr, utf8.length];
    }
    /** Reads a string the module lent us. */
    function get(ptr, len) {
      ptr >>>= 0;
      return decoder.decode(memory().subarray(ptr, ptr + len));
    }
    /** Returns `text` to the module through the return pointer `ret` (a string-valued import). */
    function answer(ret, text) {
      var s = put(text), view = new DataView(wasm.memory.buffer);
      view.setInt32((ret >>> 0) + 4, s[1], true);
      view.setInt32(ret >>> 0, s[0], true);
    }
    var imports = { "./storefront_collector_bg.js": {
      /*@RUN@*/: function (ret, handle, op, opLen, a, aLen, b, bLen, c, cLen) {
        answer(ret, hosts[handle].run(get(op, opLen), get(a, aLen), get(b, bLen), get(c, cLen)));
      },
      /*@DETACH@*/: function (handle) { delete hosts[handle]; },
      /*@NUMBER@*/: function (ptr, len) { return +get(ptr, len); },
      /*@ISO@*/: function (ret, ms) { answer(ret, toISO.call(new DateC(ms))); },
      /*@TABLE@*/: function () {
        var table = wasm.__wbindgen_externrefs;
        /*@TABLE_INIT@*/
      },
    } };
    var exports = {
      collector_new: function (host) {
        var handle = wasm.collector_new() >>> 0;
        hosts[handle] = host;
        return handle;
      },
      collector_call: function (handle, op, a, b) {
        var o = put(op), x = put(a), y = put(b);
        var ret = wasm.collector_call(handle, o[0], o[1], x[0], x[1], y[0], y[1]);
        try { return get(ret[0], ret[1]); } finally { wasm.__wbindgen_free(ret[0], ret[1], 1); }
      },
      collector_free: function (handle) { wasm.collector_free(handle); },
    };
    function start(result) {
      wasm = result.instance.exports;
      wasm.__wbindgen_start();
      return exports;
    }
    /** Instantiates the module from its URL (streaming compile when the server sends
     *  application/wasm, else from the bytes) or, in the inline variant, from its bytes. */
    return function (source) {
      if (!WA || !Encoder || !Decoder) throw new Error("this browser has no WebAssembly");
      encoder = new Encoder();
      decoder = new Decoder("utf-8", { ignoreBOM: true });
      if (!(source instanceof URL)) return WA.instantiate(source, imports).then(start);
      return fetch.call(win, source).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status + " for " + source);
        var copy = response.clone();
        return WA.instantiateStreaming(response, imports).catch(function () {
          return copy.arrayBuffer().then(function (wasmBytes) { return WA.instantiate(wasmBytes, imports); });
        });
      }).then(start);
    };
  })(win.WebAssembly, win.fetch, win.TextEncoder, win.TextDecoder, win.Date);
