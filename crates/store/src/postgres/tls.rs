//! TLS to PostgreSQL, with rustls: what the URL's `sslmode` asks for, and the server's
//! certificate always verified (the web's roots plus `database_ca_file`) for the host the URL
//! names, as libpq's `verify-full` does. Decision: libpq's `require` encrypts without checking
//! whom it talks to; a gateway's state is worth more than that, so an unverifiable server is
//! refused, and a private CA is named in `database_ca_file`.
//!
//! Why not the `tokio-postgres-rustls` crate: it is these few lines over the rustls and
//! tokio-rustls the gateway already builds, and it pins its own versions of them.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect};
use tokio_rustls::client::TlsStream;

use crate::StoreError;

/// Makes a verified TLS connection to each server a pool connects to.
#[derive(Clone)]
pub struct MakeRustls {
    config: Arc<rustls::ClientConfig>,
}

impl MakeRustls {
    /// The web's roots, plus the PEM certificates of `ca_pem` (a private CA), if given.
    pub fn new(ca_pem: Option<&[u8]>) -> Result<MakeRustls, StoreError> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(pem) = ca_pem {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
                .collect::<Result<_, _>>()
                .map_err(|e| StoreError::backend(format!("database_ca_file: {e}")))?;
            if certs.is_empty() {
                return Err(StoreError::backend(
                    "database_ca_file holds no PEM certificate",
                ));
            }
            for c in certs {
                roots
                    .add(c)
                    .map_err(|e| StoreError::backend(format!("database_ca_file: {e}")))?;
            }
        }
        // ring, as the gateway's clients (integrations/tls.rs says why it is allowed).
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| StoreError::backend(format!("TLS to PostgreSQL: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(MakeRustls {
            config: Arc::new(config),
        })
    }
}

impl<S> MakeTlsConnect<S> for MakeRustls
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = Tls<S>;
    type TlsConnect = Connect;
    type Error = io::Error;

    fn make_tls_connect(&mut self, domain: &str) -> io::Result<Connect> {
        let name = ServerName::try_from(domain.to_string())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        Ok(Connect {
            config: self.config.clone(),
            name,
        })
    }
}

/// One connection's handshake.
pub struct Connect {
    config: Arc<rustls::ClientConfig>,
    name: ServerName<'static>,
}

impl<S> TlsConnect<S> for Connect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = Tls<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Tls<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        let connector = tokio_rustls::TlsConnector::from(self.config);
        Box::pin(async move { Ok(Tls(connector.connect(self.name, stream).await?)) })
    }
}

/// A TLS stream to the server.
pub struct Tls<S>(TlsStream<S>);

impl<S> tokio_postgres::tls::TlsStream for Tls<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    /// None: SCRAM authenticates without channel binding (`channel_binding=prefer`, the
    /// default, accepts that).
    fn channel_binding(&self) -> ChannelBinding {
        ChannelBinding::none()
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for Tls<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Tls<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// `sslmode` as the URL gives it; without one, a server on loopback (or a Unix socket) is
/// reached in the clear and any other is asked for TLS first (tokio-postgres's `prefer`: TLS
/// when the server offers it, verified; the clear only from a server without TLS).
/// Decision: the convenient default on one machine, the safe one across a network.
pub fn default_ssl_mode(url: &str, config: &mut tokio_postgres::Config) {
    if url.contains("sslmode=") {
        return;
    }
    let local = config.get_hosts().iter().all(|h| match h {
        tokio_postgres::config::Host::Tcp(name) => {
            name == "localhost"
                || name
                    .trim_matches(|c| c == '[' || c == ']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        #[cfg(unix)]
        tokio_postgres::config::Host::Unix(_) => true,
    });
    if local {
        config.ssl_mode(tokio_postgres::config::SslMode::Disable);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use tokio_postgres::config::SslMode;

    fn mode(url: &str) -> SslMode {
        let mut c = tokio_postgres::Config::from_str(url).unwrap();
        default_ssl_mode(url, &mut c);
        c.get_ssl_mode()
    }

    #[test]
    fn loopback_is_reached_in_the_clear_and_other_hosts_are_asked_for_tls() {
        assert_eq!(mode("postgres://u@127.0.0.1:5432/db"), SslMode::Disable);
        assert_eq!(mode("postgres://u@localhost/db"), SslMode::Disable);
        assert_eq!(mode("postgres://u@[::1]:5432/db"), SslMode::Disable);
        assert_eq!(mode("postgres://u@db.internal:5432/db"), SslMode::Prefer);
        assert_eq!(mode("postgres://u@10.0.0.7/db"), SslMode::Prefer);
        // Said in the URL: as said.
        assert_eq!(
            mode("postgres://u@127.0.0.1/db?sslmode=require"),
            SslMode::Require
        );
        assert_eq!(
            mode("postgres://u@db.internal/db?sslmode=disable"),
            SslMode::Disable
        );
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused() {
        assert!(MakeRustls::new(Some(b"not pem")).is_err());
        assert!(MakeRustls::new(None).is_ok());
    }
}
