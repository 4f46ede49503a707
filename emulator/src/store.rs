//! The event store: an SQLite file (WAL, synchronous=FULL) with
//!
//! * `dataset` — one row per accepted event (`timestamp` normalised to UTC, `eventType`, `_id`
//!   unique so a retried event is stored once, `ECID`, `email`, `datastream`, `datasetId`,
//!   `received_at`, `requestId`, then the `xdm` and `data` JSON);
//! * `rejected` — one row per refused request (request line, datastream, status, error type,
//!   detail, body prefix);
//! * `profiles` — Individual Profile records loaded by `import-profiles`.
//!
//! Ad-hoc SQL goes through [`query_readonly`], which opens its own read-only connection and accepts
//! one SELECT (or WITH … SELECT) statement.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde_json::{json, Map, Value};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS dataset (
    timestamp   TEXT NOT NULL,
    eventType   TEXT NOT NULL,
    _id         TEXT NOT NULL UNIQUE,
    ECID        TEXT,
    email       TEXT,
    datastream  TEXT NOT NULL,
    datasetId   TEXT NOT NULL,
    received_at TEXT NOT NULL,
    requestId   TEXT,
    xdm         TEXT NOT NULL,
    data        TEXT
);
CREATE INDEX IF NOT EXISTS dataset_timestamp ON dataset (timestamp);
CREATE INDEX IF NOT EXISTS dataset_eventType ON dataset (eventType);
CREATE INDEX IF NOT EXISTS dataset_ECID ON dataset (ECID);
CREATE INDEX IF NOT EXISTS dataset_email ON dataset (email);
CREATE TABLE IF NOT EXISTS rejected (
    received_at TEXT NOT NULL,
    request     TEXT NOT NULL,
    datastream  TEXT,
    status      INTEGER NOT NULL,
    error       TEXT NOT NULL,
    detail      TEXT,
    body        TEXT
);
CREATE TABLE IF NOT EXISTS profiles (
    email       TEXT NOT NULL UNIQUE,
    ECID        TEXT,
    firstName   TEXT,
    lastName    TEXT,
    phone       TEXT,
    address     TEXT,
    accountId   TEXT,
    accountType TEXT,
    identityMap TEXT NOT NULL,
    record      TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
";

/// One accepted event.
#[derive(Clone, Debug)]
pub struct EventRow {
    /// Normalised `xdm.timestamp`.
    pub timestamp: String,
    /// `xdm.eventType`.
    pub event_type: String,
    /// `xdm._id`.
    pub id: String,
    /// The visitor's ECID.
    pub ecid: Option<String>,
    /// The shopper's email.
    pub email: Option<String>,
    /// Datastream id.
    pub datastream: String,
    /// Dataset id.
    pub dataset_id: String,
    /// Server receive time (ISO).
    pub received_at: String,
    /// The response request id.
    pub request_id: String,
    /// XDM JSON text.
    pub xdm: String,
    /// `data` JSON text.
    pub data: Option<String>,
}

/// One refused request.
#[derive(Clone, Debug)]
pub struct RejectedRow {
    /// Server receive time (ISO).
    pub received_at: String,
    /// `METHOD path?query`.
    pub request: String,
    /// Datastream id, if the request named one.
    pub datastream: Option<String>,
    /// HTTP status answered.
    pub status: u16,
    /// Error type code (e.g. `EXEG-0003-400`) or fault description.
    pub error: String,
    /// Detail and report errors.
    pub detail: String,
    /// The start of the body.
    pub body: String,
}

/// One imported profile.
#[derive(Clone, Debug, Default)]
pub struct ProfileRow {
    /// Email (required, unique).
    pub email: String,
    /// ECID, if the record has one.
    pub ecid: Option<String>,
    /// `person.name.firstName`.
    pub first_name: Option<String>,
    /// `person.name.lastName`.
    pub last_name: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Postal address, one line.
    pub address: Option<String>,
    /// Commerce account id.
    pub account_id: Option<String>,
    /// Commerce account type.
    pub account_type: Option<String>,
    /// identityMap JSON.
    pub identity_map: String,
    /// The whole record as JSON.
    pub record: String,
}

/// Counts of what an insert did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Inserted {
    /// New rows.
    pub stored: usize,
    /// Rows skipped because their `_id` was already stored.
    pub duplicates: usize,
}

/// The writable store used by the server.
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

fn sql_err(e: rusqlite::Error) -> String {
    e.to_string()
}

impl Store {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Store, String> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        }
        let conn = Connection::open(path).map_err(|e| format!("opening {}: {e}", path.display()))?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(sql_err)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(sql_err)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(sql_err)?;
        conn.execute_batch(SCHEMA).map_err(sql_err)?;
        Ok(Store { conn: Mutex::new(conn), path: path.to_path_buf() })
    }

    /// The database path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stores events in one transaction; rows whose `_id` already exists are skipped.
    pub fn insert_events(&self, rows: &[EventRow]) -> Result<Inserted, String> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(sql_err)?;
        let mut out = Inserted::default();
        {
            let mut stmt = tx
                .prepare(
                    "INSERT OR IGNORE INTO dataset (timestamp, eventType, _id, ECID, email, datastream, datasetId,
                     received_at, requestId, xdm, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )
                .map_err(sql_err)?;
            for r in rows {
                let n = stmt
                    .execute(params![
                        r.timestamp,
                        r.event_type,
                        r.id,
                        r.ecid,
                        r.email,
                        r.datastream,
                        r.dataset_id,
                        r.received_at,
                        r.request_id,
                        r.xdm,
                        r.data
                    ])
                    .map_err(sql_err)?;
                if n == 1 {
                    out.stored += 1;
                } else {
                    out.duplicates += 1;
                }
            }
        }
        tx.commit().map_err(sql_err)?;
        Ok(out)
    }

    /// Records a refused request.
    pub fn insert_rejected(&self, r: &RejectedRow) -> Result<(), String> {
        self.lock()
            .execute(
                "INSERT INTO rejected (received_at, request, datastream, status, error, detail, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![r.received_at, r.request, r.datastream, r.status, r.error, r.detail, r.body],
            )
            .map(|_| ())
            .map_err(sql_err)
    }

    /// Inserts or replaces profiles (keyed by email) in one transaction.
    pub fn upsert_profiles(&self, rows: &[ProfileRow], imported_at: &str) -> Result<usize, String> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(sql_err)?;
        {
            let mut stmt = tx
                .prepare(
                    "INSERT INTO profiles (email, ECID, firstName, lastName, phone, address, accountId, accountType,
                     identityMap, record, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                     ON CONFLICT(email) DO UPDATE SET ECID = excluded.ECID, firstName = excluded.firstName,
                     lastName = excluded.lastName, phone = excluded.phone, address = excluded.address,
                     accountId = excluded.accountId, accountType = excluded.accountType,
                     identityMap = excluded.identityMap, record = excluded.record, imported_at = excluded.imported_at",
                )
                .map_err(sql_err)?;
            for p in rows {
                stmt.execute(params![
                    p.email,
                    p.ecid,
                    p.first_name,
                    p.last_name,
                    p.phone,
                    p.address,
                    p.account_id,
                    p.account_type,
                    p.identity_map,
                    p.record,
                    imported_at
                ])
                .map_err(sql_err)?;
            }
        }
        tx.commit().map_err(sql_err)?;
        Ok(rows.len())
    }

    /// Events with rowid greater than `after`, newest first, optionally of one event type.
    pub fn events_after(&self, after: i64, limit: usize, event_type: Option<&str>) -> Result<Value, String> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare(
                "SELECT rowid, timestamp, eventType, _id, ECID, email, datastream, datasetId, received_at, requestId,
                 xdm, data FROM dataset WHERE rowid > ?1 AND (?2 IS NULL OR eventType = ?2)
                 ORDER BY rowid DESC LIMIT ?3",
            )
            .map_err(sql_err)?;
        let rows = stmt
            .query_map(params![after, event_type, limit as i64], |r| {
                let json_col =
                    |s: Option<String>| s.and_then(|t| serde_json::from_str::<Value>(&t).ok()).unwrap_or(Value::Null);
                Ok(json!({
                    "seq": r.get::<_, i64>(0)?,
                    "timestamp": r.get::<_, String>(1)?,
                    "eventType": r.get::<_, String>(2)?,
                    "_id": r.get::<_, String>(3)?,
                    "ECID": r.get::<_, Option<String>>(4)?,
                    "email": r.get::<_, Option<String>>(5)?,
                    "datastream": r.get::<_, String>(6)?,
                    "datasetId": r.get::<_, String>(7)?,
                    "received_at": r.get::<_, String>(8)?,
                    "requestId": r.get::<_, Option<String>>(9)?,
                    "xdm": json_col(r.get(10)?),
                    "data": json_col(r.get(11)?),
                }))
            })
            .map_err(sql_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql_err)?;
        let max_seq: i64 =
            conn.query_row("SELECT COALESCE(MAX(rowid), 0) FROM dataset", [], |r| r.get(0)).map_err(sql_err)?;
        Ok(json!({ "events": rows, "maxSeq": max_seq }))
    }

    /// Event counts per type, the total, and the number of rejected requests.
    pub fn counts(&self) -> Result<Value, String> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT eventType, COUNT(*) FROM dataset GROUP BY eventType ORDER BY COUNT(*) DESC, eventType")
            .map_err(sql_err)?;
        let mut by_type = Map::new();
        let mut total = 0i64;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).map_err(sql_err)? {
            let (t, n) = row.map_err(sql_err)?;
            total += n;
            by_type.insert(t, json!(n));
        }
        let rejected: i64 = conn.query_row("SELECT COUNT(*) FROM rejected", [], |r| r.get(0)).map_err(sql_err)?;
        let profiles: i64 = conn.query_row("SELECT COUNT(*) FROM profiles", [], |r| r.get(0)).map_err(sql_err)?;
        Ok(json!({ "total": total, "byEventType": by_type, "rejected": rejected, "profiles": profiles }))
    }

    /// The most recent rejected requests, newest first.
    pub fn rejected(&self, limit: usize) -> Result<Value, String> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare(
                "SELECT rowid, received_at, request, datastream, status, error, detail, body FROM rejected
                 ORDER BY rowid DESC LIMIT ?1",
            )
            .map_err(sql_err)?;
        let rows = stmt
            .query_map(params![limit as i64], |r| {
                Ok(json!({
                    "seq": r.get::<_, i64>(0)?,
                    "received_at": r.get::<_, String>(1)?,
                    "request": r.get::<_, String>(2)?,
                    "datastream": r.get::<_, Option<String>>(3)?,
                    "status": r.get::<_, i64>(4)?,
                    "error": r.get::<_, String>(5)?,
                    "detail": r.get::<_, Option<String>>(6)?,
                    "body": r.get::<_, Option<String>>(7)?,
                }))
            })
            .map_err(sql_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql_err)?;
        Ok(Value::Array(rows))
    }

    /// The profiles, each with the events stitched to it by email or ECID (newest first).
    pub fn profiles_with_events(&self, email: Option<&str>, events_per_profile: usize) -> Result<Value, String> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare(
                "SELECT email, ECID, firstName, lastName, phone, address, accountId, accountType, identityMap, record,
                 imported_at FROM profiles WHERE (?1 IS NULL OR email = ?1) ORDER BY email LIMIT 500",
            )
            .map_err(sql_err)?;
        let profiles = stmt
            .query_map(params![email], |r| {
                Ok(json!({
                    "email": r.get::<_, String>(0)?,
                    "ECID": r.get::<_, Option<String>>(1)?,
                    "firstName": r.get::<_, Option<String>>(2)?,
                    "lastName": r.get::<_, Option<String>>(3)?,
                    "phone": r.get::<_, Option<String>>(4)?,
                    "address": r.get::<_, Option<String>>(5)?,
                    "accountId": r.get::<_, Option<String>>(6)?,
                    "accountType": r.get::<_, Option<String>>(7)?,
                    "identityMap": serde_json::from_str::<Value>(&r.get::<_, String>(8)?).unwrap_or(Value::Null),
                    "record": serde_json::from_str::<Value>(&r.get::<_, String>(9)?).unwrap_or(Value::Null),
                    "imported_at": r.get::<_, String>(10)?,
                }))
            })
            .map_err(sql_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql_err)?;
        // Stitching: events carrying the profile's email, plus events of every ECID seen with that
        // email (so anonymous browsing before sign-in joins the profile), plus the profile's own ECID.
        let mut ev_stmt = conn
            .prepare(
                "SELECT timestamp, eventType, _id, ECID, email, datastream FROM dataset
                 WHERE lower(email) = lower(?1)
                    OR ECID IN (SELECT ECID FROM dataset WHERE lower(email) = lower(?1) AND ECID IS NOT NULL)
                    OR (?2 IS NOT NULL AND ECID = ?2)
                 ORDER BY timestamp DESC LIMIT ?3",
            )
            .map_err(sql_err)?;
        let mut out = Vec::with_capacity(profiles.len());
        for mut p in profiles {
            let email = p["email"].as_str().unwrap_or("").to_string();
            let ecid = p["ECID"].as_str().map(str::to_string);
            let events = ev_stmt
                .query_map(params![email, ecid, events_per_profile as i64], |r| {
                    Ok(json!({
                        "timestamp": r.get::<_, String>(0)?,
                        "eventType": r.get::<_, String>(1)?,
                        "_id": r.get::<_, String>(2)?,
                        "ECID": r.get::<_, Option<String>>(3)?,
                        "email": r.get::<_, Option<String>>(4)?,
                        "datastream": r.get::<_, String>(5)?,
                    }))
                })
                .map_err(sql_err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(sql_err)?;
            p["events"] = Value::Array(events);
            out.push(p);
        }
        Ok(Value::Array(out))
    }

    /// Whether an event with this `_id` is stored.
    pub fn has_event(&self, id: &str) -> Result<bool, String> {
        self.lock()
            .query_row("SELECT 1 FROM dataset WHERE _id = ?1", params![id], |_| Ok(()))
            .optional()
            .map(|o| o.is_some())
            .map_err(sql_err)
    }

    /// Deletes stored events and rejected requests (profiles too when `profiles`).
    pub fn clear(&self, profiles: bool) -> Result<(), String> {
        let conn = self.lock();
        conn.execute_batch("DELETE FROM dataset; DELETE FROM rejected;").map_err(sql_err)?;
        if profiles {
            conn.execute_batch("DELETE FROM profiles;").map_err(sql_err)?;
        }
        Ok(())
    }
}

/// The result of an ad-hoc query.
#[derive(Clone, Debug)]
pub struct QueryResult {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, each value as JSON (NULL → null, BLOB → a `<blob N bytes>` string).
    pub rows: Vec<Vec<Value>>,
    /// Whether rows were cut at the row limit.
    pub truncated: bool,
}

impl QueryResult {
    /// `{columns, rows, truncated}`.
    pub fn to_json(&self) -> Value {
        json!({ "columns": self.columns, "rows": self.rows, "rowCount": self.rows.len(), "truncated": self.truncated })
    }
}

/// Skips leading whitespace and SQL comments and returns the first keyword, upper-cased.
fn first_keyword(sql: &str) -> String {
    let mut s = sql;
    loop {
        s = s.trim_start();
        if let Some(rest) = s.strip_prefix("--") {
            s = rest.split_once('\n').map(|(_, r)| r).unwrap_or("");
        } else if let Some(rest) = s.strip_prefix("/*") {
            s = rest.split_once("*/").map(|(_, r)| r).unwrap_or("");
        } else {
            break;
        }
    }
    s.chars().take_while(|c| c.is_ascii_alphabetic()).collect::<String>().to_ascii_uppercase()
}

/// Runs one read-only SELECT on a fresh read-only connection to `path`. At most `max_rows` rows
/// are returned (all when `None`); the query is interrupted after `timeout`.
pub fn query_readonly(
    path: &Path,
    sql: &str,
    max_rows: Option<usize>,
    timeout: Duration,
) -> Result<QueryResult, String> {
    let kw = first_keyword(sql);
    if kw != "SELECT" && kw != "WITH" {
        return Err("only SELECT statements are allowed".into());
    }
    if !path.exists() {
        return Err(format!("no database at {}", path.display()));
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| format!("opening {}: {e}", path.display()))?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(sql_err)?;
    conn.pragma_update(None, "query_only", "ON").map_err(sql_err)?;
    let mut stmt = conn.prepare(sql).map_err(|e| match e {
        rusqlite::Error::MultipleStatement => "only SELECT statements are allowed, one at a time".to_string(),
        other => other.to_string(),
    })?;
    if !stmt.readonly() {
        return Err("only SELECT statements are allowed".into());
    }
    let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();

    let interrupt = conn.get_interrupt_handle();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = done_rx.recv_timeout(timeout) {
            interrupt.interrupt();
        }
    });
    let result = (|| {
        let mut rows_out = Vec::new();
        let mut truncated = false;
        let mut rows = stmt.query([]).map_err(sql_err)?;
        while let Some(row) = rows.next().map_err(sql_err)? {
            if max_rows.is_some_and(|m| rows_out.len() >= m) {
                truncated = true;
                break;
            }
            let mut vals = Vec::with_capacity(columns.len());
            for i in 0..columns.len() {
                use rusqlite::types::ValueRef;
                let v = match row.get_ref(i).map_err(sql_err)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(n) => json!(n),
                    ValueRef::Real(f) => serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null),
                    ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Value::String(format!("<blob {} bytes>", b.len())),
                };
                vals.push(v);
            }
            rows_out.push(vals);
        }
        Ok(QueryResult { columns: columns.clone(), rows: rows_out, truncated })
    })();
    let _ = done_tx.send(());
    let _ = watchdog.join();
    result
        .map_err(|e: String| if e.contains("interrupted") { format!("query took longer than {timeout:?}") } else { e })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str) -> EventRow {
        EventRow {
            timestamp: "2026-01-01T00:00:00.000Z".into(),
            event_type: "t".into(),
            id: id.into(),
            ecid: Some("1".into()),
            email: None,
            datastream: "ds-1".into(),
            dataset_id: "d".into(),
            received_at: "2026-01-01T00:00:00.000Z".into(),
            request_id: "r".into(),
            xdm: "{}".into(),
            data: None,
        }
    }

    #[test]
    fn duplicates_and_readonly_queries() {
        let dir = std::env::temp_dir().join(format!("edge-emu-store-{}", crate::util::random_hex(6)));
        let path = dir.join("e.db");
        let store = Store::open(&path).unwrap();
        assert_eq!(store.insert_events(&[row("a"), row("b")]).unwrap(), Inserted { stored: 2, duplicates: 0 });
        assert_eq!(store.insert_events(&[row("a")]).unwrap(), Inserted { stored: 0, duplicates: 1 });
        let q = query_readonly(&path, "  -- c\n SELECT _id FROM dataset ORDER BY _id", None, Duration::from_secs(5))
            .unwrap();
        assert_eq!(q.rows, vec![vec![json!("a")], vec![json!("b")]]);
        for bad in [
            "DELETE FROM dataset",
            "SELECT 1; DELETE FROM dataset",
            "WITH x AS (SELECT 1) DELETE FROM dataset",
            "PRAGMA x",
        ] {
            assert!(query_readonly(&path, bad, None, Duration::from_secs(5)).is_err(), "{bad}");
        }
        let slow = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";
        let e = query_readonly(&path, slow, None, Duration::from_millis(200)).unwrap_err();
        assert!(e.contains("longer"), "{e}");
        let q = query_readonly(&path, "SELECT _id FROM dataset", Some(1), Duration::from_secs(5)).unwrap();
        assert!(q.truncated);
        assert_eq!(store.counts().unwrap()["total"], 2);
        drop(store);
        // Still readable after the writer closed (WAL files gone).
        assert_eq!(
            query_readonly(&path, "SELECT count(*) FROM dataset", None, Duration::from_secs(5)).unwrap().rows[0][0],
            2
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
