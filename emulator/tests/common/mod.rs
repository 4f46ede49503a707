//! Shared helpers for the integration tests: a throw-away data directory, an in-process emulator on
//! ephemeral loopback ports, and a small HTTP/1.1 client over rustls that trusts the emulator's CA
//! (written by hand so tests can also send malformed and slow requests).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use edge_emulator::{Config, Server};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::TlsConnector;

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!(
            "edge-emu-{tag}-{}-{}",
            std::process::id(),
            edge_emulator::util::random_hex(6)
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The configuration tests use: ephemeral ports, files in `dir`, short client timeout.
pub fn test_config(dir: &Path) -> Config {
    let mut c = Config::new(dir);
    c.https_port = 0;
    c.http_port = Some(0);
    c.client_timeout_secs = 2;
    c
}

/// A running emulator plus a client for it.
pub struct Emu {
    pub server: Server,
    pub client: Client,
}

impl Emu {
    pub async fn start(dir: &Path) -> Emu {
        Emu::start_with(test_config(dir)).await
    }

    pub async fn start_with(config: Config) -> Emu {
        let server = edge_emulator::start(config).await.expect("emulator starts");
        let client = Client::new(&server.state.tls_files.ca_pem, server.https_addr, server.http_addr);
        Emu { server, client }
    }

    pub async fn stop(self) {
        self.server.shutdown().await;
    }
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Minimal HTTP/1.1 client (one request per connection).
#[derive(Clone)]
pub struct Client {
    connector: TlsConnector,
    pub https: SocketAddr,
    pub http: Option<SocketAddr>,
}

pub fn ca_der(pem: &str) -> Vec<u8> {
    edge_emulator::tls::pem_to_der(pem).expect("CA PEM")
}

impl Client {
    pub fn new(ca_pem: &str, https: SocketAddr, http: Option<SocketAddr>) -> Client {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from(ca_der(ca_pem))).unwrap();
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        Client { connector: TlsConnector::from(Arc::new(config)), https, http }
    }

    /// Sends raw bytes over TLS (SNI `host`) and reads the whole answer.
    pub async fn raw_tls(&self, host: &str, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
        let tcp = TcpStream::connect(self.https).await?;
        let name = ServerName::try_from(host.to_string()).unwrap();
        let mut tls = self.connector.connect(name, tcp).await?;
        tls.write_all(bytes).await?;
        let mut out = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(15), tls.read_to_end(&mut out)).await;
        Ok(out)
    }

    /// Sends raw bytes over plain TCP to the HTTP port.
    pub async fn raw_http(&self, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut tcp = TcpStream::connect(self.http.expect("http port")).await?;
        tcp.write_all(bytes).await?;
        let mut out = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(15), tcp.read_to_end(&mut out)).await;
        Ok(out)
    }

    fn build(method: &str, host: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        if !body.is_empty() || method == "POST" {
            req.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(body);
        bytes
    }

    /// An HTTPS request to the emulator with the given Host (also used as SNI).
    pub async fn request(&self, method: &str, host: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
        let raw = self.raw_tls(host, &Self::build(method, host, path, headers, body)).await.expect("TLS request");
        parse_response(&raw)
    }

    /// The same over plain HTTP.
    pub async fn request_http(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
        let host = self.http.unwrap().to_string();
        let raw = self.raw_http(&Self::build(method, &host, path, headers, body)).await.expect("HTTP request");
        parse_response(&raw)
    }

    /// POST a JSON value the way alloy does (text/plain, Origin of the shop).
    pub async fn alloy_post(&self, path: &str, body: &Value, cookie: Option<&str>) -> Resp {
        let mut headers = vec![("Content-Type", "text/plain; charset=UTF-8"), ("Origin", "https://shop.example.test")];
        if let Some(c) = cookie {
            headers.push(("Cookie", c));
        }
        self.request("POST", "edge.example.test", path, &headers, body.to_string().as_bytes()).await
    }

    /// POST JSON with Content-Type application/json.
    pub async fn post_json(&self, path: &str, body: &Value) -> Resp {
        self.request(
            "POST",
            "edge.example.test",
            path,
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        )
        .await
    }

    /// GET an admin URL (Host 127.0.0.1) and parse JSON.
    pub async fn admin_get(&self, path: &str) -> Value {
        let r = self.request("GET", "127.0.0.1", path, &[], b"").await;
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        r.json()
    }

    /// POST JSON to an admin URL.
    pub async fn admin_post(&self, path: &str, body: &Value) -> Resp {
        self.request("POST", "127.0.0.1", path, &[("Content-Type", "application/json")], body.to_string().as_bytes())
            .await
    }

    /// Runs a read-only query through the admin API and returns its rows.
    pub async fn query(&self, sql: &str) -> Vec<Vec<Value>> {
        let q = percent_encode(sql);
        let v = self.admin_get(&format!("/__admin/query?sql={q}")).await;
        serde_json::from_value(v["rows"].clone()).unwrap()
    }

    /// Number of stored events.
    pub async fn count(&self) -> i64 {
        self.query("SELECT count(*) FROM dataset").await[0][0].as_i64().unwrap()
    }
}

pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Parses a raw HTTP/1.1 response (content-length or read-to-close bodies).
pub fn parse_response(raw: &[u8]) -> Resp {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status: u16 = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    if let Some(len) = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse::<usize>().ok()) {
        body.truncate(len);
    }
    Resp { status, headers, body }
}

/// An alloy-shaped v1 event body (no `_id`, like alloy).
pub fn alloy_body(event_type: &str, extra_xdm: Value) -> Value {
    let mut xdm = serde_json::json!({
        "web": {"webPageDetails": {"URL": "https://shop.example.test/", "name": "home"}},
        "timestamp": "2026-11-22T23:34:27.517Z",
        "implementationDetails": {"name": "https://ns.adobe.com/experience/alloy", "version": "2.33.1", "environment": "browser"},
        "eventType": event_type,
    });
    if let (Some(x), Some(extra)) = (xdm.as_object_mut(), extra_xdm.as_object()) {
        for (k, v) in extra {
            x.insert(k.clone(), v.clone());
        }
    }
    serde_json::json!({
        "events": [{"xdm": xdm, "data": {"storefront": {"cartId": "c-1"}}}],
        "query": {"identity": {"fetch": ["ECID"]}},
        "meta": {"queueTimeMillis": 3, "state": {"domain": "example.test", "cookiesEnabled": true}},
    })
}

/// Finds a handle by type.
pub fn handle<'a>(resp: &'a Value, ty: &str) -> Option<&'a Value> {
    resp["handle"].as_array()?.iter().find(|h| h["type"] == ty)
}

/// Finds a `state:store` entry whose key ends with `suffix`.
pub fn store_entry<'a>(resp: &'a Value, suffix: &str) -> Option<&'a Value> {
    handle(resp, "state:store")?["payload"]
        .as_array()?
        .iter()
        .find(|e| e["key"].as_str().is_some_and(|k| k.ends_with(suffix)))
}
