//! The context store: the storefront state every event is built from.
//!
//! Mirrors the reference SDK's Adobe Client Data Layer semantics without its unbounded history:
//! `setX(ctx)` *replaces* context `x` (no merge), `null`/`undefined` clears it, and `getX()` returns
//! a copy of what was set, or nothing when it was never set. Keys are the data-layer names
//! (`pageContext`, `aepContext`, …); the JavaScript API maps `setPage` → `pageContext`.

use super::json::{Map, Value};

/// Largest accepted context, as serialized JSON. Larger ones are refused with a diagnostic so one
/// runaway object cannot make every later event exceed the Edge's 64 KB request limit.
pub const MAX_CONTEXT_BYTES: usize = 256 * 1024;

/// All contexts currently set, keyed by data-layer name.
#[derive(Debug, Default, Clone)]
pub struct ContextStore {
    contexts: Map,
}

impl ContextStore {
    /// Replaces context `key`; `None` (or JSON `null`) clears it.
    pub fn set(&mut self, key: &str, value: Option<Value>) {
        match value {
            Some(v) if !v.is_null() => {
                self.contexts.insert(key, v);
            }
            _ => {
                self.contexts.remove(key);
            }
        }
    }

    /// The context `key`, if set.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.contexts.get(key)
    }

    /// The whole state as one object, as the reference's `getContext()` and `eventInfo` show it.
    pub fn state(&self) -> Map {
        self.contexts.clone()
    }

    /// The whole state as JSON text (the object [`ContextStore::state`] returns, written).
    pub fn to_json(&self) -> String {
        self.contexts.to_json()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::json::json;

    #[test]
    fn set_replaces_and_null_clears() {
        let mut store = ContextStore::default();
        store.set("pageContext", Some(json!({"pageType": "PDP", "pageName": "Shirt"})));
        store.set("pageContext", Some(json!({"pageType": "Cart"})));
        assert_eq!(store.get("pageContext"), Some(&json!({"pageType": "Cart"})));
        store.set("pageContext", Some(Value::Null));
        assert_eq!(store.get("pageContext"), None);
    }
}
