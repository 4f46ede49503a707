//! TLS: a local certificate authority (kept in `ca.pem` / `ca-key.pem` so a browser or test trusts
//! it once) and a server certificate signed by it, regenerated at every start for the current host
//! names (`cert.pem` with the chain, `key.pem`). The rustls server config uses the `ring` provider
//! and speaks HTTP/1.1 only.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::util;

const CA_NAME: &str = "edge-emulator local CA";

/// Where the certificate files were written.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    /// The CA certificate to trust (PEM).
    pub ca_pem_path: PathBuf,
    /// The server certificate chain (PEM).
    pub cert_pem_path: PathBuf,
    /// The server key (PEM).
    pub key_pem_path: PathBuf,
    /// The CA certificate text.
    pub ca_pem: String,
}

fn ca_params() -> CertificateParams {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, CA_NAME);
    dn.push(DnType::OrganizationName, "edge-emulator (local development only)");
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    p
}

/// Sets a certificate's validity to the UTC days holding `from_ms` and `to_ms`.
fn set_validity(p: &mut CertificateParams, from_ms: i64, to_ms: i64) {
    let ymd = |ms: i64| util::civil_from_days(ms.div_euclid(86_400_000));
    let (y, m, d) = ymd(from_ms);
    p.not_before = rcgen::date_time_ymd(y as i32, m as u8, d as u8);
    let (y, m, d) = ymd(to_ms);
    p.not_after = rcgen::date_time_ymd(y as i32, m as u8, d as u8);
}

fn write_private(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o600));
    }
    Ok(())
}

/// Loads (or creates) the CA in `dir`, issues a server certificate for `names`, writes the files,
/// and returns a rustls server configuration.
pub fn setup(dir: &Path, names: &[String]) -> Result<(Arc<rustls::ServerConfig>, TlsFiles), String> {
    fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let ca_pem_path = dir.join("ca.pem");
    let ca_key_path = dir.join("ca-key.pem");
    let now = util::now_ms();
    let day = 86_400_000i64;

    // Reuse the CA when both files are there and the key parses; otherwise make a new one.
    let existing = match (fs::read_to_string(&ca_pem_path), fs::read_to_string(&ca_key_path)) {
        (Ok(cert), Ok(key)) => KeyPair::from_pem(&key).ok().map(|k| (cert, k)),
        _ => None,
    };
    let (ca_pem, ca_key) = match existing {
        Some(found) => found,
        None => {
            let key = KeyPair::generate().map_err(|e| format!("generating the CA key: {e}"))?;
            let mut params = ca_params();
            set_validity(&mut params, now - day, now + 3650 * day);
            let cert = params.self_signed(&key).map_err(|e| format!("signing the CA: {e}"))?;
            let pem = cert.pem();
            fs::write(&ca_pem_path, &pem).map_err(|e| format!("writing {}: {e}", ca_pem_path.display()))?;
            write_private(&ca_key_path, &key.serialize_pem())?;
            (pem, key)
        }
    };
    // The issuer is rebuilt from the same parameters; only its name and key matter for signing.
    let issuer = Issuer::new(ca_params(), ca_key);

    let leaf_key = KeyPair::generate().map_err(|e| format!("generating the server key: {e}"))?;
    let mut params = CertificateParams::new(names.to_vec()).map_err(|e| format!("certificate names: {e}"))?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, names.first().map(String::as_str).unwrap_or("localhost"));
    params.distinguished_name = dn;
    // Browsers refuse server certificates valid for more than 398 days.
    set_validity(&mut params, now - day, now + 390 * day);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let leaf = params.signed_by(&leaf_key, &issuer).map_err(|e| format!("signing the server certificate: {e}"))?;

    let cert_pem_path = dir.join("cert.pem");
    let key_pem_path = dir.join("key.pem");
    fs::write(&cert_pem_path, format!("{}{}", leaf.pem(), ca_pem))
        .map_err(|e| format!("writing {}: {e}", cert_pem_path.display()))?;
    write_private(&key_pem_path, &leaf_key.serialize_pem())?;

    let ca_der = pem_to_der(&ca_pem).ok_or("ca.pem holds no certificate")?;
    let chain = vec![leaf.der().clone(), CertificateDer::from(ca_der)];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS versions: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("TLS certificate: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((Arc::new(config), TlsFiles { ca_pem_path, cert_pem_path, key_pem_path, ca_pem }))
}

/// Decodes the first PEM block of `pem`.
pub fn pem_to_der(pem: &str) -> Option<Vec<u8>> {
    let start = pem.find("-----BEGIN CERTIFICATE-----")? + "-----BEGIN CERTIFICATE-----".len();
    let end = pem[start..].find("-----END CERTIFICATE-----")? + start;
    util::base64_decode(&pem[start..end])
}
