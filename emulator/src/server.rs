//! The HTTP side: listeners (HTTPS, plus optional plain HTTP), connection limits and timeouts,
//! bounded body reads, routing between the Edge endpoints and the admin/viewer routes, CORS, and
//! graceful shutdown.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::config::Config;
use crate::faults::Faults;
use crate::store::Store;
use crate::tls::{self, TlsFiles};
use crate::{admin, edge};

/// Most simultaneous connections per listener; further ones are closed at once.
const MAX_CONNECTIONS: usize = 512;
/// How much of an oversized body is read (and discarded) so the 413 reaches the client.
const DRAIN_LIMIT: usize = 1024 * 1024;

/// An answer before CORS headers are added.
#[derive(Clone, Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, v: &Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json;charset=utf-8".into())],
            body: v.to_string().into_bytes(),
        }
    }

    /// An answer without a body.
    pub fn empty(status: u16) -> Reply {
        Reply { status, headers: Vec::new(), body: Vec::new() }
    }

    /// An answer with the given content type.
    pub fn bytes(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply { status, headers: vec![("content-type".into(), content_type.into())], body: body.into() }
    }

    /// Sets (replaces) a header.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.retain(|(k, _)| k != name);
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets the content type.
    pub fn content_type(self, value: &str) -> Reply {
        self.header("content-type", value)
    }
}

/// The outcome of reading a request body.
#[derive(Debug)]
pub enum BodyRead {
    /// The whole body.
    Ok(Vec<u8>),
    /// Longer than allowed.
    TooLarge,
    /// The client did not send it in time.
    TimedOut,
    /// The connection failed.
    Failed(String),
}

/// Reads a body of at most `limit` bytes within `timeout`. An oversized body is drained (up to
/// 1 MB) so the client sees the error answer rather than a reset connection.
pub async fn read_body(mut body: Incoming, declared: Option<u64>, limit: usize, timeout: Duration) -> BodyRead {
    if declared.is_some_and(|n| n > DRAIN_LIMIT as u64) {
        return BodyRead::TooLarge;
    }
    let read = async {
        let mut buf: Vec<u8> = Vec::new();
        let mut total = 0usize;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| e.to_string())?;
            if let Ok(data) = frame.into_data() {
                total += data.len();
                if total <= limit {
                    buf.extend_from_slice(&data);
                } else if total > DRAIN_LIMIT {
                    break;
                }
            }
        }
        Ok::<_, String>((buf, total))
    };
    match tokio::time::timeout(timeout, read).await {
        Err(_) => BodyRead::TimedOut,
        Ok(Err(e)) => BodyRead::Failed(e),
        Ok(Ok((_, total))) if total > limit => BodyRead::TooLarge,
        Ok(Ok((buf, _))) => BodyRead::Ok(buf),
    }
}

/// The in-memory log behind `GET /__admin/requests`.
#[derive(Default)]
pub struct RequestLog {
    entries: VecDeque<Value>,
    next_seq: u64,
}

impl RequestLog {
    /// Entries with `seq > since`, oldest first, at most `limit`, optionally for one datastream.
    pub fn since(&self, since: u64, limit: usize, datastream: Option<&str>) -> Vec<Value> {
        self.entries
            .iter()
            .filter(|e| e["seq"].as_u64().unwrap_or(0) > since)
            .filter(|e| datastream.is_none_or(|d| e["datastream"].as_str() == Some(d)))
            .take(limit)
            .cloned()
            .collect()
    }

    /// Forgets every entry (sequence numbers keep growing).
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

/// State shared by every connection.
pub struct AppState {
    /// The configuration the server started with.
    pub config: Config,
    /// The event store.
    pub store: Store,
    /// The certificate files.
    pub tls_files: TlsFiles,
    faults: Mutex<Faults>,
    log: Mutex<RequestLog>,
    /// Listening addresses, filled in once bound.
    pub addrs: Mutex<(Option<SocketAddr>, Option<SocketAddr>)>,
}

impl AppState {
    /// The fault state.
    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The request log.
    pub fn log(&self) -> MutexGuard<'_, RequestLog> {
        self.log.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends a recorded request (assigning its `seq`), dropping the oldest beyond capacity.
    pub fn log_request(&self, mut entry: Value) {
        let mut log = self.log();
        log.next_seq += 1;
        entry["seq"] = Value::from(log.next_seq);
        log.entries.push_back(entry);
        while log.entries.len() > self.config.request_log_capacity.max(1) {
            log.entries.pop_front();
        }
    }
}

/// A running emulator.
pub struct Server {
    /// The HTTPS address.
    pub https_addr: SocketAddr,
    /// The plain-HTTP address, if enabled.
    pub http_addr: Option<SocketAddr>,
    /// Shared state (store, faults, log).
    pub state: Arc<AppState>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Server {
    /// Stops accepting, lets open requests finish (up to ~3 s), and closes the store.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Binds the listeners and starts serving. Must be called inside a Tokio runtime.
pub async fn start(config: Config) -> Result<Server, String> {
    let (tls_config, tls_files) = tls::setup(&config.tls_dir, &config.cert_names())?;
    let store = Store::open(&config.db_path)?;
    let https = TcpListener::bind((config.bind, config.https_port))
        .await
        .map_err(|e| format!("binding HTTPS {}:{}: {e}", config.bind, config.https_port))?;
    let http = match config.http_port {
        Some(p) => Some(
            TcpListener::bind((config.bind, p)).await.map_err(|e| format!("binding HTTP {}:{p}: {e}", config.bind))?,
        ),
        None => None,
    };
    let https_addr = https.local_addr().map_err(|e| e.to_string())?;
    let http_addr = match &http {
        Some(l) => Some(l.local_addr().map_err(|e| e.to_string())?),
        None => None,
    };
    let state = Arc::new(AppState {
        config,
        store,
        tls_files,
        faults: Mutex::new(Faults::default()),
        log: Mutex::new(RequestLog::default()),
        addrs: Mutex::new((Some(https_addr), http_addr)),
    });
    let (tx, rx) = watch::channel(false);
    let mut tasks =
        vec![tokio::spawn(accept_loop(https, Some(TlsAcceptor::from(tls_config)), state.clone(), rx.clone()))];
    if let Some(l) = http {
        tasks.push(tokio::spawn(accept_loop(l, None, state.clone(), rx)));
    }
    Ok(Server { https_addr, http_addr, state, shutdown: tx, tasks })
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    state: Arc<AppState>,
    mut shutdown: watch::Receiver<bool>,
) {
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let Ok(permit) = permits.clone().try_acquire_owned() else {
                        drop(stream);
                        continue;
                    };
                    let (tls, state, shutdown) = (tls.clone(), state.clone(), shutdown.clone());
                    conns.spawn(async move {
                        serve_connection(stream, tls, state, shutdown).await;
                        drop(permit);
                    });
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(listener);
    let drain = async { while conns.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(3), drain).await.is_err() {
        conns.abort_all();
        while conns.join_next().await.is_some() {}
    }
}

async fn serve_connection(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    state: Arc<AppState>,
    shutdown: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let timeout = Duration::from_secs(state.config.client_timeout_secs.max(1));
    match tls {
        Some(acceptor) => {
            if let Ok(Ok(s)) = tokio::time::timeout(timeout, acceptor.accept(stream)).await {
                serve_http(TokioIo::new(s), "https", state, shutdown, timeout).await;
            }
        }
        None => serve_http(TokioIo::new(stream), "http", state, shutdown, timeout).await,
    }
}

async fn serve_http<I>(
    io: I,
    scheme: &'static str,
    state: Arc<AppState>,
    mut shutdown: watch::Receiver<bool>,
    timeout: Duration,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let svc = service_fn(move |req| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(dispatch(state, req, scheme).await) }
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(timeout)
        .keep_alive(true)
        .max_buf_size(256 * 1024)
        .serve_connection(io, svc);
    let mut conn = std::pin::pin!(conn);
    let mut closing = false;
    loop {
        tokio::select! {
            _ = conn.as_mut() => break,
            _ = shutdown.changed(), if !closing => {
                closing = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Lower-cased header pairs; repeated headers are joined (`cookie` with `; `).
fn header_pairs(h: &hyper::HeaderMap) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, value) in h {
        let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
        let k = name.as_str().to_string();
        match out.iter_mut().find(|(n, _)| *n == k) {
            Some((_, existing)) => {
                existing.push_str(if k == "cookie" { "; " } else { ", " });
                existing.push_str(&v);
            }
            None => out.push((k, v)),
        }
    }
    out
}

async fn dispatch(state: Arc<AppState>, req: Request<Incoming>, scheme: &'static str) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let headers = header_pairs(&parts.headers);
    let header = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let method = parts.method.as_str().to_string();
    let declared = header("content-length").and_then(|v| v.trim().parse::<u64>().ok());
    let timeout = Duration::from_secs(state.config.client_timeout_secs.max(1));
    let route = edge::parse_route(&path);
    let is_edge = route.is_some();

    let reply = if method == "OPTIONS" {
        Reply::empty(204)
    } else if let Some(route) = route {
        let body = if method == "POST" {
            read_body(body, declared, edge::MAX_BODY, timeout).await
        } else {
            BodyRead::Ok(Vec::new())
        };
        let req = edge::EdgeRequest { method: &method, path: &path, query: &query, headers: &headers, scheme };
        edge::handle(&state, &req, &route, body).await
    } else {
        let body = if method == "POST" || method == "PUT" {
            read_body(body, declared, admin::MAX_ADMIN_BODY, timeout).await
        } else {
            BodyRead::Ok(Vec::new())
        };
        admin::handle(&state, &method, &path, &query, &headers, body).await
    };

    let mut reply = reply;
    // CORS with credentials for the Edge endpoints (alloy sends credentials: "include"). The
    // admin API and viewer stay same-origin: no CORS headers, so other sites cannot read them.
    if let Some(origin) = header("origin").filter(|_| is_edge) {
        reply = reply
            .header("access-control-allow-origin", &origin)
            .header("access-control-allow-credentials", "true")
            .header("access-control-expose-headers", "x-adobe-edge, retry-after, x-request-id")
            .header("vary", "Origin");
        if method == "OPTIONS" {
            let allow_headers = header("access-control-request-headers").unwrap_or_else(|| "content-type".into());
            reply = reply
                .header("access-control-allow-methods", "POST, GET, OPTIONS")
                .header("access-control-allow-headers", &allow_headers)
                .header("access-control-max-age", "600");
            if header("access-control-request-private-network").is_some() {
                reply = reply.header("access-control-allow-private-network", "true");
            }
        }
    }
    if matches!(reply.status, 408 | 413) {
        reply = reply.header("connection", "close");
    }
    to_response(reply)
}

fn to_response(reply: Reply) -> Response<Full<Bytes>> {
    let mut builder = Response::builder().status(reply.status);
    for (k, v) in &reply.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    builder.body(Full::new(Bytes::from(reply.body))).unwrap_or_else(|_| {
        let mut r = Response::new(Full::new(Bytes::from_static(b"internal error: bad response header")));
        *r.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}
