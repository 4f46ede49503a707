//! The emulator under a bounded loopback load mixed with bad input and slow clients: every request
//! gets its documented status, slow clients are cut off while the others are served, and every
//! accepted event is stored exactly once, also when the same `_id`s are sent again after a restart
//! on the same database.
//!
//! CI runs a small load (600 requests, 32 at a time, about 5 s); `scripts/reliability.sh` sets
//! `EMULATOR_LOAD_REQUESTS=10000` (and optionally `EMULATOR_LOAD_CONCURRENCY`). With
//! `RELIABILITY_OUT=DIR` the figures are written to `DIR/emulator-load.json`.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The kinds of request in the mix, in the order they repeat, with the status each must get.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// alloy-shaped v1 interact with a fresh `_id` (over HTTPS).
    InteractTls,
    /// The same over plain HTTP.
    InteractHttp,
    /// v1 collect (a beacon), fresh `_id`.
    Collect,
    /// v2 collect, a batch of three fresh `_id`s.
    BatchV2,
    /// An event whose `_id` was stored before the load: a success that stores nothing.
    Duplicate,
    Malformed,
    Oversized,
    WrongContentType,
    BogusDatastream,
    BadXdm,
}

const MIX: [Kind; 12] = [
    Kind::InteractTls,
    Kind::InteractHttp,
    Kind::InteractHttp,
    Kind::Collect,
    Kind::BatchV2,
    Kind::Duplicate,
    Kind::Malformed,
    Kind::Oversized,
    Kind::WrongContentType,
    Kind::BogusDatastream,
    Kind::BadXdm,
    Kind::InteractHttp,
];

impl Kind {
    fn expected_status(self) -> u16 {
        match self {
            Kind::InteractTls | Kind::InteractHttp | Kind::Duplicate => 200,
            Kind::Collect => 204,
            Kind::BatchV2 => 202,
            Kind::Malformed | Kind::BogusDatastream => 400,
            Kind::Oversized => 413,
            Kind::WrongContentType => 415,
            Kind::BadXdm => 422,
        }
    }

    /// The `_id`s a request of this kind at index `i` adds to the store.
    fn new_ids(self, i: usize) -> Vec<String> {
        match self {
            Kind::InteractTls | Kind::InteractHttp | Kind::Collect => vec![format!("load-{i}")],
            Kind::BatchV2 => (0..3).map(|k| format!("load-{i}-{k}")).collect(),
            _ => Vec::new(),
        }
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn event(id: &str, event_type: &str) -> Value {
    json!({"xdm": {"_id": id, "eventType": event_type, "timestamp": "2026-11-23T12:00:00.000Z",
        "identityMap": {"Email": [{"id": "load@example.com", "primary": true}]},
        "web": {"webPageDetails": {"name": "load"}}}})
}

/// Sends request `i` of the mix; returns its kind and the status received.
async fn send(c: &Client, i: usize) -> (Kind, u16) {
    let kind = MIX[i % MIX.len()];
    let text = ("Content-Type", "text/plain; charset=UTF-8");
    let origin = ("Origin", "https://shop.example.test");
    let one = |id: &str| json!({"events": [event(id, "load.test")], "meta": {"state": {"domain": "example.test"}}});
    let (path, headers, body): (String, Vec<(&str, &str)>, Vec<u8>) = match kind {
        Kind::InteractTls | Kind::InteractHttp => (
            format!("/ee/v1/interact?configId=ds-1&requestId=r{i}"),
            vec![text, origin],
            one(&format!("load-{i}")).to_string().into_bytes(),
        ),
        Kind::Collect => (
            format!("/ee/or2/v1/collect?configId=ds-1&requestId=r{i}"),
            vec![text, origin],
            one(&format!("load-{i}")).to_string().into_bytes(),
        ),
        Kind::BatchV2 => (
            "/ee/v2/collect?datastreamId=ds-1".to_string(),
            vec![("Content-Type", "application/json")],
            json!({"events": (0..3).map(|k| event(&format!("load-{i}-{k}"), "load.batch")).collect::<Vec<_>>()})
                .to_string()
                .into_bytes(),
        ),
        Kind::Duplicate => (
            format!("/ee/v1/interact?configId=ds-1&requestId=r{i}"),
            vec![text, origin],
            one(&format!("seed-{}", i % 10)).to_string().into_bytes(),
        ),
        Kind::Malformed => (
            "/ee/v1/interact?configId=ds-1".to_string(),
            vec![text],
            format!("{{\"events\": [{{\"xdm\": {{\"_id\": \"bad-{i}\"").into_bytes(),
        ),
        Kind::Oversized => {
            let mut big = one(&format!("big-{i}"));
            big["events"][0]["data"] = json!({"pad": "x".repeat(70 * 1024)});
            ("/ee/v1/interact?configId=ds-1".to_string(), vec![text], big.to_string().into_bytes())
        }
        Kind::WrongContentType => (
            "/ee/v1/interact?configId=ds-1".to_string(),
            vec![("Content-Type", "multipart/form-data; boundary=x")],
            one(&format!("form-{i}")).to_string().into_bytes(),
        ),
        Kind::BogusDatastream => (
            format!("/ee/v1/interact?configId=no-such-{i}"),
            vec![text, origin],
            one(&format!("bogus-{i}")).to_string().into_bytes(),
        ),
        Kind::BadXdm => (
            "/ee/v1/interact?configId=ds-1".to_string(),
            vec![text],
            json!({"events": [{"xdm": {"_id": format!("badxdm-{i}"), "eventType": 7, "timestamp": "yesterday"}}]})
                .to_string()
                .into_bytes(),
        ),
    };
    let r = if kind == Kind::InteractTls {
        c.request("POST", "edge.example.test", &path, &headers, &body).await
    } else {
        c.request_http("POST", &path, &headers, &body).await
    };
    (kind, r.status)
}

/// A client that sends part of a request and then nothing; returns how long until the server
/// closed the connection (or answered 408), or `None` if it was still open after `give_up`.
async fn slowloris(c: Client, partial: &'static [u8], give_up: Duration) -> Option<Duration> {
    let t = Instant::now();
    let mut tcp = TcpStream::connect(c.http.unwrap()).await.ok()?;
    tcp.write_all(partial).await.ok()?;
    let mut buf = Vec::new();
    match tokio::time::timeout(give_up, tcp.read_to_end(&mut buf)).await {
        Ok(_) => Some(t.elapsed()),
        Err(_) => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_with_bad_input_and_slow_clients_then_restart() {
    let requests = env_usize("EMULATOR_LOAD_REQUESTS", 600);
    let concurrency = env_usize("EMULATOR_LOAD_CONCURRENCY", 32).max(1);
    let dir = TempDir::new("load");
    let emu = Emu::start(dir.path()).await; // client timeout 2 s
    let c = emu.client.clone();

    // Ten events stored before the load; the Duplicate kind sends them again.
    for k in 0..10 {
        let body = json!({"events": [event(&format!("seed-{k}"), "load.seed")]});
        assert_eq!(c.post_json("/ee/v2/collect?datastreamId=ds-1", &body).await.status, 202);
    }

    // Slow clients held open through the load: headers that never end, and a body that never comes.
    let give_up = Duration::from_secs(20);
    let mut slow = Vec::new();
    for k in 0..16 {
        let partial: &'static [u8] = if k % 2 == 0 {
            b"POST /ee/v1/interact?configId=ds-1 HTTP/1.1\r\nHost: e\r\nContent-Type: text/pl"
        } else {
            b"POST /ee/v1/interact?configId=ds-1 HTTP/1.1\r\nHost: e\r\nContent-Type: text/plain\r\nContent-Length: 500\r\n\r\n{\"ev"
        };
        slow.push(tokio::spawn(slowloris(c.clone(), partial, give_up)));
    }

    let next = Arc::new(AtomicUsize::new(0));
    let statuses: Arc<Mutex<BTreeMap<(Kind, u16), usize>>> = Arc::default();
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (c, next, statuses) = (c.clone(), next.clone(), statuses.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    break;
                }
                let (kind, status) = send(&c, i).await;
                *statuses.lock().unwrap().entry((kind, status)).or_insert(0) += 1;
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    let elapsed = started.elapsed();
    let per_second = requests as f64 / elapsed.as_secs_f64();

    // Every request got the status its kind documents.
    let statuses = statuses.lock().unwrap().clone();
    let wrong: Vec<_> = statuses.iter().filter(|((k, s), _)| k.expected_status() != *s).collect();
    assert!(wrong.is_empty(), "unexpected statuses: {wrong:?}");
    assert_eq!(statuses.values().sum::<usize>(), requests);

    // Slow clients were cut off (after the 2 s client timeout), not left hanging.
    let mut cut = Vec::new();
    for s in slow {
        let waited = s.await.unwrap().expect("a slow client was still connected after 20 s");
        assert!(waited >= Duration::from_millis(1500), "cut before its timeout: {waited:?}");
        cut.push(waited.as_millis() as u64);
    }

    // Every accepted event is stored exactly once.
    let accepted: usize = (0..requests).map(|i| MIX[i % MIX.len()].new_ids(i).len()).sum::<usize>() + 10;
    let rows = c.query("SELECT count(*), count(DISTINCT _id) FROM dataset").await;
    let (stored, distinct) = (rows[0][0].as_u64().unwrap() as usize, rows[0][1].as_u64().unwrap() as usize);
    assert_eq!(stored, accepted, "stored events");
    assert_eq!(distinct, stored);
    let rejected = c.query("SELECT count(*) FROM rejected").await[0][0].as_u64().unwrap() as usize;
    let refused: usize = statuses.iter().filter(|((_, s), _)| *s >= 400).map(|(_, n)| n).sum();
    assert!(rejected >= refused, "every refused request is in the rejected table ({rejected} < {refused})");
    // Still serving.
    let health = c.admin_get("/__admin/health").await;
    assert_eq!(health["ok"], true);

    // Restart on the same database and send every accepted _id again: nothing is stored twice.
    emu.stop().await;
    let emu = Emu::start(dir.path()).await;
    let c = emu.client.clone();
    assert_eq!(c.count().await as usize, accepted, "the restart kept every event");
    let mut ids: Vec<String> = (0..10).map(|k| format!("seed-{k}")).collect();
    ids.extend((0..requests).flat_map(|i| MIX[i % MIX.len()].new_ids(i)));
    let resent = ids.len();
    for (n, chunk) in ids.chunks(100).enumerate() {
        let body = json!({"events": chunk.iter().map(|id| event(id, "load.again")).collect::<Vec<_>>()});
        assert_eq!(c.post_json("/ee/v2/collect?datastreamId=ds-1", &body).await.status, 202, "batch {n}");
    }
    for id in ids.iter().take(50) {
        let body = json!({"events": [event(id, "load.again")]});
        assert_eq!(c.alloy_post("/ee/v1/interact?configId=ds-1", &body, None).await.status, 200);
    }
    let rows = c.query("SELECT count(*), count(DISTINCT _id), sum(eventType = 'load.again') FROM dataset").await;
    assert_eq!(rows[0][0].as_u64().unwrap() as usize, accepted, "no duplicate after the restart");
    assert_eq!(rows[0][1].as_u64().unwrap() as usize, accepted);
    assert_eq!(rows[0][2].as_u64().unwrap(), 0, "a duplicate never replaces the stored event");
    emu.stop().await;

    let by_status = statuses.iter().fold(BTreeMap::<String, usize>::new(), |mut m, ((_, s), n)| {
        *m.entry(s.to_string()).or_insert(0) += n;
        m
    });
    let by_kind: BTreeMap<String, Value> =
        statuses.iter().map(|((k, s), n)| (format!("{k:?}"), json!({"status": s, "count": n}))).collect();
    let figures = json!({
        "requests": requests,
        "concurrency": concurrency,
        "seconds": (elapsed.as_secs_f64() * 100.0).round() / 100.0,
        "requestsPerSecond": per_second.round(),
        "statuses": by_status,
        "byKind": by_kind,
        "acceptedEvents": accepted,
        "stored": stored,
        "slowClients": cut.len(),
        "slowClientCutAfterMs": {"min": cut.iter().min(), "max": cut.iter().max()},
        "resentAfterRestart": resent + 50,
        "storedAfterResend": accepted,
    });
    println!("emulator load: {figures}");
    if let Ok(out) = std::env::var("RELIABILITY_OUT") {
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(std::path::Path::new(&out).join("emulator-load.json"), format!("{figures:#}\n")).unwrap();
    }
}
