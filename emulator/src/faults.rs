//! Fault injection for tests: failures chosen by the datastream id itself or installed through
//! `POST /__admin/faults`.
//!
//! Special datastream ids (known implicitly, default org):
//! * `RATE…` — the first call (`RATE_N…`: the first N calls) to that id answers 429 with
//!   `Retry-After: 1`;
//! * `FAIL<status>…` (e.g. `FAIL503`, status 400-599) — every call answers that status
//!   (`FAIL503_N…`: only the first N calls);
//! * `SLOW…` — every call is delayed 2 s (`SLOW_MS…`: MS milliseconds) and then handled normally.
//!
//! Admin rules (`{status?, count?, retryAfter?, delayMs?, datastream?, path?}`) are checked in the
//! order they were added; the first one that matches a request applies (and uses up one of its
//! `count`, if given).

use std::collections::HashMap;

use serde_json::{json, Value};

/// A failure decided for one request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    /// Wait this long before answering.
    pub delay_ms: u64,
    /// Answer with this status instead of handling the request.
    pub status: Option<u16>,
    /// `Retry-After` header value, if any.
    pub retry_after: Option<String>,
    /// Where the fault came from (recorded with the request).
    pub source: String,
}

/// What a special datastream id asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Special {
    /// 429 + Retry-After: 1 for the first `count` calls.
    Rate { count: u64 },
    /// `status` for the first `count` calls (all calls when `None`).
    Fail { status: u16, count: Option<u64> },
    /// A delay before normal handling.
    Slow { delay_ms: u64 },
}

fn suffix_number(rest: &str) -> Option<u64> {
    let digits: String = rest.strip_prefix('_')?.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Recognises the special fault-injection datastream ids.
pub fn special_fault(id: &str) -> Option<Special> {
    if let Some(rest) = id.strip_prefix("RATE") {
        return Some(Special::Rate { count: suffix_number(rest).unwrap_or(1) });
    }
    if let Some(rest) = id.strip_prefix("SLOW") {
        return Some(Special::Slow { delay_ms: suffix_number(rest).unwrap_or(2000).min(60_000) });
    }
    if let Some(rest) = id.strip_prefix("FAIL") {
        let status: u16 = rest.get(..3)?.parse().ok()?;
        if !(400..=599).contains(&status) {
            return None;
        }
        return Some(Special::Fail { status, count: suffix_number(&rest[3..]) });
    }
    None
}

/// One admin-installed rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Sequence number (shown by `GET /__admin/faults`).
    pub id: u64,
    /// Status to answer (none: only delay).
    pub status: Option<u16>,
    /// Remaining applications (none: unlimited).
    pub remaining: Option<u64>,
    /// `Retry-After` value.
    pub retry_after: Option<String>,
    /// Delay before answering.
    pub delay_ms: u64,
    /// Only requests for this datastream.
    pub datastream: Option<String>,
    /// Only requests whose path contains this text (e.g. `interact`, `/v2/`).
    pub path: Option<String>,
}

impl Rule {
    /// Parses the JSON body of `POST /__admin/faults`.
    pub fn from_json(v: &Value) -> Result<Rule, String> {
        let obj = v.as_object().ok_or("expected a JSON object")?;
        let status = match obj.get("status") {
            None | Some(Value::Null) => None,
            Some(s) => {
                let n =
                    s.as_u64().filter(|n| (200..=599).contains(n)).ok_or("status must be a number from 200 to 599")?;
                Some(n as u16)
            }
        };
        let remaining = match obj.get("count") {
            None | Some(Value::Null) => None,
            Some(c) => Some(c.as_u64().filter(|n| *n > 0).ok_or("count must be a positive integer")?),
        };
        let retry_after = match obj.get("retryAfter") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if !s.is_empty() && !s.contains(['\r', '\n']) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(_) => return Err("retryAfter must be a number of seconds or an HTTP date string".into()),
        };
        let delay_ms = match obj.get("delayMs") {
            None | Some(Value::Null) => 0,
            Some(d) => d.as_u64().filter(|n| *n <= 60_000).ok_or("delayMs must be an integer from 0 to 60000")?,
        };
        let text = |k: &str| -> Result<Option<String>, String> {
            match obj.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(format!("{k} must be a string")),
            }
        };
        if status.is_none() && delay_ms == 0 {
            return Err("a fault needs a status, a delayMs, or both".into());
        }
        Ok(Rule {
            id: 0,
            status,
            remaining,
            retry_after,
            delay_ms,
            datastream: text("datastream")?,
            path: text("path")?,
        })
    }

    /// The JSON shape used by the admin API.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id, "status": self.status, "count": self.remaining, "retryAfter": self.retry_after,
            "delayMs": self.delay_ms, "datastream": self.datastream, "path": self.path,
        })
    }
}

/// The fault state: admin rules and per-id call counters for the special ids.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Vec<Rule>,
    next_id: u64,
    calls: HashMap<String, u64>,
}

impl Faults {
    /// Installs a rule; returns its id.
    pub fn add(&mut self, mut rule: Rule) -> u64 {
        self.next_id += 1;
        rule.id = self.next_id;
        self.rules.push(rule);
        self.next_id
    }

    /// The installed rules.
    pub fn list(&self) -> Vec<Value> {
        self.rules.iter().map(Rule::to_json).collect()
    }

    /// Removes every rule and forgets the special ids' call counts.
    pub fn clear(&mut self) {
        self.rules.clear();
        self.calls.clear();
    }

    /// Decides what happens to a request for `datastream` at `path`.
    pub fn decide(&mut self, datastream: &str, path: &str) -> Decision {
        let mut decision = Decision::default();
        if let Some(pos) = self.rules.iter().position(|r| {
            r.datastream.as_deref().is_none_or(|d| d == datastream)
                && r.path.as_deref().is_none_or(|p| path.contains(p))
        }) {
            let rule = &mut self.rules[pos];
            decision = Decision {
                delay_ms: rule.delay_ms,
                status: rule.status,
                retry_after: rule.retry_after.clone(),
                source: format!("admin fault #{}", rule.id),
            };
            if let Some(n) = rule.remaining.as_mut() {
                *n -= 1;
                if *n == 0 {
                    self.rules.remove(pos);
                }
            }
            return decision;
        }
        match special_fault(datastream) {
            Some(Special::Slow { delay_ms }) => {
                decision.delay_ms = delay_ms;
                decision.source = "SLOW datastream id".into();
            }
            Some(Special::Rate { count }) => {
                let seen = self.calls.entry(datastream.to_string()).or_insert(0);
                *seen += 1;
                if *seen <= count {
                    decision.status = Some(429);
                    decision.retry_after = Some("1".into());
                    decision.source = "RATE datastream id".into();
                }
            }
            Some(Special::Fail { status, count }) => {
                let seen = self.calls.entry(datastream.to_string()).or_insert(0);
                *seen += 1;
                if count.is_none_or(|c| *seen <= c) {
                    decision.status = Some(status);
                    decision.source = "FAIL datastream id".into();
                }
            }
            None => {}
        }
        decision
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_ids() {
        assert_eq!(special_fault("RATE-x"), Some(Special::Rate { count: 1 }));
        assert_eq!(special_fault("RATE_3-x"), Some(Special::Rate { count: 3 }));
        assert_eq!(special_fault("FAIL503"), Some(Special::Fail { status: 503, count: None }));
        assert_eq!(special_fault("FAIL502_2x"), Some(Special::Fail { status: 502, count: Some(2) }));
        assert_eq!(special_fault("FAIL200"), None);
        assert_eq!(special_fault("FAILx"), None);
        assert_eq!(special_fault("SLOW_150"), Some(Special::Slow { delay_ms: 150 }));
        assert_eq!(special_fault("ds-1"), None);
    }

    #[test]
    fn counting() {
        let mut f = Faults::default();
        assert_eq!(f.decide("RATE_2", "/ee/v1/interact").status, Some(429));
        assert_eq!(f.decide("RATE_2", "/ee/v1/interact").status, Some(429));
        assert_eq!(f.decide("RATE_2", "/ee/v1/interact").status, None);
        assert_eq!(f.decide("FAIL503_1", "/").status, Some(503));
        assert_eq!(f.decide("FAIL503_1", "/").status, None);
        let rule =
            Rule::from_json(&json!({"status": 500, "count": 1, "datastream": "ds-1", "path": "collect"})).unwrap();
        f.add(rule);
        assert_eq!(f.decide("ds-1", "/ee/v1/interact").status, None);
        assert_eq!(f.decide("ds-2", "/ee/v1/collect").status, None);
        assert_eq!(f.decide("ds-1", "/ee/v1/collect").status, Some(500));
        assert_eq!(f.decide("ds-1", "/ee/v1/collect").status, None);
        assert!(f.list().is_empty());
        assert!(Rule::from_json(&json!({})).is_err());
        assert!(Rule::from_json(&json!({"status": 99})).is_err());
        assert!(Rule::from_json(&json!({"delayMs": 10, "retryAfter": "a\nb"})).is_err());
    }
}
