//! Certificates uploaded with a custom domain name (`certificateBody`, `certificatePrivateKey`,
//! `certificateChain`) and mutual TLS truststores, checked before anything is stored: the
//! PEMs must parse (rustls-pki-types' `PemObject`), the key must be one rustls' ring provider
//! can sign with, and it must be the certificate's own (`CertifiedKey::keys_match`). The TLS
//! listener serves exactly what passed here.
//!
//! Texts: AWS's answers to these uploads are not on record (ACM checks them for AWS); these
//! are Portico's, as BadRequestException, in AWS's style.

use std::sync::Arc;

use portico_core::ApiError;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;

/// The certificates of a PEM text, in order; an error when the text holds none or one does
/// not parse. `what` names the member in the message.
fn certificates(pem: &str, what: &str) -> Result<Vec<CertificateDer<'static>>, ApiError> {
    let mut out = Vec::new();
    for c in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        out.push(c.map_err(|e| {
            ApiError::bad_request(format!("Invalid {what}: the PEM does not parse ({e})"))
        })?);
    }
    if out.is_empty() {
        return Err(ApiError::bad_request(format!(
            "Invalid {what}: no PEM-encoded certificate (-----BEGIN CERTIFICATE-----) found"
        )));
    }
    Ok(out)
}

/// Check an uploaded certificate, its key and its optional intermediate chain.
pub(crate) fn check_pair(body: &str, key: &str, chain: Option<&str>) -> Result<(), ApiError> {
    let mut certs = certificates(body, "certificate body")?;
    if certs.len() > 1 {
        return Err(ApiError::bad_request(
            "Invalid certificate body: it must hold one certificate; put intermediates in certificateChain",
        ));
    }
    if let Some(chain) = chain.filter(|c| !c.trim().is_empty()) {
        certs.extend(certificates(chain, "certificate chain")?);
    }
    let key = PrivateKeyDer::from_pem_slice(key.as_bytes()).map_err(|e| {
        ApiError::bad_request(format!(
            "Invalid certificate private key: no PEM-encoded private key found ({e})"
        ))
    })?;
    let signer = rustls::crypto::ring::sign::any_supported_type(&key).map_err(|e| {
        ApiError::bad_request(format!(
            "Invalid certificate private key: unsupported or malformed key ({e})"
        ))
    })?;
    match CertifiedKey::new(certs, Arc::clone(&signer)).keys_match() {
        Ok(()) => Ok(()),
        Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) => {
            Err(ApiError::bad_request(
                "The certificate private key does not match the certificate body",
            ))
        }
        Err(e) => Err(ApiError::bad_request(format!(
            "Invalid certificate body: {e}"
        ))),
    }
}

/// Check `mutualTlsAuthentication.truststoreUri`: `s3://bucket/key` is stored as given (AWS's
/// form; Portico reads no S3); `file:///path` (Portico's extension) must name a readable file
/// holding at least one PEM certificate, every one of which parses.
pub(crate) fn check_truststore(uri: &str) -> Result<(), ApiError> {
    if let Some(rest) = uri.strip_prefix("s3://") {
        if rest
            .split_once('/')
            .is_some_and(|(b, k)| !b.is_empty() && !k.is_empty())
        {
            return Ok(());
        }
        return Err(ApiError::bad_request(format!(
            "Invalid truststore URI {uri}: expected s3://bucket/key"
        )));
    }
    let Some(path) = uri.strip_prefix("file://") else {
        return Err(ApiError::bad_request(format!(
            "Invalid truststore URI {uri}: expected s3://bucket/key or file:///path (Portico)"
        )));
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| ApiError::bad_request(format!("Cannot read the truststore {uri}: {e}")))?;
    certificates(&text, &format!("truststore {uri}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::client_certificates::self_signed;

    #[test]
    fn a_key_must_be_its_certificates_own() {
        let (cert, key, _) = self_signed(1_700_000_000).unwrap();
        let (other_cert, other_key, _) = self_signed(1_700_000_000).unwrap();
        assert!(check_pair(&cert, &key, None).is_ok());
        assert!(check_pair(&cert, &key, Some(&other_cert)).is_ok());
        let e = check_pair(&cert, &other_key, None).unwrap_err();
        assert_eq!(
            (e.status, e.message.as_str()),
            (
                400,
                "The certificate private key does not match the certificate body"
            )
        );
        for (body, k, chain) in [
            ("nope", key.as_str(), None),
            (cert.as_str(), "nope", None),
            (cert.as_str(), cert.as_str(), None),
            (cert.as_str(), key.as_str(), Some("garbage")),
        ] {
            let e = check_pair(body, k, chain).unwrap_err();
            assert!(
                e.message.starts_with("Invalid certificate"),
                "{}",
                e.message
            );
        }
        let two = format!("{cert}{other_cert}");
        assert!(check_pair(&two, &key, None).is_err());
    }

    #[test]
    fn truststores() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, _, _) = self_signed(1_700_000_000).unwrap();
        let good = dir.path().join("t.pem");
        std::fs::write(&good, &cert).unwrap();
        let empty = dir.path().join("e.pem");
        std::fs::write(&empty, "nothing").unwrap();
        assert!(check_truststore(&format!("file://{}", good.display())).is_ok());
        assert!(check_truststore("s3://bucket/t.pem").is_ok());
        for bad in [
            format!("file://{}", empty.display()),
            format!("file://{}/missing.pem", dir.path().display()),
            "s3://bucket".to_string(),
            "https://example.com/t.pem".to_string(),
        ] {
            assert_eq!(check_truststore(&bad).unwrap_err().status, 400, "{bad}");
        }
    }
}
