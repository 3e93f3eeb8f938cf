//! Client certificates: generate, get, list, update, delete.
//!
//! GenerateClientCertificate makes a real self-signed X.509 certificate (rcgen over ring),
//! valid from now for a year, and keeps its private key in the stored document
//! (`portico_model::ClientCertificate::private_key_pem`) for the data plane, which will present
//! it to the `https://` backends of the stages that name it. No answer ever shows the key:
//! every reply goes through [`view`], which lists the members AWS shows.
//!
//! The certificate mirrors AWS's in its subject (`C=US, L=Seattle, CN=ApiGateway`, as in an
//! AWS-generated certificate quoted in dotnet/corefx issue #33883) but not in its key: AWS's
//! are RSA 2048, ring cannot generate RSA keys, so Portico's are ECDSA P-256 (SHA-256).
//!
//! Texts: AWS's answer for an unknown id is not in any public recording we found (LocalStack's
//! snapshots have none); "Invalid Client Certificate identifier specified" (404
//! NotFoundException) follows AWS's "Invalid … identifier specified" family and is the text
//! independent emulators use (cloudemu's apigateway driver, among others).

use portico_model::{ClientCertificate, Entity};
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use crate::call::{Call, Members, Reply};
use crate::error::ApiError;
use crate::ids::{new_id, now_epoch};
use crate::patch::{self, Apply, Rule, REPLACE};
use crate::store::{self, kind, Txn};
use crate::{paging, Ctx, Handler};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "GenerateClientCertificate" => generate,
        "GetClientCertificate" => get,
        "GetClientCertificates" => list,
        "UpdateClientCertificate" => update,
        "DeleteClientCertificate" => delete,
        _ => return None,
    })
}

/// How long a generated certificate is valid: a year, as AWS's.
pub const VALIDITY_SECONDS: i64 = 365 * 24 * 60 * 60;

/// The 404 for an unknown id (see the module's note on its source).
pub(crate) fn not_found() -> ApiError {
    ApiError::not_found("Invalid Client Certificate identifier specified")
}

/// Whether the tenant has a client certificate `id` (a stage may only name one that exists).
pub(crate) fn exists(txn: &mut dyn Txn, id: &str) -> Result<bool, ApiError> {
    Ok(txn.exists(kind::CLIENT_CERTIFICATE, "", id)?)
}

fn require(txn: &mut dyn Txn, id: &str) -> Result<ClientCertificate, ApiError> {
    match txn.get_shared(kind::CLIENT_CERTIFICATE, "", id)? {
        Some(doc) => Ok(ClientCertificate::from_value(&doc)?),
        None => Err(not_found()),
    }
}

/// A self-signed certificate valid from `now` (epoch seconds) for [`VALIDITY_SECONDS`]: its
/// PEM, its private key's PEM (PKCS#8) and its expiry (epoch seconds).
pub(crate) fn self_signed(now: i64) -> Result<(String, String, i64), ApiError> {
    use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, SerialNumber};
    let fail = |e: rcgen::Error| ApiError::internal(format!("generating a certificate: {e}"));
    let expires = now + VALIDITY_SECONDS;
    let at = |secs: i64| {
        OffsetDateTime::from_unix_timestamp(secs)
            .map_err(|e| ApiError::internal(format!("certificate validity: {e}")))
    };
    let key = KeyPair::generate().map_err(fail)?;
    let mut params = CertificateParams::default();
    let mut subject = DistinguishedName::new();
    subject.push(DnType::CountryName, "US");
    subject.push(DnType::LocalityName, "Seattle");
    subject.push(DnType::CommonName, "ApiGateway");
    params.distinguished_name = subject;
    params.not_before = at(now)?;
    params.not_after = at(expires)?;
    // A positive 64-bit serial, random like AWS's.
    params.serial_number = Some(SerialNumber::from(rand::random::<u64>() >> 1));
    let cert = params.self_signed(&key).map_err(fail)?;
    Ok((cert.pem(), key.serialize_pem(), expires))
}

/// The caller's view: AWS's ClientCertificate members, never the private key.
fn view(c: &ClientCertificate) -> Value {
    let mut out = Map::new();
    out.insert("clientCertificateId".into(), json!(c.client_certificate_id));
    if let Some(d) = &c.description {
        out.insert("description".into(), json!(d));
    }
    out.insert(
        "pemEncodedCertificate".into(),
        json!(c.pem_encoded_certificate),
    );
    out.insert("createdDate".into(), json!(c.created_date));
    out.insert("expirationDate".into(), json!(c.expiration_date));
    if let Some(t) = c.tags.as_ref().filter(|t| !t.is_empty()) {
        out.insert("tags".into(), json!(t));
    }
    Value::Object(out)
}

fn generate(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let description = body.str_of("description")?.filter(|d| !d.is_empty());
    let tags = crate::tags::from_body(&body)?;
    let now = now_epoch();
    let (pem, key, expires) = self_signed(now)?;
    let cert = ClientCertificate {
        client_certificate_id: new_id(6),
        description,
        pem_encoded_certificate: pem,
        created_date: now,
        expiration_date: expires,
        tags,
        private_key_pem: key,
    };
    store::write(&*cx.store, &call.tenant, |txn| {
        Ok(txn.put(
            kind::CLIENT_CERTIFICATE,
            "",
            &cert.client_certificate_id,
            &cert.to_value(),
        )?)
    })?;
    Ok(Reply::Json(view(&cert)))
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let cert = store::read(&*cx.store, &call.tenant, |txn| {
        require(txn, call.label("clientcertificate_id"))
    })?;
    Ok(Reply::Json(view(&cert)))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let page = store::read(&*cx.store, &call.tenant, |txn| {
        paging::page(txn, call, kind::CLIENT_CERTIFICATE, "", |d| {
            match ClientCertificate::from_value(&d.body) {
                Ok(c) => Some(view(&c)),
                Err(e) => {
                    tracing::error!(id = d.id, "{e}; not listed");
                    None
                }
            }
        })
    })?;
    Ok(Reply::Json(page))
}

const RULES: &[Rule] = &[Rule {
    path: "/description",
    ops: REPLACE,
    apply: Apply::OptStr("description"),
}];

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let id = call.label("clientcertificate_id");
    let ops = patch::parse_call(call)?;
    let cert = store::write(&*cx.store, &call.tenant, |txn| {
        let cert = require(txn, id)?;
        let mut doc = cert.to_map();
        patch::apply(&mut doc, &ops, RULES)?;
        let cert = ClientCertificate::from_map(&doc)?;
        txn.put(kind::CLIENT_CERTIFICATE, "", id, &cert.to_value())?;
        Ok(cert)
    })?;
    Ok(Reply::Json(view(&cert)))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let id = call.label("clientcertificate_id");
    store::write(&*cx.store, &call.tenant, |txn| {
        require(txn, id)?;
        Ok(txn.delete(kind::CLIENT_CERTIFICATE, "", id)?)
    })?;
    Ok(Reply::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_a_year_long_self_signed_certificate_and_its_key() {
        let now = 1_700_000_000;
        let (pem, key, expires) = self_signed(now).unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
        assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert_eq!(expires, now + VALIDITY_SECONDS);
        // The key parses back and is the certificate's.
        let pair = rcgen::KeyPair::from_pem(&key).unwrap();
        let der = pem_body(&pem);
        let spki = rcgen::PublicKeyData::subject_public_key_info(&pair);
        assert!(
            der.windows(spki.len()).any(|w| w == spki.as_slice()),
            "the certificate carries the key's public half"
        );
        // Two certificates never share a key.
        let (_, other, _) = self_signed(now).unwrap();
        assert_ne!(key, other);
    }

    #[test]
    fn the_view_never_shows_the_key() {
        let (pem, key, expires) = self_signed(0).unwrap();
        let c = ClientCertificate {
            client_certificate_id: "abc123".into(),
            description: None,
            pem_encoded_certificate: pem,
            created_date: 0,
            expiration_date: expires,
            tags: None,
            private_key_pem: key.clone(),
        };
        let shown = view(&c).to_string();
        assert!(!shown.contains("privateKey") && !shown.contains(&key[30..60]));
        assert!(c.to_value().to_string().contains("privateKeyPem"));
    }

    /// Every document the handlers store reads back into the struct and writes out the same.
    #[test]
    fn stored_documents_are_the_model_struct() {
        let h = crate::testing::Harness::new();
        let c = h.call(
            "POST",
            "/clientcertificates",
            "",
            json!({"description": "d", "tags": {"k": "v"}}),
        );
        let id = c["clientCertificateId"].as_str().unwrap().to_string();
        let arn = format!("arn:aws:apigateway:us-east-1::/clientcertificates/{id}");
        let path = format!("/clientcertificates/{id}");
        let ops = json!({"patchOperations": [
            {"op": "replace", "path": "/description", "value": "e"}]});
        h.call("PATCH", &path, "", ops);
        h.call(
            "PUT",
            &format!("/tags/{}", arn.replace('/', "%2F")),
            "",
            json!({"tags": {"t": "1"}}),
        );
        let docs = h.documents(kind::CLIENT_CERTIFICATE, "");
        assert_eq!(docs.len(), 1);
        let c = ClientCertificate::from_value(&docs[0]).unwrap();
        assert_eq!(c.to_value(), docs[0]);
        assert_eq!(c.description.as_deref(), Some("e"));
        assert_eq!(c.tags.unwrap().len(), 2);
        assert!(!h
            .call("GET", &path, "", json!(null))
            .to_string()
            .contains("PRIVATE KEY"));
    }

    fn pem_body(pem: &str) -> Vec<u8> {
        use base64::Engine;
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap()
    }
}
