//! The web shell (wasm32 only) and the **JavaScript API boundary**.
//!
//! The boundary is deliberately narrow, because every exported or imported function costs
//! wasm-bindgen glue (measured: about 0.8 KB of wasm per export):
//!
//! * JavaScript → Rust: [`collector_call`]`(handle, op, a, b)`, where `a` carries the main payload
//!   (JSON text, a key, a body) and `b` a JSON array of small arguments. The operations are listed
//!   on [`collector_call`]. A collector is a `u32` handle from [`collector_new`], dropped by
//!   [`collector_free`]: free functions rather than an exported class, whose constructor shim,
//!   pointer borrow checks with their error strings and `free`/`FinalizationRegistry` glue
//!   measured 342 B brotli more (wasm 217, loader 125).
//! * Rust → JavaScript: `run(handle, op, a, b, c)`, which performs an effect on the [`Host`]
//!   object `js/api.js` gave for that collector (`collector_new(host)` in JavaScript: the glue
//!   keeps the object, keyed by handle, and `detach(handle)` forgets it when the collector is
//!   gone), with the page's APIs (`fetch`, `sendBeacon`, cookies, `localStorage`, timers, the
//!   site's alloy), and answers the synchronous ones. The operations are listed in `driver.rs`.
//!   Only numbers and strings cross the boundary, so the module carries none of wasm-bindgen's
//!   externref slot management (passing the host object itself, and a `Date` for [`iso_string`],
//!   cost 350 B brotli of wasm in slot allocation and shims, the `detach` import included). wasm-bindgen's `web` glue imports these functions from `js/host.js`;
//!   the classic script's `js/glue.js` has its own, checked against them by `scripts/assemble.mjs`.
//! * Rust → JavaScript, for the engine: two conversions the browser does exactly and that cost the
//!   wasm more in Rust, `Number(text)` ([`js_number`], decimal literal → `f64`) and
//!   `new Date(ms).toISOString()` ([`iso_string`], the XDM `timestamp`). The engine stays pure: it
//!   checks and clamps its input itself on every target, and only its final step
//!   (`engine::json::parse_f64`, `engine::time::iso8601`) is a `cfg(target_arch = "wasm32")`
//!   call into this module, with the Rust conversion kept for host builds. Both results are pinned
//!   against the host's in `tests/web.rs`. The classic script's glue uses built-ins captured at
//!   load (unary `+`, the original `Date` and `toISOString`); the `web` glue for the ES module looks
//!   the globals up at call time.
//!
//! Page I/O is JavaScript rather than web-sys/gloo-net/wasm-bindgen-futures: doing the alloy calls
//! in Rust with `JsFuture` measured 3.4 KB brotli of wasm and 0.6 KB of glue more.
//!
//! Nothing here may panic or throw on page input: bad JSON becomes a diagnostic.

mod alloc;
mod driver;

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::calls;
use crate::engine::diagnostic::{Code, Diagnostic, Level};
use crate::engine::json::{self, Value};
use crate::engine::Input;
use driver::Driver;

/// Our own size-class allocator instead of the default dlmalloc (5.7 KB of code measured) or
/// talc (about 1.3 KB): see [`alloc`].
#[global_allocator]
static ALLOCATOR: alloc::Classes = alloc::Classes::new();

#[wasm_bindgen]
extern "C" {
    /// JavaScript's `Number(text)`, correctly rounded by the language's definition: how the engine
    /// converts decimal literals it has already checked (`engine::json::parse_f64`), in place of
    /// about 0.5 KB brotli of Rust conversion code. The classic script's glue (`js/glue.js`)
    /// answers with `+text`, which a page cannot redefine.
    #[wasm_bindgen(js_name = Number)]
    pub(crate) fn js_number(text: &str) -> f64;
}

/// The host side of the boundary: `js/host.js` for wasm-bindgen's glue, `js/glue.js`'s own
/// functions in the classic script. The hosts stay in JavaScript, keyed by collector handle.
#[wasm_bindgen(module = "/js/host.js")]
extern "C" {
    /// Performs effect `op` with up to three string arguments on the host attached to the
    /// collector `handle`; returns the answer of synchronous effects (`""` otherwise).
    #[wasm_bindgen(js_name = run)]
    fn host_run(handle: u32, op: &str, a: &str, b: &str, c: &str) -> String;

    /// Forgets the host of the collector `handle`, whose driver is gone.
    #[wasm_bindgen(js_name = detach)]
    fn host_detach(handle: u32);

    /// Attaches `host` (an object whose `run(op, a, b, c)` never throws) to the collector `handle`
    /// fresh from [`collector_new`]. The JavaScript glue does this itself; for Rust callers
    /// (`tests/web.rs`), see [`collector_new_with`].
    #[wasm_bindgen(js_name = attach)]
    fn host_attach(handle: u32, host: &JsValue);

    /// `new Date(ms).toISOString()`: how the engine formats its `timestamp`s
    /// (`engine::time::iso8601`, which clamps `ms` into the range where this cannot throw), in place
    /// of the Rust calendar code. The classic script's glue uses the `Date` and `toISOString` it
    /// captured at load.
    #[wasm_bindgen(js_name = isoString)]
    pub(crate) fn iso_string(ms: f64) -> String;
}

/// The page-side host (`js/api.js`) that carries out a collector's effects: the collector's
/// handle, under which the JavaScript side keeps the host object. Dropped with the collector's
/// driver, which detaches the object.
#[derive(Debug)]
pub struct Host(u32);

impl Host {
    /// Performs effect `op` with up to three string arguments; returns the answer of synchronous
    /// effects (`""` otherwise). The host's `run` never throws.
    pub fn run(&self, op: &str, a: &str, b: &str, c: &str) -> String {
        host_run(self.0, op, a, b, c)
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        host_detach(self.0);
    }
}

/// Every collector created, indexed by the handles `collector_new` returns (`None` once freed).
/// Slots are not reused, so a stale handle never reaches a newer collector; a page creates two
/// (its own and js/api.js's throw-away warm-up), an ES module user a few more.
static COLLECTORS: Collectors = Collectors(RefCell::new(Vec::new()));

/// The collector table as a plain static: `thread_local!`'s access code measured larger, and the
/// module has one thread.
struct Collectors(RefCell<Vec<Option<Rc<Driver>>>>);

// SAFETY: wasm32 without the `atomics` feature is single-threaded: nothing else can reach it.
unsafe impl Sync for Collectors {}

// The table above and the allocator (`alloc`) rely on the module having one thread.
#[cfg(target_feature = "atomics")]
compile_error!("the web shell assumes single-threaded wasm (no `atomics` target feature)");

/// Creates a collector; returns its handle for [`collector_call`] and [`collector_free`]. The
/// JavaScript glue then attaches the host object that carries out its effects (`collector_new(host)`
/// on the JavaScript side).
#[wasm_bindgen]
pub fn collector_new() -> u32 {
    #[cfg(feature = "panic-hook")]
    console_error_panic_hook::set_once();
    let mut collectors = COLLECTORS.0.borrow_mut();
    let handle = collectors.len() as u32;
    collectors.push(Some(Driver::new(Host(handle))));
    handle
}

/// [`collector_new`] with `host` attached, as the JavaScript glue's `collector_new(host)` does: for
/// Rust callers (`tests/web.rs`).
pub fn collector_new_with(host: &JsValue) -> u32 {
    let handle = collector_new();
    host_attach(handle, host);
    handle
}

/// Drops the collector `handle` (an unknown or already freed handle is ignored). Safe from inside
/// an effect: a call under way keeps its collector until it returns.
#[wasm_bindgen]
pub fn collector_free(handle: u32) {
    // Dropped after the slab's borrow ends.
    let _driver = COLLECTORS.0.borrow_mut().get_mut(handle as usize).and_then(Option::take);
}

/// Feeds one page call to the collector `handle`: `op` with its payload `a` and small arguments
/// `b`, decoded by [`crate::calls::decode`] (whose docs list the operations); returns the answer
/// of the synchronous ones (`get`, `consent-state`, `held`), `""` otherwise.
///
/// An unknown or freed `handle` does nothing and returns `""`.
#[wasm_bindgen]
pub fn collector_call(handle: u32, op: &str, a: &str, b: &str) -> String {
    // A clone of the `Rc`, so the slab is not borrowed while effects run: a subscriber may
    // publish (or create or free a collector) from inside one.
    let Some(driver) = COLLECTORS.0.borrow().get(handle as usize).cloned().flatten() else {
        return String::new();
    };
    calls::decode(&mut &driver, op, a, b)
}

/// The driver as the target of decoded calls.
impl calls::Target for &Rc<Driver> {
    fn feed(&mut self, input: Input) {
        self.handle(input);
    }
    fn unreadable(&mut self, event: &str, path: &str, message: &str) {
        self.diagnose(&Diagnostic::new(Level::Error, Code::UnreadableInput, event, path, message));
    }
    fn context(&mut self, key: &str) -> String {
        let engine = self.engine();
        if key.is_empty() {
            engine.state_to_json()
        } else {
            engine.context(key).map(Value::to_json).unwrap_or_default()
        }
    }
    fn consent_state(&mut self) -> String {
        self.engine().consent_state().as_str().to_owned()
    }
    fn held(&mut self) -> String {
        let mut out = String::new();
        json::push_uint(&mut out, self.engine().held_count() as u64);
        out
    }
}
