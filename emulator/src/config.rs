//! Emulator configuration: listening addresses, certificate names, storage paths and the known
//! datastreams (each with the IMS org that names its cookies and the dataset its events land in).

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use serde_json::Value;

/// The org of the built-in datastreams used by tests and the demo.
pub const DEFAULT_ORG: &str = "1234@AdobeOrg";
/// The dataset events land in when neither the datastream nor the request names one.
pub const DEFAULT_DATASET: &str = "storefront-events";

/// A configured datastream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Datastream {
    /// The datastream id (`configId` / `datastreamId`).
    pub id: String,
    /// The IMS org, e.g. `1234@AdobeOrg`; `@` becomes `_` in cookie names.
    pub org_id: String,
    /// The dataset its events are stored under.
    pub dataset_id: String,
}

impl Datastream {
    /// `kndctr_<org_>_` prefix of this datastream's cookies.
    pub fn cookie_prefix(&self) -> String {
        format!("kndctr_{}_", self.org_id.replace('@', "_"))
    }
}

/// Parses `ID=ORG[:DATASET]` (the `--datastream` flag; `*` as ID accepts any datastream id).
pub fn parse_datastream(spec: &str) -> Result<Datastream, String> {
    let (id, rest) = spec.split_once('=').ok_or_else(|| format!("--datastream '{spec}': expected ID=ORG[:DATASET]"))?;
    let (org, dataset) = match rest.split_once(':') {
        Some((o, d)) => (o, Some(d)),
        None => (rest, None),
    };
    let (id, org) = (id.trim(), org.trim());
    if id.is_empty() || org.is_empty() {
        return Err(format!("--datastream '{spec}': the id and the org must not be empty"));
    }
    if !org.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'@' || b == b'-' || b == b'_' || b == b'.') {
        return Err(format!("--datastream '{spec}': the org may only contain letters, digits, @ - _ ."));
    }
    let dataset = dataset.map(str::trim).filter(|d| !d.is_empty()).unwrap_or(DEFAULT_DATASET);
    Ok(Datastream { id: id.to_string(), org_id: org.to_string(), dataset_id: dataset.to_string() })
}

/// Reads a datastreams file: either JSON (`{"ds-1": {"orgId": "...", "datasetId": "..."}}` or an
/// array of `{id, orgId, datasetId?}`) or lines of `ID=ORG[:DATASET]` (`#` starts a comment).
pub fn parse_datastreams_file(text: &str) -> Result<Vec<Datastream>, String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("datastreams file: {e}"))?;
        let entry = |id: &str, o: &Value| -> Result<Datastream, String> {
            let org =
                o.get("orgId").and_then(Value::as_str).ok_or_else(|| format!("datastream '{id}': orgId missing"))?;
            let ds = o.get("datasetId").and_then(Value::as_str).unwrap_or("");
            parse_datastream(&format!("{id}={org}:{ds}"))
        };
        return match v {
            Value::Object(m) => m.iter().map(|(id, o)| entry(id, o)).collect(),
            Value::Array(a) => {
                a.iter().map(|o| entry(o.get("id").and_then(Value::as_str).unwrap_or(""), o)).collect::<Result<_, _>>()
            }
            _ => Err("datastreams file: expected an object or an array".into()),
        };
    }
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(parse_datastream)
        .collect()
}

/// The built-in datastreams: `ds-1` and `demo-datastream` (org `1234@AdobeOrg`), and the id and
/// org that the alloy captures in `edge-captures/` use.
pub fn default_datastreams() -> Vec<Datastream> {
    vec![
        Datastream { id: "ds-1".into(), org_id: DEFAULT_ORG.into(), dataset_id: DEFAULT_DATASET.into() },
        Datastream { id: "demo-datastream".into(), org_id: DEFAULT_ORG.into(), dataset_id: DEFAULT_DATASET.into() },
        Datastream {
            id: "11111111-2222-3333-4444-555555555555".into(),
            org_id: "ABCDEF0123456789ABCDEF01@AdobeOrg".into(),
            dataset_id: DEFAULT_DATASET.into(),
        },
    ]
}

/// Everything the server needs to start.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to bind (loopback by default).
    pub bind: IpAddr,
    /// HTTPS port (0 = ephemeral).
    pub https_port: u16,
    /// Optional plain-HTTP port (0 = ephemeral) serving the same routes, for the viewer.
    pub http_port: Option<u16>,
    /// Extra certificate names besides the built-in ones.
    pub hosts: Vec<String>,
    /// Directory for the certificate authority and the server certificate.
    pub tls_dir: PathBuf,
    /// SQLite database path.
    pub db_path: PathBuf,
    /// Known datastreams by id; the `*` entry (if any) accepts every other id.
    pub datastreams: BTreeMap<String, Datastream>,
    /// How many recorded requests `/__admin/requests` keeps.
    pub request_log_capacity: usize,
    /// Seconds a client may take to send its headers or body.
    pub client_timeout_secs: u64,
    /// Whether to print one line per request to stderr.
    pub verbose: bool,
}

impl Config {
    /// A configuration with the built-in datastreams, files under `data_dir`.
    pub fn new(data_dir: impl Into<PathBuf>) -> Config {
        let data_dir = data_dir.into();
        Config {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            https_port: 8443,
            http_port: None,
            hosts: Vec::new(),
            tls_dir: data_dir.clone(),
            db_path: data_dir.join("events.db"),
            datastreams: default_datastreams().into_iter().map(|d| (d.id.clone(), d)).collect(),
            request_log_capacity: 1000,
            client_timeout_secs: 10,
            verbose: false,
        }
    }

    /// Adds or replaces a datastream.
    pub fn add_datastream(&mut self, ds: Datastream) {
        self.datastreams.insert(ds.id.clone(), ds);
    }

    /// Looks a datastream up. The fault-injection ids (`RATE…`, `FAIL…`, `SLOW…`) are known
    /// implicitly, with the default org; a `*` entry catches every other id.
    pub fn datastream(&self, id: &str) -> Option<Datastream> {
        if id.is_empty() {
            return None;
        }
        if let Some(ds) = self.datastreams.get(id) {
            return Some(ds.clone());
        }
        if crate::faults::special_fault(id).is_some() {
            return Some(Datastream { id: id.into(), org_id: DEFAULT_ORG.into(), dataset_id: DEFAULT_DATASET.into() });
        }
        self.datastreams.get("*").map(|w| Datastream { id: id.into(), ..w.clone() })
    }

    /// The names the server certificate covers.
    pub fn cert_names(&self) -> Vec<String> {
        let mut names: Vec<String> = [
            "localhost",
            "127.0.0.1",
            "::1",
            "edge.example.test",
            "*.example.test",
            "edge.adobedc.net",
            "adobedc.demdex.net",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for h in &self.hosts {
            if !names.contains(h) {
                names.push(h.clone());
            }
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datastream_specs() {
        let d = parse_datastream("ds-9=ABC@AdobeOrg:5f0000000000000000000001").unwrap();
        assert_eq!(
            (d.id.as_str(), d.org_id.as_str(), d.dataset_id.as_str()),
            ("ds-9", "ABC@AdobeOrg", "5f0000000000000000000001")
        );
        assert_eq!(d.cookie_prefix(), "kndctr_ABC_AdobeOrg_");
        assert_eq!(parse_datastream("x=O@AdobeOrg").unwrap().dataset_id, DEFAULT_DATASET);
        assert!(parse_datastream("x").is_err());
        assert!(parse_datastream("=O").is_err());
        assert!(parse_datastream("x=bad org").is_err());
    }

    #[test]
    fn files_and_lookup() {
        let j = parse_datastreams_file(r#"{"a": {"orgId": "O@AdobeOrg", "datasetId": "d1"}}"#).unwrap();
        assert_eq!(j[0].dataset_id, "d1");
        let l = parse_datastreams_file("# c\na=O@AdobeOrg\n\nb=P@AdobeOrg:d2 # x\n").unwrap();
        assert_eq!(l.len(), 2);
        let mut c = Config::new("/tmp/x");
        assert!(c.datastream("ds-1").is_some());
        assert!(c.datastream("BOGUS").is_none());
        assert!(c.datastream("RATE-x").is_some());
        c.add_datastream(parse_datastream("*=W@AdobeOrg").unwrap());
        assert_eq!(c.datastream("anything").unwrap().org_id, "W@AdobeOrg");
    }
}
