//! HTTPS (`--tls-listen`): which certificate a client gets, chosen by SNI, and which clients may
//! connect (mutual TLS, per custom domain).
//!
//! A custom domain name's certificate is the one uploaded with it (`certificateBody` +
//! `certificatePrivateKey` [+ `certificateChain`]), else the `[[certificates]]` entry named by its
//! `regionalCertificateArn` or `certificateArn`. A domain with
//! `mutualTlsAuthentication.truststoreUri = "file://…"` requires a client certificate that chains
//! to one in that file; one whose truststore cannot be read refuses every handshake (never
//! serves without the check it asked for).
//!
//! The domains come from the data plane's domain index (`portico_gateway::domains`), the one
//! view of them, which every management call brings up to date before it answers. Each
//! domain's rustls config is built at its first handshake and kept while the index holds the
//! same `Domain` (a change to the domain makes a new one): later handshakes build nothing.
//!
//! Any other name (execute-api hosts, `localhost`, no SNI) gets the listener's own certificate:
//! self-signed at start for `localhost`, `*.execute-api.localhost`, `127.0.0.1` and `::1`, so a
//! client on loopback that trusts it (or skips verification) reaches every plane over HTTPS.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::RwLock;
use portico_gateway::domains::{Domain, Domains};
use portico_gateway::DataPlane;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use serde_json::{json, Value};

use crate::config::CertificateFile;

/// What a handshake for one server name is answered with.
#[derive(Clone)]
enum Served {
    Config(Arc<ServerConfig>),
    /// The domain asked for mutual TLS and its truststore could not be read: refused.
    Refused,
}

pub struct Tls {
    data: Arc<DataPlane>,
    /// `[[certificates]]`: ARN → (certificate chain, key), read at start.
    by_arn: HashMap<String, (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
    fallback: Arc<ServerConfig>,
    /// Each domain's config, with the `Domain` it was built from.
    built: RwLock<HashMap<String, (Arc<Domain>, Served)>>,
}

impl Tls {
    /// Reads every `[[certificates]]` file (a bad one is a configuration error) and makes the
    /// listener's own certificate.
    pub fn new(data: Arc<DataPlane>, files: &[CertificateFile]) -> Result<Tls, String> {
        let mut by_arn = HashMap::new();
        for f in files {
            let read = |p: &std::path::Path| {
                std::fs::read(p).map_err(|e| {
                    format!(
                        "certificates: cannot read {} of {}: {e}",
                        p.display(),
                        f.arn
                    )
                })
            };
            let (chain, key) = parse_pair(&read(&f.cert_file)?, &read(&f.key_file)?)
                .map_err(|e| format!("certificates: {}: {e}", f.arn))?;
            // A key that is not the certificate's is found now, not at the first handshake.
            server_config(chain.clone(), key.clone_key(), None)
                .map_err(|e| format!("certificates: {}: {e}", f.arn))?;
            by_arn.insert(f.arn.clone(), (chain, key));
        }
        let own = rcgen::generate_simple_self_signed(vec![
            "localhost".to_string(),
            "*.execute-api.localhost".to_string(),
            "127.0.0.1".to_string(),
            "::1".to_string(),
        ])
        .map_err(|e| format!("cannot make the listener's certificate: {e}"))?;
        let key = PrivateKeyDer::try_from(own.signing_key.serialize_der())
            .map_err(|e| format!("cannot read the listener's key: {e}"))?;
        let fallback = server_config(vec![own.cert.der().clone()], key, None)?;
        Ok(Tls {
            data,
            by_arn,
            fallback,
            built: RwLock::default(),
        })
    }

    fn domains(&self) -> &Domains {
        &self.data.domains
    }

    /// The config for a handshake that asked for `sni`; `None` refuses it.
    pub fn config_for(&self, sni: Option<&str>) -> Option<Arc<ServerConfig>> {
        let Some(domain) = sni.and_then(|name| self.domains().get(name)) else {
            return Some(self.fallback.clone());
        };
        let cached = self
            .built
            .read()
            .get(&domain.name)
            .filter(|(d, _)| Arc::ptr_eq(d, &domain))
            .map(|(_, s)| s.clone());
        let served = match cached {
            Some(s) => s,
            None => {
                let s = self.serve(&domain);
                self.built
                    .write()
                    .insert(domain.name.clone(), (domain.clone(), s.clone()));
                s
            }
        };
        match served {
            Served::Config(c) => Some(c),
            Served::Refused => None,
        }
    }

    fn serve(&self, d: &Domain) -> Served {
        let name = &d.name;
        let pair = match d.certificate_pems() {
            Some((chain, key)) => match parse_pair(chain.as_bytes(), key.as_bytes()) {
                Ok(p) => Some(p),
                Err(e) => {
                    tracing::warn!(domain = %name, "uploaded certificate unusable: {e}");
                    None
                }
            },
            None => d
                .certificate_arns()
                .iter()
                .find_map(|arn| self.by_arn.get(arn))
                .map(|(c, k)| (c.clone(), k.clone_key())),
        };
        let verifier = match d.truststore_uri().and_then(|u| u.strip_prefix("file://")) {
            None => None,
            Some(path) => match client_verifier(path) {
                Ok(v) => Some(v),
                Err(e) => {
                    tracing::warn!(domain = %name, "mutual TLS truststore unusable, handshakes refused: {e}");
                    return Served::Refused;
                }
            },
        };
        let Some((chain, key)) = pair else {
            // Mutual TLS without a certificate of its own is still enforced, with the
            // listener's certificate.
            return self.fallback_with(verifier);
        };
        match server_config(chain, key, verifier) {
            Ok(c) => Served::Config(c),
            Err(e) => {
                tracing::warn!(domain = %name, "certificate unusable: {e}");
                Served::Config(self.fallback.clone())
            }
        }
    }

    fn fallback_with(
        &self,
        verifier: Option<Arc<dyn rustls::server::danger::ClientCertVerifier>>,
    ) -> Served {
        let Some(verifier) = verifier else {
            return Served::Config(self.fallback.clone());
        };
        let Ok(config) =
            ServerConfig::builder_with_provider(provider()).with_safe_default_protocol_versions()
        else {
            return Served::Refused;
        };
        let mut c = config
            .with_client_cert_verifier(verifier)
            .with_cert_resolver(self.fallback.cert_resolver.clone());
        c.alpn_protocols = vec![b"http/1.1".to_vec()];
        Served::Config(Arc::new(c))
    }
}

/// Complete a TLS handshake: read the ClientHello, pick the config by its SNI, and finish. The
/// client certificate (mutual TLS) comes back as `$context.identity.clientCert`.
pub async fn handshake(
    tls: &Tls,
    stream: tokio::net::TcpStream,
) -> std::io::Result<(
    tokio_rustls::server::TlsStream<tokio::net::TcpStream>,
    Option<Value>,
)> {
    let start =
        tokio_rustls::LazyConfigAcceptor::new(rustls::server::Acceptor::default(), stream).await?;
    let config = tls
        .config_for(start.client_hello().server_name())
        .ok_or_else(|| std::io::Error::other("refused: the domain's truststore is unusable"))?;
    let stream = start.into_stream(config).await?;
    let cert = stream
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .and_then(client_cert_context);
    Ok((stream, cert))
}

/// ring, as the project chose (no C toolchain beyond what `ring` needs). rustls 0.23.48
/// deprecates ring's provider for its lack of post-quantum key exchange; classical X25519/ECDHE
/// is what API Gateway itself offers clients.
#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A certificate chain (leaf first) and its private key, both PEM; the key must be the
/// certificate's.
pub fn parse_pair(
    cert_pem: &[u8],
    key_pem: &[u8],
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("malformed certificate PEM: {e}"))?;
    if chain.is_empty() {
        return Err("no certificate in the PEM".into());
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem)
        .map_err(|e| format!("malformed private key PEM: {e}"))?;
    Ok((chain, key))
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    verifier: Option<Arc<dyn rustls::server::danger::ClientCertVerifier>>,
) -> Result<Arc<ServerConfig>, String> {
    let builder = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let builder = match verifier {
        Some(v) => builder.with_client_cert_verifier(v),
        None => builder.with_no_client_auth(),
    };
    // Refuses a key that is not the certificate's.
    let mut config = builder
        .with_single_cert(chain, key)
        .map_err(|e| e.to_string())?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A verifier that requires a client certificate chaining to one in the PEM file at `path`.
fn client_verifier(
    path: &str,
) -> Result<Arc<dyn rustls::server::danger::ClientCertVerifier>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| format!("{path}: malformed PEM: {e}"))?;
        roots
            .add(cert)
            .map_err(|e| format!("{path}: unusable certificate: {e}"))?;
    }
    if roots.is_empty() {
        return Err(format!("{path} holds no certificate"));
    }
    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .map_err(|e| e.to_string())
}

/// `$context.identity.clientCert` for the certificate a client presented, as AWS shows it.
pub fn client_cert_context(der: &CertificateDer<'_>) -> Option<Value> {
    use base64::Engine;
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).ok()?;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).ok()?);
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    let when = |t: &x509_parser::time::ASN1Time| {
        t.to_datetime()
            .format(time::macros::format_description!(
                "[month repr:short] [day padding:space] [hour]:[minute]:[second] [year] GMT"
            ))
            .unwrap_or_default()
    };
    let validity = cert.validity();
    Some(json!({
        "clientCertPem": pem,
        "subjectDN": cert.subject().to_string(),
        "issuerDN": cert.issuer().to_string(),
        "serialNumber": cert.raw_serial_as_string(),
        "validity": {
            "notBefore": when(&validity.not_before),
            "notAfter": when(&validity.not_after),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(name: &str) -> (String, String) {
        let c = rcgen::generate_simple_self_signed(vec![name.to_string()]).unwrap();
        (c.cert.pem(), c.signing_key.serialize_pem())
    }

    #[test]
    fn a_key_that_is_not_the_certificates_is_refused() {
        let (cert, _) = pair("a.example.com");
        let (_, other_key) = pair("b.example.com");
        let (chain, key) = parse_pair(cert.as_bytes(), other_key.as_bytes()).unwrap();
        assert!(server_config(chain, key, None).is_err());
    }

    #[test]
    fn malformed_pem_is_refused() {
        let (_, key) = pair("a.example.com");
        assert!(parse_pair(
            b"-----BEGIN CERTIFICATE-----\nnot base64!\n",
            key.as_bytes()
        )
        .is_err());
        assert!(parse_pair(b"", key.as_bytes()).is_err());
    }

    #[test]
    fn a_client_certificate_reads_as_aws_shows_it() {
        let mut params = rcgen::CertificateParams::new(vec!["client.example.com".into()]).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "client one");
        params.serial_number = Some(rcgen::SerialNumber::from_slice(&[0x0a, 0x1b]));
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        let v = client_cert_context(cert.der()).unwrap();
        assert_eq!(v["subjectDN"], "CN=client one");
        assert_eq!(v["issuerDN"], "CN=client one");
        assert_eq!(v["serialNumber"], "0a:1b");
        assert!(v["clientCertPem"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(v["validity"]["notAfter"]
            .as_str()
            .unwrap()
            .ends_with(" GMT"));
    }
}
