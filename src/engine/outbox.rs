//! The outbox: every admitted event waits here until its destination has it.
//!
//! Bounded by count and bytes, first in first out, de-duplicated by `_id`. When a bound is hit the
//! **oldest event that is not being sent** is dropped (the newest behaviour is worth more) and the
//! engine reports it. The outbox is saved to `localStorage` by the shell under a per-page key, as a
//! [`Snapshot`]; a later page restores snapshots whose page has gone (closed on `pagehide`, or not
//! updated for [`STALE_AFTER_MS`]), so events survive reloads and navigation.

use super::json::{self, Map, Number, Value};

use super::value;

/// Default bound on the number of events.
pub const DEFAULT_MAX_EVENTS: usize = 2000;
/// Default bound on the size of the events' XDM, in bytes of JSON.
pub const DEFAULT_MAX_BYTES: usize = 2_000_000;
/// A saved outbox whose page neither closed it nor updated it for this long is taken over.
pub const STALE_AFTER_MS: f64 = 60_000.0;
/// Events older than this are dropped rather than sent (the Edge would accept them, but a week-old
/// behaviour event is more likely a stuck loop than data).
pub const MAX_AGE_MS: f64 = 7.0 * 24.0 * 3600.0 * 1000.0;

/// Where an event is in its delivery.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum State {
    /// Ready to go.
    Queued,
    /// A request (or hand-off) is under way.
    InFlight,
    /// Waiting for a retry at this time (epoch ms).
    RetryAt(f64),
}

/// One event in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The event's `_id`.
    pub id: String,
    /// The publish method (`addToCart`), for diagnostics.
    pub method: String,
    /// The XDM without the identity fields (added when it is sent).
    pub xdm: Map,
    /// `aepContext.identityMap` at publish time.
    pub custom_identity_map: Option<Value>,
    /// Publish time, epoch ms.
    pub published_ms: f64,
    /// Failed attempts so far.
    pub attempts: u32,
    /// Delivery state.
    pub state: State,
    /// Size of `xdm` as JSON, counted against the byte bound.
    pub bytes: usize,
    /// Whether the request under way (if any) was sent with `keepalive` (it outlives the page).
    pub keepalive: bool,
    /// Sent alone from now on: a request carrying it with others was rejected as a whole, so
    /// each of them is tried by itself to find the one the Edge refuses.
    pub solo: bool,
    /// `xdm` as JSON text, written once: saving the outbox then only concatenates.
    pub xdm_json: String,
}

impl Entry {
    /// A queued entry; `bytes` is computed here.
    pub fn new(id: String, method: String, xdm: Map, custom_identity_map: Option<Value>, published_ms: f64) -> Self {
        let mut entry = Entry {
            id,
            method,
            xdm,
            custom_identity_map,
            published_ms,
            attempts: 0,
            state: State::Queued,
            bytes: 0,
            keepalive: false,
            solo: false,
            xdm_json: String::new(),
        };
        entry.write_json();
        entry
    }

    /// Writes `xdm_json` and `bytes` from `xdm` (when it is new or changed).
    fn write_json(&mut self) {
        self.xdm_json.clear();
        json::write_map(&self.xdm, &mut self.xdm_json);
        self.bytes = self.xdm_json.len();
    }
}

impl Entry {
    /// Whether it may be sent at `now_ms`: queued, or waiting for a retry whose time has come.
    fn is_due(&self, now_ms: f64) -> bool {
        match self.state {
            State::Queued => true,
            State::RetryAt(at) => at <= now_ms,
            State::InFlight => false,
        }
    }
}

/// Configurable bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most events kept.
    pub max_events: usize,
    /// Most bytes of XDM kept.
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_events: DEFAULT_MAX_EVENTS, max_bytes: DEFAULT_MAX_BYTES }
    }
}

/// The bounded FIFO of events.
#[derive(Debug, Default)]
pub struct Outbox {
    entries: Vec<Entry>,
    bytes: usize,
    limits: Limits,
}

impl Outbox {
    /// An empty outbox with these bounds.
    pub fn new(limits: Limits) -> Self {
        Outbox { entries: Vec::new(), bytes: 0, limits }
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds no event.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether an event with this `_id` is here.
    pub fn contains(&self, id: &str) -> bool {
        self.entries.iter().any(|e| e.id == id)
    }

    /// Adds `entry` at the back unless its `_id` is already here (returns `false` then). Returns
    /// the entries evicted to respect the bounds, oldest first. An entry larger than the whole byte
    /// bound is itself refused (returned as evicted).
    pub fn push(&mut self, entry: Entry) -> (bool, Vec<Entry>) {
        if self.contains(&entry.id) {
            return (false, Vec::new());
        }
        if entry.bytes > self.limits.max_bytes {
            return (true, vec![entry]);
        }
        self.bytes += entry.bytes;
        self.entries.push(entry);
        let mut evicted = Vec::new();
        while self.entries.len() > self.limits.max_events || self.bytes > self.limits.max_bytes {
            let Some(at) = self.entries.iter().position(|e| e.state != State::InFlight) else { break };
            let e = self.entries.remove(at);
            self.bytes -= e.bytes;
            evicted.push(e);
        }
        (true, evicted)
    }

    /// Removes and returns the event `id`.
    pub fn remove(&mut self, id: &str) -> Option<Entry> {
        let at = self.entries.iter().position(|e| e.id == id)?;
        let entry = self.entries.remove(at);
        self.bytes -= entry.bytes;
        Some(entry)
    }

    /// The event `id`, to update its state.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Entry> {
        self.entries.iter_mut().find(|e| e.id == id)
    }

    /// All events, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// All events, oldest first, mutable.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Entry> {
        self.entries.iter_mut()
    }

    /// Removes every event that is not being sent and returns them, oldest first. Requests under
    /// way cannot be recalled; their entries stay until the answer comes.
    pub fn drain_waiting(&mut self) -> Vec<Entry> {
        let mut waiting = Vec::new();
        for e in std::mem::take(&mut self.entries) {
            if e.state == State::InFlight {
                self.entries.push(e);
            } else {
                waiting.push(e);
            }
        }
        self.bytes = self.entries.iter().map(|e| e.bytes).sum();
        waiting
    }

    /// Whether an event is due (queued, or waiting for a retry whose time has come).
    pub fn has_due(&self, now_ms: f64) -> bool {
        self.entries.iter().any(|e| e.is_due(now_ms))
    }

    /// The ids of the events that are due, oldest first.
    pub fn due_ids(&self, now_ms: f64) -> Vec<String> {
        let mut ids = Vec::new();
        for e in &self.entries {
            if e.is_due(now_ms) {
                ids.push(e.id.clone());
            }
        }
        ids
    }

    /// The due events (as [`Outbox::due_ids`]) that fit in one request: oldest first, at least one,
    /// and then only while their XDM plus `per_event` bytes each stays within `max_bytes`. Stops
    /// at the first event that does not fit, so first attempts keep publish order.
    pub fn due_batch(&self, now_ms: f64, max_events: usize, max_bytes: usize, per_event: usize) -> Vec<String> {
        let mut total = 0;
        let mut batch = Vec::new();
        for e in self.entries.iter().filter(|e| e.is_due(now_ms)) {
            total += e.bytes + per_event;
            if !batch.is_empty() && (e.solo || batch.len() == max_events || total > max_bytes) {
                break;
            }
            batch.push(e.id.clone());
            if e.solo {
                break;
            }
        }
        batch
    }

    /// Applies `rewrite` to the XDM and custom identity map of every event not being sent;
    /// entries it changed (it returns `true`) get their JSON and size recomputed.
    pub fn rewrite_waiting(&mut self, mut rewrite: impl FnMut(&mut Map, &mut Option<Value>) -> bool) -> bool {
        let mut any = false;
        for e in &mut self.entries {
            if e.state != State::InFlight && rewrite(&mut e.xdm, &mut e.custom_identity_map) {
                e.write_json();
                any = true;
            }
        }
        self.bytes = self.entries.iter().map(|e| e.bytes).sum();
        any
    }

    /// The earliest pending retry time, if any.
    pub fn next_retry(&self) -> Option<f64> {
        self.entries
            .iter()
            .filter_map(|e| if let State::RetryAt(at) = e.state { Some(at) } else { None })
            .reduce(f64::min)
    }

    /// The saved form: `{"v":1,"updated":ms,"closed":bool,"events":[…]}`. Events in `skip` (already
    /// handed to the browser for good, e.g. by `sendBeacon`) are left out.
    pub fn snapshot(&self, now_ms: f64, closed: bool, skip: &[String]) -> String {
        let mut out = String::with_capacity(64 + self.bytes + self.entries.len() * 96);
        out.push_str("{\"v\":1,\"updated\":");
        out.push_str(ms(now_ms).as_str());
        out.push_str(if closed { ",\"closed\":true,\"events\":[" } else { ",\"closed\":false,\"events\":[" });
        let mut first = true;
        for e in &self.entries {
            if skip.contains(&e.id) {
                continue;
            }
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str("{\"id\":");
            json::write_string(&e.id, &mut out);
            out.push_str(",\"method\":");
            json::write_string(&e.method, &mut out);
            out.push_str(",\"xdm\":");
            out.push_str(&e.xdm_json);
            out.push_str(",\"at\":");
            out.push_str(ms(e.published_ms).as_str());
            out.push_str(",\"attempts\":");
            json::push_uint(&mut out, u64::from(e.attempts));
            if let Some(map) = &e.custom_identity_map {
                out.push_str(",\"identityMap\":");
                json::write(map, &mut out);
            }
            out.push('}');
        }
        out.push_str("]}");
        out
    }
}

/// Epoch milliseconds as an integer JSON number.
fn ms(t: f64) -> Number {
    Number::from_i64(if t.is_finite() { t.round().clamp(-9.0e15, 9.0e15) as i64 } else { 0 })
}

/// What a saved snapshot says, as read back by another page.
#[derive(Debug)]
pub struct Restored {
    /// Whether the snapshot may be taken over now (its page is gone).
    pub claimable: bool,
    /// Its events, queued again (attempt counts kept).
    pub entries: Vec<Entry>,
}

/// Reads a saved snapshot; `None` if it is not one of ours (then the shell removes it).
pub fn read_snapshot(json: &str, now_ms: f64) -> Option<Restored> {
    // The XDM of an event nests page input (up to json::MAX_DEPTH deep) a few levels down.
    let saved = json::parse_nested(json, 2 * json::MAX_DEPTH).ok()?;
    if saved.get("v").and_then(Value::as_u64) != Some(1) {
        return None;
    }
    let closed = saved.get("closed").and_then(Value::as_bool).unwrap_or(false);
    let updated = value::num_at(&saved, "updated").unwrap_or(0.0);
    let mut entries = Vec::new();
    for e in saved.get("events")?.as_array()? {
        if let Some(entry) = read_entry(e) {
            entries.push(entry);
        }
    }
    Some(Restored { claimable: closed || now_ms - updated > STALE_AFTER_MS, entries })
}

/// One saved event, queued again with its attempt count; `None` without an id, XDM or time.
fn read_entry(e: &Value) -> Option<Entry> {
    let mut entry = Entry::new(
        value::str_at(e, "id")?.to_owned(),
        value::str_at(e, "method").unwrap_or("").to_owned(),
        e.get("xdm")?.as_object()?.clone(),
        e.get("identityMap").cloned(),
        value::num_at(e, "at")?,
    );
    entry.attempts = value::num_at(e, "attempts").map_or(0, |a| a.clamp(0.0, 1000.0) as u32);
    Some(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, bytes_of_padding: usize) -> Entry {
        let mut xdm = Map::new();
        xdm.insert("p", Value::String("x".repeat(bytes_of_padding)));
        Entry::new(id.into(), "addToCart".into(), xdm, None, 1.0)
    }

    #[test]
    fn fifo_dedup_and_count_bound_drops_the_oldest_not_in_flight() {
        let mut outbox = Outbox::new(Limits { max_events: 2, max_bytes: 1_000_000 });
        assert!(outbox.push(entry("a", 1)).0);
        assert!(!outbox.push(entry("a", 1)).0, "same _id is not queued twice");
        outbox.get_mut("a").unwrap().state = State::InFlight;
        outbox.push(entry("b", 1));
        let (_, evicted) = outbox.push(entry("c", 1));
        assert_eq!(evicted.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["b"]);
        assert_eq!(outbox.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["a", "c"]);
    }

    #[test]
    fn byte_bound() {
        let mut outbox = Outbox::new(Limits { max_events: 100, max_bytes: 100 });
        outbox.push(entry("a", 45)); // 53 bytes of JSON
        let (_, evicted) = outbox.push(entry("b", 45));
        assert_eq!(evicted.len(), 1);
        let (_, refused) = outbox.push(entry("huge", 500));
        assert_eq!(refused[0].id, "huge");
        assert_eq!(outbox.len(), 1);
    }

    #[test]
    fn snapshots_round_trip_and_claim_rules() {
        let mut outbox = Outbox::default();
        outbox.push(entry("a", 3));
        outbox.push(entry("b", 3));
        let saved = outbox.snapshot(1000.0, false, &["b".into()]);
        let open = read_snapshot(&saved, 2000.0).unwrap();
        assert!(!open.claimable, "a live page's outbox is not taken over");
        assert_eq!(open.entries.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["a"]);
        assert_eq!(open.entries[0].xdm, outbox.iter().next().unwrap().xdm);
        assert!(read_snapshot(&saved, 1000.0 + STALE_AFTER_MS + 1.0).unwrap().claimable);
        assert!(read_snapshot(&outbox.snapshot(1000.0, true, &[]), 1001.0).unwrap().claimable);
        assert!(read_snapshot("garbage", 0.0).is_none());
    }
}
