//! TLS toward `https://` backends (HTTP and HTTP_PROXY integrations), with rustls over ring.
//!
//! [`Tls`] is built once per process: the trusted roots (webpki-roots, Mozilla's list, plus the
//! config file's `backend_ca_file`) and the two client configurations every stage without a
//! client certificate shares (verifying, and `insecureSkipVerification`'s). A stage that names
//! a client certificate gets its own pair ([`ClientCert`]), built when the registry compiles
//! the stage, never per request. rustls keeps each configuration's session tickets, so a new
//! connection to a backend already seen resumes its session.
//!
//! What a request needs is a [`Connector`]: a configuration and the name to verify and send as
//! SNI (`tlsConfig.serverNameToVerify`, else the URI's host). Connections are pooled by a key
//! that names all of it (see `http::Client`).

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{self, CryptoProvider};
use rustls::pki_types::pem::PemObject;
pub use rustls::pki_types::CertificateDer;
use rustls::pki_types::{PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// An integration's `tlsConfig`, compiled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsSettings {
    /// `insecureSkipVerification`: accept any certificate the backend presents.
    pub insecure: bool,
    /// `serverNameToVerify`: the name checked against the certificate and sent as SNI, instead
    /// of the URI's host.
    pub server_name: Option<ServerName<'static>>,
}

/// The trusted roots and the configurations of connections without a client certificate.
pub struct Tls {
    provider: Arc<CryptoProvider>,
    roots: Arc<RootCertStore>,
    verified: Arc<ClientConfig>,
    insecure: Arc<ClientConfig>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("roots", &self.roots.len())
            .finish()
    }
}

impl Default for Tls {
    fn default() -> Self {
        Tls::new(&[])
    }
}

/// The certificates of a PEM file (the config's `backend_ca_file`); an error if it holds none
/// or one does not parse.
pub fn parse_roots(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not PEM certificates: {e}"))?;
    if certs.is_empty() {
        return Err("no PEM certificate in it".into());
    }
    Ok(certs)
}

impl Tls {
    /// webpki-roots plus `extra` (already parsed, see [`parse_roots`]).
    pub fn new(extra: &[CertificateDer<'static>]) -> Tls {
        // ring, not aws-lc-rs: ring is already in the tree (rcgen), builds without cmake or a
        // C toolchain beyond cc, and is what rustls needs for TLS 1.2/1.3 with classical key
        // exchange. rustls 0.23.48 deprecates it for lacking post-quantum key exchange, which
        // backends do not require.
        #[allow(deprecated)]
        let provider = Arc::new(crypto::ring::default_provider());
        let mut roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let (added, ignored) = roots.add_parsable_certificates(extra.iter().cloned());
        if ignored > 0 {
            tracing::warn!(
                added,
                ignored,
                "backend_ca_file: some certificates are not usable as roots"
            );
        }
        let roots = Arc::new(roots);
        let verified = Arc::new(
            builder(&provider)
                .with_root_certificates(roots.clone())
                .with_no_client_auth(),
        );
        let insecure = Arc::new(
            builder(&provider)
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAny(provider.clone())))
                .with_no_client_auth(),
        );
        Tls {
            provider,
            roots,
            verified,
            insecure,
        }
    }

    /// The configuration of a connection without a client certificate.
    pub fn config(&self, insecure: bool) -> &Arc<ClientConfig> {
        if insecure {
            &self.insecure
        } else {
            &self.verified
        }
    }

    /// A stage's client certificate (`clientCertificateId`), from its PEM certificate and
    /// PKCS#8 key, as both configurations present it.
    pub fn client_cert(
        &self,
        id: &str,
        cert_pem: &str,
        key_pem: &str,
    ) -> Result<ClientCert, String> {
        let chain = parse_roots(cert_pem.as_bytes())?;
        let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
            .map_err(|e| format!("private key: {e}"))?;
        let verified = builder(&self.provider)
            .with_root_certificates(self.roots.clone())
            .with_client_auth_cert(chain.clone(), key.clone_key())
            .map_err(|e| e.to_string())?;
        let insecure = builder(&self.provider)
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAny(self.provider.clone())))
            .with_client_auth_cert(chain, key)
            .map_err(|e| e.to_string())?;
        Ok(ClientCert {
            id: id.to_string(),
            verified: Arc::new(verified),
            insecure: Arc::new(insecure),
        })
    }
}

fn builder(
    provider: &Arc<CryptoProvider>,
) -> rustls::ConfigBuilder<ClientConfig, rustls::WantsVerifier> {
    ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
}

/// A stage's client certificate, ready to present.
pub struct ClientCert {
    pub id: String,
    verified: Arc<ClientConfig>,
    insecure: Arc<ClientConfig>,
}

impl std::fmt::Debug for ClientCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCert").field("id", &self.id).finish()
    }
}

impl ClientCert {
    pub fn config(&self, insecure: bool) -> &Arc<ClientConfig> {
        if insecure {
            &self.insecure
        } else {
            &self.verified
        }
    }
}

/// How one https request connects: the integration's settings and the stage's certificate.
#[derive(Clone, Copy, Debug, Default)]
pub struct TlsRoute<'a> {
    pub settings: Option<&'a TlsSettings>,
    pub client_cert: Option<&'a ClientCert>,
}

/// What opening a TLS connection needs.
pub struct Connector {
    pub config: Arc<ClientConfig>,
    pub server_name: ServerName<'static>,
}

/// `insecureSkipVerification`: any certificate is accepted (its chain, names and dates are not
/// looked at); the handshake's signatures are still checked, so the peer holds the key of the
/// certificate it sent.
#[derive(Debug)]
struct AcceptAny(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use hyper::{HeaderMap, Method};
    use rustls::pki_types::{PrivateKeyDer, ServerName};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;
    use crate::integrations::h1::{self, Outbound};
    use crate::integrations::pool::{Failure, Pool, Window};

    /// A certificate for `localhost` and 127.0.0.1, self-signed: (DER, key DER).
    fn localhost_cert() -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
        let c = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
            .unwrap();
        (
            c.cert.der().clone(),
            PrivateKeyDer::try_from(c.signing_key.serialize_der()).unwrap(),
        )
    }

    /// An HTTPS server on a free port answering every request on every connection with
    /// `200 ok`; returns its address and how many handshakes it completed.
    async fn https_backend(
        cert: CertificateDer<'static>,
        key: PrivateKeyDer<'static>,
    ) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            #[allow(deprecated)]
            crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let handshakes = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = handshakes.clone();
        tokio::spawn(async move {
            loop {
                let (tcp, _) = listener.accept().await.unwrap();
                let acceptor = acceptor.clone();
                let counted = counted.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let mut buf = vec![0u8; 4096];
                    loop {
                        let mut seen = Vec::new();
                        while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                            match tls.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => seen.extend_from_slice(&buf[..n]),
                            }
                        }
                        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                        if tls.write_all(ok).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        (addr, handshakes)
    }

    async fn get(
        pool: &Arc<Pool>,
        addr: &str,
        connector: &Connector,
        key: &str,
    ) -> Result<u16, String> {
        let headers = HeaderMap::new();
        let out = Outbound {
            method: &Method::GET,
            target: "/",
            host: "localhost",
            headers: &headers,
            skip: h1::send_all,
            added: b"",
            body: b"",
            rule: h1::keep_all,
        };
        let window = Window::new(std::time::Instant::now(), std::time::Duration::from_secs(5));
        match pool.send_tls(key, addr, connector, &out, window).await {
            Ok((resp, _)) => Ok(resp.status().as_u16()),
            Err(Failure::Handshake(e)) => Err(format!("handshake: {e}")),
            Err(e) => Err(e.to_string()),
        }
    }

    #[tokio::test]
    async fn a_certificate_is_verified_against_the_roots_unless_told_not_to() {
        let (cert, key) = localhost_cert();
        let (addr, handshakes) = https_backend(cert.clone(), key).await;
        let pool = Arc::new(Pool::default());
        let name = ServerName::try_from("localhost").unwrap().to_owned();

        let untrusted = Tls::new(&[]);
        let verified = Connector {
            config: untrusted.config(false).clone(),
            server_name: name.clone(),
        };
        let err = get(&pool, &addr, &verified, "a").await.unwrap_err();
        assert!(
            err.starts_with("handshake:") && err.contains("certificate"),
            "{err}"
        );

        let insecure = Connector {
            config: untrusted.config(true).clone(),
            server_name: name.clone(),
        };
        assert_eq!(get(&pool, &addr, &insecure, "b").await, Ok(200));

        let trusting = Tls::new(&[cert]);
        let verified = Connector {
            config: trusting.config(false).clone(),
            server_name: name.clone(),
        };
        assert_eq!(get(&pool, &addr, &verified, "c").await, Ok(200));
        // Pooled: the second request under the same key reuses the connection.
        assert_eq!(get(&pool, &addr, &verified, "c").await, Ok(200));
        assert_eq!(handshakes.load(std::sync::atomic::Ordering::SeqCst), 2);

        // A name the certificate is not for.
        let wrong = Connector {
            config: trusting.config(false).clone(),
            server_name: ServerName::try_from("other.test").unwrap().to_owned(),
        };
        let err = get(&pool, &addr, &wrong, "d").await.unwrap_err();
        assert!(err.contains("certificate"), "{err}");
    }

    #[test]
    fn a_client_certificate_needs_a_matching_pem_pair() {
        let tls = Tls::new(&[]);
        let c = rcgen::generate_simple_self_signed(vec!["client".into()]).unwrap();
        let cert = c.cert.pem();
        let key = c.signing_key.serialize_pem();
        assert!(tls.client_cert("id1", &cert, &key).is_ok());
        assert!(tls.client_cert("id1", "nope", &key).is_err());
        assert!(tls.client_cert("id1", &cert, "nope").is_err());
        assert!(parse_roots(b"").is_err());
        assert_eq!(parse_roots(cert.as_bytes()).unwrap().len(), 1);
    }
}
